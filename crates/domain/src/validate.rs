//! Consistency checks on a whole record: what must hold before a record is stored.
//! Field-level validity is guaranteed by the types; this checks what spans items.

use crate::record::PatientRecord;
use std::collections::HashSet;

/// One problem found in a record, naming the item and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{item} {id}: {problem}")]
pub struct RecordProblem {
    pub item: &'static str,
    pub id: String,
    pub problem: String,
}

/// All consistency problems of a record; empty when the record may be stored.
pub fn validate_record(r: &PatientRecord) -> Vec<RecordProblem> {
    let mut out = Vec::new();
    let mut p = |item: &'static str, id: &str, problem: String| {
        out.push(RecordProblem {
            item,
            id: id.to_owned(),
            problem,
        })
    };

    macro_rules! unique {
        ($field:ident, $name:literal) => {{
            let mut seen = HashSet::new();
            for x in &r.$field {
                if !seen.insert(x.id.as_str()) {
                    p($name, x.id.as_str(), "duplicate id".into());
                }
            }
            seen
        }};
    }
    let episodes = unique!(episodes, "episode");
    let contacts = unique!(contacts, "contact");
    let problems = unique!(problems, "problem");
    let practitioners = unique!(practitioners, "practitioner");
    unique!(alerts, "alert");
    unique!(journal, "journal line");
    unique!(medication, "medication agreement");
    unique!(allergies, "allergy");
    unique!(contra_indications, "contra-indication");
    unique!(results, "result");
    unique!(treatments, "treatment");
    unique!(prophylaxis, "prophylaxis");
    unique!(letters, "letter");
    unique!(appointments, "appointment");
    unique!(work_notes, "work note");
    unique!(representations, "representation");

    let ep =
        |id: &Option<crate::EpisodeId>| id.as_ref().is_none_or(|e| episodes.contains(e.as_str()));
    let ct =
        |id: &Option<crate::ContactId>| id.as_ref().is_none_or(|c| contacts.contains(c.as_str()));
    let pr = |id: &Option<crate::PractitionerId>| {
        id.as_ref()
            .is_none_or(|c| practitioners.contains(c.as_str()))
    };

    if r.patient.practice != r.practice.id {
        p(
            "patient",
            r.patient.id.as_str(),
            "belongs to another practice".into(),
        );
    }
    if !pr(&r.patient.general_practitioner) {
        p(
            "patient",
            r.patient.id.as_str(),
            "general practitioner not in record".into(),
        );
    }
    for e in &r.episodes {
        if e.title.trim().is_empty() && e.icpc.is_none() {
            p(
                "episode",
                e.id.as_str(),
                "needs a title or an ICPC code".into(),
            );
        }
        if e.end.is_some_and(|end| end.latest() < e.start.earliest()) {
            p("episode", e.id.as_str(), "ends before it starts".into());
        }
        if e.problem
            .as_ref()
            .is_some_and(|x| !problems.contains(x.as_str()))
        {
            p(
                "episode",
                e.id.as_str(),
                "refers to a problem not in the record".into(),
            );
        }
    }
    for a in &r.alerts {
        if !ep(&a.episode) {
            p(
                "alert",
                a.id.as_str(),
                "refers to an episode not in the record".into(),
            );
        }
    }
    for c in &r.contacts {
        if !ep(&c.episode) {
            p(
                "contact",
                c.id.as_str(),
                "refers to an episode not in the record".into(),
            );
        }
        if !pr(&c.practitioner) {
            p(
                "contact",
                c.id.as_str(),
                "refers to a practitioner not in the record".into(),
            );
        }
    }
    for l in &r.journal {
        if !ct(&l.contact) {
            p(
                "journal line",
                l.id.as_str(),
                "refers to a contact not in the record".into(),
            );
        }
        if !ep(&l.episode) {
            p(
                "journal line",
                l.id.as_str(),
                "refers to an episode not in the record".into(),
            );
        }
    }
    for m in &r.medication {
        if m.product.name.trim().is_empty() {
            p(
                "medication agreement",
                m.id.as_str(),
                "product has no name".into(),
            );
        }
        if let (Some(s), Some(e)) = (m.period_start, m.period_end)
            && e < s
        {
            p(
                "medication agreement",
                m.id.as_str(),
                "period of use ends before it starts".into(),
            );
        }
        if !ct(&m.contact) || !ep(&m.episode) {
            p(
                "medication agreement",
                m.id.as_str(),
                "refers to a contact or episode not in the record".into(),
            );
        }
    }
    for x in &r.results {
        if !ct(&x.contact) || !ep(&x.episode) {
            p(
                "result",
                x.id.as_str(),
                "refers to a contact or episode not in the record".into(),
            );
        }
        if x.name.trim().is_empty() {
            p("result", x.id.as_str(), "has no test name".into());
        }
    }
    for l in &r.letters {
        if let crate::LetterContent::Pdf { bytes } = &l.content
            && !bytes.starts_with(b"%PDF-")
        {
            p("letter", l.id.as_str(), "content is not a PDF".into());
        }
    }
    for w in &r.work_notes {
        if !practitioners.contains(w.author.as_str()) {
            p("work note", w.id.as_str(), "author not in record".into());
        }
    }
    out
}
