//! The MedMij client side (R93-R98, R100): the authorization request, redeeming a code,
//! refreshing and revoking tokens, and the data service queries, each with a fresh
//! `MedMij-Request-ID`, the flow's `X-Correlation-ID`, only to hosts on the whitelist, and every
//! call in the chain log (no content, no person).
//!
//! Failures are sorted into what a person can act on ([`Failure`]): the provider did not answer,
//! the consent ended, the provider does not offer this, the provider has a fault, the answer
//! could not be read, the provider is not on the MedMij whitelist.

use chrono::{DateTime, Months, NaiveDate, Utc};
use inzage_store::{ChainEvent, ChainEventKind, MedmijStore, Store};
use inzage_webkit::config::DataService;
use inzage_webkit::lists::{GP_DATA_ROLE, Whitelist};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// What went wrong with one call, in terms a person can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Failure {
    /// No answer in time, or no connection.
    NoAnswer,
    /// The token was refused: the consent ended or was withdrawn.
    ConsentEnded,
    /// The provider does not offer this part (404, 501, or not in its list entry).
    NotOffered,
    /// The provider answered with an error of its own (5xx, or another status).
    ProviderFault,
    /// The answer was not a FHIR search result we can read.
    Unreadable,
    /// The host is not on the MedMij whitelist (R93): we do not call it.
    NotWhitelisted,
    /// The provider did not accept what we sent (a 400 or 422 to a batch of measurements).
    Refused,
}

/// The seven GD 49 queries (R97, background §3.6) and the GD 51 document list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    /// `Q1`..`Q7`, `D1`: how stored resources remember the query that brought them.
    pub id: &'static str,
    /// The data service it belongs to.
    pub service: &'static str,
    /// The Fluent key of what it brings, in the person's words ("uw medicijnen").
    pub what: &'static str,
}

pub const QUERIES: [Query; 9] = [
    Query {
        id: "Q1",
        service: "49",
        what: "pgo-q-patient",
    },
    Query {
        id: "Q2",
        service: "49",
        what: "pgo-q-episodes",
    },
    Query {
        id: "Q3",
        service: "49",
        what: "pgo-q-medication",
    },
    Query {
        id: "Q4",
        service: "49",
        what: "pgo-q-allergies",
    },
    Query {
        id: "Q5",
        service: "49",
        what: "pgo-q-results",
    },
    Query {
        id: "Q6",
        service: "49",
        what: "pgo-q-journal",
    },
    Query {
        id: "Q7",
        service: "49",
        what: "pgo-q-encounters",
    },
    Query {
        id: "D1",
        service: "51",
        what: "pgo-q-documents",
    },
    Query {
        id: "M1",
        service: "52",
        what: "pgo-q-measurements",
    },
];

