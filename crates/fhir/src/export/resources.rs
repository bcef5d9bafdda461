//! One resource type at a time: Patient, Practitioner, Organization, EpisodeOfCare, Condition,
//! Encounter, Composition, journal and result Observations, MedicationRequest, Medication,
//! AllergyIntolerance, DocumentReference and Binary, in the Nictiz profiles.

use super::*;

pub(super) fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        _ => false,
    }
}

pub(super) fn patient(ctx: &Ctx<'_>) -> Json {
    let p = ctx.view.patient;
    let mut v = fhir!({
        "resourceType": "Patient",
        "id": p.id.as_str(),
        "meta": profile(Json::from_static(nl_core!("nl-core-patient"))),
        "name": [name(&p.name)],
        "gender": match p.gender {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
            Gender::Unknown => "unknown",
        },
        "birthDate": day(p.birth_date),
    });
    let t = telecom(&p.contact, "home");
    if !t.is_empty() {
        v["telecom"] = fhir!(t);
    }
    if let Some(a) = &p.address {
        v["address"] = fhir!([address(a, "home")]);
    }
    if let Some(gp) = ctx.practitioner(p.general_practitioner.as_ref()) {
        v["generalPractitioner"] = fhir!([gp]);
    }
    v["managingOrganization"] = ctx.org_ref.clone();
    v
}

pub(super) fn practitioner(x: &Practitioner) -> Json {
    let mut v = fhir!({
        "resourceType": "Practitioner",
        "id": x.id.as_str(),
        "meta": profile(Json::from_static(nl_core!("nl-core-practitioner"))),
        "name": [name(&x.name)],
    });
    let ids: Vec<Json> = x
        .identifiers
        .iter()
        .filter(|c| c.system != system::BSN)
        .map(|c| fhir!({ "system": &c.system, "value": &c.code }))
        .collect();
    if !ids.is_empty() {
        v["identifier"] = fhir!(ids);
    }
    let t = telecom(&x.contact, "work");
    if !t.is_empty() {
        v["telecom"] = fhir!(t);
    }
    v
}

pub(super) fn organization(x: &Practice) -> Json {
    let mut v = fhir!({
        "resourceType": "Organization",
        "id": x.id.as_str(),
        "meta": profile(Json::from_static(nl_core!("nl-core-organization"))),
        "type": [concept1(
            "http://nictiz.nl/fhir/NamingSystem/organization-type",
            "Z3",
            "Huisartspraktijk (zelfstandig of groepspraktijk)",
        )],
        "name": &x.name,
    });
    let mut ids: Vec<Json> = x
        .agb
        .iter()
        .map(|agb| fhir!({ "system": system::AGB, "value": agb.as_str() }))
        .collect();
    ids.extend(
        x.identifiers
            .iter()
            .map(|c| fhir!({ "system": &c.system, "value": &c.code })),
    );
    if !ids.is_empty() {
        v["identifier"] = fhir!(ids);
    }
    if let Some(a) = &x.address {
        v["address"] = fhir!([address(a, "work")]);
    }
    let t = telecom(&x.contact, "work");
    if !t.is_empty() {
        v["telecom"] = fhir!(t);
    }
    v
}

