//! Logging in, for every channel that has people log in: the patient portal, the MedMij consent
//! pages, the practice side (staff) and the PGO. Everything here works at eIDAS level
//! "substantieel": never a password alone.
//!
//! - `auth`: the built-in development identity provider (DigiD-like: username and password, then
//!   a TOTP or text-message code), the lock-out and rate limit, and [`auth::Login`], the extractor
//!   for a logged-in person with its idle and absolute time-outs.
//! - `oidc`: login through the practice's identity broker (OpenID Connect, PKCE, state, nonce).
//! - `passkey`: passkeys (WebAuthn) as a second factor, for portal accounts and for staff; the
//!   ceremonies are shared, the credentials stored apart (`passkey::Holder`).
//! - `security`: a portal account's passkeys: adding one on `/beveiliging`, answering with one
//!   at the login's code step.
//!
//! No circles: `auth` uses `passkey`; `oidc`, `activation` and `security` use `auth`; the routes
//! come together here.
//! - `activation`: `/activeren`, a practice's invitation code plus birth date become a login.
//!
//! It builds on `inzage-webkit` only; the channels build on it.

pub mod activation;
pub mod auth;
pub mod oidc;
pub mod passkey;
pub mod security;

use axum::Router;
use axum::routing::{get, post};
use inzage_webkit::AppState;

/// The login routes of the portal (password, code, OIDC, activation, passkeys, log-out).
pub fn router(state: &AppState) -> Router<AppState> {
    let activation = auth::rate_limited(
        state,
        Router::new().route("/activeren", post(activation::submit)),
    );
    auth::router(state)
        .route("/inloggen/oidc", get(oidc::start))
        .route("/inloggen/oidc/terug", get(oidc::callback))
        .route("/activeren", get(activation::page))
        .merge(activation)
        .merge(security::router())
}
