//! Hardening finding 1 (issue 22): deeply nested or very wide documents are refused with a clear
//! error instead of crashing the process (stack overflow) or exhausting memory.

use inzage_fhir::{Limits, Node, ParseError, parse_document, parse_document_within};

/// A Patient whose extension is nested `levels` deep, as FHIR XML.
fn deep_xml(levels: usize) -> String {
    let mut s = String::from(r#"<Patient xmlns="http://hl7.org/fhir"><id value="p1"/>"#);
    for _ in 0..levels {
        s.push_str(r#"<extension url="http://example.org/x">"#);
    }
    for _ in 0..levels {
        s.push_str("</extension>");
    }
    s.push_str("</Patient>");
    s
}

/// The same as FHIR JSON.
fn deep_json(levels: usize) -> String {
    let mut s = String::from(r#"{"resourceType":"Patient","id":"p1""#);
    for _ in 0..levels {
        s.push_str(r#","extension":[{"url":"http://example.org/x""#);
    }
    for _ in 0..levels {
        s.push_str("}]");
    }
    s.push('}');
    s
}

/// A Patient with `n` identifiers, as XML and as JSON.
fn wide(n: usize) -> (String, String) {
    let mut xml = String::from(r#"<Patient xmlns="http://hl7.org/fhir">"#);
    let mut json = String::from(r#"{"resourceType":"Patient","identifier":["#);
    for i in 0..n {
        xml.push_str(r#"<identifier><value value="x"/></identifier>"#);
        if i > 0 {
            json.push(',');
        }
        json.push_str(r#"{"value":"x"}"#);
    }
    xml.push_str("</Patient>");
    json.push_str("]}");
    (xml, json)
}

#[test]
fn hardening_1_xml_nested_50000_deep_is_refused_not_a_crash() {
    let err = parse_document(&deep_xml(50_000)).unwrap_err();
    assert_eq!(err, ParseError::TooDeep(Limits::IMPORT.max_depth));
    assert!(err.to_string().contains("nested deeper than 60"), "{err}");
}

#[test]
fn hardening_1_json_nested_50000_deep_is_refused_not_a_crash() {
    let err = parse_document(&deep_json(50_000)).unwrap_err();
    assert_eq!(err, ParseError::TooDeep(Limits::IMPORT.max_depth));
}

#[test]
fn hardening_1_nesting_up_to_the_limit_is_read() {
    // Root resource is level 1; each extension one more.
    let max = Limits::IMPORT.max_depth;
    for doc in [deep_xml(max - 1), deep_json(max - 1)] {
        let mut n = &parse_document(&doc).unwrap();
        let mut depth = 1;
        while let Some(e) = n.child("extension") {
            n = e;
            depth += 1;
        }
        assert_eq!(depth, max);
    }
    for doc in [deep_xml(max), deep_json(max)] {
        assert_eq!(parse_document(&doc).unwrap_err(), ParseError::TooDeep(max));
    }
}

#[test]
fn hardening_1_arrays_in_arrays_are_bounded_too() {
    let doc = format!(
        r#"{{"resourceType":"Patient","x":{}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(
        parse_document(&doc).unwrap_err(),
        ParseError::TooDeep(Limits::IMPORT.max_depth)
    );
}

#[test]
fn hardening_1_too_many_elements_are_refused_before_the_tree_is_built() {
    let limits = Limits {
        max_depth: 60,
        max_elements: 1_000,
    };
    let (xml, json) = wide(400);
    // 400 identifiers with a value: 801 elements with the root (JSON: 1 + 1 + 400 * 2 values).
    assert_eq!(
        parse_document_within(&xml, limits).unwrap().children.len(),
        400
    );
    assert_eq!(
        parse_document_within(&json, limits).unwrap().children.len(),
        400
    );
    let (xml, json) = wide(600);
    for doc in [xml, json] {
        assert_eq!(
            parse_document_within(&doc, limits).unwrap_err(),
            ParseError::TooManyElements(1_000)
        );
    }
}

#[test]
fn hardening_1_broken_json_is_still_a_json_error() {
    let err = parse_document(r#"{"resourceType":"Patient","id":"#).unwrap_err();
    assert!(matches!(err, ParseError::Json(_)), "{err:?}");
    let err = parse_document(r#"{"resourceType":"Patient"} trailing"#).unwrap_err();
    assert!(matches!(err, ParseError::Json(_)), "{err:?}");
}

#[test]
fn hardening_1_a_deep_tree_is_dropped_without_recursion() {
    // Built by hand, past any reader's limit: dropping it must not overflow the stack (the test
    // thread's stack is 2 MiB; a recursive drop of a million levels needs far more).
    let mut node = Node::default();
    for _ in 0..1_000_000 {
        let mut parent = Node::new("extension");
        parent.children.push(node);
        node = parent;
    }
    drop(node);
}
