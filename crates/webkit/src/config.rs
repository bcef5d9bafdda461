//! Settings of the web application, read by every channel: what the binary's configuration
//! (`inzage.toml`, `INZAGE_*`) becomes. Plain data; what acts on it lives with its channel.

use chrono::Duration;
use serde::{Deserialize, Serialize};

/// eIDAS "substantieel", the level a DigiD login with a second factor gives.
pub const ACR_SUBSTANTIAL: &str = "http://eidas.europa.eu/LoA/substantial";

/// Months the MedMij chain log is kept unless configured otherwise (R88: at least 24, at most 36).
pub const CHAIN_LOG_MONTHS: u32 = 24;

/// A ready-made login shown on the start page in development mode only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    /// What the account shows off ("volwassene", "ouder van een kind van 10", ...).
    pub description: String,
    /// Base32 TOTP secret, so a tester can add it to an authenticator app.
    pub totp_secret: Option<String>,
    /// A practice staff login (`/praktijk/inloggen`) rather than a patient's.
    pub staff: bool,
}

/// Whether any of the demo logins is a staff login (for the start page's second list).
pub fn any_staff(accounts: &[DemoAccount]) -> bool {
    accounts.iter().any(|a| a.staff)
}

/// Web settings. `Default` is what a production practice gets: secure cookies, no dev IdP
/// extras.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Development mode: demo accounts on the start page, SMS-style codes in the server log.
    pub dev_mode: bool,
    /// Cookies only over HTTPS (`__Host-` prefix). Off only for local development over http.
    pub secure_cookies: bool,
    pub idle_timeout: Duration,
    pub absolute_timeout: Duration,
    /// Failed logins (per username, whether or not it exists) before a lock-out.
    pub login_max_failures: i64,
    pub login_lock: Duration,
    /// Requests per client address to the login routes: a burst, then one per this many ms.
    pub login_rate_burst: u32,
    pub login_rate_period_ms: u64,
    pub demo_accounts: Vec<DemoAccount>,
    /// The practice's identity provider (OpenID Connect). With it, the built-in password login
    /// is only offered in development mode.
    pub oidc: Option<OidcConfig>,
    /// The portal's public origin ("https://portaal.example"). Passkeys are bound to it; without
    /// it they are not offered. WebAuthn needs a host name: "http://localhost:8080" in a demo.
    pub public_origin: Option<String>,
    /// This practice in MedMij (Zorgaanbiedernaam, OAuth client list); `None`: no PGO access.
    pub medmij: Option<MedmijConfig>,
    /// Months the MedMij chain log is kept (24 to 36, R88).
    pub chain_log_months: u32,
    /// Notification e-mail (SMTP, sender, the portal link in a notice).
    pub mail: MailConfig,
    /// Reverse proxies in front of the server (addresses or networks). Only from these is
    /// `X-Forwarded-For` believed, to rate-limit per client rather than per proxy.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            dev_mode: false,
            secure_cookies: true,
            idle_timeout: Duration::minutes(15),
            absolute_timeout: Duration::hours(8),
            login_max_failures: 5,
            login_lock: Duration::minutes(15),
            login_rate_burst: 20,
            login_rate_period_ms: 500,
            demo_accounts: vec![],
            oidc: None,
            public_origin: None,
            medmij: None,
            chain_log_months: CHAIN_LOG_MONTHS,
            mail: MailConfig::default(),
            trusted_proxies: vec![],
        }
    }
}

/// How to reach the practice's identity provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcConfig {
    /// The issuer URL; its `/.well-known/openid-configuration` is read at the first login.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Our callback as registered with the provider: `<portal>/inloggen/oidc/terug`.
    pub redirect_url: String,
    /// The ID-token claim that carries the BSN.
    #[serde(default = "default_bsn_claim")]
    pub bsn_claim: String,
    /// Accepted `acr` values; anything else is refused (R50). Also sent as `acr_values`.
    #[serde(default = "OidcConfig::default_acr")]
    pub accepted_acr: Vec<String>,
    /// The name on the login button ("DigiD").
    #[serde(default = "default_label")]
    pub button_label: String,
}

fn default_bsn_claim() -> String {
    "bsn".into()
}

fn default_label() -> String {
    "DigiD".into()
}

impl OidcConfig {
    /// eIDAS "substantieel" or "hoog".
    pub fn default_acr() -> Vec<String> {
        vec![
            ACR_SUBSTANTIAL.into(),
            "http://eidas.europa.eu/LoA/high".into(),
        ]
    }
}

/// A PGO in the MedMij OAuth client list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OAuthClient {
    /// The DVP's hostname: also its `client_id`.
    pub hostname: String,
    pub organisation: String,
}

/// This practice's place in MedMij.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MedmijConfig {
    /// The Zorgaanbiedernaam, e.g. `huisartsenpraktijk-demo@medmij`: the only valid scope.
    pub provider_name: String,
    /// The current OAuth client list.
    pub clients: Vec<OAuthClient>,
    /// The data services of our entry in the Zorgaanbiederslijst, when configured from one.
    pub services: Vec<DataService>,
}

/// One data service (Gegevensdienst) of a provider entry, with its endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DataService {
    pub id: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    /// System role code (e.g. `MM-2.0-HGB-FHIR`) and its resource endpoint.
    pub roles: Vec<(String, String)>,
}

/// Where notices go.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:port`, `smtps://user:pass@host` or `smtp://host?tls=required` (lettre's URL
    /// form). `None`: in development mode, the dev mailbox; otherwise no notices at all.
    pub smtp_url: Option<String>,
    /// The sender ("Huisartsenpraktijk <noreply@praktijk.example>").
    pub from: String,
    /// The portal's address, the only link in a notice.
    pub portal_url: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "inzage <noreply@localhost>".into(),
            portal_url: "http://localhost:8080/".into(),
        }
    }
}