impl Query {
    /// The search, relative to the resource endpoint, exactly as MedMij specifies it. Never a
    /// patient, subject or BSN: the token names the person.
    pub fn search(&self, today: NaiveDate) -> String {
        match self.id {
            "Q1" => "Patient?_include=Patient:general-practitioner".into(),
            "Q2" => "EpisodeOfCare".into(),
            "Q3" => format!(
                "MedicationRequest?periodofuse=ge{today}&category=http://snomed.info/sct|16076005\
                 &_include=MedicationRequest:medication"
            ),
            "Q4" => "AllergyIntolerance?category=medication".into(),
            "Q5" => {
                let since = today.checked_sub_months(Months::new(14)).unwrap_or(today);
                format!(
                    "Observation?code=https://referentiemodel.nhg.org/tabellen/nhg-tabel-45-diagnostische-bepalingen|\
                     &_include=Observation:related-target&_include=Observation:specimen&date=ge{since}"
                )
            }
            "Q6" => "Composition?type=http://loinc.org|67781-5".into(),
            "Q7" => "Encounter".into(),
            // Every kind of self-measurement, by code: blood glucose is not filed as a vital sign.
            "M1" => format!(
                "Observation?code={}",
                inzage_domain::selfmeasure::VitalSign::ALL
                    .iter()
                    .flat_map(|v| match v {
                        inzage_domain::selfmeasure::VitalSign::BloodGlucose => {
                            inzage_domain::selfmeasure::GLUCOSE_CODES
                                .iter()
                                .map(|(c, _)| format!("http://loinc.org|{c}"))
                                .collect::<Vec<_>>()
                        }
                        other => vec![format!("http://loinc.org|{}", other.code().code)],
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => "DocumentReference?status=current".into(),
        }
    }

    pub fn of_service(service: &str) -> impl Iterator<Item = &'static Query> + '_ {
        QUERIES.iter().filter(move |q| q.service == service)
    }
}

/// Tokens from the token endpoint.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
}

/// The questions a person can put to a provider of data service 52 at the moment they want the
/// answer (the Nictiz Retrieving-PHR scenarios 1.1 to 1.7), each one search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    BloodPressures,
    LatestWeight,
    Glucoses,
    HeartRates,
    BloodPressuresInPeriod,
    MeasurementsInPeriod,
    VitalSigns,
}

impl Question {
    pub const ALL: [Question; 7] = [
        Question::BloodPressures,
        Question::LatestWeight,
        Question::Glucoses,
        Question::HeartRates,
        Question::BloodPressuresInPeriod,
        Question::MeasurementsInPeriod,
        Question::VitalSigns,
    ];

    /// 1 to 7, as in a form.
    pub fn number(self) -> usize {
        Self::ALL
            .iter()
            .position(|q| *q == self)
            .map_or(0, |i| i + 1)
    }

    pub fn from_number(n: usize) -> Option<Self> {
        n.checked_sub(1).and_then(|i| Self::ALL.get(i).copied())
    }

    /// Whether the question asks for a period (from, to).
    pub fn needs_period(self) -> bool {
        matches!(
            self,
            Question::BloodPressuresInPeriod | Question::MeasurementsInPeriod
        )
    }

