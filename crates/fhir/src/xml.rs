//! FHIR STU3 XML, written from the JSON form we build ([`export`](crate::export)).
//!
//! The two formats carry the same content but XML fixes what JSON leaves free
//! (<https://hl7.org/fhir/STU3/xml.html>):
//! - elements appear in the order of the specification: [`stu3_order`](crate::stu3_order), a
//!   table generated from a FHIR library we did not write, gives it for every type we write;
//! - a primitive is `<name value="…"/>`; its `_name` sibling in JSON (id, extensions) becomes the
//!   element's `id` attribute and children;
//! - `id` of a data type or backbone element, and `url` of an Extension, are attributes;
//! - a nested resource (`contained`, `Bundle.entry.resource`) is wrapped in its element;
//! - the narrative `div` is XHTML, written as it is.
//!
//! A JSON member that the table does not know for its type is an error, never dropped: what
//! we write in JSON must reach an XML reader whole.

use crate::stu3_order::{Elements, TYPES};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value};

/// Why a JSON resource could not be written as XML.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum XmlError {
    #[error("{0} is not a resource type this writer knows")]
    UnknownResource(String),
    #[error("{ty} has no element {element}")]
    UnknownElement { ty: String, element: String },
    #[error("{0} is not a JSON object")]
    NotAnObject(String),
    #[error("{0} has a value that is not a FHIR primitive")]
    NotPrimitive(String),
    #[error("the narrative is not well-formed XHTML")]
    Narrative,
}

fn elements(ty: &str) -> Option<(bool, Elements)> {
    TYPES
        .binary_search_by(|(name, ..)| (*name).cmp(ty))
        .ok()
        .map(|i| (TYPES[i].1, TYPES[i].2))
}

type W = Writer<Vec<u8>>;

/// One resource (a Bundle or any other) as an XML document.
pub fn to_xml(resource: &Value) -> Result<String, XmlError> {
    let mut w = Writer::new(Vec::with_capacity(4096));
    io(w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))))?;
    write_resource(&mut w, resource, true)?;
    Ok(String::from_utf8(w.into_inner()).unwrap_or_default())
}

fn io(r: std::io::Result<()>) -> Result<(), XmlError> {
    // Writing into a Vec cannot fail.
    r.map_err(|_| XmlError::Narrative)
}

fn write_resource(w: &mut W, v: &Value, root: bool) -> Result<(), XmlError> {
    let obj = v
        .as_object()
        .ok_or_else(|| XmlError::NotAnObject("resource".into()))?;
    let ty = obj
        .get("resourceType")
        .and_then(Value::as_str)
        .ok_or_else(|| XmlError::UnknownResource("(none)".into()))?;
    let (true, table) = elements(ty).ok_or_else(|| XmlError::UnknownResource(ty.into()))? else {
        return Err(XmlError::UnknownResource(ty.into()));
    };
    let mut start = BytesStart::new(ty);
    if root {
        start.push_attribute(("xmlns", "http://hl7.org/fhir"));
    }
    io(w.write_event(Event::Start(start)))?;
    write_members(w, ty, true, table, obj)?;
    io(w.write_event(Event::End(BytesEnd::new(ty))))
}

/// The members of one object of type `ty`, in specification order.
fn write_members(
    w: &mut W,
    ty: &str,
    resource: bool,
    table: Elements,
    obj: &Map<String, Value>,
) -> Result<(), XmlError> {
    // Everything present must be known: nothing is silently left out.
    for key in obj.keys() {
        let name = key.strip_prefix('_').unwrap_or(key);
        let known = (resource && key == "resourceType")
            || (!resource && name == "id")
            || (ty == "Extension" && name == "url")
            || table.iter().any(|(el, _)| *el == name);
        if !known {
            return Err(XmlError::UnknownElement {
                ty: ty.into(),
                element: key.clone(),
            });
        }
    }
    for (name, child) in table {
        // Attributes, written with the start tag by the caller.
        if (!resource && *name == "id") || (ty == "Extension" && *name == "url") {
            continue;
        }
        let value = obj.get(*name);
        let ext = obj.get(&format!("_{name}"));
        match (value, ext) {
            (None, None) => {}
            (Some(Value::Array(items)), ext) => {
                let exts = ext.and_then(Value::as_array);
                for (i, item) in items.iter().enumerate() {
                    let e = exts.and_then(|e| e.get(i)).filter(|e| !e.is_null());
                    write_element(w, name, child, Some(item).filter(|v| !v.is_null()), e)?;
                }
            }
            (None, Some(Value::Array(exts))) => {
                for e in exts.iter().filter(|e| !e.is_null()) {
                    write_element(w, name, child, None, Some(e))?;
                }
            }
            (value, ext) => write_element(w, name, child, value, ext)?,
        }
    }
    Ok(())
}

