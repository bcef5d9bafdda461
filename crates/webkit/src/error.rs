//! One error type for the web layer and its one mapping to HTTP. Messages shown to people are
//! Dutch and safe; the cause goes to the log once, without medical content.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

/// An error as a page: a whole HTML document with its language and a title, like every other
/// page, so a screen reader announces it (it was plain text).
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    match (ErrorPage { title, message }).render() {
        Ok(html) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        Err(_) => (status, message.to_owned()).into_response(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not logged in (or the session ran out): go to the login page.
    #[error("not logged in")]
    Unauthenticated,
    /// A practice page without a logged-in staff member: to the practice login.
    #[error("staff not logged in")]
    StaffUnauthenticated,
    /// Logged in but no record chosen (or access to it ended): go to the chooser.
    #[error("no record chosen")]
    NoRecord,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// An upload over the limit.
    #[error("upload too large")]
    TooLarge,
    #[error("invalid request: {0}")]
    Invalid(&'static str),
    #[error("storage: {0}")]
    Store(#[from] inzage_store::StoreError),
    #[error("session: {0}")]
    Session(#[from] tower_sessions::session::Error),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::Unauthenticated => Redirect::to("/inloggen").into_response(),
            Self::StaffUnauthenticated => Redirect::to("/praktijk/inloggen").into_response(),
            Self::NoRecord => Redirect::to("/kiezen").into_response(),
            Self::Forbidden => page(
                StatusCode::FORBIDDEN,
                "Dit mag niet",
                "Dit mag niet. Ververs de pagina en probeer het opnieuw.",
            ),
            Self::NotFound => page(
                StatusCode::NOT_FOUND,
                "Niet gevonden",
                "Deze pagina bestaat niet.",
            ),
            Self::TooLarge => page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Te groot",
                "Het bestand is te groot. Er is niets opgeslagen.",
            ),
            Self::Invalid(what) => page(
                StatusCode::BAD_REQUEST,
                "Ongeldig verzoek",
                &format!("Ongeldig verzoek: {what}."),
            ),
            Self::Store(e) => {
                tracing::error!(error = %e, "storage error");
                page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Even niet bereikbaar",
                    "Het portaal is even niet bereikbaar. Probeer het later opnieuw.",
                )
            }
            Self::Session(e) => {
                tracing::error!(error = %e, "session error");
                page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Even niet bereikbaar",
                    "Het portaal is even niet bereikbaar. Probeer het later opnieuw.",
                )
            }
            Self::Template(e) => {
                tracing::error!(error = %e, "template error");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Er ging iets mis",
                    "Er ging iets mis. Probeer het later opnieuw.",
                )
            }
        }
    }
}

pub type WebResult<T> = Result<T, WebError>;