    /// The search, relative to the resource endpoint (never a patient or subject); `None` for a
    /// question about a period without one.
    pub fn search(self, period: Option<(NaiveDate, NaiveDate)>) -> Option<String> {
        use inzage_domain::selfmeasure::{GLUCOSE_CODES, VitalSign};
        let loinc = |v: VitalSign| format!("http://loinc.org|{}", v.code().code);
        let glucose = || {
            GLUCOSE_CODES
                .iter()
                .map(|(c, _)| format!("http://loinc.org|{c}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let dates = || period.map(|(from, to)| format!("&date=ge{from}&date=le{to}"));
        Some(match self {
            Question::BloodPressures => {
                format!("Observation?code={}", loinc(VitalSign::BloodPressure))
            }
            Question::LatestWeight => {
                format!("Observation/$lastn?code={}", loinc(VitalSign::BodyWeight))
            }
            Question::Glucoses => format!("Observation?code={}", glucose()),
            Question::HeartRates => format!("Observation?code={}", loinc(VitalSign::HeartRate)),
            Question::BloodPressuresInPeriod => format!(
                "Observation?code={}{}",
                loinc(VitalSign::BloodPressure),
                dates()?
            ),
            Question::MeasurementsInPeriod => format!(
                "Observation?code={},{},{},{}{}",
                loinc(VitalSign::BloodPressure),
                loinc(VitalSign::BodyWeight),
                glucose(),
                loinc(VitalSign::HeartRate),
                dates()?
            ),
            Question::VitalSigns => "Observation?category=vital-signs".into(),
        })
    }
}

/// A fresh identifier (a version 4 UUID).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Everything the client needs for its calls.
#[derive(Clone)]
pub struct Caller {
    pub http: reqwest::Client,
    pub store: Store,
    /// Our client id: our hostname in the OAuth client list.
    pub client_id: String,
    /// The largest answer read from a provider.
    pub max_answer: usize,
}

/// A list entry's resource endpoint for GP data.
pub fn resource_base(service: &DataService) -> Option<&str> {
    service
        .roles
        .iter()
        .find(|(role, _)| role == GP_DATA_ROLE || role.starts_with("MM-"))
        .map(|(_, uri)| uri.as_str())
}

/// Whether `uri` is on a host the whitelist allows (R93).
pub fn allowed(whitelist: &Whitelist, uri: &str) -> bool {
    url::Url::parse(uri)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| whitelist.allows(h.trim_matches(['[', ']'])))
        })
        .unwrap_or(false)
}

/// The authorization request (R94): a GET to the provider's authorization endpoint.
pub fn authorization_url(
    service: &DataService,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    state: &str,
    request_id: &str,
    correlation_id: &str,
) -> Option<String> {
    let mut url = url::Url::parse(&service.authorization_endpoint).ok()?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", scope)
        .append_pair("state", state)
        .append_pair("MedMij-Request-ID", request_id)
        .append_pair("X-Correlation-ID", correlation_id);
    Some(url.into())
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    token_type: String,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl Caller {
    async fn log(
        &self,
        kind: ChainEventKind,
        ids: (&str, &str),
        provider: &str,
        status: u16,
        what: &str,
    ) {
        let event = ChainEvent {
            at: Utc::now(),
            kind,
            request_id: ids.0.to_owned(),
            correlation_id: ids.1.to_owned(),
            client_id: self.client_id.clone(),
            status,
            resource: format!("{provider} {what}"),
        };
        if let Err(e) = self.store.log_chain(&[event]).await {
            tracing::error!(error = %e, "chain log (pgo)");
        }
    }

    /// Logs the authorization request the browser is about to make (R100).
    pub async fn log_authorization(&self, provider: &str, request_id: &str, correlation_id: &str) {
        self.log(
            ChainEventKind::AuthorizationRequest,
            (request_id, correlation_id),
            provider,
            302,
            "authorize",
        )
        .await;
    }

    /// A form POST to the token endpoint (R96): a new `MedMij-Request-ID`, the given
    /// `X-Correlation-ID`.
    async fn token_call(
        &self,
        whitelist: &Whitelist,
        provider: &str,
        endpoint: &str,
        form: &[(&str, &str)],
        correlation_id: &str,
        what: &str,
    ) -> Result<reqwest::Response, (Failure, u16)> {
        if !allowed(whitelist, endpoint) {
            return Err((Failure::NotWhitelisted, 0));
        }
        let request_id = new_id();
        let answer = self
            .http
            .post(endpoint)
            .header("MedMij-Request-ID", &request_id)
            .header("X-Correlation-ID", correlation_id)
            .form(form)
            .send()
            .await;
        let status = answer.as_ref().map_or(0, |a| a.status().as_u16());
        self.log(
            ChainEventKind::TokenRequest,
            (&request_id, correlation_id),
            provider,
            status,
            what,
        )
        .await;
        answer.map_err(|_| (Failure::NoAnswer, 0))
    }

    async fn tokens(answer: reqwest::Response, max: usize) -> Result<Tokens, Failure> {
        let status = answer.status();
        if status == reqwest::StatusCode::BAD_REQUEST || status == reqwest::StatusCode::UNAUTHORIZED
        {
            return Err(Failure::ConsentEnded);
        }
        if !status.is_success() {
            return Err(Failure::ProviderFault);
        }
        let body = read_limited(answer, max).await?;
        let t: TokenAnswer = serde_json::from_slice(&body).map_err(|_| Failure::Unreadable)?;
        if !t.token_type.eq_ignore_ascii_case("bearer") || t.access_token.is_empty() {
            return Err(Failure::Unreadable);
        }
        Ok(Tokens {
            access_token: t.access_token,
            refresh_token: t.refresh_token.filter(|r| !r.is_empty()),
        })
    }

    /// Redeems an authorization code, once (R96).
    #[allow(clippy::too_many_arguments)]
    pub async fn redeem(
        &self,
        whitelist: &Whitelist,
        provider: &str,
        service: &DataService,
        code: &str,
        redirect_uri: &str,
        correlation_id: &str,
    ) -> Result<Tokens, Failure> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", redirect_uri),
        ];
        let answer = self
            .token_call(
                whitelist,
                provider,
                &service.token_endpoint,
                &form,
                correlation_id,
                "token",
            )
            .await
            .map_err(|(f, _)| f)?;
        Self::tokens(answer, self.max_answer).await
    }