fn write_element(
    w: &mut W,
    name: &str,
    child: &str,
    value: Option<&Value>,
    ext: Option<&Value>,
) -> Result<(), XmlError> {
    match child {
        "" => {
            let mut start = BytesStart::new(name);
            let ext = match ext {
                Some(e) => Some(
                    e.as_object()
                        .ok_or_else(|| XmlError::NotAnObject(format!("_{name}")))?,
                ),
                None => None,
            };
            if let Some(id) = ext.and_then(|e| e.get("id")).and_then(Value::as_str) {
                start.push_attribute(("id", id));
            }
            if let Some(v) = value {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => return Err(XmlError::NotPrimitive(name.into())),
                };
                start.push_attribute(("value", text.as_str()));
            }
            let extensions = ext.map(|e| {
                e.iter()
                    .filter(|(k, _)| k.as_str() != "id")
                    .collect::<Vec<_>>()
            });
            match extensions {
                Some(members) if !members.is_empty() => {
                    io(w.write_event(Event::Start(start)))?;
                    let mut inner = Map::new();
                    for (k, v) in members {
                        inner.insert(k.clone(), v.clone());
                    }
                    let (_, table) = elements("Element").unwrap_or((false, &[]));
                    write_members(w, "Element", false, table, &inner)?;
                    io(w.write_event(Event::End(BytesEnd::new(name))))
                }
                _ => io(w.write_event(Event::Empty(start))),
            }
        }
        "xhtml" => {
            let div = value.and_then(Value::as_str).ok_or(XmlError::Narrative)?;
            if !div.starts_with("<div") || !div.ends_with("</div>") {
                return Err(XmlError::Narrative);
            }
            io(w.write_event(Event::Text(BytesText::from_escaped(div))))
        }
        "Resource" => {
            let v = value.ok_or_else(|| XmlError::NotAnObject(name.into()))?;
            io(w.write_event(Event::Start(BytesStart::new(name))))?;
            write_resource(w, v, false)?;
            io(w.write_event(Event::End(BytesEnd::new(name))))
        }
        ty => {
            let obj = value
                .and_then(Value::as_object)
                .ok_or_else(|| XmlError::NotAnObject(name.into()))?;
            let (_, table) =
                elements(ty).ok_or_else(|| XmlError::UnknownResource(ty.to_owned()))?;
            let mut start = BytesStart::new(name);
            if let Some(id) = obj.get("id").and_then(Value::as_str) {
                start.push_attribute(("id", id));
            }
            if let Some(url) = obj
                .get("url")
                .and_then(Value::as_str)
                .filter(|_| ty == "Extension")
            {
                start.push_attribute(("url", url));
            }
            let has_children = obj
                .keys()
                .any(|k| k != "id" && !(ty == "Extension" && k == "url"));
            if has_children {
                io(w.write_event(Event::Start(start)))?;
                write_members(w, ty, false, table, obj)?;
                io(w.write_event(Event::End(BytesEnd::new(name))))
            } else {
                io(w.write_event(Event::Empty(start)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn order_attributes_and_primitive_extensions() {
        let v = json!({
            "resourceType": "Patient",
            "name": [{ "family": "Jansen", "given": ["Anna", "Maria"],
                       "_given": [null, { "extension": [{ "url": "http://x", "valueCode": "BR" }] }] }],
            "id": "p1",
            "meta": { "profile": ["http://fhir.nl/fhir/StructureDefinition/nl-core-patient"] },
            "extension": [{ "url": "http://e", "valueBoolean": true }],
            "gender": "female",
            "birthDate": "1970-01-02",
            "text": { "status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">A &amp; B</div>" },
        });
        let xml = to_xml(&v).unwrap();
        let body = xml.split_once("?>").unwrap().1;
        assert_eq!(
            body,
            concat!(
                r#"<Patient xmlns="http://hl7.org/fhir"><id value="p1"/>"#,
                r#"<meta><profile value="http://fhir.nl/fhir/StructureDefinition/nl-core-patient"/></meta>"#,
                r#"<text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">A &amp; B</div></text>"#,
                r#"<extension url="http://e"><valueBoolean value="true"/></extension>"#,
                r#"<name><family value="Jansen"/><given value="Anna"/>"#,
                r#"<given value="Maria"><extension url="http://x"><valueCode value="BR"/></extension></given></name>"#,
                r#"<gender value="female"/><birthDate value="1970-01-02"/></Patient>"#,
            )
        );
    }

    #[test]
    fn nested_resources_numbers_and_escaping() {
        let v = json!({
            "resourceType": "Bundle",
            "type": "searchset",
            "total": 1,
            "entry": [{ "fullUrl": "https://x/fhir/Observation/o1", "search": { "mode": "match" },
                        "resource": { "resourceType": "Observation", "id": "o1", "status": "final",
                                      "code": { "text": "Hb <\"&'>" },
                                      "valueQuantity": { "value": 8.50, "unit": "mmol/l" } } }],
        });
        let xml = to_xml(&v).unwrap();
        assert!(xml.contains(r#"<total value="1"/>"#), "{xml}");
        assert!(xml.contains(
            r#"<entry><fullUrl value="https://x/fhir/Observation/o1"/><resource><Observation><id value="o1"/>"#
        ), "{xml}");
        assert!(
            xml.contains(
                r#"</Observation></resource><search><mode value="match"/></search></entry>"#
            ),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<text value="Hb &lt;&quot;&amp;&apos;&gt;"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"<value value="8.5"/>"#), "{xml}");
    }

    #[test]
    fn unknown_members_and_types_are_errors() {
        let bad = json!({ "resourceType": "Patient", "nickname": "A" });
        assert_eq!(
            to_xml(&bad),
            Err(XmlError::UnknownElement {
                ty: "Patient".into(),
                element: "nickname".into()
            })
        );
        let bad = json!({ "resourceType": "Patient", "name": [{ "nick": "A" }] });
        assert!(matches!(to_xml(&bad), Err(XmlError::UnknownElement { .. })));
        let bad = json!({ "resourceType": "Questionnaire" });
        assert_eq!(
            to_xml(&bad),
            Err(XmlError::UnknownResource("Questionnaire".into()))
        );
        let bad = json!({ "resourceType": "Patient", "gender": { "x": 1 } });
        assert_eq!(to_xml(&bad), Err(XmlError::NotPrimitive("gender".into())));
    }
}
