//! [`Json`]: the tree the export builds its resources as, written to text by serde like a
//! `serde_json::Value` and to the same text.
//!
//! A MedMij search builds, writes and drops a tree per resource for every answer, and with
//! `serde_json::Value` that was most of the work of an answer (issue 21): every member's key
//! was a `String` of its own, every object a `BTreeMap` of allocated nodes. Here the keys are
//! the mapping's literals (`&'static str`), an object is one vector kept in key order (so the
//! text is what `Value` writes, whose map sorts its keys), and a string is a `CompactString`:
//! short ones (codes, dates, ids) inline, literals by reference, neither allocated.

use compact_str::CompactString;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A JSON value of an exported resource.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(CompactString),
    Array(Vec<Json>),
    Object(Object),
}

/// An object's members in the order of their keys (byte order, as `serde_json::Map` keeps
/// them), each key once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object(Vec<(&'static str, Json)>);

static NULL: Json = Json::Null;

impl Object {
    pub fn new() -> Self {
        Self(Vec::new())
    }
    /// An object of these members (a key given twice keeps its last value).
    pub fn from_members(mut members: Vec<(&'static str, Json)>) -> Self {
        // Stable: of equal keys the last given is the last here, and is kept.
        members.sort_by_key(|(k, _)| *k);
        // `dedup_by` removes the later of two equal keys: its value moves to the one kept.
        members.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(&mut later.1, &mut kept.1);
            }
            same
        });
        Self(members)
    }
    /// Sets `key` (replacing what it held).
    pub fn insert(&mut self, key: &'static str, value: Json) {
        match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }
    fn entry(&mut self, key: &'static str) -> &mut Json {
        let i = match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key, Json::Null));
                i
            }
        };
        &mut self.0[i].1
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Json)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Json> {
        self.0.iter_mut().map(|(_, v)| v)
    }
    pub fn retain(&mut self, mut keep: impl FnMut(&'static str, &Json) -> bool) {
        self.0.retain(|(k, v)| keep(k, v));
    }
}

impl Json {
    /// A string the program holds for good (a literal): kept by reference, never copied.
    pub const fn from_static(s: &'static str) -> Self {
        Json::String(CompactString::const_new(s))
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s.as_str()),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&Vec<Json>> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
    pub fn is_string(&self) -> bool {
        matches!(self, Json::String(_))
    }
    pub fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }
    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }
    /// The value, leaving `Null` in its place.
    pub fn take(&mut self) -> Json {
        std::mem::take(self)
    }
    /// Member `key` of an object (none when it has none, or this is no object).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object().and_then(|o| o.get(key))
    }
    /// As a `serde_json::Value` (for what works on those: the copy, the exchange).
    pub fn to_value(&self) -> serde_json::Value {
        match self {
            Json::Null => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::Number(n) => serde_json::Value::Number(n.clone()),
            Json::String(s) => serde_json::Value::String(s.as_str().to_owned()),
            Json::Array(a) => serde_json::Value::Array(a.iter().map(Json::to_value).collect()),
            Json::Object(o) => serde_json::Value::Object(
                o.iter()
                    .map(|(k, v)| (k.to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// The text writer: what serde's serializer writes for a [`Json`] (its `Serialize` below), written
/// straight into a `String`. A MedMij answer is mostly this text, and through serde each string
/// went through the serializer's calls and a byte-by-byte escape; here a string that needs no
/// escape (nearly all of them) is checked in one pass and copied whole.
impl Json {
    /// Appends this value as compact JSON text, the same text as `serde_json::to_string`.
    pub fn write_text(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            // `Number` displays as it serializes (itoa for integers, ryu for the rest).
            Json::Number(n) => {
                use std::fmt::Write as _;
                let _ = write!(out, "{n}");
            }
            Json::String(x) => write_string(out, x),
            Json::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_text(out);
                }
                out.push(']');
            }
            Json::Object(o) => {
                out.push('{');
                for (i, (k, v)) in o.0.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, k);
                    out.push(':');
                    v.write_text(out);
                }
                out.push('}');
            }
        }
    }
}

