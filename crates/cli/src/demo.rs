//! The demo practice's people who can log in: four synthetic patients with development-IdP
//! accounts, chosen from the generated practice, and the relations that show off the portal
//! (a parent of a 10-year-old, a 14-year-old with own access, a carer with a written
//! authorisation). All of it synthetic.

use crate::AnyError;
use chrono::{DateTime, Days, Utc};
use inzage_domain::selfmeasure::{Measured, Review, SelfMeasurement, VitalSign};
use inzage_domain::time::{age_on, local_date};
use inzage_domain::{
    Actor, Coding, Evidence, OnlineConsent, PatientId, PatientRecord, PracticeId, Representation,
    RepresentationBasis, RepresentationId,
};
use inzage_store::{EventType, PortalStore, RecordStore, Store};
use inzage_web::DemoAccount;
use sha2::{Digest, Sha256};

pub const DEMO_PASSWORD: &str = "demo-wachtwoord";

/// A TOTP secret that stays the same for a username, so the demo page can show it.
fn demo_totp_secret(username: &str) -> String {
    let digest = Sha256::digest(format!("inzage-demo-totp:{username}").as_bytes());
    totp_rs::Secret::from(digest[..20].to_vec()).to_base32()
}

/// Picks the demo people from the stored practice, records their relations and creates their
/// accounts. Idempotent: an existing account is left alone.
/// `provider` is the demo practice's Zorgaanbiedernaam: the demo patient's PGO account is
/// connected to it.
pub async fn seed_accounts(
    store: &Store,
    practice: &PracticeId,
    provider: &str,
    now: DateTime<Utc>,
) -> Result<Vec<DemoAccount>, AnyError> {
    let today = local_date(now);
    let mut patients = vec![];
    let mut offset = 0;
    loop {
        let page = store.list_patients(practice, 500, offset).await?;
        if page.is_empty() {
            break;
        }
        offset += page.len() as u32;
        patients.extend(page);
    }
    patients.sort_by(|a, b| a.id.cmp(&b.id));
    let mut settings = store.settings(practice).await?;
    settings.online_access_under_16 = true;
    // The demo practice lets patients choose to see results at once (R26, N4), so the demo
    // shows the choice; nobody has chosen it, so results still wait for the GP.
    settings.patients_may_choose_immediate_results = true;
    // Demo people with something to show: visible problems, and for adults also medication
    // and results (children seldom have those).
    let mut showable = vec![];
    for p in &patients {
        if let Some(r) = store.load_record(&p.id).await? {
            let v = inzage_domain::visibility::online_view(&r, &settings, now);
            let adult_enough = !v.medication.is_empty() && v.results.len() >= 2;
            if !v.episodes.is_empty() && (adult_enough || age_on(p.birth_date, today) < 18) {
                showable.push(p.id.clone());
            }
        }
    }
    let mut used = vec![];
    let mut pick = |min: i32, max: i32| {
        // The exact age asked for when the practice has such a person, else a year either side.
        let candidates = |exact: bool| {
            patients.iter().find(|p| {
                let age = age_on(p.birth_date, today);
                let (lo, hi) = if exact || min != max {
                    (min, max)
                } else {
                    (min - 1, max + 1)
                };
                age >= lo && age <= hi && !used.contains(&p.id) && showable.contains(&p.id)
            })
        };
        let found = candidates(true).or_else(|| candidates(false));
        if let Some(p) = found {
            used.push(p.id.clone());
        }
        found.map(|p| p.id.clone())
    };
    let (Some(adult), Some(parent), Some(child), Some(teen), Some(carer), Some(elder)) = (
        pick(30, 55),
        pick(32, 50),
        pick(10, 10),
        pick(14, 14),
        pick(40, 65),
        pick(75, 100),
    ) else {
        return Err("the demo practice is too small to find the demo people".into());
    };

    store.save_settings(practice, &settings).await?;

    let actor = Actor::System("demo".into());
    let consent = OnlineConsent {
        portal: true,
        pgo: true,
        recorded_by: actor.clone(),
        recorded_at: now,
    };
    let load = |id| async move {
        store
            .load_record(&id)
            .await?
            .ok_or_else(|| AnyError::from("demo patient vanished"))
    };
    let mut records: Vec<PatientRecord> = vec![];
    for id in [&adult, &parent, &child, &teen, &carer, &elder] {
        let mut r = load(id.clone()).await?;
        r.patient.online_consent = Some(consent.clone());
        records.push(r);
    }
    let bsn = |r: &PatientRecord| r.patient.bsn.clone().ok_or("demo patient without BSN");
    let parent_bsn = bsn(&records[1])?;
    let parent_name = records[1].patient.name.clone();
    let carer_bsn = bsn(&records[4])?;
    let carer_name = records[4].patient.name.clone();
    let evidence = |kind: &str| Evidence {
        kind: kind.into(),
        checked_by: actor.clone(),
        checked_at: now,
    };
    add_representation(
        &mut records[2],
        Representation {
            id: RepresentationId::new("demo-parent")?,
            agent_bsn: parent_bsn,
            agent_name: parent_name,
            basis: RepresentationBasis::ParentalAuthority,
            valid_from: today - Days::new(365),
            valid_to: None,
            scope: None,
            evidence: Some(evidence("uittreksel gezagsregister")),
            child_consent: None,
            revoked_at: None,
        },
    );
    add_representation(
        &mut records[5],
        Representation {
            id: RepresentationId::new("demo-carer")?,
            agent_bsn: carer_bsn,
            agent_name: carer_name,
            basis: RepresentationBasis::WrittenAuthorisation,
            valid_from: today - Days::new(30),
            valid_to: Some(today + Days::new(365)),
            scope: None,
            evidence: Some(evidence("ondertekende machtiging")),
            child_consent: None,
            revoked_at: None,
        },
    );
    for r in &records {
        let audit = crate::cli_audit(
            EventType::Update,
            &r.patient.id,
            now,
            "demo-accounts".into(),
            "demo: online consent and representations".into(),
        );
        store.save_record(r, audit).await?;
    }

    for (username, index, _) in ACCOUNTS {
        if store.idp_account(username).await?.is_none() {
            let record = &records[index];
            inzage_login::auth::create_account(
                store,
                username,
                DEMO_PASSWORD,
                bsn(record)?,
                &record.patient.name.display(),
                Some(demo_totp_secret(username)),
                now,
            )
            .await?;
        }
    }
    pgo_account(store, &records[0], provider, now).await?;
    Ok(ACCOUNTS
        .iter()
        .map(|(u, _, d)| demo_account(u, d))
        .collect())
}

