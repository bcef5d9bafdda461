//! One element tree for FHIR JSON and FHIR XML.
//!
//! A [`Node`] is a FHIR element: a name, an optional primitive value, an optional `url` (extensions)
//! and children. Repeated elements are repeated children, in both formats. XHTML narrative is skipped.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    pub name: String,
    pub value: Option<String>,
    pub url: Option<String>,
    pub children: Vec<Node>,
}

/// Why a document could not be read at all. Names the position, never the content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("not valid XML: {0}")]
    Xml(String),
    #[error("not a FHIR resource: {0}")]
    NotFhir(String),
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// The primitive value of a child: `node.str("id")`.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.child(name).and_then(|c| c.value.as_deref())
    }
    /// Follows a path of child names, taking the first match at each step.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        let mut n = self;
        for p in path {
            n = n.child(p)?;
        }
        Some(n)
    }
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path).and_then(|n| n.value.as_deref())
    }
    /// The extension with this url, if any.
    pub fn extension(&self, url: &str) -> Option<&Node> {
        self.children("extension")
            .find(|e| e.url.as_deref() == Some(url))
    }
    /// The resource type of a resource node (its element name).
    pub fn resource_type(&self) -> &str {
        &self.name
    }
    pub fn id(&self) -> Option<&str> {
        self.str("id")
    }
    /// `meta.profile` values.
    pub fn profiles(&self) -> Vec<&str> {
        self.child("meta")
            .map(|m| {
                m.children("profile")
                    .filter_map(|p| p.value.as_deref())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Reads one FHIR document (JSON or XML, detected from the first non-blank character) into the
/// tree of its root resource.
pub fn parse_document(text: &str) -> Result<Node, ParseError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        let v: Value =
            serde_json::from_str(trimmed).map_err(|e| ParseError::Json(e.to_string()))?;
        json_resource(&v)
    } else if trimmed.starts_with('<') {
        parse_xml(trimmed)
    } else {
        Err(ParseError::NotFhir("neither JSON nor XML".into()))
    }
}

fn json_resource(v: &Value) -> Result<Node, ParseError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ParseError::NotFhir("resource is not an object".into()))?;
    let rt = obj
        .get("resourceType")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError::NotFhir("missing resourceType".into()))?;
    let mut node = Node {
        name: rt.to_owned(),
        ..Node::default()
    };
    json_children(obj, &mut node)?;
    Ok(node)
}

fn json_children(obj: &serde_json::Map<String, Value>, node: &mut Node) -> Result<(), ParseError> {
    for (key, val) in obj {
        if key == "resourceType" || key.starts_with('_') || key == "div" {
            continue;
        }
        if key == "url" && val.is_string() {
            node.url = val.as_str().map(str::to_owned);
            continue;
        }
        let underscore = obj.get(&format!("_{key}"));
        match val {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let ext = underscore.and_then(|u| u.as_array()).and_then(|a| a.get(i));
                    node.children.push(json_element(key, item, ext)?);
                }
            }
            _ => node.children.push(json_element(key, val, underscore)?),
        }
    }
    // Primitive extensions without a value (`_birthDate` alone).
    for (key, val) in obj {
        if let Some(name) = key.strip_prefix('_')
            && !obj.contains_key(name)
        {
            node.children
                .push(json_element(name, &Value::Null, Some(val))?);
        }
    }
    Ok(())
}

fn json_element(name: &str, v: &Value, primitive_ext: Option<&Value>) -> Result<Node, ParseError> {
    // A contained or bundled resource.
    if (name == "resource" || name == "contained") && v.get("resourceType").is_some() {
        let inner = json_resource(v)?;
        return Ok(Node {
            name: name.to_owned(),
            children: vec![inner],
            ..Node::default()
        });
    }
    let mut node = Node {
        name: name.to_owned(),
        ..Node::default()
    };
    match v {
        Value::Object(o) => json_children(o, &mut node)?,
        Value::String(s) => node.value = Some(s.clone()),
        Value::Number(n) => node.value = Some(n.to_string()),
        Value::Bool(b) => node.value = Some(b.to_string()),
        Value::Null => {}
        Value::Array(_) => return Err(ParseError::NotFhir(format!("nested array in {name}"))),
    }
    if let Some(Value::Object(ext)) = primitive_ext {
        json_children(ext, &mut node)?;
    }
    Ok(node)
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Result<Option<String>, ParseError> {
    for a in e.attributes() {
        let a = a.map_err(|err| ParseError::Xml(err.to_string()))?;
        if a.key.as_ref() == name {
            let v = a
                .unescape_value()
                .map_err(|err| ParseError::Xml(err.to_string()))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

fn parse_xml(text: &str) -> Result<Node, ParseError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut skip_depth = 0usize; // inside XHTML narrative
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| ParseError::Xml(format!("at byte {}: {e}", reader.buffer_position())))?;
        match ev {
            // Inside XHTML narrative: only track nesting.
            Event::Start(_) if skip_depth > 0 => skip_depth += 1,
            Event::Empty(_) if skip_depth > 0 => {}
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if name == "div" {
                    skip_depth = 1;
                    continue;
                }
                stack.push(Node {
                    name,
                    value: attr(&e, b"value")?,
                    url: attr(&e, b"url")?,
                    children: vec![],
                });
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if name == "div" {
                    continue;
                }
                let node = Node {
                    name,
                    value: attr(&e, b"value")?,
                    url: attr(&e, b"url")?,
                    children: vec![],
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::End(_) if skip_depth > 0 => skip_depth -= 1,
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| ParseError::Xml("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(ParseError::Xml(
            "document ends inside an element (truncated?)".into(),
        ));
    }
    root.ok_or_else(|| ParseError::Xml("no root element".into()))
}