/// The EpisodeOfCare, the Condition it is about (when the episode has a code), and a Flag
/// when it has attentiewaarde.
pub(super) fn episode(ctx: &Ctx<'_>, e: &Episode) -> (Json, Option<Json>, Option<Json>) {
    let title = episode_title(e);
    let today = ctx.view.today;
    let mut ext = vec![
        fhir!({ "url": Json::from_static(nictiz!("EpisodeOfCare-Title")), "valueString": &title }),
    ];
    if let Some(d) = e.first_encounter {
        ext.push(fhir!({ "url": Json::from_static(nictiz!("EpisodeOfCare-DateFirstEncounter")), "valueDateTime": day(d) }));
    }
    if let Some(d) = e.last_encounter {
        ext.push(fhir!({ "url": Json::from_static(nictiz!("EpisodeOfCare-DateLastEncounter")), "valueDateTime": day(d) }));
    }
    let mut period = fhir!({ "start": partial(&e.start) });
    if let Some(end) = &e.end {
        period["end"] = fhir!(partial(end));
    }
    let mut v = fhir!({
        "resourceType": "EpisodeOfCare",
        "id": e.id.as_str(),
        "meta": profile(Json::from_static(nl_core!("nl-core-episodeofcare"))),
        "extension": ext,
        "identifier": identifiers(&e.meta),
        "status": if e.is_closed(today) { "finished" } else { "active" },
        "type": [concept1("http://snomed.info/sct", "64572001", "aandoening")],
        "patient": &ctx.patient_ref,
        "managingOrganization": &ctx.org_ref,
        "period": period,
    });
    if let Some(cm) = ctx.practitioner(e.care_manager.as_ref()) {
        v["careManager"] = cm;
    }
    let problem = e
        .problem
        .as_ref()
        .and_then(|id| ctx.view.problems.iter().find(|p| &p.id == id));
    let condition = match (problem, &e.icpc) {
        (Some(p), _) => Some(condition(
            ctx,
            p.id.as_str(),
            &p.code,
            p.status,
            (p.onset.as_ref(), p.abatement.as_ref()),
            &p.meta,
        )),
        (None, Some(code)) => {
            let c = Coding::new(
                system::ICPC,
                code.as_str(),
                Some(e.icpc_display.as_deref().unwrap_or(&title)),
            );
            let status = if e.is_closed(today) {
                ProblemStatus::Inactive
            } else {
                ProblemStatus::Active
            };
            Some(condition(
                ctx,
                &format!("{}-diagnose", e.id),
                &c,
                status,
                (Some(&e.start), e.end.as_ref()),
                // The diagnosis is part of the episode: it has no identifiers of its own.
                &ItemMeta::new(e.meta.created_by().clone(), e.meta.created_at()),
            ))
        }
        (None, None) => None,
    };
    if let Some(c) = &condition {
        v["diagnosis"] = fhir!([{ "condition": reference("Condition", c["id"].as_str().unwrap_or_default(), &title) }]);
    }
    let flag = e.attentiewaarde.then(|| {
        let mut code = e.icpc.as_ref().map(|c| {
            Coding::new(
                system::ICPC,
                c.as_str(),
                Some(e.icpc_display.as_deref().unwrap_or(&title)),
            )
        });
        let code = code
            .take()
            .map_or_else(|| fhir!({ "text": &title }), |c| concept(&[c], None));
        fhir!({
            "resourceType": "Flag",
            "id": format!("{}-attentie", e.id),
            "meta": profile(Json::from_static(nictiz!("zib-Alert"))),
            "extension": [{
                "url": "http://hl7.org/fhir/StructureDefinition/flag-detail",
                "valueReference": reference("EpisodeOfCare", e.id.as_str(), &title),
            }],
            "status": "active",
            "category": concept1("http://loinc.org", "74018-3", "waarschuwing"),
            "code": code,
            "subject": &ctx.patient_ref,
            "period": { "start": partial(&e.start) },
        })
    });
    (v, condition, flag)
}

pub(super) fn condition(
    ctx: &Ctx<'_>,
    id: &str,
    code: &Coding,
    status: ProblemStatus,
    (onset, abatement): (Option<&PartialDate>, Option<&PartialDate>),
    meta: &ItemMeta,
) -> Json {
    let mut v = fhir!({
        "resourceType": "Condition",
        "id": id,
        "meta": profile(Json::from_static(nictiz!("zib-Problem"))),
        "identifier": identifiers(meta),
        "clinicalStatus": match status { ProblemStatus::Active => "active", ProblemStatus::Inactive => "inactive" },
        "category": [concept1("http://snomed.info/sct", "282291009", "Diagnose")],
        "code": concept(std::slice::from_ref(code), None),
        "subject": &ctx.patient_ref,
    });
    if let Some(d) = onset {
        v["onsetDateTime"] = fhir!(partial(d));
    }
    if let Some(d) = abatement {
        v["abatementDateTime"] = fhir!(partial(d));
    }
    v
}

pub(super) fn encounter(ctx: &Ctx<'_>, c: &Contact) -> Json {
    // Visits at home, remote contacts, and everything else at the practice.
    let class = match c.contact_type.as_str() {
        "01" | "02" => ("HH", "home health"),
        "04" | "05" | "07" => ("VR", "virtual"),
        _ => ("AMB", "ambulatory"),
    };
    let mut period = fhir!({ "start": day(c.date) });
    if let Some(end) = c.end {
        period["end"] = fhir!(day(end));
    }
    let mut v = fhir!({
        "resourceType": "Encounter",
        "id": c.id.as_str(),
        "meta": profile(Json::from_static(nictiz!("gp-Encounter"))),
        "identifier": identifiers(&c.meta),
        "status": "finished",
        "class": { "system": "http://hl7.org/fhir/v3/ActCode", "code": class.0, "display": class.1 },
        "type": [concept1(system::NHG_14, c.contact_type.as_str(), c.contact_type.display_nl().unwrap_or("Contact"))],
        "subject": &ctx.patient_ref,
        "period": period,
        "serviceProvider": &ctx.org_ref,
    });
    if let Some(e) = ctx.episode(c.episode.as_ref()) {
        v["episodeOfCare"] = fhir!([e]);
    }
    if let Some(p) = ctx.practitioner(c.practitioner.as_ref()) {
        v["participant"] = fhir!([{ "individual": p }]);
    }
    v
}

