//! One element tree for FHIR JSON and FHIR XML.
//!
//! A [`Node`] is a FHIR element: a name, an optional primitive value, an optional `url` (extensions)
//! and children. Repeated elements are repeated children, in both formats. XHTML narrative is skipped.
//!
//! The readers are bounded ([`Limits`]): a document nested deeper or holding more elements than
//! the limits allow is refused before its tree is built, so hostile input cannot exhaust the stack
//! or the memory. Dropping a tree is iterative, so even a deep tree built by hand cannot overflow
//! the stack when it goes away.

use compact_str::CompactString;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    /// The element's name (inline: FHIR's names fit in 24 bytes).
    pub name: CompactString,
    pub value: Option<CompactString>,
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
    #[error("elements are nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("the document has more than {0} elements")]
    TooManyElements(usize),
}

/// How deep and how large a document may be. Real FHIR resources are nested about 15 levels
/// (Bundle, entry, resource, element, extension in extension, coding); the limit leaves ample room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The deepest element, counting the root resource as 1 (JSON: objects).
    pub max_depth: usize,
    /// Elements in the whole document (JSON: values; XML: elements outside XHTML narrative).
    pub max_elements: usize,
}

impl Limits {
    /// For files a practice imports: a whole practice's export in one Bundle still fits.
    pub const IMPORT: Limits = Limits {
        max_depth: 60,
        max_elements: 2_000_000,
    };
}

/// A tree is dropped iteratively: the derived drop would recurse once per level.
impl Drop for Node {
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.children);
        while let Some(mut n) = pending.pop() {
            pending.append(&mut n.children);
        }
    }
}

impl Node {
    /// An element with this name and nothing else.
    pub fn new(name: impl Into<CompactString>) -> Self {
        Node {
            name: name.into(),
            value: None,
            url: None,
            children: vec![],
        }
    }
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
/// tree of its root resource, within [`Limits::IMPORT`].
pub fn parse_document(text: &str) -> Result<Node, ParseError> {
    parse_document_within(text, Limits::IMPORT)
}

/// [`parse_document`] within the given limits.
pub fn parse_document_within(text: &str, limits: Limits) -> Result<Node, ParseError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        // A streaming pass counts depth and elements first, so that nothing is allocated for a
        // document that is too large (serde_json's own value tree costs ~10x the text).
        json_budget::check(trimmed, limits)?;
        let v: Value =
            serde_json::from_str(trimmed).map_err(|e| ParseError::Json(e.to_string()))?;
        json_resource(&v)
    } else if trimmed.starts_with('<') {
        parse_xml(trimmed, limits)
    } else {
        Err(ParseError::NotFhir("neither JSON nor XML".into()))
    }
}

/// The streaming depth and size check for JSON: a serde visitor that keeps nothing.
mod json_budget {
    use super::{Limits, ParseError};
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::cell::Cell;

    /// Which limit stopped the pass (serde's errors carry only text).
    #[derive(Clone, Copy)]
    enum Hit {
        None,
        Depth,
        Elements,
    }

    struct State {
        limits: Limits,
        elements: Cell<usize>,
        hit: Cell<Hit>,
    }

