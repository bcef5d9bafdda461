//! One resource at a time: what each profile becomes (`map_one`), DocumentReferences included.

use super::*;

pub(super) fn subject(n: &Node) -> Result<String, Fail> {
    ref_id(n.child("subject").or_else(|| n.child("patient")), "Patient")
        .map_or_else(|| fail("subject", "missing or not a Patient reference"), Ok)
}

pub(super) fn id_of<T>(n: &Node, make: fn(String) -> Result<T, InvalidId>) -> Result<T, Fail> {
    let id = n.id().ok_or((Some("id"), "missing id".to_owned()))?;
    make(id.to_owned()).map_err(|e| (Some("id"), e.to_string()))
}

pub(super) fn map_one(n: &Node, ctx: &Ctx) -> Result<Option<Item>, Fail> {
    let profiles = n.profiles();
    let has_profile = |p: &str| profiles.iter().any(|x| x.ends_with(p));
    Ok(Some(match n.resource_type() {
        "Patient" => {
            let bsn = n
                .children("identifier")
                .find(|i| i.str("system") == Some(system::BSN))
                .and_then(|i| i.str("value"))
                .map(|v| Bsn::parse(v).map_err(|e| (Some("identifier[bsn]"), e.to_string())))
                .transpose()?;
            let birth = date(n.str("birthDate"), "birthDate")?
                .ok_or((Some("birthDate"), "missing".to_owned()))?;
            let gender = match n.str("gender") {
                Some("female") => Gender::Female,
                Some("male") => Gender::Male,
                Some("other") => Gender::Other,
                _ => Gender::Unknown,
            };
            let gp = ref_id(n.child("generalPractitioner"), "Practitioner")
                .map(PractitionerId::new)
                .transpose()
                .map_err(|e| (Some("generalPractitioner"), e.to_string()))?;
            let org = ref_id(n.child("managingOrganization"), "Organization");
            let p = Patient {
                id: id_of(n, PatientId::new)?,
                practice: PracticeId::new("import").map_err(|e| (None, e.to_string()))?,
                bsn,
                name: name(n.child("name")),
                birth_date: birth,
                gender,
                address: address(n),
                contact: contact_details(n),
                general_practitioner: gp,
                online_consent: None,
                wants_results_immediately: false,
                exchange_consent: vec![],
                meta: ctx.meta(n),
            };
            Item::Patient(Box::new(p), org)
        }
        "Practitioner" => {
            let mut identifiers = vec![];
            let mut agb = None;
            for i in n.children("identifier") {
                if let (Some(s), Some(v)) = (i.str("system"), i.str("value")) {
                    if s == system::AGB {
                        agb = codes::AgbCode::parse(v).ok();
                    }
                    identifiers.push(Coding::new(s, v, None));
                }
            }
            Item::Practitioner(Practitioner {
                id: id_of(n, PractitionerId::new)?,
                practice: None,
                name: name(n.child("name")),
                agb,
                identifiers,
                roles: vec![StaffRole::Gp],
                contact: contact_details(n),
            })
        }
        "PractitionerRole" => match (
            ref_id(n.child("practitioner"), "Practitioner"),
            ref_id(n.child("organization"), "Organization"),
        ) {
            (Some(p), Some(o)) => Item::Role(p, o),
            _ => return Ok(None),
        },
        "Organization" => {
            let agb = n
                .children("identifier")
                .find(|i| i.str("system") == Some(system::AGB))
                .and_then(|i| i.str("value"))
                .and_then(|v| codes::AgbCode::parse(v).ok());
            Item::Organization(Practice {
                id: id_of(n, PracticeId::new)?,
                name: n.str("name").unwrap_or("Huisartsenpraktijk").to_owned(),
                agb,
                identifiers: identifiers(n)
                    .into_iter()
                    .filter(|c| c.system != system::AGB)
                    .collect(),
                address: address(n),
                contact: contact_details(n),
            })
        }
        "EpisodeOfCare" => {
            let pid = ref_id(n.child("patient"), "Patient")
                .ok_or((Some("patient"), "missing".to_owned()))?;
            let ext_str = |url: &str| {
                n.extension(url)
                    .and_then(|e| e.str("valueString").or_else(|| e.str("valueDateTime")))
            };
            let start = partial(n.str_at(&["period", "start"]), "period.start")?
                .ok_or((Some("period.start"), "missing".to_owned()))?;
            let condition = ref_id(n.at(&["diagnosis", "condition"]), "Condition");
            let title = ext_str("http://nictiz.nl/fhir/StructureDefinition/EpisodeOfCare-Title")
                .or_else(|| n.str_at(&["diagnosis", "condition", "display"]))
                .unwrap_or_default()
                .to_owned();
            let ep = Episode {
                id: id_of(n, EpisodeId::new)?,
                title,
                icpc: None,
                icpc_display: None,
                start,
                end: partial(n.str_at(&["period", "end"]), "period.end")?,
                attentiewaarde: false,
                first_encounter: date(
                    ext_str(
                        "http://nictiz.nl/fhir/StructureDefinition/EpisodeOfCare-DateFirstEncounter",
                    ),
                    "DateFirstEncounter",
                )?,
                last_encounter: date(
                    ext_str(
                        "http://nictiz.nl/fhir/StructureDefinition/EpisodeOfCare-DateLastEncounter",
                    ),
                    "DateLastEncounter",
                )?,
                problem: None,
                care_manager: ref_id(n.child("careManager"), "Practitioner")
                    .and_then(|p| PractitionerId::new(p).ok()),
                meta: ctx.meta(n),
            };
            Item::Episode(pid, ep, condition)
        }
        "Condition" => {
            let pid = subject(n)?;
            let all = codings(n.child("code"));
            let code = all
                .iter()
                .find(|c| c.system == system::ICPC)
                .or(all.first())
                .cloned()
                .ok_or((Some("code"), "no coding".to_owned()))?;
            Item::Problem(
                pid,
                Problem {
                    id: id_of(n, ProblemId::new)?,
                    code,
                    status: if n.str("clinicalStatus") == Some("active") {
                        ProblemStatus::Active
                    } else {
                        ProblemStatus::Inactive
                    },
                    onset: partial(n.str("onsetDateTime"), "onsetDateTime")?,
                    abatement: partial(n.str("abatementDateTime"), "abatementDateTime")?,
                    asserter: ref_id(n.child("asserter"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Flag" => {
            let pid = subject(n)?;
            let code = codings(n.child("code"))
                .into_iter()
                .next()
                .ok_or((Some("code"), "no coding".to_owned()))?;
            let detail = n
                .extension("http://hl7.org/fhir/StructureDefinition/flag-detail")
                .and_then(|e| e.child("valueReference"));
            Item::Alert(
                pid,
                Alert {
                    id: id_of(n, AlertId::new)?,
                    code,
                    active: n.str("status") == Some("active"),
                    start: partial(n.str_at(&["period", "start"]), "period.start")?,
                    end: partial(n.str_at(&["period", "end"]), "period.end")?,
                    detail: detail.and_then(|d| d.str("display")).map(str::to_owned),
                    episode: ref_id(detail, "EpisodeOfCare").and_then(|e| EpisodeId::new(e).ok()),
                    author: ref_id(n.child("author"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Encounter" => {
            let pid = subject(n)?;
            let t = coding_in(n.child("type"), system::NHG_14)
                .ok_or((Some("type"), "no NHG-Tabel 14 contactwijze".to_owned()))?;
            let contact_type =
                codes::ContactType::parse(&t.code).map_err(|e| (Some("type"), e.to_string()))?;
            let start = date(n.str_at(&["period", "start"]), "period.start")?
                .ok_or((Some("period.start"), "missing".to_owned()))?;
            Item::Contact(
                pid,
                Contact {
                    id: id_of(n, ContactId::new)?,
                    contact_type,
                    date: start,
                    end: date(n.str_at(&["period", "end"]), "period.end")?,
                    practitioner: ref_id(n.at(&["participant", "individual"]), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    episode: ref_id(n.child("episodeOfCare"), "EpisodeOfCare")
                        .and_then(|e| EpisodeId::new(e).ok()),
                    patient_took_part: None,
                    meta: ctx.meta(n),
                },
            )
        }
        "Observation"
            if coding_in(n.child("code"), system::SOEP).is_some()
                || has_profile("gp-JournalEntry") =>
        {
            let pid = subject(n)?;
            let soep_code = coding_in(n.child("code"), system::SOEP)
                .ok_or((Some("code"), "no journaalregeltype".to_owned()))?;
            let soep = Soep::parse(&soep_code.code).ok_or((
                Some("code"),
                format!("unknown journaalregeltype {:?}", soep_code.code),
            ))?;
            let icpc = n
                .children("component")
                .find(|c| {
                    coding_in(c.child("code"), "http://hl7.org/fhir/v3/ActCode")
                        .is_some_and(|x| x.code == "DISDX")
                })
                .and_then(|c| coding_in(c.child("valueCodeableConcept"), system::ICPC));
            let date = date(n.str("effectiveDateTime"), "effectiveDateTime")?
                .ok_or((Some("effectiveDateTime"), "missing".to_owned()))?;
            Item::Journal(
                pid,
                JournalLine {
                    id: id_of(n, JournalLineId::new)?,
                    soep,
                    text: n.str("valueString").unwrap_or_default().to_owned(),
                    icpc: icpc
                        .as_ref()
                        .map(|c| IcpcCode::parse(&c.code))
                        .transpose()
                        .map_err(|e| (Some("component.valueCodeableConcept"), e.to_string()))?,
                    icpc_display: icpc.and_then(|c| c.display).map(String::from),
                    date,
                    contact: ref_id(n.child("context"), "Encounter")
                        .and_then(|c| ContactId::new(c).ok()),
                    episode: episode_ext(n).and_then(|e| EpisodeId::new(e).ok()),
                    author: ref_id(n.child("performer"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Observation" => {
            let pid = subject(n)?;
            let code = coding_in(n.child("code"), system::NHG_45)
                .ok_or((Some("code"), "no NHG-Tabel 45 code".to_owned()))?;
            let nhg =
                codes::Nhg45Code::parse(&code.code).map_err(|e| (Some("code"), e.to_string()))?;
            let lab_category = codings(n.child("category"))
                .iter()
                .any(|c| c.code == "49581000146104" || c.code == "laboratory");
            let kind = if has_profile("gp-LaboratoryResult")
                || (!has_profile("gp-DiagnosticResult") && lab_category)
            {
                ResultKind::L
            } else {
                ResultKind::D
            };
            let value = if let Some(q) = n.child("valueQuantity") {
                let v = q
                    .str("value")
                    .ok_or((Some("valueQuantity.value"), "missing".to_owned()))?;
                ResultValue::Quantity {
                    value: Decimal::parse(v)
                        .map_err(|e| (Some("valueQuantity.value"), e.to_string()))?,
                    unit: q
                        .str("code")
                        .or_else(|| q.str("unit"))
                        .map(codes::Ucum::parse)
                        .transpose()
                        .map_err(|e| (Some("valueQuantity.code"), e.to_string()))?,
                }
            } else if let Some(c) = n.child("valueCodeableConcept") {
                ResultValue::Coded {
                    coding: codings(Some(c))
                        .into_iter()
                        .next()
                        .ok_or((Some("valueCodeableConcept"), "no coding".to_owned()))?,
                }
            } else if let Some(s) = n.str("valueString") {
                ResultValue::Text { text: s.to_owned() }
            } else {
                return fail("value[x]", "no value");
            };
            let range = n
                .child("referenceRange")
                .map(|r| -> Result<ReferenceRange, Fail> {
                    let bound = |b: &str| {
                        r.str_at(&[b, "value"])
                            .map(Decimal::parse)
                            .transpose()
                            .map_err(|e| (Some("referenceRange"), e.to_string()))
                    };
                    Ok(ReferenceRange {
                        low: bound("low")?,
                        high: bound("high")?,
                        text: r.str("text").map(str::to_owned),
                        kind: codings(r.child("type")).into_iter().next(),
                    })
                })
                .transpose()?;
            let effective = instant(
                n.str("effectiveDateTime")
                    .or_else(|| n.str_at(&["effectivePeriod", "start"])),
                "effectiveDateTime",
            )?
            .ok_or((Some("effectiveDateTime"), "missing".to_owned()))?;
            let received = instant(n.str("issued"), "issued")?.unwrap_or(effective);
            // Lab results wait for review or the practice's delay (R26); the practice's own
            // measurements are known to the patient already.
            let review = match kind {
                ResultKind::L => ReviewState::Pending {
                    received_at: received,
                },
                ResultKind::D => ReviewState::Released {
                    by: ctx.meta.created_by().clone(),
                    at: received,
                },
            };
            Item::Result(
                pid,
                LabResult {
                    id: id_of(n, ResultId::new)?,
                    kind,
                    code: nhg,
                    name: code.label().to_owned(),
                    other_codes: codings(n.child("code"))
                        .into_iter()
                        .filter(|c| c.system != system::NHG_45)
                        .collect(),
                    value,
                    reference_range: range.map(Box::new),
                    body_site: coded_text(n.child("bodySite")).map(Box::new),
                    interpretation: codings(n.child("interpretation"))
                        .into_iter()
                        .next()
                        .map(Box::new),
                    effective,
                    review,
                    patient_comment: None,
                    performer: ref_id(n.child("performer"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    contact: ref_id(n.child("context"), "Encounter")
                        .and_then(|c| ContactId::new(c).ok()),
                    episode: episode_ext(n).and_then(|e| EpisodeId::new(e).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Medication" => {
            let cs = codings(n.child("code"));
            let name = n
                .str_at(&["code", "text"])
                .map(str::to_owned)
                .or_else(|| {
                    cs.iter()
                        .find_map(|c| c.display.as_deref().map(str::to_owned))
                })
                .ok_or((Some("code"), "no product name".to_owned()))?;
            Item::Product(Product {
                source_id: n.id().map(str::to_owned),
                name,
                codes: cs,
            })
        }
        "MedicationRequest" => {
            let pid = subject(n)?;
            let product = ref_id(n.child("medicationReference"), "Medication")
                .ok_or((Some("medicationReference"), "missing".to_owned()))?;
            let period = n
                .extension("http://nictiz.nl/fhir/StructureDefinition/zib-Medication-PeriodOfUse")
                .and_then(|e| e.child("valuePeriod"));
            let instruction = n.child("dosageInstruction");
            let dosage_codes = codings(instruction.and_then(|d| d.child("route")));
            let m = MedicationAgreement {
                id: id_of(n, MedicationId::new)?,
                product: Product {
                    source_id: Some(product.clone()),
                    name: String::new(),
                    codes: vec![],
                },
                dosage_text: instruction
                    .and_then(|d| d.str("text"))
                    .unwrap_or_default()
                    .to_owned(),
                dosage_codes,
                dosage: dosage(instruction)?,
                period_start: date(period.and_then(|p| p.str("start")), "PeriodOfUse.start")?,
                period_end: date(period.and_then(|p| p.str("end")), "PeriodOfUse.end")?,
                authored_on: date(n.str("authoredOn"), "authoredOn")?,
                prescriber: ref_id(n.at(&["requester", "agent"]), "Practitioner")
                    .and_then(|p| PractitionerId::new(p).ok()),
                contact: ref_id(n.child("context"), "Encounter")
                    .and_then(|c| ContactId::new(c).ok()),
                episode: episode_ext(n).and_then(|e| EpisodeId::new(e).ok()),
                meta: ctx.meta(n),
            };
            Item::Medication(pid, m, product)
        }
        "AllergyIntolerance" => {
            let pid = subject(n)?;
            let substance = codings(n.child("code"))
                .into_iter()
                .next()
                .ok_or((Some("code"), "no coding".to_owned()))?;
            let category = match n.str("category") {
                Some("food") => AllergyCategory::Food,
                Some("environment") => AllergyCategory::Environment,
                Some("biologic") => AllergyCategory::Biologic,
                _ => AllergyCategory::Medication,
            };
            let reaction = n.child("reaction");
            let mut reaction_codes = codings(reaction.and_then(|r| r.child("substance")));
            reaction_codes.extend(codings(reaction.and_then(|r| r.child("manifestation"))));
            Item::Allergy(
                pid,
                Allergy {
                    id: id_of(n, AllergyId::new)?,
                    substance,
                    category,
                    criticality: match n.str("criticality") {
                        Some("low") => Some(Criticality::Low),
                        Some("high") => Some(Criticality::High),
                        Some("unable-to-assess") => Some(Criticality::UnableToAssess),
                        _ => None,
                    },
                    status: match n.str("clinicalStatus") {
                        Some("inactive") => AllergyStatus::Inactive,
                        Some("resolved") => AllergyStatus::Resolved,
                        _ => AllergyStatus::Active,
                    },
                    onset: partial(n.str("onsetDateTime"), "onsetDateTime")?,
                    reaction: reaction
                        .and_then(|r| r.str("description"))
                        .map(str::to_owned),
                    reaction_codes,
                    note: n.str_at(&["note", "text"]).map(str::to_owned),
                    recorder: ref_id(n.child("recorder"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Composition" => Item::Derived,
        "DocumentReference" => return document_reference(n, ctx).map(Some),
        "Binary" => {
            use base64::Engine;
            let id = n.id().ok_or((Some("id"), "missing id".to_owned()))?;
            if n.str("contentType") != Some("application/pdf") {
                return Ok(Some(Item::Ignored("only PDF documents are imported")));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(n.str("content").unwrap_or_default().trim())
                .map_err(|_| (Some("content"), "not base64".to_owned()))?;
            Item::Binary(id.to_owned(), bytes)
        }
        _ => return Ok(None),
    }))
}

/// A letter from a DocumentReference (IHE MHD minimal, MedMij data service 51). Only the current
/// version of a document is part of the record: superseded and entered-in-error ones are left out.
pub(super) fn document_reference(n: &Node, ctx: &Ctx) -> Result<Item, Fail> {
    match n.str("status") {
        Some("current") => {}
        Some("superseded") => {
            return Ok(Item::Ignored(
                "superseded by a newer version; only the current version is imported",
            ));
        }
        Some("entered-in-error") => {
            return Ok(Item::Ignored("entered in error; not part of the record"));
        }
        _ => return fail("status", "missing or not a DocumentReference status"),
    }
    let pid = subject(n)?;
    let type_code = n
        .child("type")
        .and_then(|t| t.child("coding"))
        .and_then(coding);
    let class_code = n
        .child("class")
        .and_then(|t| t.child("coding"))
        .and_then(coding);
    let when = instant(n.str("indexed").or_else(|| n.str("created")), "indexed")?
        .ok_or((Some("indexed"), "missing".to_owned()))?;
    let attachment = n
        .at(&["content", "attachment"])
        .ok_or((Some("content"), "missing attachment".to_owned()))?;
    let url = attachment.url.as_deref().or_else(|| attachment.str("url"));
    let (content, binary) = match (attachment.str("data"), url) {
        (Some(data), _) => {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|_| (Some("content.attachment.data"), "not base64".to_owned()))?;
            (LetterContent::Pdf { bytes }, None)
        }
        (None, Some(u)) => (
            LetterContent::Reference { uri: u.to_owned() },
            u.strip_prefix("Binary/").map(str::to_owned),
        ),
        (None, None) => return fail("content.attachment", "neither data nor url"),
    };
    // The author: a display, or the name of a contained Practitioner it points at.
    let author = n.child("author").and_then(|a| {
        a.str("display").map(str::to_owned).or_else(|| {
            let local = a.str("reference")?.strip_prefix('#')?;
            n.children("contained")
                .map(|c| c.child("Practitioner").unwrap_or(c))
                .find(|c| c.id() == Some(local))
                .map(|p| name(p.child("name")).display())
        })
    });
    let class = class_code.as_ref().map(|c| c.code.as_str());
    let letter_type = match class {
        Some("18842-5") => LetterType::DischargeLetter,
        Some("11488-4") => LetterType::SpecialistLetter,
        Some("57133-1") => LetterType::ReferralLetter,
        Some("18748-4") => LetterType::RadiologyReport,
        _ => LetterType::Other,
    };
    let title = n
        .str("description")
        .or_else(|| attachment.str("title"))
        .or_else(|| type_code.as_ref().and_then(|c| c.display.as_deref()))
        .unwrap_or("Document")
        .to_owned();
    let letter = Letter {
        id: id_of(n, LetterId::new)?,
        direction: LetterDirection::Incoming,
        letter_type,
        date: inzage_domain::time::local_date(when),
        title,
        author: author.unwrap_or_default(),
        content,
        episode: None,
        document: (type_code.is_some() || class_code.is_some()).then_some(DocumentCodes {
            type_code,
            class_code,
        }),
        meta: ctx.meta(n),
    };
    Ok(Item::Letter(pid, letter, binary))
}