pub(crate) fn soep_coding(s: Soep) -> Json {
    concept1(system::SOEP, s.letter(), s.display_nl())
}

pub(crate) fn icpc_coding(code: &IcpcCode, display: Option<&str>, fallback: &str) -> Json {
    concept1(system::ICPC, code.as_str(), display.unwrap_or(fallback))
}

/// The contact report: one section per visible E and P line, in that order.
pub(super) fn composition(ctx: &Ctx<'_>, c: &Contact, lines: &[&JournalLine]) -> Json {
    let mut lines = lines.to_vec();
    lines.sort_by(|a, b| (a.soep, a.id.as_str()).cmp(&(b.soep, b.id.as_str())));
    let author = ctx
        .practitioner(c.practitioner.as_ref())
        .or_else(|| {
            lines
                .iter()
                .find_map(|l| ctx.practitioner(l.author.as_ref()))
        })
        .unwrap_or_else(|| ctx.org_ref.clone());
    let sections: Vec<Json> = lines
        .iter()
        .map(|l| {
            let mut entries = vec![reference("Observation", l.id.as_str(), &l.text)];
            entries.extend(ctx.episode(l.episode.as_ref().or(c.episode.as_ref())));
            let mut s = fhir!({
                "code": soep_coding(l.soep),
                "text": narrative(&l.text),
                "entry": entries,
            });
            if let Some(code) = &l.icpc {
                s["extension"] = fhir!([{
                    "url": Json::from_static(nictiz!("code-icpc-1-nl")),
                    "valueCodeableConcept": icpc_coding(code, l.icpc_display.as_deref(), &l.text),
                }]);
            }
            s
        })
        .collect();
    fhir!({
        "resourceType": "Composition",
        "id": format!("{}-verslag", c.id),
        "meta": profile(Json::from_static(nictiz!("gp-EncounterReport"))),
        "status": "final",
        "type": concept1("http://loinc.org", "67781-5", "Summarization of encounter note Narrative"),
        "subject": &ctx.patient_ref,
        "encounter": reference("Encounter", c.id.as_str(), &contact_title(c)),
        "date": day(c.date),
        "author": [author],
        "title": format!("Contactverslag dd. {}", day(c.date)),
        "section": sections,
    })
}

pub(super) fn journal_line(ctx: &Ctx<'_>, l: &JournalLine) -> Json {
    let mut v = fhir!({
        "resourceType": "Observation",
        "id": l.id.as_str(),
        "meta": profile(Json::from_static(nictiz!("gp-JournalEntry"))),
        "extension": ctx.episode_ext(l.episode.as_ref()),
        "identifier": identifiers(&l.meta),
        "status": "final",
        "code": soep_coding(l.soep),
        "subject": &ctx.patient_ref,
        "effectiveDateTime": day(l.date),
        "valueString": &l.text,
    });
    if let Some(e) = ctx.encounter(l.contact.as_ref()) {
        v["context"] = e;
    }
    if let Some(p) = ctx.practitioner(l.author.as_ref()) {
        v["performer"] = fhir!([p]);
    }
    if let Some(code) = &l.icpc {
        v["component"] = fhir!([{
            "code": concept1("http://hl7.org/fhir/v3/ActCode", "DISDX", "discharge diagnosis"),
            "valueCodeableConcept": icpc_coding(code, l.icpc_display.as_deref(), &l.text),
        }]);
    }
    v
}

pub(crate) fn quantity(value: &Decimal, unit: Option<&codes::Ucum>) -> Json {
    let number = decimal(value);
    let mut q = fhir!({ "value": number });
    if let Some(u) = unit {
        q["unit"] = fhir!(u.as_str());
        q["system"] = fhir!(system::UCUM);
        q["code"] = fhir!(u.as_str());
    }
    q
}

