//! A patient's view (online summary or full copy) as one FHIR R4 `collection` Bundle, for the
//! electronic copy (afschrift). Resources claim the Dutch nl-core (zib 2020) profiles where one
//! exists for what they hold; journal lines, treatments, letters and appointments are plain R4.
//!
//! Unlike the MedMij export this is the patient's own document: it carries the BSN, every
//! journal line the view holds (S and O too in the full copy), and the letters' PDFs inline.
//! Items in the copy that the patient cannot see online carry a `meta.tag` saying why.

use crate::export::{
    Json, address, allergy_category, allergy_details, allergy_status, concept, concept1,
    contact_title, day, dosage, episode_title, icpc_coding, identifiers, instant, letter_kind,
    name, partial, prune_value, reference, result_value, soep_coding, telecom,
};
use chrono::{DateTime, Utc};
use inzage_domain::codes::system;
use inzage_domain::visibility::{ExclusionReason, ItemKind};
use inzage_domain::*;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

const NL_CORE: &str = "http://nictiz.nl/fhir/StructureDefinition/";
/// The code system of our "not visible online" tags (the codes are [`ExclusionReason::code`]).
pub const NOT_ONLINE_SYSTEM: &str = "urn:inzage:niet-online-zichtbaar";
const TERMINOLOGY: &str = "http://terminology.hl7.org/CodeSystem/";

/// Why an item in the copy is not visible online, keyed by kind and id.
pub type NotOnline = HashMap<(ItemKind, String), ExclusionReason>;

struct Ctx<'a> {
    view: &'a PatientView<'a>,
    not_online: &'a NotOnline,
    patient_ref: Value,
    org_ref: Value,
}

impl Ctx<'_> {
    fn practitioner(&self, id: Option<&PractitionerId>) -> Option<Value> {
        let p = self.view.practitioner(id?)?;
        Some(reference("Practitioner", p.id.as_str(), &p.name.display()).to_value())
    }
    fn episode(&self, id: Option<&EpisodeId>) -> Option<Value> {
        let e = self.view.episode(id?)?;
        Some(reference("EpisodeOfCare", e.id.as_str(), &episode_title(e)).to_value())
    }
    fn encounter(&self, id: Option<&ContactId>) -> Option<Value> {
        let c = self.view.contacts.iter().find(|c| Some(&c.id) == id)?;
        Some(reference("Encounter", c.id.as_str(), &contact_title(c)).to_value())
    }
    /// `meta` with the profile (if any) and the not-online tag (if the item has one).
    fn meta(&self, profile: Option<&str>, kind: ItemKind, id: &str) -> Value {
        let mut m = json!({});
        if let Some(p) = profile {
            m["profile"] = json!([format!("{NL_CORE}{p}")]);
        }
        if let Some(reason) = self.not_online.get(&(kind, id.to_owned())) {
            m["tag"] = json!([{
                "system": NOT_ONLINE_SYSTEM,
                "code": reason.code(),
                "display": reason.explain_nl(),
            }]);
        }
        m
    }
}

/// Lets a writer shared with the STU3 export (`set`) set its members on an R4 resource. The
/// writer starts from an empty object: it may only set top-level members, never read `v` or
/// change inside a member `v` already has (that member would be replaced whole).
fn set_members(v: &mut Value, set: impl FnOnce(&mut Json)) {
    let mut members = Json::Null;
    set(&mut members);
    if let (Some(v), Value::Object(members)) = (v.as_object_mut(), members.to_value()) {
        v.extend(members);
    }
}

fn status(system_name: &str, code: &str) -> Value {
    json!({ "coding": [{ "system": format!("{TERMINOLOGY}{system_name}"), "code": code }] })
}