    /// A new access token from the long-term consent's refresh token (the provider rotates it).
    pub async fn refresh(
        &self,
        whitelist: &Whitelist,
        provider: &str,
        service: &DataService,
        refresh_token: &str,
    ) -> Result<Tokens, Failure> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", self.client_id.as_str()),
        ];
        let answer = self
            .token_call(
                whitelist,
                provider,
                &service.token_endpoint,
                &form,
                &new_id(),
                "refresh",
            )
            .await
            .map_err(|(f, _)| f)?;
        Self::tokens(answer, self.max_answer).await
    }

    /// Asks the provider to end the consent (RFC 7009 at `<token endpoint>/revoke`, R101).
    pub async fn revoke(
        &self,
        whitelist: &Whitelist,
        provider: &str,
        service: &DataService,
        refresh_token: &str,
    ) -> Result<(), Failure> {
        let endpoint = format!("{}/revoke", service.token_endpoint.trim_end_matches('/'));
        let form = [
            ("token", refresh_token),
            ("token_type_hint", "refresh_token"),
            ("client_id", self.client_id.as_str()),
        ];
        let answer = self
            .token_call(whitelist, provider, &endpoint, &form, &new_id(), "revoke")
            .await
            .map_err(|(f, _)| f)?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(Failure::ProviderFault)
        }
    }

    /// Sends a `batch` Bundle (data service 52, Sending-PHR) to the resource endpoint with the
    /// Bearer token and both ids; succeeds only when every entry was accepted (2xx).
    #[allow(clippy::too_many_arguments)]
    pub async fn send_batch(
        &self,
        whitelist: &Whitelist,
        provider: &str,
        base: &str,
        token: &str,
        correlation_id: &str,
        bundle: &Value,
    ) -> Result<(), Failure> {
        let base = base.trim_end_matches('/');
        if !allowed(whitelist, base) {
            return Err(Failure::NotWhitelisted);
        }
        let request_id = new_id();
        let answer = self
            .http
            .post(base)
            .bearer_auth(token)
            .header("MedMij-Request-ID", &request_id)
            .header("X-Correlation-ID", correlation_id)
            .header("Content-Type", "application/fhir+json; fhirVersion=3.0")
            .header("Accept", "application/fhir+json; fhirVersion=3.0")
            .body(bundle.to_string())
            .send()
            .await;
        let status = answer.as_ref().map_or(0, |a| a.status().as_u16());
        self.log(
            ChainEventKind::ResourceRequest,
            (&request_id, correlation_id),
            provider,
            status,
            "send",
        )
        .await;
        let answer = answer.map_err(|_| Failure::NoAnswer)?;
        match answer.status().as_u16() {
            200 | 201 => {}
            400 | 422 => return Err(Failure::Refused),
            401 | 403 => return Err(Failure::ConsentEnded),
            404 | 405 | 501 => return Err(Failure::NotOffered),
            _ => return Err(Failure::ProviderFault),
        }
        let body = read_limited(answer, self.max_answer).await?;
        let reply: Value = serde_json::from_slice(&body).map_err(|_| Failure::Unreadable)?;
        let entries = reply["entry"].as_array().ok_or(Failure::Unreadable)?;
        let sent = bundle["entry"].as_array().map_or(0, Vec::len);
        let all_taken = entries.len() == sent
            && entries.iter().all(|e| {
                e["response"]["status"]
                    .as_str()
                    .is_some_and(|s| s.starts_with('2'))
            });
        if all_taken {
            Ok(())
        } else {
            Err(Failure::Refused)
        }
    }

    /// One query (R97, R98): the searchset's resources as (type, id, JSON), following `next`
    /// links on the same endpoint (at most 50 pages).
    pub async fn search(
        &self,
        whitelist: &Whitelist,
        provider: &str,
        base: &str,
        token: &str,
        correlation_id: &str,
        query: &Query,
        today: NaiveDate,
    ) -> Result<Vec<(String, String, String)>, Failure> {
        let search = query.search(today);
        self.search_path(
            whitelist,
            provider,
            (base, &search),
            token,
            correlation_id,
            query.id,
        )
        .await
    }

    /// One search, `(base, search)` with the search relative to the resource endpoint; `what`
    /// names it in the chain log.
    pub async fn search_path(
        &self,
        whitelist: &Whitelist,
        provider: &str,
        (base, search): (&str, &str),
        token: &str,
        correlation_id: &str,
        what: &str,
    ) -> Result<Vec<(String, String, String)>, Failure> {
        let base = base.trim_end_matches('/');
        let mut next = Some(format!("{base}/{search}"));
        let mut out = vec![];
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > 50 || !url.starts_with(base) {
                return Err(Failure::Unreadable);
            }
            if !allowed(whitelist, &url) {
                return Err(Failure::NotWhitelisted);
            }
            let request_id = new_id();
            let answer = self
                .http
                .get(&url)
                .bearer_auth(token)
                .header("MedMij-Request-ID", &request_id)
                .header("X-Correlation-ID", correlation_id)
                .header("Accept", "application/fhir+json; fhirVersion=3.0")
                .send()
                .await;
            let status = answer.as_ref().map_or(0, |a| a.status().as_u16());
            self.log(
                ChainEventKind::ResourceRequest,
                (&request_id, correlation_id),
                provider,
                status,
                what,
            )
            .await;
            let answer = answer.map_err(|_| Failure::NoAnswer)?;
            match answer.status().as_u16() {
                200 => {}
                401 | 403 => return Err(Failure::ConsentEnded),
                404 | 405 | 501 => return Err(Failure::NotOffered),
                _ => return Err(Failure::ProviderFault),
            }
            let body = read_limited(answer, self.max_answer).await?;
            let bundle: Value = serde_json::from_slice(&body).map_err(|_| Failure::Unreadable)?;
            out.extend(entries(&bundle)?);
            next = bundle["link"]
                .as_array()
                .and_then(|links| links.iter().find(|l| l["relation"] == "next"))
                .and_then(|l| l["url"].as_str())
                .map(str::to_owned);
        }
        Ok(out)
    }
}

