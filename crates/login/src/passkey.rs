//! Passkeys (WebAuthn) as an optional second factor, for accounts of the built-in identity
//! provider and for staff accounts ([`Holder`]): registered on a "Beveiliging" page after a full
//! login, then usable instead of the authenticator code. Enabled when `WebConfig::public_origin`
//! is set (WebAuthn binds a passkey to the site's origin). The ceremonies are here; the portal
//! account's routes are in `security`, the staff routes in `inzage_practice::login` and
//! `inzage_practice::security`. The browser side is the kit's `static/passkey.js`; without
//! JavaScript the TOTP code keeps working.

use axum::Json;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use inzage_store::{PortalStore, StaffStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use sha2::{Digest, Sha256};
use tower_sessions::Session;
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid,
};
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// The relying party for `origin` ("https://portaal.example"), or `None` when it is not a URL
/// with a host name (WebAuthn does not accept IP addresses).
pub fn relying_party(origin: &str) -> Option<Webauthn> {
    let url = Url::parse(origin).ok()?;
    let host = url.host_str()?.to_owned();
    WebauthnBuilder::new(&host, &url)
        .ok()?
        .rp_name("inzage")
        .build()
        .ok()
}

/// Whose passkeys: a portal account of the built-in identity provider, or a staff account.
/// Each has its own store and its own WebAuthn user handles and ceremony state, so a staff
/// username and a patient's account name that happen to be the same text never mix.
#[derive(Debug, Clone, Copy)]
pub enum Holder<'a> {
    Portal(&'a str),
    Staff(&'a str),
}

impl Holder<'_> {
    fn username(&self) -> &str {
        match self {
            Holder::Portal(u) | Holder::Staff(u) => u,
        }
    }

    /// A stable WebAuthn user handle for the account (no personal data in it).
    fn handle(&self) -> Uuid {
        let seed = match self {
            Holder::Portal(u) => format!("inzage-passkey-user:{u}"),
            Holder::Staff(u) => format!("inzage-passkey-staff:{u}"),
        };
        let digest = Sha256::digest(seed.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Uuid::from_bytes(bytes)
    }

    /// The session keys of a ceremony in progress (registration, authentication).
    fn session_keys(&self) -> (&'static str, &'static str) {
        match self {
            Holder::Portal(_) => ("passkey_registration", "passkey_authentication"),
            Holder::Staff(_) => ("staff_passkey_registration", "staff_passkey_authentication"),
        }
    }

    pub async fn count(&self, state: &AppState) -> WebResult<usize> {
        Ok(self.rows(state).await?.len())
    }

    async fn rows(&self, state: &AppState) -> WebResult<Vec<(String, String)>> {
        Ok(match self {
            Holder::Portal(u) => state.store.passkeys(u).await?,
            Holder::Staff(u) => state.store.staff_passkeys(u).await?,
        })
    }

    async fn stored(&self, state: &AppState) -> WebResult<Vec<Passkey>> {
        Ok(self
            .rows(state)
            .await?
            .iter()
            .filter_map(|(_, json)| serde_json::from_str(json).ok())
            .collect())
    }

    async fn save(&self, state: &AppState, passkey: &Passkey) -> WebResult<()> {
        let id = hex::encode(passkey.cred_id().as_ref() as &[u8]);
        let json = serde_json::to_string(passkey).map_err(|_| WebError::Invalid("passkey"))?;
        match self {
            Holder::Portal(u) => state.store.save_passkey(u, &id, &json, state.now()).await?,
            Holder::Staff(u) => {
                state
                    .store
                    .save_staff_passkey(u, &id, &json, state.now())
                    .await?
            }
        }
        Ok(())
    }

    /// Whether a login's second step should offer a passkey: enabled here and the account has one.
    pub async fn offered(&self, state: &AppState) -> WebResult<bool> {
        Ok(state.webauthn.is_some() && self.count(state).await? > 0)
    }
}

/// Begins adding a passkey to `holder`'s account (after a full login): the browser's options.
pub async fn start_registration(
    state: &AppState,
    session: &Session,
    holder: Holder<'_>,
    display_name: &str,
) -> WebResult<Response> {
    let wa = webauthn(state)?;
    let existing: Vec<_> = holder
        .stored(state)
        .await?
        .iter()
        .map(|p| p.cred_id().clone())
        .collect();
    let (challenge, registration) = wa
        .start_passkey_registration(
            holder.handle(),
            holder.username(),
            display_name,
            Some(existing),
        )
        .map_err(|_| WebError::Invalid("passkey"))?;
    session
        .insert(holder.session_keys().0, &registration)
        .await?;
    Ok(Json(challenge).into_response())
}

/// Checks the browser's new credential against the registration in progress and keeps it.
pub async fn finish_registration(
    state: &AppState,
    session: &Session,
    holder: Holder<'_>,
    credential: &RegisterPublicKeyCredential,
) -> WebResult<()> {
    let wa = webauthn(state)?;
    let Some(registration) = session
        .remove::<PasskeyRegistration>(holder.session_keys().0)
        .await?
    else {
        return Err(WebError::Invalid("no passkey registration in progress"));
    };
    let passkey = wa
        .finish_passkey_registration(credential, &registration)
        .map_err(|_| WebError::Invalid("passkey not accepted"))?;
    holder.save(state, &passkey).await?;
    tracing::info!("passkey registered");
    Ok(())
}

/// Begins a passkey login step for `holder` (after the password): the browser's options.
/// `NotFound` when the account has no passkey.
pub async fn start_authentication(
    state: &AppState,
    session: &Session,
    holder: Holder<'_>,
) -> WebResult<Response> {
    let wa = webauthn(state)?;
    let passkeys = holder.stored(state).await?;
    if passkeys.is_empty() {
        return Err(WebError::NotFound);
    }
    let (challenge, authentication) = wa
        .start_passkey_authentication(&passkeys)
        .map_err(|_| WebError::Invalid("passkey"))?;
    session
        .insert(holder.session_keys().1, &authentication)
        .await?;
    Ok(Json(challenge).into_response())
}

/// Checks the browser's signature against the login step in progress: `true` when it is one
/// of `holder`'s passkeys. The signature counter moves on and is kept, so a cloned passkey
/// shows. `Invalid` when no passkey step was begun.
pub async fn finish_authentication(
    state: &AppState,
    session: &Session,
    holder: Holder<'_>,
    credential: &PublicKeyCredential,
) -> WebResult<bool> {
    let wa = webauthn(state)?;
    let Some(authentication) = session
        .remove::<PasskeyAuthentication>(holder.session_keys().1)
        .await?
    else {
        return Err(WebError::Invalid("no passkey login in progress"));
    };
    let Ok(result) = wa.finish_passkey_authentication(credential, &authentication) else {
        return Ok(false);
    };
    let mut known = false;
    for mut passkey in holder.stored(state).await? {
        match passkey.update_credential(&result) {
            Some(true) => {
                holder.save(state, &passkey).await?;
                known = true;
            }
            Some(false) => known = true,
            None => {}
        }
    }
    Ok(known)
}

/// Whether the code page should offer a passkey: enabled here and the account has one.
pub async fn offered(state: &AppState, username: &str) -> WebResult<bool> {
    Holder::Portal(username).offered(state).await
}

pub(crate) fn webauthn(state: &AppState) -> WebResult<&Webauthn> {
    state.webauthn.as_deref().ok_or(WebError::NotFound)
}

/// JSON calls carry the session's CSRF token in a header.
pub async fn check_csrf_header(session: &Session, headers: &HeaderMap) -> WebResult<()> {
    let sent = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    inzage_webkit::session::check_csrf(session, sent).await
}