/// Every resource of the view, in one R4 `collection` Bundle with fullUrls under `base`.
pub fn collection(
    view: &PatientView<'_>,
    not_online: &NotOnline,
    made_at: DateTime<Utc>,
    base: &str,
) -> Value {
    let p = view.patient;
    let ctx = Ctx {
        view,
        not_online,
        patient_ref: reference("Patient", p.id.as_str(), &p.name.display()).to_value(),
        org_ref: reference(
            "Organization",
            view.practice.id.as_str(),
            &view.practice.name,
        )
        .to_value(),
    };
    let mut out: Vec<Value> = vec![patient(&ctx), organization(view.practice)];
    let mut seen = HashSet::new();
    let mut wanted: Vec<&PractitionerId> = vec![];
    wanted.extend(p.general_practitioner.as_ref());
    wanted.extend(view.episodes.iter().filter_map(|e| e.care_manager.as_ref()));
    wanted.extend(view.contacts.iter().filter_map(|c| c.practitioner.as_ref()));
    wanted.extend(view.journal.iter().filter_map(|l| l.author.as_ref()));
    wanted.extend(view.results.iter().filter_map(|x| x.performer.as_ref()));
    wanted.extend(view.medication.iter().filter_map(|m| m.prescriber.as_ref()));
    wanted.extend(view.allergies.iter().filter_map(|a| a.recorder.as_ref()));
    for id in wanted {
        if seen.insert(id.as_str())
            && let Some(x) = view.practitioner(id)
        {
            out.push(practitioner(x));
        }
    }
    for e in &view.episodes {
        out.push(episode(&ctx, e));
        if e.attentiewaarde {
            out.push(attention_flag(&ctx, e));
        }
    }
    for x in &view.problems {
        out.push(condition(&ctx, x));
    }
    for a in &view.alerts {
        out.push(alert(&ctx, a));
    }
    for c in &view.contacts {
        out.push(encounter(&ctx, c));
    }
    for l in &view.journal {
        out.push(journal_line(&ctx, l));
    }
    for x in &view.results {
        out.push(result(&ctx, x));
    }
    let mut products = HashSet::new();
    for m in &view.medication {
        let (request, product) = medication_request(&ctx, m);
        out.push(request);
        if products.insert(product["id"].as_str().unwrap_or_default().to_owned()) {
            out.push(product);
        }
    }
    for a in &view.allergies {
        out.push(allergy(&ctx, a));
    }
    for c in &view.contra_indications {
        out.push(contra_indication(&ctx, c));
    }
    for t in &view.treatments {
        out.push(procedure(
            &ctx,
            ItemKind::Treatment,
            t.id.as_str(),
            t.code.as_ref(),
            &t.description,
            &t.date,
            "Behandeling",
        ));
    }
    for t in &view.prophylaxis {
        out.push(procedure(
            &ctx,
            ItemKind::Prophylaxis,
            t.id.as_str(),
            t.code.as_ref(),
            &t.description,
            &t.date,
            "Profylaxe en voorzorg",
        ));
    }
    for l in &view.letters {
        out.push(document_reference(&ctx, l));
    }
    for a in &view.appointments {
        out.push(appointment(&ctx, a));
    }
    let base = base.trim_end_matches('/');
    let entries: Vec<Value> = out
        .into_iter()
        .map(|mut r| {
            prune_value(&mut r);
            let ty = r["resourceType"].as_str().unwrap_or_default().to_owned();
            let id = r["id"].as_str().unwrap_or_default().to_owned();
            json!({ "fullUrl": format!("{base}/{ty}/{id}"), "resource": r })
        })
        .collect();
    json!({
        "resourceType": "Bundle",
        "meta": { "lastUpdated": instant(made_at) },
        "type": "collection",
        "timestamp": instant(made_at),
        "entry": entries,
    })
}

fn patient(ctx: &Ctx<'_>) -> Value {
    let p = ctx.view.patient;
    let mut v = json!({
        "resourceType": "Patient",
        "id": p.id.as_str(),
        "meta": { "profile": [format!("{NL_CORE}nl-core-Patient")] },
        "name": [name(&p.name)],
        "gender": match p.gender {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
            Gender::Unknown => "unknown",
        },
        "birthDate": day(p.birth_date),
        "telecom": telecom(&p.contact, "home"),
        "managingOrganization": ctx.org_ref,
    });
    if let Some(bsn) = &p.bsn {
        v["identifier"] = json!([{ "system": system::BSN, "value": bsn.as_str() }]);
    }
    if let Some(a) = &p.address {
        v["address"] = json!([address(a, "home")]);
    }
    if let Some(gp) = ctx.practitioner(p.general_practitioner.as_ref()) {
        v["generalPractitioner"] = json!([gp]);
    }
    v
}