impl Caller {
    /// A document's content (GD 51): the `Binary` a DocumentReference points at, read from the
    /// same resource endpoint as the list (a URL elsewhere is not followed), as the FHIR
    /// resource; returns its media type and bytes.
    pub async fn binary(
        &self,
        whitelist: &Whitelist,
        provider: &str,
        base: &str,
        token: &str,
        url: &str,
    ) -> Result<(String, Vec<u8>), Failure> {
        use base64::Engine;
        let url = binary_url(base, url).ok_or(Failure::Unreadable)?;
        if !allowed(whitelist, &url) {
            return Err(Failure::NotWhitelisted);
        }
        let request_id = new_id();
        let correlation_id = new_id();
        let answer = self
            .http
            .get(&url)
            .bearer_auth(token)
            .header("MedMij-Request-ID", &request_id)
            .header("X-Correlation-ID", &correlation_id)
            .header("Accept", "application/fhir+json; fhirVersion=3.0")
            .send()
            .await;
        let status = answer.as_ref().map_or(0, |a| a.status().as_u16());
        self.log(
            ChainEventKind::ResourceRequest,
            (&request_id, &correlation_id),
            provider,
            status,
            "Binary",
        )
        .await;
        let answer = answer.map_err(|_| Failure::NoAnswer)?;
        match answer.status().as_u16() {
            200 => {}
            401 | 403 => return Err(Failure::ConsentEnded),
            404 | 405 | 501 => return Err(Failure::NotOffered),
            _ => return Err(Failure::ProviderFault),
        }
        let body = read_limited(answer, self.max_answer).await?;
        let resource: Value = serde_json::from_slice(&body).map_err(|_| Failure::Unreadable)?;
        if resource["resourceType"] != "Binary" {
            return Err(Failure::Unreadable);
        }
        let media = resource["contentType"]
            .as_str()
            .ok_or(Failure::Unreadable)?
            .to_owned();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(resource["content"].as_str().ok_or(Failure::Unreadable)?)
            .map_err(|_| Failure::Unreadable)?;
        Ok((media, bytes))
    }
}