pub(super) fn result(ctx: &Ctx<'_>, x: &LabResult) -> Json {
    let (profile_url, category) = match x.kind {
        ResultKind::L => (
            nictiz!("gp-LaboratoryResult"),
            fixed_concept1(
                "http://snomed.info/sct",
                "49581000146104",
                "bevinding betreffende laboratoriumonderzoek",
            ),
        ),
        ResultKind::D => (
            nictiz!("gp-DiagnosticResult"),
            fixed_concept1(
                "http://hl7.org/fhir/observation-category",
                "vital-signs",
                "Vital Signs",
            ),
        ),
    };
    // The NHG-Tabel 45 code with its name first (so no `text`), then the source's others.
    let mut codes = Vec::with_capacity(1 + x.other_codes.len());
    codes.push(fhir!({
        "system": Json::from_static(system::NHG_45),
        "code": x.code.as_str(),
        "display": x.name.as_str(),
    }));
    codes.extend(x.other_codes.iter().map(coding));
    let mut v = fhir!({
        "resourceType": "Observation",
        "id": x.id.as_str(),
        "meta": profile(Json::from_static(profile_url)),
        "extension": ctx.episode_ext(x.episode.as_ref()),
        "identifier": identifiers(&x.meta),
        "status": "final",
        "category": [category],
        "code": { "coding": codes },
        "subject": &ctx.patient_ref,
        "effectiveDateTime": instant(x.effective),
    });
    result_value(&mut v, x);
    if let Some(i) = &x.interpretation {
        v["interpretation"] = concept(std::slice::from_ref(i), None);
    }
    // The GP's word for the patient travels with the result to their PGO.
    if let Some(c) = &x.patient_comment {
        v["comment"] = fhir!(c);
    }
    if let Some(e) = ctx.encounter(x.contact.as_ref()) {
        v["context"] = e;
    }
    if let Some(p) = ctx.practitioner(x.performer.as_ref()) {
        v["performer"] = fhir!([p]);
    }
    v
}

/// A result's value (`value[x]`) and reference range, the same in STU3 and R4.
pub(crate) fn result_value(v: &mut Json, x: &LabResult) {
    let unit = match &x.value {
        ResultValue::Quantity { value, unit } => {
            v["valueQuantity"] = quantity(value, unit.as_ref());
            unit.clone()
        }
        ResultValue::Coded { coding } => {
            v["valueCodeableConcept"] = concept(std::slice::from_ref(coding), None);
            None
        }
        ResultValue::Text { text } => {
            v["valueString"] = fhir!(text);
            None
        }
    };
    if let Some(range) = &x.reference_range {
        let mut r = fhir!({});
        if let Some(low) = &range.low {
            r["low"] = quantity(low, unit.as_ref());
        }
        if let Some(high) = &range.high {
            r["high"] = quantity(high, unit.as_ref());
        }
        if let Some(kind) = &range.kind {
            r["type"] = concept(std::slice::from_ref(kind), None);
        }
        if let Some(t) = &range.text {
            r["text"] = fhir!(t);
        }
        v["referenceRange"] = fhir!([r]);
    }
    if let Some(site) = &x.body_site {
        v["bodySite"] = coded(site);
    }
}

/// A medication agreement's dosage instruction: the text, and what the source structured of
/// it (timing, dose, as needed, additional instructions, route), the same in STU3 and R4.
pub(crate) fn dosage(m: &MedicationAgreement) -> Json {
    let (route, extra): (Vec<&Coding>, Vec<&Coding>) = m
        .dosage_codes
        .iter()
        .partition(|c| c.system == ROUTE_SYSTEM);
    let d = &m.dosage;
    let mut dosage = fhir!({ "sequence": 1, "text": &m.dosage_text });
    // Items stored before the structured dosage kept additional instructions as bare codes.
    let additional: Vec<Json> = d
        .additional
        .iter()
        .map(coded)
        .chain(
            extra
                .iter()
                .map(|c| concept(std::slice::from_ref(*c), None)),
        )
        .collect();
    if !additional.is_empty() {
        dosage["additionalInstruction"] = fhir!(additional);
    }
    if let Some(t) = &d.timing {
        let mut repeat = fhir!({});
        if let Some(f) = t.frequency {
            repeat["frequency"] = fhir!(f);
        }
        if let Some(p) = &t.period {
            repeat["period"] = decimal(p);
        }
        if let Some(u) = t.period_unit {
            repeat["periodUnit"] = fhir!(u.code());
        }
        dosage["timing"] = fhir!({ "repeat": repeat });
    }
    match &d.as_needed {
        Some(AsNeeded::When(c)) => dosage["asNeededCodeableConcept"] = coded(c),
        Some(AsNeeded::Yes) => dosage["asNeededBoolean"] = fhir!(true),
        None => {}
    }
    if !route.is_empty() {
        let route: Vec<Coding> = route.into_iter().cloned().collect();
        dosage["route"] = concept(&route, None);
    }
    if let Some(q) = &d.dose {
        let mut dose = fhir!({ "value": decimal(&q.value) });
        for (key, v) in [("unit", &q.unit), ("system", &q.system), ("code", &q.code)] {
            if let Some(v) = v {
                dose[key] = fhir!(v);
            }
        }
        dosage["doseQuantity"] = dose;
    }
    dosage
}