fn practitioner(x: &Practitioner) -> Value {
    let mut ids: Vec<Value> = x
        .identifiers
        .iter()
        .filter(|c| c.system != system::BSN)
        .map(|c| json!({ "system": c.system, "value": c.code }))
        .collect();
    if let Some(agb) = &x.agb {
        ids.push(json!({ "system": system::AGB, "value": agb.as_str() }));
    }
    json!({
        "resourceType": "Practitioner",
        "id": x.id.as_str(),
        "meta": { "profile": [format!("{NL_CORE}nl-core-HealthProfessional-Practitioner")] },
        "identifier": ids,
        "name": [name(&x.name)],
        "telecom": telecom(&x.contact, "work"),
    })
}

fn organization(x: &Practice) -> Value {
    let mut v = json!({
        "resourceType": "Organization",
        "id": x.id.as_str(),
        "meta": { "profile": [format!("{NL_CORE}nl-core-HealthcareProvider-Organization")] },
        "type": [concept1(
            "urn:oid:2.16.840.1.113883.2.4.15.1060",
            "Z3",
            "Huisartspraktijk (zelfstandig of groepspraktijk)",
        )],
        "name": x.name,
        "telecom": telecom(&x.contact, "work"),
    });
    if let Some(agb) = &x.agb {
        v["identifier"] = json!([{ "system": system::AGB, "value": agb.as_str() }]);
    }
    if let Some(a) = &x.address {
        v["address"] = json!([address(a, "work")]);
    }
    v
}

fn episode(ctx: &Ctx<'_>, e: &Episode) -> Value {
    let title = episode_title(e);
    let mut period = json!({ "start": partial(&e.start) });
    if let Some(end) = &e.end {
        period["end"] = json!(partial(end));
    }
    let mut v = json!({
        "resourceType": "EpisodeOfCare",
        "id": e.id.as_str(),
        "meta": ctx.meta(Some("nl-core-EpisodeOfCare"), ItemKind::Episode, e.id.as_str()),
        "identifier": identifiers(&e.meta),
        "status": if e.is_closed(ctx.view.today) { "finished" } else { "active" },
        "type": [match &e.icpc {
            Some(code) => icpc_coding(code, e.icpc_display.as_deref(), &title).to_value(),
            None => json!({ "text": title }),
        }],
        "patient": ctx.patient_ref,
        "managingOrganization": ctx.org_ref,
        "period": period,
    });
    if let Some(cm) = ctx.practitioner(e.care_manager.as_ref()) {
        v["careManager"] = cm;
    }
    v
}

fn attention_flag(ctx: &Ctx<'_>, e: &Episode) -> Value {
    let title = episode_title(e);
    json!({
        "resourceType": "Flag",
        "id": format!("{}-attentie", e.id),
        "meta": ctx.meta(Some("nl-core-Alert"), ItemKind::Episode, e.id.as_str()),
        "status": "active",
        "category": [concept1(system::LOINC, "74018-3", "waarschuwing")],
        "code": match &e.icpc {
            Some(code) => icpc_coding(code, e.icpc_display.as_deref(), &title).to_value(),
            None => json!({ "text": title }),
        },
        "subject": ctx.patient_ref,
        "period": { "start": partial(&e.start) },
    })
}

fn condition(ctx: &Ctx<'_>, x: &Problem) -> Value {
    let mut v = json!({
        "resourceType": "Condition",
        "id": x.id.as_str(),
        "meta": ctx.meta(Some("nl-core-Problem"), ItemKind::Problem, x.id.as_str()),
        "identifier": identifiers(&x.meta),
        "clinicalStatus": status("condition-clinical", match x.status {
            ProblemStatus::Active => "active",
            ProblemStatus::Inactive => "inactive",
        }),
        "category": [concept1(system::SNOMED, "282291009", "Diagnose")],
        "code": concept(std::slice::from_ref(&x.code), None),
        "subject": ctx.patient_ref,
    });
    if let Some(d) = &x.onset {
        v["onsetDateTime"] = json!(partial(d));
    }
    if let Some(d) = &x.abatement {
        v["abatementDateTime"] = json!(partial(d));
    }
    if let Some(p) = ctx.practitioner(x.asserter.as_ref()) {
        v["asserter"] = p;
    }
    v
}