/// The URL of a document's `Binary` at the provider: `url` as the DocumentReference gives it
/// (relative to the resource endpoint `base`, or absolute), only when it names a `Binary` by id on
/// that same endpoint; anything else (another host or path, a query, a path step) is `None`.
pub fn binary_url(base: &str, url: &str) -> Option<String> {
    let base = base.trim_end_matches('/');
    let url = if url.starts_with("https://") || url.starts_with("http://") {
        url.to_owned()
    } else {
        format!("{base}/{}", url.trim_start_matches('/'))
    };
    let id = url.strip_prefix(&format!("{base}/Binary/")).filter(|id| {
        // A FHIR id, never a path step ("." or "..") that would leave `Binary/`.
        !id.is_empty()
            && !id.starts_with('.')
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
    })?;
    Some(format!("{base}/Binary/{id}"))
}

/// Reads an answer up to `max` bytes; more is unreadable, not a memory problem.
async fn read_limited(mut answer: reqwest::Response, max: usize) -> Result<Vec<u8>, Failure> {
    let mut body = vec![];
    loop {
        match answer.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > max {
                    return Err(Failure::Unreadable);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) if e.is_timeout() => return Err(Failure::NoAnswer),
            Err(_) => return Err(Failure::NoAnswer),
        }
    }
}

/// A searchset Bundle's resources (type, id, JSON). OperationOutcomes about the search are not
/// data; anything that is not a searchset Bundle is unreadable.
pub fn entries(bundle: &Value) -> Result<Vec<(String, String, String)>, Failure> {
    if bundle["resourceType"] != "Bundle" || bundle["type"] != "searchset" {
        return Err(Failure::Unreadable);
    }
    let mut out = vec![];
    for entry in bundle["entry"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let resource = &entry["resource"];
        let Some(rtype) = resource["resourceType"].as_str() else {
            return Err(Failure::Unreadable);
        };
        if rtype == "OperationOutcome" {
            continue;
        }
        let id = resource["id"]
            .as_str()
            .or_else(|| entry["fullUrl"].as_str())
            .filter(|id| !id.is_empty() && id.len() <= 256)
            .ok_or(Failure::Unreadable)?;
        out.push((rtype.to_owned(), id.to_owned(), resource.to_string()));
    }
    Ok(out)
}