/// The demo patient's PGO account, connected to the demo practice for data services 49, 51 and
/// 52 (a long-term consent of a year, as the consent page would give it), with two
/// measurements of their own. "Opnieuw ophalen" then fetches over MedMij from this machine.
async fn pgo_account(
    store: &Store,
    record: &PatientRecord,
    provider: &str,
    now: DateTime<Utc>,
) -> Result<(), AnyError> {
    use inzage_store::{MedmijStore, PgoStore};
    let subject = format!("idp:{}", ACCOUNTS[0].0);
    let key = inzage_pgo::account_key(&subject);
    if store.pgo_account(&key).await?.is_some() {
        return Ok(());
    }
    let account = inzage_store::PgoAccount {
        id: inzage_pgo::client::new_id(),
        subject_hash: key,
        display_name: record.patient.name.display(),
        created_at: now,
    };
    store.create_pgo_account(&account).await?;
    for service in ["49", "51", "52"] {
        let refresh = inzage_webkit::session::random_token();
        store
            .store_refresh_token(&inzage_store::RefreshToken {
                token_hash: inzage_medmij::token_hash(&refresh),
                patient: record.patient.id.clone(),
                client_id: "localhost".into(),
                subject: subject.clone(),
                issued_at: now,
                valid_until: now + chrono::Months::new(12),
                grant_id: Some(format!("demo-pgo-{service}")),
            })
            .await?;
        store
            .save_pgo_connection(&inzage_store::PgoConnection {
                id: inzage_pgo::client::new_id(),
                account_id: account.id.clone(),
                provider: provider.into(),
                service: service.into(),
                refresh_token: Some(refresh),
                connected_at: now,
                withdrawn_at: None,
                last_fetch_at: None,
                last_outcome: None,
            })
            .await?;
    }
    store
        .pgo_log(
            &account.id,
            &inzage_store::PgoLogEntry {
                at: now,
                event: "connect".into(),
                detail: provider.into(),
            },
        )
        .await?;
    for (days, kind, values) in [
        (
            2,
            VitalSign::BloodPressure,
            [("8480-6", "138"), ("8462-4", "88")].as_slice(),
        ),
        (1, VitalSign::BodyWeight, [("29463-7", "81.4")].as_slice()),
    ] {
        let at = now - chrono::Duration::days(days);
        let (unit, _, _) = kind.unit();
        let m = SelfMeasurement {
            id: inzage_pgo::client::new_id(),
            patient: PatientId::new("self")?,
            kind,
            code: kind.code(),
            categories: vec![kind.category()],
            effective: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            effective_at: at,
            values: values
                .iter()
                .map(|(code, v)| -> Result<Measured, AnyError> {
                    Ok(Measured {
                        code: Coding::new(inzage_domain::codes::system::LOINC, code, None),
                        value: inzage_domain::Decimal::parse(v)?,
                        unit: unit.into(),
                    })
                })
                .collect::<Result<_, _>>()?,
            comment: None,
            received_at: now,
            sent_by: "self".into(),
            review: Review::New,
        };
        store
            .add_pgo_own(
                &account.id,
                &inzage_store::PgoOwnItem {
                    id: m.id.clone(),
                    kind: "measurement".into(),
                    at,
                    body: serde_json::to_string(&m)?,
                    created_at: now,
                    sent_to: vec![],
                },
            )
            .await?;
    }
    Ok(())
}

