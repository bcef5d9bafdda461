//! axum's `Form` and `Query` with our error page: a form body or query string they cannot read
//! (a field given twice, a missing or mistyped field, a body of another content type) is
//! answered with the "invalid request" page in the reader's language ([`WebError::Invalid`]),
//! 413 over the size limit, not axum's plain English text. Use these in every handler that
//! answers with pages. An API takes axum's as a `Result` and answers in its own format:
//! MedMij's token and revocation endpoints `invalid_request`, its authorization request the
//! error page (both logged in the chain log), the exchange an OperationOutcome.

// The one place that wraps axum's extractors (`clippy.toml` disallows them elsewhere).
#![allow(clippy::disallowed_types)]

use crate::error::WebError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A URL-encoded form body (or, for GET, the query string), as axum's `Form`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

/// The query string, as axum's `Query`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        match axum::extract::Form::<T>::from_request(req, state).await {
            Ok(axum::extract::Form(value)) => Ok(Self(value)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(WebError::TooLarge),
            Err(_) => Err(WebError::Invalid("form")),
        }
    }
}

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|_| WebError::Invalid("query"))
    }
}

impl<T> std::ops::Deref for Form<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