/// `s` as a JSON string, escaped as `serde_json` escapes it: `"` and `\`, the control
/// characters (`\b`, `\t`, `\n`, `\f`, `\r` by name, the others as `\u00xx`); nothing else.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    push_escaped(out, s);
    out.push('"');
}

/// [`write_string`] without the quotes: `s` escaped.
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    // One pass without an early exit, which the compiler can do many bytes at a time.
    let plain = s.bytes().fold(true, |plain, b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    });
    if plain {
        out.push_str(s);
    } else {
        let mut from = 0;
        for (i, b) in s.bytes().enumerate() {
            let named = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                0x08 => "\\b",
                b'\t' => "\\t",
                b'\n' => "\\n",
                0x0c => "\\f",
                b'\r' => "\\r",
                0..0x20 => "",
                _ => continue,
            };
            // Every byte escaped is ASCII: `from` and `i` are character boundaries.
            out.push_str(&s[from..i]);
            if named.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            } else {
                out.push_str(named);
            }
            from = i + 1;
        }
        out.push_str(&s[from..]);
    }
}

impl From<&Json> for serde_json::Value {
    fn from(j: &Json) -> Self {
        j.to_value()
    }
}

impl std::ops::Index<&str> for Json {
    type Output = Json;
    fn index(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Json {
    type Output = Json;
    fn index(&self, i: usize) -> &Json {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

/// `v["key"] = ..` sets a member; a `Null` becomes an object first (as with `serde_json`).
/// Panics on any other kind of value, a defect in the mapping.
impl std::ops::IndexMut<&'static str> for Json {
    fn index_mut(&mut self, key: &'static str) -> &mut Json {
        if self.is_null() {
            *self = Json::Object(Object::new());
        }
        match self {
            Json::Object(o) => o.entry(key),
            other => panic!("cannot set {key} on {other:?}"),
        }
    }
}

impl PartialEq<str> for Json {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}
impl PartialEq<&str> for Json {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}
impl PartialEq<String> for Json {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}
impl PartialEq<serde_json::Value> for Json {
    fn eq(&self, other: &serde_json::Value) -> bool {
        self.to_value() == *other
    }
}
impl PartialEq<Json> for serde_json::Value {
    fn eq(&self, other: &Json) -> bool {
        *self == other.to_value()
    }
}

/// Compact JSON text, as a `Value` displays without `{:#}` (no pretty form).
impl std::fmt::Display for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| std::fmt::Error)?)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(x) => s.serialize_str(x),
            Json::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Json::Object(o) => o.serialize(s),
        }
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// What readers of a resource need of it, whether built by the export ([`Json`]) or held as a
/// `serde_json::Value` (a PGO's own measurements): its members, elements and text.
pub trait JsonTree: Serialize + Sized {
    fn member(&self, key: &str) -> Option<&Self>;
    /// An array's elements (none for anything else).
    fn elements(&self) -> &[Self];
    fn text(&self) -> Option<&str>;
    /// Appends the compact JSON text, as `serde_json::to_string` writes it.
    fn write_text(&self, out: &mut String);
    /// `resourceType` and `id` ("" where missing).
    fn type_and_id(&self) -> (&str, &str) {
        let text = |k| self.member(k).and_then(Self::text).unwrap_or_default();
        (text("resourceType"), text("id"))
    }
}

