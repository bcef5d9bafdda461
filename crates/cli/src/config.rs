//! Typed, layered configuration: defaults, then `inzage.toml` (if present), then `INZAGE_*`
//! environment variables. Built once in `main` and passed down; nothing reads the environment
//! elsewhere.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite://path.db` (default) or `postgres://...`.
    pub database_url: String,
    /// The database `inzage demo` creates and serves.
    pub demo_database_url: String,
    /// Address to listen on.
    pub listen: String,
    /// `json` for structured logs, `text` for people.
    pub log_format: String,
    /// Where the Nictiz qualification fixtures are (for `demo`); skipped when absent.
    pub nictiz_dir: String,
    /// Session cookies only over HTTPS. Turn off only behind plain http on a developer machine
    /// (`inzage demo` does so itself).
    pub secure_cookies: bool,
    /// Minutes without activity before a portal session ends.
    pub session_idle_minutes: i64,
    /// Hours after login before a portal session ends regardless.
    pub session_absolute_hours: i64,
    /// The practice's identity provider (`[oidc]` in inzage.toml: issuer, client_id,
    /// client_secret, redirect_url, and optionally bsn_claim, accepted_acr, button_label).
    #[serde(default)]
    pub oidc: Option<inzage_web::oidc::OidcConfig>,
    /// The portal's public origin ("https://portaal.example"); passkeys are offered only when
    /// it is set.
    #[serde(default)]
    pub public_origin: Option<String>,
    /// The practice in MedMij (`[medmij]`: zorgaanbiedernaam and the path of the current OAuth
    /// client list, the MedMij XML file); without it no PGO can ask for access.
    #[serde(default)]
    pub medmij: Option<MedmijFiles>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MedmijFiles {
    pub zorgaanbiedernaam: String,
    pub oauth_client_list: String,
}

impl Config {
    /// The web layer's settings for `serve`; reads the MedMij client list when configured.
    pub fn web(&self) -> Result<inzage_web::WebConfig, String> {
        let medmij = match &self.medmij {
            None => None,
            Some(m) => {
                let xml = std::fs::read_to_string(&m.oauth_client_list)
                    .map_err(|e| format!("{}: {e}", m.oauth_client_list))?;
                Some(inzage_web::medmij_auth::MedmijConfig {
                    provider_name: m.zorgaanbiedernaam.clone(),
                    clients: inzage_web::medmij_auth::parse_client_list(&xml)?,
                })
            }
        };
        Ok(inzage_web::WebConfig {
            secure_cookies: self.secure_cookies,
            idle_timeout: chrono::Duration::minutes(self.session_idle_minutes),
            absolute_timeout: chrono::Duration::hours(self.session_absolute_hours),
            oidc: self.oidc.clone(),
            public_origin: self.public_origin.clone(),
            medmij,
            ..Default::default()
        })
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/inzage.db".into(),
            demo_database_url: "sqlite://data/demo.db".into(),
            listen: "127.0.0.1:8080".into(),
            log_format: "text".into(),
            nictiz_dir: "../shared/conformance/nictiz/GenPractData-2-0/Cert/_reference".into(),
            secure_cookies: true,
            session_idle_minutes: 15,
            session_absolute_hours: 8,
            oidc: None,
            public_origin: None,
            medmij: None,
        }
    }
}

impl Config {
    pub fn load(file: &Path) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("INZAGE_"))
            .extract()
            .map_err(Box::new)
    }
}

/// Structured logs. Spans and events name only ids and counts, never names, BSNs or medical content.
pub fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("INZAGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