/// The demo logins: username, which demo person (see `seed_accounts`), what it shows off.
const ACCOUNTS: [(&str, usize, &str); 4] = [
    ("demo-patient", 0, "Volwassene, eigen dossier"),
    (
        "demo-ouder",
        1,
        "Ouder van een kind van 10 (en eigen dossier)",
    ),
    ("demo-jongere", 3, "Jongere van 14, eigen dossier"),
    (
        "demo-mantelzorger",
        4,
        "Mantelzorger met machtiging van een oudere (en eigen dossier)",
    ),
];

fn demo_account(username: &str, description: &str) -> DemoAccount {
    DemoAccount {
        username: username.into(),
        password: DEMO_PASSWORD.into(),
        description: description.into(),
        totp_secret: Some(demo_totp_secret(username)),
        staff: false,
    }
}

/// The demo practice's staff: a GP, an assistant and the practice administrator, with their authenticator keys read back
/// from the database (created once, with a random key).
pub async fn staff_accounts(
    store: &Store,
    practice: &PracticeId,
    now: DateTime<Utc>,
) -> Result<Vec<DemoAccount>, AnyError> {
    use inzage_store::StaffStore;
    let mut out = vec![];
    for (username, role, name, description) in [
        (
            "demo-huisarts",
            inzage_domain::StaffRole::Gp,
            "Dr. H. Demo",
            "Huisarts",
        ),
        (
            "demo-assistent",
            inzage_domain::StaffRole::Assistant,
            "A. Demo",
            "Doktersassistent",
        ),
        (
            "demo-beheerder",
            inzage_domain::StaffRole::Administrator,
            "B. Demo",
            "Praktijkbeheerder (medewerkers, instellingen)",
        ),
    ] {
        if store.staff_account(username).await?.is_none() {
            inzage_practice::create_staff(
                store,
                username,
                DEMO_PASSWORD,
                practice.clone(),
                role,
                name,
                now,
            )
            .await?;
        }
        let account = store
            .staff_account(username)
            .await?
            .ok_or("demo staff account vanished")?;
        out.push(DemoAccount {
            username: username.into(),
            password: DEMO_PASSWORD.into(),
            description: description.into(),
            totp_secret: Some(account.totp_secret),
            staff: true,
        });
    }
    Ok(out)
}

