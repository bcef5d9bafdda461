//! Server-side sessions: tower-sessions with our own store on the database (the published sqlx
//! stores lag sqlx 0.9), and the CSRF token every form carries.
//!
//! The cookie holds only a random id; the database keys sessions by the SHA-256 of that id.
//! The idle and absolute time-outs are checked against the injected clock in `auth::Login`;
//! the database expiry only cleans up.

use crate::AppState;
use crate::error::{WebError, WebResult};
use async_trait::async_trait;
use inzage_domain::Clock;
use inzage_store::{PortalStore, SessionRow, Store};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The session key of the CSRF token.
const CSRF: &str = "csrf";

#[derive(Clone)]
pub struct DbSessions {
    store: Store,
    clock: Arc<dyn Clock>,
    idle: chrono::Duration,
}

impl std::fmt::Debug for DbSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessions")
    }
}

fn key(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

impl DbSessions {
    /// The stored row. Its expiry follows our clock (tower-sessions reads the system clock),
    /// so the database and the time-out checks in `auth::Login` agree.
    fn row(&self, record: &Record) -> session_store::Result<SessionRow> {
        Ok(SessionRow {
            data: serde_json::to_string(&record.data)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?,
            expires_at: self.clock.now() + self.idle,
        })
    }
}

#[async_trait]
impl SessionStore for DbSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let r = self.row(record)?;
        while !self
            .store
            .session_create(&key(&record.id), &r)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store
            .session_save(&key(&record.id), &self.row(record)?)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(r) = self
            .store
            .session_load(&key(id), self.clock.now())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&r.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(r.expires_at.timestamp())
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.session_delete(&key(id)).await.map_err(backend)
    }
}

pub fn layer(state: &AppState) -> SessionManagerLayer<DbSessions> {
    let store = DbSessions {
        store: state.store.clone(),
        clock: state.clock.clone(),
        idle: state.config.idle_timeout,
    };
    let idle = time::Duration::seconds(state.config.idle_timeout.num_seconds());
    let name = if state.config.secure_cookies {
        "__Host-inzage"
    } else {
        "inzage"
    };
    SessionManagerLayer::new(store)
        .with_name(name)
        .with_secure(state.config.secure_cookies)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
        .with_always_save(true)
}

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> WebResult<String> {
    if let Some(t) = session.get::<String>(CSRF).await? {
        return Ok(t);
    }
    let token = random_token();
    session.insert(CSRF, &token).await?;
    Ok(token)
}

/// Refuses a form whose token does not match the session's.
pub async fn check_csrf(session: &Session, sent: &str) -> WebResult<()> {
    let expected = session.get::<String>(CSRF).await?;
    match expected {
        // Compare digests so the comparison time says nothing about the token.
        Some(t) if Sha256::digest(t.as_bytes()) == Sha256::digest(sent.as_bytes()) => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

/// 256 random bits, hex.
pub fn random_token() -> String {
    random_hex::<32>()
}

/// 64 random bits, hex (16 digits): an id that names a request or a message, not a secret.
pub fn random_id() -> String {
    random_hex::<8>()
}

/// `N` random bytes as `2 * N` hex digits.
fn random_hex<const N: usize>() -> String {
    let bytes: [u8; N] = rand::random();
    inzage_store::hex_string(&bytes)
}