/// Both kinds have the same readers under the same names.
macro_rules! json_tree {
    ($($t:ty => $write:expr),*) => {$(
        impl JsonTree for $t {
            fn write_text(&self, out: &mut String) {
                $write(self, out)
            }
            fn member(&self, key: &str) -> Option<&Self> {
                self.get(key)
            }
            fn elements(&self) -> &[Self] {
                self.as_array().map_or(&[], Vec::as_slice)
            }
            fn text(&self) -> Option<&str> {
                self.as_str()
            }
        }
    )*};
}
json_tree!(
    Json => Json::write_text,
    serde_json::Value => |v: &serde_json::Value, out: &mut String| {
        out.push_str(&serde_json::to_string(v).unwrap_or_default())
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::IntoJson;

    #[test]
    fn members_are_written_in_key_order_as_a_serde_json_value_writes_them() {
        let mut o = Json::Null;
        for (k, v) in [
            ("resourceType", "Patient"),
            ("id", "p1"),
            ("_family", "x"),
            ("birthDate", "2001-02-03"),
            ("Zeta", "upper before lower"),
            ("id", "p2"),
        ] {
            o[k] = Json::String(v.into());
        }
        o["count"] = Json::Number(3.into());
        let twice = Object::from_members(vec![
            ("b", Json::Bool(true)),
            ("a", Json::Null),
            ("b", Json::Bool(false)),
        ]);
        assert_eq!(twice.len(), 2);
        assert_eq!(twice.get("b"), Some(&Json::Bool(false)));
        o["ok"] = Json::Bool(true);
        o["list"] = Json::Array(vec![
            Json::Null,
            Json::from_static("a long literal kept by reference"),
        ]);
        let text = serde_json::to_string(&o).unwrap();
        assert_eq!(text, serde_json::to_string(&o.to_value()).unwrap());
        assert!(text.starts_with(r#"{"Zeta":"upper before lower","_family":"x","birthDate""#));
        assert_eq!(o["id"], "p2");
        assert_eq!(o["list"][1], "a long literal kept by reference");
        assert!(o["missing"]["deeper"][3].is_null());
    }

    /// The text writer writes what serde_json writes: every control character, quotes,
    /// backslashes, text outside ASCII, numbers of every kind, empty and nested values.
    #[test]
    fn the_text_writer_writes_what_serde_json_writes() {
        let mut odd: String = (0u8..0x20).map(char::from).collect();
        odd.push_str("\"quoted\" back\\slash / \u{7f} ëç € 😀 \u{2028}");
        let strings = [
            "",
            "plain text of a line",
            &odd,
            "\"",
            "\\",
            "ends with a newline\n",
            "a string longer than twenty-four bytes, kept on the heap",
        ];
        let numbers = [
            Json::Number(0.into()),
            Json::Number((-17).into()),
            Json::Number(u64::MAX.into()),
            Json::Number(i64::MIN.into()),
            1.5f64.into_json(),
            0.1f64.into_json(),
            (-0.0f64).into_json(),
            1e21f64.into_json(),
            1e-7f64.into_json(),
            123456.789f64.into_json(),
            f64::NAN.into_json(),
        ];
        let mut all: Vec<Json> = strings.iter().map(|s| Json::String((*s).into())).collect();
        all.extend(numbers);
        all.extend([Json::Null, Json::Bool(true), Json::Bool(false)]);
        let mut object = Object::new();
        for (k, v) in ["b", "a", "\"k\"", "é"].into_iter().zip(all.iter().cycle()) {
            object.insert(k, v.clone());
        }
        all.extend([
            Json::Array(vec![]),
            Json::Object(Object::new()),
            Json::Object(object.clone()),
            Json::Array(vec![
                Json::Object(object),
                Json::Array(all.clone()),
                Json::Array(vec![Json::Array(vec![])]),
            ]),
        ]);
        for v in &all {
            let mut text = String::new();
            v.write_text(&mut text);
            assert_eq!(text, serde_json::to_string(v).unwrap());
            let mut again = String::from("kept ");
            v.write_text(&mut again);
            assert_eq!(again, format!("kept {text}"));
        }
    }

    #[test]
    fn the_fhir_macro_builds_what_json_builds() {
        let x = 2;
        let built = fhir!({
            "b": -1,
            "a": 1.5,
            "c": [true, null, -x, "literal", format!("{x}")],
            "d": { "e": x },
        });
        assert_eq!(
            built.to_value(),
            serde_json::json!({ "b": -1, "a": 1.5, "c": [true, null, -2, "literal", "2"], "d": { "e": 2 } })
        );
        assert_eq!(
            serde_json::to_string(&built).unwrap(),
            r#"{"a":1.5,"b":-1,"c":[true,null,-2,"literal","2"],"d":{"e":2}}"#
        );
    }
}
