//! The web application: every channel in one router, behind the security headers.
//!
//! The channels are crates of their own, each building on `inzage-webkit` (and `inzage-login`
//! where people log in): `inzage-portal` (the patient portal), `inzage-practice` (the practice
//! side), `inzage-medmij` (the MedMij authorization and resource server). None of them knows
//! another; only this crate (and the binary) puts them together.
//!
//! Invariant: no handler takes a patient id from the URL or a form and uses it without checking
//! it against the logged-in person's own relations (portal) or the staff member's practice
//! (practice), or the bearer token's patient (MedMij).

pub use inzage_webkit::{DemoAccount, MAX_FORM, WebConfig};

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use inzage_domain::Clock;
use inzage_store::Store;
use inzage_webkit::error::WebError;
use inzage_webkit::{AppState, RandomRequestId, client_request_id, page, session};
use std::sync::Arc;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// The whole web application.
pub fn app(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> Router {
    let webauthn = config
        .public_origin
        .as_deref()
        .and_then(inzage_login::passkey::relying_party);
    let state = AppState::new(store, clock, config, webauthn);
    let sessions = session::layer(&state);
    // Behind HTTPS (secure cookies): browsers keep to HTTPS for a year.
    let hsts = state.config.secure_cookies.then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    Router::new()
        .merge(page::frame_router())
        .merge(inzage_login::router(&state))
        .merge(inzage_portal::router(&state))
        .merge(inzage_practice::router(&state))
        .merge(inzage_medmij::router(state.clone()))
        // Every body is capped; the routes that take files (portal and practice uploads,
        // documents from a PGO) set their own larger cap, the token endpoint a smaller one.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM))
        // An unknown address gets the same page as any other "not found".
        .fallback(|| async { WebError::NotFound })
        .layer(sessions)
        .with_state(state)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        // No page needs the camera, microphone, location, payment or USB.
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
        ))
        .layer(tower::util::option_layer(hsts))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .layer(axum::middleware::from_fn(client_request_id))
}