fn add_representation(r: &mut PatientRecord, rep: Representation) {
    r.representations.retain(|x| x.id != rep.id);
    r.representations.push(rep);
}

/// The demo accounts of an existing demo database (for the start page), or `None` when the
/// database has none yet.
pub async fn existing_accounts(store: &Store) -> Result<Option<Vec<DemoAccount>>, AnyError> {
    for (username, _, _) in ACCOUNTS {
        if store.idp_account(username).await?.is_none() {
            return Ok(None);
        }
    }
    Ok(Some(
        ACCOUNTS
            .iter()
            .map(|(u, _, d)| demo_account(u, d))
            .collect(),
    ))
}

/// Bookable surgery slots for the demo practice: every weekday of the coming two weeks, 08:30 to
/// 10:00 in 10-minute slots, most of them open for online booking. Added once (when none lie
/// ahead), so a demo shows a real choice of times.
pub async fn agenda(
    store: &Store,
    practice: &PracticeId,
    now: DateTime<Utc>,
) -> Result<usize, AnyError> {
    use chrono::{Datelike, Duration, TimeZone, Weekday};
    use chrono_tz::Europe::Amsterdam;
    use inzage_store::{AgendaStore, Slot};
    if !store
        .slots_between(practice, now, now + Duration::days(14))
        .await?
        .is_empty()
    {
        return Ok(0);
    }
    let today = inzage_domain::time::local_date(now);
    let mut slots = vec![];
    for d in 1..=14 {
        let day = today + Duration::days(d);
        if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            continue;
        }
        for (n, practitioner) in [(0u32, "dokter Demo"), (1, "dokter Vermeer")] {
            for i in 0..9u32 {
                let Some(time) = chrono::NaiveTime::from_hms_opt(8, 30, 0) else {
                    continue;
                };
                let local = day.and_time(time) + Duration::minutes(i64::from(i * 10));
                let Some(starts_at) = Amsterdam.from_local_datetime(&local).earliest() else {
                    continue;
                };
                slots.push(Slot {
                    id: format!("demo-{}-{n}-{i}", day.format("%Y%m%d")),
                    practice: practice.clone(),
                    practitioner: practitioner.into(),
                    starts_at: starts_at.with_timezone(&Utc),
                    minutes: 10,
                    kind: "Spreekuur".into(),
                    // The last slot of each row stays for the practice to fill by phone.
                    online: i < 8,
                    patient: None,
                    booked_by: None,
                    booked_at: None,
                    appointment: None,
                });
            }
        }
    }
    store.add_slots(&slots).await?;
    Ok(slots.len())
}

/// The demo practice's Zorgaanbiedernaam in MedMij.
pub const DEMO_PROVIDER: &str = "demo-huisartsen@medmij";

