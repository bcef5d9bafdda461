//! The official Nictiz qualification patient of GenPractData 2.0 (Jacqueline XXX_Cevat), from
//! `../shared/conformance/` beside the repository, as our import reads it: the fixture's date
//! placeholders (`${DATE, T, D, -n}`) filled in for the given moment's Dutch calendar day.

use chrono::{DateTime, Utc};
use inzage_domain::time::local_date;
use inzage_domain::{Actor, PatientRecord};
use inzage_fhir::placeholders::substitute_dates;
use inzage_fhir::{Mapped, Node, expand, map_resources, parse_document};
use std::path::PathBuf;

/// The qualification's reference resources (`resources-generic`, `resources-query-send`).
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/nictiz/GenPractData-2-0/Cert/_reference")
}

/// The patient's source resources, file by file in name order, Bundles unpacked.
pub fn resources(now: DateTime<Utc>) -> Vec<(String, Node)> {
    let today = local_date(now);
    let mut resources = vec![];
    for sub in ["resources-generic", "resources-query-send"] {
        let mut files: Vec<_> = std::fs::read_dir(dir().join(sub))
            .expect("the Nictiz fixtures are in ../shared/conformance")
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let text = substitute_dates(&std::fs::read_to_string(&f).unwrap(), today);
            let doc = parse_document(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            expand(
                &f.file_name().unwrap().to_string_lossy(),
                doc,
                &mut resources,
            );
        }
    }
    resources
}

/// The import's whole answer for the patient: the record and every issue it found.
pub fn mapped(now: DateTime<Utc>) -> Mapped {
    map_resources(&resources(now), now, Actor::System("import".into()))
}

/// The patient's record as imported at `now`.
pub fn record(now: DateTime<Utc>) -> PatientRecord {
    mapped(now).records.remove(0)
}
