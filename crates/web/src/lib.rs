//! The web application: every channel in one router, behind the security headers.
//!
//! The channels are crates of their own, each building on `inzage-webkit` (and `inzage-login`
//! where people log in): `inzage-portal` (the patient portal), `inzage-practice` (the practice
//! side), `inzage-medmij` (the MedMij authorization and resource server), `inzage-pgo` (the
//! person's own health environment, a MedMij client). None of them knows another; only this
//! crate (and the binary) puts them together.
//!
//! Invariant: no handler takes a patient id from the URL or a form and uses it without checking
//! it against the logged-in person's own relations (portal) or the staff member's practice
//! (practice), or the bearer token's patient (MedMij).

pub use inzage_webkit::{DemoAccount, MAX_FORM, WebConfig};

mod preview;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use inzage_domain::Clock;
use inzage_store::Store;
use inzage_webkit::error::WebError;
use inzage_webkit::{AppState, RandomRequestId, client_request_id, page, session};
use std::sync::Arc;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// The whole web application, without a PGO.
pub fn app(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> Router {
    app_with_pgo(store, clock, config, None)
}

/// The whole web application; with `pgo`, the PGO's pages under `/pgo` too (`inzage demo`).
pub fn app_with_pgo(
    store: Store,
    clock: Arc<dyn Clock>,
    config: WebConfig,
    pgo: Option<Arc<inzage_pgo::Pgo>>,
) -> Router {
    let state = state(store, clock, config);
    let mut routes = Router::new()
        .merge(page::frame_router())
        .merge(inzage_login::router(&state))
        .merge(inzage_portal::router(&state))
        .merge(inzage_practice::router(&state))
        .merge(preview::router())
        .merge(inzage_medmij::router());
    if let Some(pgo) = pgo {
        routes = routes.merge(inzage_pgo::router(pgo));
    }
    let api = Router::new()
        .merge(inzage_medmij::fhir_router(state.clone()))
        .merge(inzage_exchange::router());
    secured(routes, api, state)
}

/// A PGO on its own (`inzage pgo`): the login and the PGO's pages; no portal, practice or
/// MedMij provider side. The start page and the portal's landing after login are the PGO's.
pub fn pgo_app(
    store: Store,
    clock: Arc<dyn Clock>,
    config: WebConfig,
    pgo: Arc<inzage_pgo::Pgo>,
) -> Router {
    let state = state(store, clock, config);
    let routes = Router::new()
        .merge(page::frame_router())
        .merge(inzage_login::router(&state))
        .merge(inzage_pgo::router(pgo))
        .route(
            "/",
            axum::routing::get(|| async { axum::response::Redirect::to("/pgo") }),
        )
        .route(
            "/kiezen",
            axum::routing::get(|| async { axum::response::Redirect::to("/pgo") }),
        );
    secured(routes, Router::new(), state)
}

fn state(store: Store, clock: Arc<dyn Clock>, config: WebConfig) -> AppState {
    let webauthn = config
        .public_origin
        .as_deref()
        .and_then(inzage_login::passkey::relying_party);
    AppState::new(store, clock, config, webauthn)
}

/// The routes behind the body cap, the sessions and the security headers; `api` (a bearer
/// token's routes: FHIR for a PGO, the exchange with providers) behind the same cap and
/// headers but without a session, which they never use.
fn secured(routes: Router<AppState>, api: Router<AppState>, state: AppState) -> Router {
    let sessions = session::layer(&state);
    // Behind HTTPS (secure cookies): browsers keep to HTTPS for a year.
    let hsts = state.config.secure_cookies.then(|| {
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        )
    });
    let app = routes
        // Every body is capped; the routes that take files (portal and practice uploads,
        // documents from a PGO) set their own larger cap, the token endpoint a smaller one.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM))
        // An unknown address gets the same page as any other "not found".
        .fallback(|| async { WebError::NotFound })
        // A first page request is answered in the language the browser asks for; error
        // pages in the session's language.
        .layer(axum::middleware::from_fn(inzage_webkit::i18n::language))
        .layer(sessions)
        .with_state(state.clone())
        .merge(
            api.layer(axum::extract::DefaultBodyLimit::max(MAX_FORM))
                .with_state(state),
        );
    // The layers every answer passes through wrap the router once, so that a request clones
    // them once: `Router::layer` wraps each route in them, and each request cloned every
    // layer's boxed service (a tenth of the runtime's time on a MedMij Patient search).
    // Outermost first.
    let outer = tower::ServiceBuilder::new()
        // Every request counted and timed, per route group (`/metrics`).
        .layer(axum::middleware::from_fn(inzage_webkit::metrics::track))
        .layer(axum::middleware::from_fn(client_request_id))
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .layer(PropagateRequestIdLayer::x_request_id())
        .option_layer(hsts)
        // No page needs the camera, microphone, location, payment or USB.
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // A page may set its own (the MedMij consent page: see `inzage_webkit::csp`).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(inzage_webkit::csp::POLICY),
        ));
    Router::new().fallback_service(outer.service(app))
}