/// A decimal as a JSON number.
pub(crate) fn decimal(d: &Decimal) -> Json {
    serde_json::from_str::<serde_json::Number>(d.as_str())
        .map_or_else(|_| fhir!(d.as_str()), Json::Number)
}

pub(super) const ROUTE_SYSTEM: &str = "urn:oid:2.16.840.1.113883.2.4.4.9";

pub(super) fn medication_request(ctx: &Ctx<'_>, m: &MedicationAgreement) -> (Json, String) {
    let product_id = m
        .product
        .source_id
        .clone()
        .unwrap_or_else(|| format!("{}-product", m.id));
    let mut ext = vec![];
    if m.period_start.is_some() || m.period_end.is_some() {
        let mut period = fhir!({});
        if let Some(s) = m.period_start {
            period["start"] = fhir!(day(s));
        }
        if let Some(e) = m.period_end {
            period["end"] = fhir!(day(e));
        }
        ext.push(
            fhir!({ "url": Json::from_static(nictiz!("zib-Medication-PeriodOfUse")), "valuePeriod": period }),
        );
    }
    ext.extend(ctx.episode_ext(m.episode.as_ref()));
    let dosage = dosage(m);
    let mut v = fhir!({
        "resourceType": "MedicationRequest",
        "id": m.id.as_str(),
        "meta": profile(Json::from_static(nictiz!("zib-MedicationAgreement"))),
        "extension": ext,
        "identifier": identifiers(&m.meta),
        "intent": "order",
        "category": concept1("http://snomed.info/sct", "16076005", "Voorschrijven"),
        "medicationReference": reference("Medication", &product_id, &m.product.name),
        "subject": &ctx.patient_ref,
        "dosageInstruction": [dosage],
    });
    if let Some(d) = m.authored_on {
        v["authoredOn"] = fhir!(day(d));
    }
    if let Some(p) = ctx.practitioner(m.prescriber.as_ref()) {
        v["requester"] = fhir!({ "agent": p });
    }
    if let Some(e) = ctx.encounter(m.contact.as_ref()) {
        v["context"] = e;
    }
    (v, product_id)
}

pub(super) fn medication(id: &str, p: &Product) -> Json {
    fhir!({
        "resourceType": "Medication",
        "id": id,
        "meta": profile(Json::from_static(nictiz!("zib-Product"))),
        "code": concept(&p.codes, Some(&p.name)),
    })
}

/// The FHIR code of an allergy's status (the same in STU3 and R4).
pub(crate) fn allergy_status(s: AllergyStatus) -> &'static str {
    match s {
        AllergyStatus::Active => "active",
        AllergyStatus::Inactive => "inactive",
        AllergyStatus::Resolved => "resolved",
    }
}

pub(crate) fn allergy_category(c: AllergyCategory) -> &'static str {
    match c {
        AllergyCategory::Medication => "medication",
        AllergyCategory::Food => "food",
        AllergyCategory::Environment => "environment",
        AllergyCategory::Biologic => "biologic",
    }
}

/// Criticality, onset and note of an allergy (the same in STU3 and R4).
pub(crate) fn allergy_details(v: &mut Json, a: &Allergy) {
    if let Some(c) = a.criticality {
        v["criticality"] = fhir!(match c {
            Criticality::Low => "low",
            Criticality::High => "high",
            Criticality::UnableToAssess => "unable-to-assess",
        });
    }
    if let Some(o) = &a.onset {
        v["onsetDateTime"] = fhir!(partial(o));
    }
    if let Some(n) = &a.note {
        v["note"] = fhir!([{ "text": n }]);
    }
}