/// The HTTP client for provider calls: a time limit per call, no redirects (a provider's
/// endpoint is the one in the list, R92), no cookies.
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("inzage-pgo/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// The date "today" in the Netherlands, for the queries' date parameters.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    inzage_domain::time::local_date(now)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_document_is_fetched_only_as_a_binary_on_its_own_endpoint() {
        let base = "https://dva.example.nl/fhir/";
        assert_eq!(
            binary_url(base, "Binary/brief-1").as_deref(),
            Some("https://dva.example.nl/fhir/Binary/brief-1")
        );
        assert_eq!(
            binary_url(base, "https://dva.example.nl/fhir/Binary/b.2").as_deref(),
            Some("https://dva.example.nl/fhir/Binary/b.2")
        );
        for other in [
            "https://elders.example.nl/fhir/Binary/x",
            "https://dva.example.nl/fhir/Patient/x",
            "Binary/..",
            "Binary/../Patient",
            "Binary/x?patient=1",
            "Binary/",
            "../Binary/x",
            "https://dva.example.nl/fhir/Binary/x#y",
        ] {
            assert_eq!(binary_url(base, other), None, "{other}");
        }
    }

    #[test]
    fn r97_the_queries_are_exactly_the_medmij_ones_and_name_no_person() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let all: Vec<String> = QUERIES.iter().map(|q| q.search(today)).collect();
        assert_eq!(
            all,
            [
                "Patient?_include=Patient:general-practitioner",
                "EpisodeOfCare",
                "MedicationRequest?periodofuse=ge2026-12-03&category=http://snomed.info/sct|16076005&_include=MedicationRequest:medication",
                "AllergyIntolerance?category=medication",
                "Observation?code=https://referentiemodel.nhg.org/tabellen/nhg-tabel-45-diagnostische-bepalingen|&_include=Observation:related-target&_include=Observation:specimen&date=ge2025-10-03",
                "Composition?type=http://loinc.org|67781-5",
                "Encounter",
                "DocumentReference?status=current",
                "Observation?code=http://loinc.org|85354-9,http://loinc.org|29463-7,http://loinc.org|8302-2,\
                 http://loinc.org|8310-5,http://loinc.org|14743-9,http://loinc.org|14760-3,\
                 http://loinc.org|14770-2,http://loinc.org|8867-4,http://loinc.org|59408-5,\
                 http://loinc.org|72514-3",
            ]
        );
        for q in &all {
            let lower = q.to_lowercase();
            assert!(
                !lower.contains("patient=")
                    && !lower.contains("subject=")
                    && !lower.contains("bsn")
            );
        }
    }

    #[test]
    fn r94_the_authorization_request_carries_every_parameter() {
        let service = DataService {
            id: "49".into(),
            authorization_endpoint: "https://praktijk.example/medmij/autoriseren".into(),
            token_endpoint: "https://praktijk.example/medmij/token".into(),
            roles: vec![],
        };
        let url = authorization_url(
            &service,
            "pgo.example",
            "https://pgo.example/pgo/terug",
            "praktijk@medmij",
            "s1",
            "r1",
            "c1",
        )
        .unwrap();
        let parsed = url::Url::parse(&url).unwrap();
        let q: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "pgo.example");
        assert_eq!(q["redirect_uri"], "https://pgo.example/pgo/terug");
        assert_eq!(q["scope"], "praktijk@medmij");
        assert_eq!(q["state"], "s1");
        assert_eq!(q["MedMij-Request-ID"], "r1");
        assert_eq!(q["X-Correlation-ID"], "c1");
    }

    #[test]
    fn only_a_searchset_is_read_and_outcomes_are_not_data() {
        let ok = serde_json::json!({"resourceType": "Bundle", "type": "searchset", "entry": [
            {"fullUrl": "https://x/Patient/1", "resource": {"resourceType": "Patient", "id": "1"}},
            {"resource": {"resourceType": "OperationOutcome"}}
        ]});
        let e = entries(&ok).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].0.as_str(), e[0].1.as_str()), ("Patient", "1"));
        for bad in [
            serde_json::json!({"resourceType": "Bundle", "type": "collection"}),
            serde_json::json!({"resourceType": "Patient"}),
            serde_json::json!({"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {"id": "x"}}]}),
        ] {
            assert_eq!(entries(&bad), Err(Failure::Unreadable));
        }
    }
}