fn alert(ctx: &Ctx<'_>, a: &Alert) -> Value {
    let mut v = json!({
        "resourceType": "Flag",
        "id": a.id.as_str(),
        "meta": ctx.meta(Some("nl-core-Alert"), ItemKind::Alert, a.id.as_str()),
        "identifier": identifiers(&a.meta),
        "status": if a.active { "active" } else { "inactive" },
        "category": [concept1(system::LOINC, "74018-3", "waarschuwing")],
        "code": concept(std::slice::from_ref(&a.code), a.detail.as_deref()),
        "subject": ctx.patient_ref,
    });
    let mut period = json!({});
    if let Some(s) = &a.start {
        period["start"] = json!(partial(s));
    }
    if let Some(e) = &a.end {
        period["end"] = json!(partial(e));
    }
    v["period"] = period;
    if let Some(p) = ctx.practitioner(a.author.as_ref()) {
        v["author"] = p;
    }
    v
}

fn encounter(ctx: &Ctx<'_>, c: &Contact) -> Value {
    let class = match c.contact_type.as_str() {
        "01" | "02" => ("HH", "home health"),
        "04" | "05" | "07" => ("VR", "virtual"),
        _ => ("AMB", "ambulatory"),
    };
    let mut period = json!({ "start": day(c.date) });
    if let Some(end) = c.end {
        period["end"] = json!(day(end));
    }
    let mut v = json!({
        "resourceType": "Encounter",
        "id": c.id.as_str(),
        "meta": ctx.meta(Some("nl-core-Encounter"), ItemKind::Contact, c.id.as_str()),
        "identifier": identifiers(&c.meta),
        "status": "finished",
        "class": { "system": format!("{TERMINOLOGY}v3-ActCode"), "code": class.0, "display": class.1 },
        "type": [concept1(system::NHG_14, c.contact_type.as_str(), c.contact_type.display_nl().unwrap_or("Contact"))],
        "subject": ctx.patient_ref,
        "period": period,
        "serviceProvider": ctx.org_ref,
    });
    if let Some(e) = ctx.episode(c.episode.as_ref()) {
        v["episodeOfCare"] = json!([e]);
    }
    if let Some(p) = ctx.practitioner(c.practitioner.as_ref()) {
        v["participant"] = json!([{ "individual": p }]);
    }
    v
}

/// A journal line (S, O, E or P) as an Observation with the line's text.
fn journal_line(ctx: &Ctx<'_>, l: &JournalLine) -> Value {
    let mut v = json!({
        "resourceType": "Observation",
        "id": l.id.as_str(),
        "meta": ctx.meta(None, ItemKind::JournalLine, l.id.as_str()),
        "identifier": identifiers(&l.meta),
        "status": "final",
        "code": soep_coding(l.soep),
        "subject": ctx.patient_ref,
        "effectiveDateTime": day(l.date),
        "valueString": l.text,
    });
    if let Some(e) = ctx.encounter(l.contact.as_ref()) {
        v["encounter"] = e;
    }
    if let Some(e) = ctx.episode(l.episode.as_ref()) {
        v["focus"] = json!([e]);
    }
    if let Some(p) = ctx.practitioner(l.author.as_ref()) {
        v["performer"] = json!([p]);
    }
    if let Some(code) = &l.icpc {
        v["component"] = json!([{
            "code": concept1(system::SNOMED, "439401001", "Diagnose"),
            "valueCodeableConcept": icpc_coding(code, l.icpc_display.as_deref(), &l.text),
        }]);
    }
    v
}

