//! Opening a document (GD 51): the list of documents is fetched and kept like all other data;
//! a document's content (a letter's PDF, say) is fetched from its provider when the person
//! opens it, on the connection's long-term consent, and handed to them as a download. It is
//! not kept: opening it again fetches it again, so a withdrawn consent or a document the
//! provider no longer shows is respected at once.

use crate::Pgo;
use crate::client::{Failure, resource_base};
use crate::fetch;
use crate::pages::{failure_key, log, required};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use inzage_login::auth::Login;
use inzage_store::{PgoConnection, PgoStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Query;
use serde::Deserialize;
use std::sync::Arc;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new().route("/pgo/document", get(open))
}

/// The data service of documents.
const DOCUMENTS: &str = "51";

#[derive(Deserialize)]
struct DocumentQuery {
    #[serde(default)]
    aanbieder: String,
    #[serde(default)]
    id: String,
}

fn failed(f: Failure) -> Response {
    Redirect::to(&format!("/pgo/gegevens?melding={}", failure_key(f))).into_response()
}

/// A safe file name from a document's title: letters, digits, `-` and `_`, at most 60.
fn file_name(title: &str, ext: &str) -> String {
    let clean: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let clean = clean.trim_matches('_');
    format!(
        "{}.{ext}",
        if clean.is_empty() { "document" } else { clean }
    )
}

async fn open(
    State(state): State<AppState>,
    Extension(pgo): Extension<Arc<Pgo>>,
    session: Session,
    login: Login,
    Query(q): Query<DocumentQuery>,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    // Only a document kept in this account, from a connection of this account.
    let Some(document) = state
        .store
        .pgo_resources(&account.id)
        .await?
        .into_iter()
        .find(|r| {
            r.provider == q.aanbieder
                && r.service == DOCUMENTS
                && r.resource_type == "DocumentReference"
                && r.resource_id == q.id
        })
    else {
        return Err(WebError::NotFound);
    };
    let Some(mut conn): Option<PgoConnection> = state
        .store
        .pgo_connections(&account.id)
        .await?
        .into_iter()
        .find(|c| c.provider == document.provider && c.service == DOCUMENTS)
    else {
        return Err(WebError::NotFound);
    };
    let doc: serde_json::Value =
        serde_json::from_str(&document.body).map_err(|_| WebError::NotFound)?;
    let Some(url) = doc["content"][0]["attachment"]["url"].as_str() else {
        return Err(WebError::NotFound);
    };
    let title = doc["description"]
        .as_str()
        .or_else(|| doc["type"]["text"].as_str())
        .unwrap_or("document")
        .to_owned();
    let lists = pgo.directory.lists();
    let (Some((_, service)), Some(whitelist)) = (
        lists.service(&conn.provider, DOCUMENTS),
        lists.whitelist.clone(),
    ) else {
        return Ok(failed(Failure::NotOffered));
    };
    let Some(base) = resource_base(service).map(str::to_owned) else {
        return Ok(failed(Failure::NotOffered));
    };
    let token = match fetch::access_token(&pgo, &mut conn).await? {
        Ok(t) => t,
        Err(f) => return Ok(failed(f)),
    };
    let (media, bytes) = match pgo
        .caller
        .binary(&whitelist, &conn.provider, &base, &token, url)
        .await
    {
        Ok(found) => found,
        Err(f) => return Ok(failed(f)),
    };
    // The content decides what it is, not what the provider says it is.
    let ext = match infer::get(&bytes).map(|t| t.mime_type()) {
        Some("application/pdf") => "pdf",
        Some("image/jpeg") => "jpg",
        Some("image/png") => "png",
        _ => {
            tracing::warn!(declared = %media, "a document's content is not a PDF or an image");
            return Ok(failed(Failure::Unreadable));
        }
    };
    let media = match ext {
        "pdf" => "application/pdf",
        "jpg" => "image/jpeg",
        _ => "image/png",
    };
    log(&state, &account.id, "document-open", &conn.provider).await?;
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        file_name(&title, ext)
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}