/// The MedMij lists of the demo: its providers (the demo practice on this machine first, then
/// any other inzage practice given with `--also-provider`, each with data services 49, 51 and
/// 52), the data service names, and a whitelist with their hosts. Written beside the demo
/// database on every start, in the MedMij XML formats the PGO reads in production too.
pub fn pgo_lists(
    database_url: &str,
    origin: &str,
    providers: &[(String, String)],
) -> Result<inzage_pgo::PgoConfig, AnyError> {
    use quick_xml::escape::escape;
    let url = url::Url::parse(origin).map_err(|e| format!("public_origin: {e}"))?;
    let host = url
        .host_str()
        .ok_or("public_origin has no host")?
        .to_owned();
    let base = origin.trim_end_matches('/');
    let mut hosts = vec![host.clone()];
    for (_, other) in providers {
        let other = url::Url::parse(other).map_err(|e| format!("--also-provider {other}: {e}"))?;
        let h = other
            .host_str()
            .ok_or("an --also-provider origin has no host")?;
        if !hosts.iter().any(|known| known == h) {
            hosts.push(h.to_owned());
        }
    }
    let dir = match database_url.strip_prefix("sqlite://") {
        Some(path) => std::path::Path::new(path.split('?').next().unwrap_or(path))
            .parent()
            .map(|p| p.join("demo-medmij"))
            .unwrap_or_else(|| "demo-medmij".into()),
        None => "data/demo-medmij".into(),
    };
    std::fs::create_dir_all(&dir)?;
    let stamp = chrono::Utc::now();
    let header = format!(
        "<Tijdstempel>{}</Tijdstempel><Volgnummer>{}</Volgnummer>",
        stamp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        stamp.timestamp().max(1)
    );
    let service = |base: &str, id: &str| {
        // Data service 52 (measurements) has its own resource endpoint.
        let (role, resources) = match id {
            "52" => ("MM-2.0-MVB-FHIR", inzage_medmij::measurements::BASE_PATH),
            _ => ("MM-2.0-HGB-FHIR", "/fhir"),
        };
        format!(
            "<Gegevensdienst><GegevensdienstId>{id}</GegevensdienstId>\
             <AuthorizationEndpoint><AuthorizationEndpointuri>{}/medmij/autoriseren</AuthorizationEndpointuri></AuthorizationEndpoint>\
             <TokenEndpoint><TokenEndpointuri>{}/medmij/token</TokenEndpointuri></TokenEndpoint>\
             <Systeemrollen><Systeemrol><Systeemrolcode>{role}</Systeemrolcode>\
             <ResourceEndpoint><ResourceEndpointuri>{}{resources}</ResourceEndpointuri></ResourceEndpoint>\
             </Systeemrol></Systeemrollen></Gegevensdienst>",
            escape(base),
            escape(base),
            escape(base)
        )
    };
    let entries: String = providers
        .iter()
        .map(|(name, origin)| {
            let at = origin.trim_end_matches('/');
            format!(
                "<Zorgaanbieder><Zorgaanbiedernaam>{}</Zorgaanbiedernaam>\
                 <Gegevensdiensten>{}{}{}</Gegevensdiensten></Zorgaanbieder>",
                escape(name.as_str()),
                service(at, "49"),
                service(at, "51"),
                service(at, "52")
            )
        })
        .collect();
    let zal = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <Zorgaanbiederslijst xmlns=\"xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/\">{header}\
         <Zorgaanbieders>{entries}</Zorgaanbieders></Zorgaanbiederslijst>"
    );
    let gnl = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <Gegevensdienstnamenlijst xmlns=\"xmlns://afsprakenstelsel.medmij.nl/gegevensdienstnamenlijst/release1/\">{header}\
         <Gegevensdiensten>\
         <Gegevensdienst><GegevensdienstId>49</GegevensdienstId><Weergavenaam>Huisartsgegevens</Weergavenaam></Gegevensdienst>\
         <Gegevensdienst><GegevensdienstId>51</GegevensdienstId><Weergavenaam>Documenten</Weergavenaam></Gegevensdienst>\
         <Gegevensdienst><GegevensdienstId>52</GegevensdienstId><Weergavenaam>Meetwaarden vitale functies</Weergavenaam></Gegevensdienst>\
         </Gegevensdiensten></Gegevensdienstnamenlijst>"
    );
    let nodes: String = hosts
        .iter()
        .map(|h| {
            format!(
                "<MedMijNode><Hostname>{}</Hostname></MedMijNode>",
                escape(h.as_str())
            )
        })
        .collect();
    let whitelist = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <Whitelist xmlns=\"xmlns://afsprakenstelsel.medmij.nl/whitelist/release2/\">{header}\
         <MedMijNodes>{nodes}</MedMijNodes></Whitelist>"
    );
    let mut paths = vec![];
    for (name, text) in [
        ("zorgaanbiederslijst.xml", zal),
        ("gegevensdienstnamenlijst.xml", gnl),
        ("whitelist.xml", whitelist),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        paths.push(path.to_string_lossy().into_owned());
    }
    Ok(inzage_pgo::PgoConfig {
        client_id: host,
        origin: base.to_owned(),
        lists: inzage_pgo::ListSources {
            providers: paths[0].clone(),
            service_names: Some(paths[1].clone()),
            whitelist: paths[2].clone(),
        },
        refresh_minutes: 60,
        timeout: std::time::Duration::from_secs(10),
    })
}
