//! "Wat ziet de patiënt?" as the real portal pages (issue 18, item 13): a practice's staff
//! member opens the portal's record pages as the patient or one of their representatives sees
//! them, read-only. The portal and the practice do not know each other, so the two meet here:
//! the practice's staff check, then the portal's own pages with a [`Preview`] in the request.

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_domain::access::Viewer;
use inzage_portal::Preview;
use inzage_practice::StaffRecord;
use inzage_practice::roles::{Action, role_nl};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::i18n::Tr;
use inzage_webkit::page::basis_key;
use tower::ServiceExt;

/// The portal's record pages a preview shows (and links between).
const PAGES: [&str; 8] = [
    "overzicht",
    "ziektes",
    "medicijnen",
    "allergieen",
    "uitslagen",
    "brieven",
    "gegevens",
    "logboek",
];

/// The largest page a preview reads back to rewrite its links.
const MAX_PAGE: usize = 16 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/praktijk/patienten/{id}/inzage/portaal/{als}/{*page}",
        get(page),
    )
}

/// One portal page as `als` sees it: `patient` for the patient, or a representation's id.
async fn page(
    rec: StaffRecord,
    Path((_, als, page)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> WebResult<Response> {
    rec.staff.require(Action::PreviewPatientView)?;
    let first = page.split('/').next().unwrap_or_default();
    if !PAGES.contains(&first) {
        return Err(WebError::NotFound);
    }
    let r = &rec.record;
    let tr = Tr::from_session(&rec.session).await;
    let (viewer, as_whom) = if als == "patient" {
        let bsn = r.patient.bsn.clone().ok_or(WebError::NotFound)?;
        (
            Viewer::Patient { bsn },
            format!(
                "{} ({})",
                r.patient.name.display(),
                tr.t("practice-the-patient")
            ),
        )
    } else {
        let rep = r
            .representations
            .iter()
            .find(|rep| rep.id.as_str() == als)
            .ok_or(WebError::NotFound)?;
        (
            Viewer::Representative {
                bsn: rep.agent_bsn.clone(),
                representation: rep.id.clone(),
            },
            format!(
                "{} ({})",
                rep.agent_name.display(),
                tr.t(basis_key(rep.basis))
            ),
        )
    };
    // Ids are letters, digits and "-._:" only (domain ids): safe in a path and a query.
    let pid = r.patient.id.as_str();
    let base = format!("/praktijk/patienten/{pid}/inzage/portaal/{als}");
    let back = if als == "patient" {
        format!("/praktijk/patienten/{pid}/inzage")
    } else {
        format!("/praktijk/patienten/{pid}/inzage?als={als}")
    };
    let StaffRecord {
        staff,
        record,
        session,
        state,
    } = rec;
    let preview = Preview {
        record: Some(record),
        viewer,
        by_user: format!("staff:{}", staff.username),
        by_role: role_nl(staff.role).to_owned(),
        base: base.clone(),
        back: back.clone(),
        as_whom,
    };
    let mut request = Request::builder()
        .uri(format!("/{page}"))
        .body(Body::empty())
        .map_err(|_| WebError::NotFound)?;
    // The audit entry carries this request's id.
    for name in ["x-request-id", inzage_webkit::CLIENT_REQUEST_ID] {
        if let Some(v) = headers.get(name) {
            request.headers_mut().insert(name, v.clone());
        }
    }
    request.extensions_mut().insert(preview);
    request.extensions_mut().insert(session);
    let response = inzage_portal::preview_pages()
        .with_state(state)
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    // Someone who may not look online at all: the practice's summary page says why.
    if response.status().is_redirection() {
        return Ok(Redirect::to(&back).into_response());
    }
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html || response.status() != StatusCode::OK {
        return Ok(response);
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_PAGE)
        .await
        .map_err(|_| WebError::NotFound)?;
    let html = read_only(&String::from_utf8_lossy(&bytes), &base);
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Response::from_parts(parts, Body::from(html)))
}

/// The page as staff may use it: links between record pages stay inside the preview, and no
/// form can be sent (they are inert: nothing is done in the person's name).
fn read_only(html: &str, base: &str) -> String {
    let mut out = html.replace("<form ", "<form inert ");
    for p in PAGES {
        out = out.replace(&format!("href=\"/{p}"), &format!("href=\"{base}/{p}"));
    }
    out
}
