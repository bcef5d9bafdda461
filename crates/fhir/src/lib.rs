//! FHIR STU3 in the Nictiz profiles (`gp-*`, `zib-*`, `nl-core-*`): reading JSON and XML and mapping
//! resources to the record model, and writing a patient's visible record back out ([`export`]).
//!
//! Both wire formats are read into one small element tree ([`node::Node`]) so that the mapping is
//! written once. Wire types never leave this crate: callers get domain types and an import report,
//! or (export) JSON values built from a visibility view. [`r4`] writes the same view as FHIR R4
//! (nl-core profiles) for the electronic copy; [`xml`] writes STU3 JSON as FHIR XML.

pub mod export;
pub mod import;
pub mod node;
pub mod placeholders;
pub mod r4;
mod stu3_order;
pub mod vitals;
pub mod xml;

pub use import::{ImportIssue, Mapped, Severity, expand, map_resources};
pub use node::{Limits, Node, ParseError, parse_document, parse_document_within};
