//! The page frame every HTML page is drawn in (`templates/base.html`): the menu, the language
//! switch, whose record is open, the staff menu; and the frame's own routes.

use crate::AppState;
use crate::error::WebResult;
use crate::i18n::{LANGUAGES, STAFF_LANGUAGES, Tr};
use crate::session::csrf_token;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use inzage_domain::RepresentationBasis;
use inzage_domain::access::AccessDenied;
use inzage_store::RecordStore;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The audit role of the patient themself, which the access log shows as "U zelf".
pub const PATIENT_ROLE: &str = "patient";

/// Everything the page frame (`base.html`) shows.
pub struct PageCtx {
    pub tr: Tr,
    pub csrf: String,
    pub logged_in: bool,
    pub who: Option<Who>,
    /// The path of this page: marks the menu and brings the language switch back here.
    pub path: &'static str,
    /// A logged-in staff member ("Dr. Jansen (huisarts)"): the practice menu is shown.
    pub staff: Option<String>,
    /// The practice menu: only the pages this staff member's role may open.
    pub staff_menu: Vec<NavItem>,
    /// Staff looking at the portal pages as a patient would see them ("Wat ziet de
    /// patiënt?"): where those pages are, and back to the practice. `None` otherwise.
    pub preview: Option<PreviewFrame>,
}

/// The frame of a practice's preview of the portal pages.
pub struct PreviewFrame {
    /// The preview's own address for the portal's paths ("/praktijk/patienten/x/inzage/
    /// portaal/patient"): the menu's links stay inside the preview.
    pub base: String,
    /// Back to the practice's page about this patient's online view.
    pub back: String,
    /// Whose eyes the page is seen through ("Anna Jansen (de patiënt)").
    pub as_whom: String,
}

/// Whose record is open, shown on every page.
pub struct Who {
    pub name: String,
    /// The name texts use for someone else's record ("Medicijnen die Eva nu gebruikt").
    pub first_name: String,
    pub birth: String,
    /// "ouder met gezag", ... (`None` for one's own record).
    pub relation: Option<String>,
    /// The last day this person may look, for someone else's record ("3 mei 2032").
    pub until: Option<String>,
}

impl Who {
    /// The frame's words for a record: its person's name and birth date, and for someone
    /// else's record in which role the viewer looks and until when.
    pub fn of(frame: &OpenFrame, tr: &Tr) -> Self {
        Self {
            name: frame.name.clone(),
            first_name: frame.first_name.clone(),
            birth: tr.date(frame.birth_date),
            relation: frame.basis.map(|b| tr.t(basis_key(b))),
            until: frame.until.map(|d| tr.date(d)),
        }
    }
}

/// Whose record this session has open, as the chooser opened it: what the frame needs on a
/// page outside the record's own pages ("Apps met toegang"), so that the menu and the banner
/// stay without the record being read again. The record's pages check access themselves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OpenFrame {
    pub name: String,
    pub first_name: String,
    pub birth_date: NaiveDate,
    /// On what basis the viewer looks (`None`: their own record).
    pub basis: Option<RepresentationBasis>,
    /// The last day a representative may look.
    pub until: Option<NaiveDate>,
}

impl OpenFrame {
    const KEY: &'static str = "open-frame";

    pub async fn remember(&self, session: &Session) -> WebResult<()> {
        session.insert(Self::KEY, self).await?;
        Ok(())
    }

    pub async fn forget(session: &Session) -> WebResult<()> {
        session.remove::<Self>(Self::KEY).await?;
        Ok(())
    }

