//! Login through the practice's own identity broker (DigiD or another eIDAS "substantieel"
//! provider) with OpenID Connect: authorization code flow with PKCE, state and nonce; the ID
//! token's signature, issuer, audience, expiry and nonce are checked by `openidconnect`, the
//! assurance level (`acr`) against the configured list by us; the BSN comes from a configured
//! claim.

use crate::auth::{Login, PasswordPage, dev_accounts};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use inzage_domain::Bsn;
use inzage_webkit::AppState;
pub use inzage_webkit::config::OidcConfig;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Query;
use inzage_webkit::page::PageCtx;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IdToken, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use tower_sessions::Session;

/// Any extra claims, so the BSN claim's name can be configured.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ExtraClaims(HashMap<String, serde_json::Value>);
impl AdditionalClaims for ExtraClaims {}

type ExtraIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// What the callback needs to check the answer: kept in the session between the two steps.
#[derive(Debug, Serialize, Deserialize)]
struct Flow {
    state: String,
    nonce: String,
    pkce_verifier: String,
}

const FLOW: &str = "oidc_flow";

fn http_client() -> Result<openidconnect::reqwest::Client, String> {
    openidconnect::reqwest::ClientBuilder::new()
        // Following redirects would let a provider send us anywhere.
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

async fn metadata(state: &AppState, config: &OidcConfig) -> Result<CoreProviderMetadata, String> {
    state
        .oidc
        .get_or_try_init(|| async {
            let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| e.to_string())?;
            CoreProviderMetadata::discover_async(issuer, &http_client()?)
                .await
                .map_err(|e| format!("discovery: {e}"))
        })
        .await
        .cloned()
}

async fn failed(state: &AppState, session: &Session, why: &str) -> WebResult<Response> {
    tracing::warn!(reason = why, "OpenID Connect login failed");
    let ctx = PageCtx::anonymous(session, "/inloggen").await?;
    let error = ctx.tr.t("login-oidc-failed");
    Ok(PasswordPage {
        error: Some(error),
        username: String::new(),
        demo_accounts: dev_accounts(state),
        oidc_label: state.config.oidc.as_ref().map(|o| o.button_label.clone()),
        ctx,
    }
    .into_response())
}

/// Step one: off to the provider.
pub async fn start(State(state): State<AppState>, session: Session) -> WebResult<Response> {
    let Some(config) = state.config.oidc.clone() else {
        return Err(WebError::NotFound);
    };
    let metadata = match metadata(&state, &config).await {
        Ok(m) => m,
        Err(e) => return failed(&state, &session, &e).await,
    };
    let Ok(redirect) = RedirectUrl::new(config.redirect_url.clone()) else {
        return failed(&state, &session, "redirect_url is not a URL").await;
    };
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        Some(ClientSecret::new(config.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_extra_param("acr_values", config.accepted_acr.join(" "))
        .set_pkce_challenge(challenge)
        .url();
    session
        .insert(
            FLOW,
            &Flow {
                state: csrf.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
            },
        )
        .await?;
    Ok(Redirect::to(url.as_str()).into_response())
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Step two: the provider sends the person back with a code.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<Callback>,
) -> WebResult<Response> {
    let Some(config) = state.config.oidc.clone() else {
        return Err(WebError::NotFound);
    };
    // The flow data works once, whatever happens next.
    let Some(flow) = session.remove::<Flow>(FLOW).await? else {
        return failed(&state, &session, "no login in progress").await;
    };
    if let Some(e) = q.error {
        return failed(&state, &session, &format!("provider error {e}")).await;
    }
    let (Some(code), Some(returned_state)) = (q.code, q.state) else {
        return failed(&state, &session, "code or state missing").await;
    };
    if Sha256::digest(returned_state.as_bytes()) != Sha256::digest(flow.state.as_bytes()) {
        return failed(&state, &session, "state does not match").await;
    }
    match finish(&state, &config, &flow, code).await {
        Ok(login) => {
            session.cycle_id().await?;
            session
                .insert("csrf", inzage_webkit::session::random_token())
                .await?;
            crate::auth::store_login(&state, &session, &login).await?;
            tracing::info!("login (OpenID Connect)");
            Ok(Redirect::to(&crate::auth::landing(&session).await?).into_response())
        }
        Err(why) => failed(&state, &session, &why).await,
    }
}

async fn finish(
    state: &AppState,
    config: &OidcConfig,
    flow: &Flow,
    code: String,
) -> Result<Login, String> {
    let metadata = metadata(state, config).await?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        Some(ClientSecret::new(config.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(config.redirect_url.clone()).map_err(|e| e.to_string())?);
    let http = http_client()?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| format!("token endpoint: {e}"))?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| format!("token request: {e}"))?;
    let id_token = openidconnect::TokenResponse::id_token(&token).ok_or("no ID token")?;
    let verifier = client.id_token_verifier();
    let nonce = Nonce::new(flow.nonce.clone());
    // Parsed again with all extra claims kept; verified again, so nothing unverified is read.
    let full: ExtraIdToken = id_token
        .to_string()
        .parse()
        .map_err(|e| format!("ID token: {e}"))?;
    let claims = full
        .claims(&verifier, &nonce)
        .map_err(|e| format!("ID token: {e}"))?;
    let acr = claims
        .auth_context_ref()
        .map(|a| a.to_string())
        .ok_or("no acr in the ID token")?;
    if !config.accepted_acr.contains(&acr) {
        return Err(format!("assurance level {acr} is not accepted"));
    }
    let bsn = claims
        .additional_claims()
        .0
        .get(&config.bsn_claim)
        .and_then(|v| v.as_str())
        .ok_or("no BSN claim")?;
    let bsn = Bsn::parse(bsn).map_err(|_| "the BSN claim is not a valid BSN")?;
    let now = state.now();
    Ok(Login {
        subject: format!("oidc:{}", claims.subject().as_str()),
        bsn,
        display_name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string())
            .unwrap_or_default(),
        acr,
        login_at: now,
        last_seen: now,
    })
}
