//! MedMij on the provider side: everything a PGO (a person's health app) talks to at the
//! practice.
//!
//! - `authorize`: the authorization server (OAuth2 authorization-code flow, the
//!   Toestemmingsverklaring, tokens, "Apps met toegang").
//! - `lists` (from the kit, shared with the PGO): the MedMij list formats (the OAuth client
//!   list, our entry in the Zorgaanbiederslijst), read from XML and checked.
//! - `resource`: the FHIR STU3 resource server (data services 49 and 51: searches, reads, the
//!   CapabilityStatement, JSON or XML).
//! - `receive`: `POST /fhir`, documents a PGO sends to the practice.
//! - `measurements`: data service 52 at `/meetwaarden/fhir`: measurements a PGO sends
//!   (stored beside the record, in the GP's queue, R127) and retrieves back.
//! - `pgo`: the token check that names the patient and the OperationOutcome errors, shared by the
//!   resource server and the receiver.
//! - `chain`: the request ids and the chain log, shared by all of the above (the PGO's client
//!   side, `inzage-pgo`, logs its own calls to the same chain log).
//!
//! No circles: `resource` uses `receive`, `pgo` and `chain`; `receive` uses `pgo` and `chain`;
//! `pgo` uses `chain`; `authorize` uses `pgo` and `chain`.

pub mod authorize;
pub mod chain;
pub mod pgo;
/// The MedMij list formats live in the kit, shared with the PGO (`inzage_webkit::lists`).
pub use inzage_webkit::lists;
pub mod measurements;
mod receive;
pub mod resource;

pub use authorize::{MedmijConfig, OAuthClient, parse_client_list, parse_provider_entry};
pub use chain::{CHAIN_LOG_MONTHS, purge_chain_log};
pub use pgo::token_hash;

use axum::Router;
use inzage_webkit::AppState;

/// The authorization server's routes (pages a person signs in to: they use the session).
pub fn router() -> Router<AppState> {
    authorize::router()
}

/// The FHIR server with its content negotiation and chain log: a PGO presents a bearer token,
/// never a cookie, so these routes need no session.
pub fn fhir_router(state: AppState) -> Router<AppState> {
    resource::routes()
        // The handler reads the body itself, after the token, within its own cap.
        .route("/fhir", axum::routing::post(receive::transaction))
        .merge(measurements::routes())
        .layer(axum::middleware::from_fn_with_state(
            state,
            resource::negotiate,
        ))
}