pub(super) fn allergy(ctx: &Ctx<'_>, a: &Allergy) -> Json {
    let substance = a.substance.label().to_owned();
    let mut v = fhir!({
        "resourceType": "AllergyIntolerance",
        "id": a.id.as_str(),
        "meta": profile(Json::from_static(nictiz!("zib-AllergyIntolerance"))),
        "identifier": identifiers(&a.meta),
        "clinicalStatus": allergy_status(a.status),
        "verificationStatus": "confirmed",
        "category": [allergy_category(a.category)],
        "code": concept(std::slice::from_ref(&a.substance), Some(&substance)),
        "patient": &ctx.patient_ref,
    });
    allergy_details(&mut v, a);
    if let Some(p) = ctx.practitioner(a.recorder.as_ref()) {
        v["recorder"] = p;
    }
    if a.reaction.is_some() || !a.reaction_codes.is_empty() {
        let (manifestation, substances): (Vec<&Coding>, Vec<&Coding>) = a
            .reaction_codes
            .iter()
            .partition(|c| c.system == system::SNOMED);
        let mut r = fhir!({});
        if let Some(s) = substances.first() {
            r["substance"] = concept(std::slice::from_ref(*s), None);
        }
        r["manifestation"] = if manifestation.is_empty() {
            fhir!([{ "text": a.reaction.clone().unwrap_or_else(|| substance.to_string()) }])
        } else {
            fhir!(
                manifestation
                    .iter()
                    .map(|c| concept(std::slice::from_ref(*c), None))
                    .collect::<Vec<_>>()
            )
        };
        if let Some(d) = &a.reaction {
            r["description"] = fhir!(d);
        }
        v["reaction"] = fhir!([r]);
    }
    v
}

/// The kind of document, as MedMij's document service names it (LOINC).
pub(crate) fn letter_kind(t: LetterType) -> (&'static str, &'static str) {
    match t {
        LetterType::SpecialistLetter => ("11488-4", "Consult note"),
        LetterType::DischargeLetter => ("18842-5", "Discharge summary"),
        LetterType::RadiologyReport => ("18748-4", "Diagnostic imaging study"),
        LetterType::ReferralLetter => ("57133-1", "Referral note"),
        LetterType::Other => ("34133-9", "Summary of episode note"),
    }
}

/// A stable document identity: a name-based UUID from the practice, patient and letter ids.
pub(crate) fn document_uuid(practice: &str, patient: &str, letter: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(format!("inzage-document:{practice}:{patient}:{letter}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8: custom
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex = hex_lower(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

pub(super) fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn document_reference(ctx: &Ctx<'_>, l: &Letter) -> Json {
    let (code, display) = letter_kind(l.letter_type);
    // Our own identity always; a received document keeps the type it came with.
    let uuid = document_uuid(
        ctx.view.practice.id.as_str(),
        ctx.view.patient.id.as_str(),
        l.id.as_str(),
    );
    let type_ = match l.document.as_ref().and_then(|d| d.type_code.as_ref()) {
        Some(c) => concept(std::slice::from_ref(c), None),
        None => concept1("http://loinc.org", code, display),
    };
    let mut doc = fhir!({
        "resourceType": "DocumentReference",
        "id": l.id.as_str(),
        "meta": profile(Json::from_static(nictiz!("IHE.MHD.Minimal.DocumentReference"))),
        "masterIdentifier": { "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{uuid}") },
        "status": "current",
        "type": type_,
        "subject": &ctx.patient_ref,
        "indexed": instant(inzage_domain::time::start_of_local_day(l.date)),
        "author": [{ "display": &l.author }],
        "description": &l.title,
        "content": [{ "attachment": {
            "contentType": "application/pdf",
            "url": format!("Binary/{}", l.id),
            "title": &l.title,
        }}],
    });
    if let Some(class) = l.document.as_ref().and_then(|d| d.class_code.as_ref()) {
        doc["class"] = concept(std::slice::from_ref(class), None);
    }
    doc
}

/// A letter's PDF as a FHIR Binary resource (for a client that asks for FHIR rather than the
/// PDF itself).
pub fn binary(l: &Letter) -> Option<Json> {
    use base64::Engine;
    let LetterContent::Pdf { bytes } = &l.content else {
        return None;
    };
    Some(fhir!({
        "resourceType": "Binary",
        "id": l.id.as_str(),
        "contentType": "application/pdf",
        "content": base64::engine::general_purpose::STANDARD.encode(bytes),
    }))
}
