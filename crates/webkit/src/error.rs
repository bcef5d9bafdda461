//! One error type for the web layer and its one mapping to HTTP. Messages shown to people are
//! safe and in the reader's language; the cause goes to the log once, without medical content.

use crate::i18n::Tr;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

/// An error as a page: a whole HTML document with its language and a title, like every other
/// page, so a screen reader announces it (it was plain text).
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    tr: &'a Tr,
    title: String,
    message: String,
    /// What exactly was wrong with a request: a sentence (`detail` is a message key) or, as
    /// code, the field or action the code names.
    sentence: Option<String>,
    detail: Option<&'a str>,
}

/// What an error page says, carried on the response so the language middleware
/// (`i18n::language`) can write it again in the session's language: the error itself is
/// made where no session is at hand.
#[derive(Debug, Clone, Copy)]
pub struct ErrorText {
    pub key: &'static str,
    pub detail: Option<&'static str>,
}

impl ErrorText {
    /// The page in `tr`'s language.
    pub fn render(self, status: StatusCode, tr: &Tr) -> Response {
        let sentence = self.detail.and_then(|d| tr.try_t(d));
        let page = ErrorPage {
            tr,
            title: tr.t(&format!("{}-title", self.key)),
            message: tr.t(self.key),
            detail: self.detail.filter(|_| sentence.is_none()),
            sentence,
        };
        let mut response = match page.render() {
            Ok(html) => (
                status,
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                )],
                html,
            )
                .into_response(),
            Err(_) => (status, tr.t(self.key)).into_response(),
        };
        response.extensions_mut().insert(self);
        response
    }
}

fn page(status: StatusCode, key: &'static str, detail: Option<&'static str>) -> Response {
    ErrorText { key, detail }.render(status, &Tr::default())
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
    /// A request that is not right: the field or action at fault, or a message key
    /// ("error-...") that says it in the reader's language.
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
            Self::Forbidden => page(StatusCode::FORBIDDEN, "error-forbidden", None),
            Self::NotFound => page(StatusCode::NOT_FOUND, "error-not-found", None),
            Self::TooLarge => page(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large", None),
            Self::Invalid(what) => page(StatusCode::BAD_REQUEST, "error-invalid", Some(what)),
            // Someone saved the record between our read and our save: nothing was written.
            Self::Store(inzage_store::StoreError::Stale) => {
                page(StatusCode::CONFLICT, "error-changed", None)
            }
            Self::Store(e) => {
                tracing::error!(error = %e, "storage error");
                page(StatusCode::SERVICE_UNAVAILABLE, "error-unavailable", None)
            }
            Self::Session(e) => {
                tracing::error!(error = %e, "session error");
                page(StatusCode::SERVICE_UNAVAILABLE, "error-unavailable", None)
            }
            Self::Template(e) => {
                tracing::error!(error = %e, "template error");
                page(StatusCode::INTERNAL_SERVER_ERROR, "error-failed", None)
            }
        }
    }
}

pub type WebResult<T> = Result<T, WebError>;

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Issue 17: an error page in the reader's language, a reason given as a message key in
    /// words, a field name as code.
    #[tokio::test]
    async fn an_error_page_says_why_in_the_readers_language() {
        let turkish = Tr::new("tr");
        let text = ErrorText {
            key: "error-invalid",
            detail: Some("error-pgo-not-yours"),
        };
        let page = body(text.render(StatusCode::BAD_REQUEST, &turkish)).await;
        assert!(page.contains("<html lang=\"tr\" dir=\"ltr\">"));
        assert!(page.contains(&turkish.t("error-pgo-not-yours")), "{page}");
        assert!(!page.contains("<code>"));
        let field = ErrorText {
            key: "error-invalid",
            detail: Some("actie"),
        };
        let page = body(field.render(StatusCode::BAD_REQUEST, &Tr::new("ar"))).await;
        assert!(page.contains("dir=\"rtl\"") && page.contains("<code>actie</code>"));
    }
}