    pub async fn of_session(session: &Session) -> WebResult<Option<Self>> {
        Ok(session.get::<Self>(Self::KEY).await?)
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// One group of the portal's menu: "Mijn dossier", "Vraag de praktijk", "Instellingen en
/// privacy".
pub struct NavGroup {
    pub label: String,
    pub items: Vec<NavItem>,
}

/// The portal's menu, in three groups (issue 18): the record, asking the practice, and the
/// person's own settings and who saw what.
const NAV: [(&str, &[(&str, &str)]); 3] = [
    (
        "nav-group-record",
        &[
            ("/overzicht", "nav-overview"),
            ("/ziektes", "nav-episodes"),
            ("/medicijnen", "nav-medication"),
            ("/allergieen", "nav-allergies"),
            ("/uitslagen", "nav-results"),
            ("/brieven", "nav-letters"),
            ("/kopie", "nav-copy"),
        ],
    ),
    (
        "nav-group-ask",
        &[
            ("/berichten", "nav-messages"),
            ("/herhaalrecept", "nav-prescriptions"),
            ("/afspraken", "nav-appointments"),
            ("/correcties", "nav-corrections"),
        ],
    ),
    (
        "nav-group-settings",
        &[
            ("/gegevens", "nav-details"),
            ("/logboek", "nav-log"),
            ("/apps-met-toegang", "nav-apps"),
            ("/meldingen", "nav-notifications"),
            ("/uitslagen-moment", "nav-result-timing"),
            ("/delen", "nav-sharing"),
            ("/vernietigen", "nav-destroy"),
        ],
    ),
];

/// The practice's own pages, in the staff languages (Dutch, English).
fn is_staff_path(path: &str) -> bool {
    path == "/praktijk" || path.starts_with("/praktijk/")
}

impl PageCtx {
    pub async fn anonymous(session: &Session, path: &'static str) -> WebResult<Self> {
        let tr = Tr::from_session(session).await;
        Ok(Self {
            tr: if is_staff_path(path) {
                tr.for_staff()
            } else {
                tr
            },
            csrf: csrf_token(session).await?,
            logged_in: false,
            who: None,
            path,
            staff: None,
            staff_menu: vec![],
            preview: None,
        })
    }

    /// A portal path as this page links it: inside the preview when staff preview it.
    pub fn link(&self, href: &str) -> String {
        match &self.preview {
            Some(p) => format!("{}{href}", p.base),
            None => href.to_owned(),
        }
    }

    pub fn nav(&self) -> Vec<NavGroup> {
        NAV.iter()
            .map(|(group, items)| NavGroup {
                label: self.tr.t(group),
                items: items
                    .iter()
                    .map(|(href, key)| NavItem {
                        href,
                        label: self.tw(key),
                        current: *href == self.path,
                    })
                    .collect(),
            })
            .collect()
    }

    /// The name of the menu page this page is, for the phone's folded menu ("Menu: Uitslagen").
    pub fn nav_current(&self) -> Option<String> {
        NAV.iter()
            .flat_map(|(_, items)| items.iter())
            .find(|(href, _)| *href == self.path)
            .map(|(_, key)| self.tw(key))
    }

    /// A text that names whose record it is: `{key}-other` with the person's name when this
    /// is someone else's record (a parent, a representative) and that text exists, else `key`
    /// ("Medicijnen die u nu gebruikt" / "Medicijnen die Eva nu gebruikt").
    pub fn tw(&self, key: &str) -> String {
        if let Some(w) = self.who.as_ref().filter(|w| w.relation.is_some())
            && let Some(text) = self
                .tr
                .try_t1(&format!("{key}-other"), "name", &w.first_name)
        {
            return text;
        }
        self.tr.t(key)
    }

    /// The languages the switch offers: on the practice's own pages only the staff languages.
    pub fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        let current = self.tr.code();
        let offered: &[(&str, &str)] = if is_staff_path(self.path) {
            &STAFF_LANGUAGES
        } else {
            &LANGUAGES
        };
        offered
            .iter()
            .map(|(c, n)| (*c, *n, *c == current))
            .collect()
    }
}

pub fn basis_key(b: RepresentationBasis) -> &'static str {
    match b {
        RepresentationBasis::ParentalAuthority => "basis-parent",
        RepresentationBasis::Guardianship => "basis-guardian",
        RepresentationBasis::Curatorship => "basis-curator",
        RepresentationBasis::Mentorship => "basis-mentor",
        RepresentationBasis::WrittenAuthorisation | RepresentationBasis::DigidAuthorisation => {
            "basis-authorised"
        }
    }
}

pub fn denied_key(d: AccessDenied) -> &'static str {
    match d {
        AccessDenied::NotThisPatient | AccessDenied::NoRepresentation => "denied-no-relation",
        AccessDenied::NoOnlineConsent => "denied-no-consent",
        AccessDenied::UnderTwelve => "denied-under-12",
        AccessDenied::Under16NotOffered => "denied-under-16",
        AccessDenied::RepresentationNotYetValid => "denied-not-yet",
        AccessDenied::RepresentationExpired => "denied-expired",
        AccessDenied::RepresentationRevoked => "denied-revoked",
        AccessDenied::EvidenceMissing => "denied-evidence",
        AccessDenied::ChildConsentMissing => "denied-child-consent",
        AccessDenied::ChildConsentWithdrawn => "denied-child-withdrew",
        AccessDenied::ChildIsSixteen => "denied-sixteen",
        AccessDenied::AuthorisationWithoutEndDate => "denied-no-end-date",
        AccessDenied::BasisNotForThisAge => "denied-age",
    }
}

/// The frame's own routes: liveness and readiness, the stylesheet and script. (The language switch, `/taal`,
/// is the login crate's: a logged-in person keeps their choice.)
pub fn frame_router() -> Router<AppState> {
    Router::new()
        .route("/health", get(ready))
        .route("/health/ready", get(ready))
        .route("/health/live", get(live))
        .route("/static/portal.css", get(stylesheet))
        .route("/static/passkey.js", get(passkey_script))
}

/// Liveness: the process answers. Touches no table, so a probe costs nothing at any size.
async fn live() -> Response {
    Json(serde_json::json!({"status": "ok"})).into_response()
}

/// Readiness (also `/health`): the database answers one trivial query within two seconds.
/// It used to count every row of the store on each probe (159 probes/s on 36,000 items; at
/// 100 million items one probe would take seconds and load the database).
async fn ready(State(state): State<AppState>) -> Response {
    let answer = tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await;
    match answer {
        Ok(Ok(())) => Json(serde_json::json!({"status": "ok"})).into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "database unavailable"})),
        )
            .into_response(),
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/portal.css"),
    )
        .into_response()
}

async fn passkey_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/passkey.js"),
    )
        .into_response()
}