    #[derive(Clone, Copy)]
    struct Budget<'a> {
        state: &'a State,
        /// Objects and arrays around this value. FHIR JSON never nests arrays in arrays, so an
        /// element at depth d has at most 2d - 1 containers around it.
        containers: usize,
    }

    impl Budget<'_> {
        fn count<E: serde::de::Error>(&self) -> Result<(), E> {
            let n = self.state.elements.get() + 1;
            self.state.elements.set(n);
            if n > self.state.limits.max_elements {
                self.state.hit.set(Hit::Elements);
                return Err(E::custom("too many elements"));
            }
            Ok(())
        }
        fn enter<E: serde::de::Error>(&self) -> Result<Self, E> {
            self.count()?;
            let containers = self.containers + 1;
            if containers > 2 * self.state.limits.max_depth {
                self.state.hit.set(Hit::Depth);
                return Err(E::custom("nested too deep"));
            }
            Ok(Budget {
                state: self.state,
                containers,
            })
        }
    }

    impl<'de> DeserializeSeed<'de> for Budget<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Budget<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
            self.count()
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
            self.count()
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
            self.count()
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
            self.count()
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
            self.count()
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
            self.count()
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let inner = self.enter()?;
            while seq.next_element_seed(inner)?.is_some() {}
            Ok(())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let inner = self.enter()?;
            while map.next_key::<IgnoredAny>()?.is_some() {
                map.next_value_seed(inner)?;
            }
            Ok(())
        }
    }

    pub(super) fn check(text: &str, limits: Limits) -> Result<(), ParseError> {
        let state = State {
            limits,
            elements: Cell::new(0),
            hit: Cell::new(Hit::None),
        };
        let mut de = serde_json::Deserializer::from_str(text);
        let budget = Budget {
            state: &state,
            containers: 0,
        };
        let outcome = budget.deserialize(&mut de).and_then(|()| de.end());
        match (outcome, state.hit.get()) {
            (_, Hit::Depth) => Err(ParseError::TooDeep(limits.max_depth)),
            (_, Hit::Elements) => Err(ParseError::TooManyElements(limits.max_elements)),
            (Err(e), Hit::None) => Err(ParseError::Json(e.to_string())),
            (Ok(()), Hit::None) => Ok(()),
        }
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
    let mut node = Node::new(rt);
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
        let mut wrapper = Node::new(name);
        wrapper.children.push(inner);
        return Ok(wrapper);
    }
    let mut node = Node::new(name);
    match v {
        Value::Object(o) => json_children(o, &mut node)?,
        Value::String(s) => node.value = Some(s.as_str().into()),
        Value::Number(n) => node.value = Some(n.to_string().into()),
        Value::Bool(b) => node.value = Some(b.to_string().into()),
        Value::Null => {}
        Value::Array(_) => return Err(ParseError::NotFhir(format!("nested array in {name}"))),
    }
    if let Some(Value::Object(ext)) = primitive_ext {
        json_children(ext, &mut node)?;
    }
    Ok(node)
}

/// An element's `value` and `url` attributes, in one pass over its attributes.
fn value_and_url(
    e: &BytesStart<'_>,
) -> Result<(Option<CompactString>, Option<String>), ParseError> {
    let (mut value, mut url) = (None, None);
    for a in e.attributes() {
        let a = a.map_err(|err| ParseError::Xml(err.to_string()))?;
        let unescaped = || {
            a.unescape_value()
                .map_err(|err| ParseError::Xml(err.to_string()))
        };
        match a.key.as_ref() {
            b"value" if value.is_none() => value = Some(CompactString::from(unescaped()?)),
            b"url" if url.is_none() => url = Some(unescaped()?.into_owned()),
            _ => {}
        }
    }
    Ok((value, url))
}

fn parse_xml(text: &str, limits: Limits) -> Result<Node, ParseError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    let mut count = || {
        elements += 1;
        if elements > limits.max_elements {
            return Err(ParseError::TooManyElements(limits.max_elements));
        }
        Ok(())
    };
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| ParseError::Xml(format!("at byte {}: {e}", reader.buffer_position())))?;
        match ev {
            Event::Start(e) => {
                if e.local_name().as_ref() == b"div" {
                    // XHTML narrative is not read: skip to its end in one scan.
                    reader.read_to_end(e.name()).map_err(|err| {
                        ParseError::Xml(format!("at byte {}: {err}", reader.buffer_position()))
                    })?;
                    continue;
                }
                let name = CompactString::from_utf8_lossy(e.local_name().as_ref());
                if stack.len() >= limits.max_depth {
                    return Err(ParseError::TooDeep(limits.max_depth));
                }
                count()?;
                let (value, url) = value_and_url(&e)?;
                stack.push(Node {
                    name,
                    value,
                    url,
                    children: vec![],
                });
            }
            Event::Empty(e) => {
                let name = CompactString::from_utf8_lossy(e.local_name().as_ref());
                if name == "div" {
                    continue;
                }
                if stack.len() >= limits.max_depth {
                    return Err(ParseError::TooDeep(limits.max_depth));
                }
                count()?;
                let (value, url) = value_and_url(&e)?;
                let node = Node {
                    name,
                    value,
                    url,
                    children: vec![],
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
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