fn result(ctx: &Ctx<'_>, x: &LabResult) -> Value {
    let (profile, category) = match x.kind {
        ResultKind::L => (
            Some("nl-core-LaboratoryTestResult"),
            concept1(
                &format!("{TERMINOLOGY}observation-category"),
                "laboratory",
                "Laboratory",
            ),
        ),
        ResultKind::D => (
            None,
            concept1(
                &format!("{TERMINOLOGY}observation-category"),
                "exam",
                "Exam",
            ),
        ),
    };
    let mut codes = vec![Coding::new(system::NHG_45, x.code.as_str(), Some(&x.name))];
    codes.extend(x.other_codes.iter().cloned());
    let mut v = json!({
        "resourceType": "Observation",
        "id": x.id.as_str(),
        "meta": ctx.meta(profile, ItemKind::Result, x.id.as_str()),
        "identifier": identifiers(&x.meta),
        "status": "final",
        "category": [category],
        "code": concept(&codes, None),
        "subject": ctx.patient_ref,
        "effectiveDateTime": instant(x.effective),
    });
    set_members(&mut v, |j| result_value(j, x));
    if let Some(i) = &x.interpretation {
        v["interpretation"] = json!([concept(std::slice::from_ref(i), None)]);
    }
    if let Some(c) = &x.patient_comment {
        v["note"] = json!([{ "text": c }]);
    }
    if let Some(e) = ctx.encounter(x.contact.as_ref()) {
        v["encounter"] = e;
    }
    if let Some(p) = ctx.practitioner(x.performer.as_ref()) {
        v["performer"] = json!([p]);
    }
    v
}

fn medication_request(ctx: &Ctx<'_>, m: &MedicationAgreement) -> (Value, Value) {
    let product_id = m
        .product
        .source_id
        .clone()
        .unwrap_or_else(|| format!("{}-product", m.id));
    let mut dosage = dosage(m).to_value();
    // R4 holds the dose in `doseAndRate`.
    if let Some(dose) = dosage
        .as_object_mut()
        .and_then(|d| d.remove("doseQuantity"))
    {
        dosage["doseAndRate"] = json!([{ "doseQuantity": dose }]);
    }
    let mut bounds = json!({});
    if let Some(s) = m.period_start {
        bounds["start"] = json!(day(s));
    }
    if let Some(e) = m.period_end {
        bounds["end"] = json!(day(e));
    }
    // R4 keeps the period of use in the timing, beside how often.
    dosage["timing"]["repeat"]["boundsPeriod"] = bounds;
    let ended = m.period_end.is_some_and(|e| e < ctx.view.today);
    let mut v = json!({
        "resourceType": "MedicationRequest",
        "id": m.id.as_str(),
        "meta": ctx.meta(None, ItemKind::Medication, m.id.as_str()),
        "identifier": identifiers(&m.meta),
        "status": if ended { "completed" } else { "active" },
        "intent": "order",
        "category": [concept1(system::SNOMED, "16076005", "Voorschrijven")],
        "medicationReference": reference("Medication", &product_id, &m.product.name),
        "subject": ctx.patient_ref,
        "dosageInstruction": [dosage],
    });
    if let Some(d) = m.authored_on {
        v["authoredOn"] = json!(day(d));
    }
    if let Some(p) = ctx.practitioner(m.prescriber.as_ref()) {
        v["requester"] = p;
    }
    if let Some(e) = ctx.encounter(m.contact.as_ref()) {
        v["encounter"] = e;
    }
    if let Some(e) = ctx.episode(m.episode.as_ref()) {
        v["reasonReference"] = json!([e]);
    }
    let product = json!({
        "resourceType": "Medication",
        "id": product_id,
        "meta": { "profile": [format!("{NL_CORE}nl-core-PharmaceuticalProduct")] },
        "code": concept(&m.product.codes, Some(&m.product.name)),
    });
    (v, product)
}

