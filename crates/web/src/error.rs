//! One error type for the web layer and its one mapping to HTTP. Messages shown to people are
//! Dutch and safe; the cause goes to the log once, without medical content.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

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
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "Dit mag niet. Ververs de pagina en probeer het opnieuw.",
            )
                .into_response(),
            Self::NotFound => (StatusCode::NOT_FOUND, "Deze pagina bestaat niet.").into_response(),
            Self::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Het bestand is te groot. Er is niets opgeslagen.",
            )
                .into_response(),
            Self::Invalid(what) => (
                StatusCode::BAD_REQUEST,
                format!("Ongeldig verzoek: {what}."),
            )
                .into_response(),
            Self::Store(e) => {
                tracing::error!(error = %e, "storage error");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Het portaal is even niet bereikbaar. Probeer het later opnieuw.",
                )
                    .into_response()
            }
            Self::Session(e) => {
                tracing::error!(error = %e, "session error");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Het portaal is even niet bereikbaar. Probeer het later opnieuw.",
                )
                    .into_response()
            }
            Self::Template(e) => {
                tracing::error!(error = %e, "template error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Er ging iets mis. Probeer het later opnieuw.",
                )
                    .into_response()
            }
        }
    }
}

pub type WebResult<T> = Result<T, WebError>;