fn allergy(ctx: &Ctx<'_>, a: &Allergy) -> Value {
    let substance = a.substance.label().to_owned();
    let mut v = json!({
        "resourceType": "AllergyIntolerance",
        "id": a.id.as_str(),
        "meta": ctx.meta(Some("nl-core-AllergyIntolerance"), ItemKind::Allergy, a.id.as_str()),
        "identifier": identifiers(&a.meta),
        "clinicalStatus": status("allergyintolerance-clinical", allergy_status(a.status)),
        "verificationStatus": status("allergyintolerance-verification", "confirmed"),
        "category": [allergy_category(a.category)],
        "code": concept(std::slice::from_ref(&a.substance), Some(&substance)),
        "patient": ctx.patient_ref,
    });
    set_members(&mut v, |j| allergy_details(j, a));
    if let Some(p) = ctx.practitioner(a.recorder.as_ref()) {
        v["recorder"] = p;
    }
    if a.reaction.is_some() || !a.reaction_codes.is_empty() {
        let manifestation: Vec<Value> = a
            .reaction_codes
            .iter()
            .filter(|c| c.system == system::SNOMED)
            .map(|c| concept(std::slice::from_ref(c), None).to_value())
            .collect();
        let manifestation = if manifestation.is_empty() {
            vec![json!({ "text": a.reaction.clone().unwrap_or_else(|| substance.to_string()) })]
        } else {
            manifestation
        };
        let mut r = json!({ "manifestation": manifestation });
        if let Some(d) = &a.reaction {
            r["description"] = json!(d);
        }
        v["reaction"] = json!([r]);
    }
    v
}

fn contra_indication(ctx: &Ctx<'_>, c: &ContraIndication) -> Value {
    let mut period = json!({});
    if let Some(s) = &c.start {
        period["start"] = json!(partial(s));
    }
    if let Some(e) = &c.end {
        period["end"] = json!(partial(e));
    }
    json!({
        "resourceType": "Flag",
        "id": c.id.as_str(),
        "meta": ctx.meta(None, ItemKind::ContraIndication, c.id.as_str()),
        "identifier": identifiers(&c.meta),
        "status": if c.end.is_some() { "inactive" } else { "active" },
        "category": [{ "text": "Contra-indicatie" }],
        "code": concept(std::slice::from_ref(&c.code), None),
        "subject": ctx.patient_ref,
        "period": period,
    })
}

fn procedure(
    ctx: &Ctx<'_>,
    kind: ItemKind,
    id: &str,
    code: Option<&Coding>,
    description: &str,
    date: &PartialDate,
    category: &str,
) -> Value {
    json!({
        "resourceType": "Procedure",
        "id": id,
        "meta": ctx.meta(None, kind, id),
        "status": "completed",
        "category": { "text": category },
        "code": match code {
            Some(c) => concept(std::slice::from_ref(c), Some(description)).to_value(),
            None => json!({ "text": description }),
        },
        "subject": ctx.patient_ref,
        "performedDateTime": partial(date),
    })
}

fn document_reference(ctx: &Ctx<'_>, l: &Letter) -> Value {
    use base64::Engine;
    let (code, display) = letter_kind(l.letter_type);
    let attachment = match &l.content {
        LetterContent::Pdf { bytes } => json!({
            "contentType": "application/pdf",
            "data": base64::engine::general_purpose::STANDARD.encode(bytes),
            "title": l.title,
            "creation": day(l.date),
        }),
        LetterContent::Reference { uri } => json!({ "url": uri, "title": l.title }),
    };
    json!({
        "resourceType": "DocumentReference",
        "id": l.id.as_str(),
        "meta": ctx.meta(None, ItemKind::Letter, l.id.as_str()),
        "status": "current",
        "type": concept1(system::LOINC, code, display),
        "subject": ctx.patient_ref,
        "date": instant(inzage_domain::time::start_of_local_day(l.date)),
        "author": [{ "display": l.author }],
        "description": l.title,
        "content": [{ "attachment": attachment }],
    })
}

fn appointment(ctx: &Ctx<'_>, a: &Appointment) -> Value {
    let end = a.start + chrono::Duration::minutes(i64::from(a.minutes));
    let mut participants = vec![json!({ "actor": ctx.patient_ref, "status": "accepted" })];
    if let Some(p) = ctx.practitioner(a.practitioner.as_ref()) {
        participants.push(json!({ "actor": p, "status": "accepted" }));
    }
    json!({
        "resourceType": "Appointment",
        "id": a.id.as_str(),
        "meta": ctx.meta(None, ItemKind::Appointment, a.id.as_str()),
        "status": match a.status {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::Fulfilled => "fulfilled",
            AppointmentStatus::NoShow => "noshow",
        },
        "description": a.kind,
        "start": instant(a.start),
        "end": instant(end),
        "minutesDuration": a.minutes,
        "participant": participants,
    })
}
