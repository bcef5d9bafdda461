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
    /// Megabytes of memory for parsed records kept for fast reads (0: none); a record counts as
    /// a quarter more than its stored size.
    #[serde(default = "default_record_cache_mb")]
    pub record_cache_mb: usize,
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
    pub oidc: Option<inzage_webkit::config::OidcConfig>,
    /// The portal's public origin ("https://portaal.example"); passkeys are offered only when
    /// it is set.
    #[serde(default)]
    pub public_origin: Option<String>,
    /// The practice in MedMij (`[medmij]`: zorgaanbiedernaam and the path of the current OAuth
    /// client list, the MedMij XML file); without it no PGO can ask for access.
    #[serde(default)]
    pub medmij: Option<MedmijFiles>,
    /// A PGO (`[pgo]`: client_id, providers, whitelist, optionally service_names,
    /// refresh_minutes, timeout_seconds): served by `inzage pgo`, and beside the practice by
    /// `serve`. Needs `public_origin`.
    #[serde(default)]
    pub pgo: Option<PgoSettings>,
    /// Notification e-mail (`[mail]`: smtp_url, from). Without `smtp_url`, `serve` sends no
    /// notices and `demo` delivers them to the development mailbox at `/dev/postvak`.
    #[serde(default)]
    pub mail: MailSettings,
    /// The audit key, hex (at least 32 bytes): keys the audit log's hash chain and signs its
    /// checkpoints. Give it here or as `INZAGE_AUDIT_KEY`, or leave it to `audit_key_file`.
    #[serde(default)]
    pub audit_key: Option<String>,
    /// Where the audit key is kept when `audit_key` is not given: created (mode 0600, 32 random
    /// bytes) on first use. Keep it off the database server and in the backups of the keys.
    #[serde(default = "default_audit_key_file")]
    pub audit_key_file: String,
    /// Where signed checkpoints of the audit log's head are written; ship this directory
    /// elsewhere. Default: beside a SQLite database file (`<file>.audit-checkpoints`), or
    /// `data/audit-checkpoints`.
    #[serde(default)]
    pub audit_checkpoint_dir: Option<String>,
    /// Reverse proxies in front of `serve` ("10.0.0.5", "192.168.1.0/24"): only from these is
    /// `X-Forwarded-For` believed, so that rate limits apply per client, not per proxy.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Where Prometheus metrics are served (`GET /metrics`), on a listener of its own so they
    /// never reach the public port: "127.0.0.1:9464". Off when absent.
    #[serde(default)]
    pub metrics_listen: Option<String>,
    /// Minutes between two checkpoints written by `serve` and `demo` (default 15).
    #[serde(default = "default_audit_checkpoint_minutes")]
    pub audit_checkpoint_minutes: u64,
}

fn default_audit_key_file() -> String {
    "data/audit.key".into()
}

fn default_audit_checkpoint_minutes() -> u64 {
    15
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MailSettings {
    /// lettre's URL form: `smtps://user:password@mail.example`, `smtp://localhost:25`,
    /// `smtp://mail.example:587?tls=required`.
    #[serde(default)]
    pub smtp_url: Option<String>,
    /// The sender, e.g. `Huisartsenpraktijk De Linde <noreply@praktijk.example>`.
    #[serde(default)]
    pub from: Option<String>,
    /// Seconds between two rounds of the sender (default 15).
    #[serde(default)]
    pub interval_seconds: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MedmijFiles {
    /// Our Zorgaanbiedernaam; optional when `provider_entry` holds exactly one Zorgaanbieder.
    #[serde(default)]
    pub zorgaanbiedernaam: Option<String>,
    /// The MedMij OAuth client list (XML).
    pub oauth_client_list: String,
    /// Our entry in the Zorgaanbiederslijst format (XML): data services and endpoints.
    #[serde(default)]
    pub provider_entry: Option<String>,
    /// How many months the chain log (ketenlog) is kept: 24 to 36 (R88); default 24.
    #[serde(default)]
    pub chain_log_months: Option<u32>,
}

/// Where a PGO's MedMij lists come from and its name in the OAuth client list.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PgoSettings {
    /// Our hostname in the MedMij OAuth client list (our `client_id`).
    pub client_id: String,
    /// The Zorgaanbiederslijst: a file or an https URL.
    pub providers: String,
    /// The Gegevensdienstnamenlijst: a file or an https URL.
    #[serde(default)]
    pub service_names: Option<String>,
    /// The MedMij whitelist: a file or an https URL.
    pub whitelist: String,
    /// Minutes between two readings of the lists (default 60).
    #[serde(default)]
    pub refresh_minutes: Option<u64>,
    /// Seconds a provider has to answer one call (default 10).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

impl Config {
    /// The PGO's settings, when `[pgo]` is configured.
    pub fn pgo(&self) -> Result<Option<inzage_pgo::PgoConfig>, String> {
        let Some(p) = &self.pgo else {
            return Ok(None);
        };
        let origin = self
            .public_origin
            .clone()
            .ok_or("[pgo] needs public_origin (the redirect URI is built from it)")?;
        Ok(Some(inzage_pgo::PgoConfig {
            client_id: p.client_id.clone(),
            origin,
            lists: inzage_pgo::ListSources {
                providers: p.providers.clone(),
                service_names: p.service_names.clone(),
                whitelist: p.whitelist.clone(),
            },
            refresh_minutes: p.refresh_minutes.unwrap_or(60),
            timeout: std::time::Duration::from_secs(p.timeout_seconds.unwrap_or(10).clamp(1, 120)),
        }))
    }

    /// The web layer's settings for `serve`; reads the MedMij client list when configured.
    pub fn web(&self) -> Result<inzage_web::WebConfig, String> {
        let medmij = match &self.medmij {
            None => None,
            Some(m) => {
                let read =
                    |path: &str| std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"));
                let clients =
                    inzage_medmij::authorize::parse_client_list(&read(&m.oauth_client_list)?)?;
                let (provider_name, services) = match &m.provider_entry {
                    Some(path) => inzage_medmij::authorize::parse_provider_entry(
                        &read(path)?,
                        m.zorgaanbiedernaam.as_deref(),
                    )?,
                    None => (
                        m.zorgaanbiedernaam
                            .clone()
                            .ok_or("[medmij] needs zorgaanbiedernaam or provider_entry")?,
                        vec![],
                    ),
                };
                Some(inzage_medmij::authorize::MedmijConfig {
                    provider_name,
                    clients,
                    services,
                })
            }
        };
        let chain_log_months = self
            .medmij
            .as_ref()
            .and_then(|m| m.chain_log_months)
            .unwrap_or(inzage_medmij::CHAIN_LOG_MONTHS);
        if !(24..=36).contains(&chain_log_months) {
            return Err(format!(
                "[medmij] chain_log_months must be 24 to 36 (MedMij keeps the chain log at least 24 and at most 36 months), not {chain_log_months}"
            ));
        }
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("trusted_proxies: {p:?} is not an address or network"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(inzage_web::WebConfig {
            chain_log_months,
            trusted_proxies,
            secure_cookies: self.secure_cookies,
            idle_timeout: chrono::Duration::minutes(self.session_idle_minutes),
            absolute_timeout: chrono::Duration::hours(self.session_absolute_hours),
            oidc: self.oidc.clone(),
            public_origin: self.public_origin.clone(),
            medmij,
            mail: inzage_webkit::config::MailConfig {
                smtp_url: self.mail.smtp_url.clone(),
                from: self
                    .mail
                    .from
                    .clone()
                    .unwrap_or_else(|| inzage_webkit::config::MailConfig::default().from),
                portal_url: format!(
                    "{}/",
                    self.public_origin
                        .as_deref()
                        .unwrap_or("http://localhost:8080")
                        .trim_end_matches('/')
                ),
            },
            ..Default::default()
        })
    }
}

fn default_record_cache_mb() -> usize {
    128
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://data/inzage.db".into(),
            demo_database_url: "sqlite://data/demo.db".into(),
            listen: "127.0.0.1:8080".into(),
            record_cache_mb: default_record_cache_mb(),
            log_format: "text".into(),
            nictiz_dir: "../shared/conformance/nictiz/GenPractData-2-0/Cert/_reference".into(),
            secure_cookies: true,
            session_idle_minutes: 15,
            session_absolute_hours: 8,
            oidc: None,
            public_origin: None,
            medmij: None,
            pgo: None,
            mail: MailSettings::default(),
            audit_key: None,
            audit_key_file: default_audit_key_file(),
            audit_checkpoint_dir: None,
            trusted_proxies: vec![],
            metrics_listen: None,
            audit_checkpoint_minutes: default_audit_checkpoint_minutes(),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const OCL: &str = r#"<OAuthclientlist xmlns="xmlns://afsprakenstelsel.medmij.nl/oauthclientlist/release2/"><OAuthclients>
<OAuthclient><Hostname>pgo.example</Hostname><OAuthclientOrganisatienaam>Voorbeeld PGO</OAuthclientOrganisatienaam></OAuthclient>
</OAuthclients></OAuthclientlist>"#;
    const ZAL: &str = r#"<Zorgaanbiederslijst xmlns="xmlns://afsprakenstelsel.medmij.nl/zorgaanbiederslijst/release2/"><Zorgaanbieders><Zorgaanbieder>
<Zorgaanbiedernaam>praktijk@medmij</Zorgaanbiedernaam><Gegevensdiensten><Gegevensdienst><GegevensdienstId>49</GegevensdienstId>
<AuthorizationEndpoint><AuthorizationEndpointuri>https://p.example/medmij/autoriseren</AuthorizationEndpointuri></AuthorizationEndpoint>
<TokenEndpoint><TokenEndpointuri>https://p.example/medmij/token</TokenEndpointuri></TokenEndpoint>
<Systeemrollen><Systeemrol><Systeemrolcode>MM-2.0-HGB-FHIR</Systeemrolcode><ResourceEndpoint><ResourceEndpointuri>https://p.example/fhir</ResourceEndpointuri></ResourceEndpoint></Systeemrol></Systeemrollen>
</Gegevensdienst></Gegevensdiensten></Zorgaanbieder></Zorgaanbieders></Zorgaanbiederslijst>"#;

    #[test]
    fn the_record_cache_size_is_a_setting() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("inzage.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9\"\n").unwrap();
        assert_eq!(Config::load(&file).unwrap().record_cache_mb, 128);
        std::fs::write(&file, "record_cache_mb = 0\n").unwrap();
        assert_eq!(Config::load(&file).unwrap().record_cache_mb, 0);
        std::fs::write(&file, "record_cache_mb = -1\n").unwrap();
        assert!(Config::load(&file).is_err());
        // Trusted proxies: addresses and networks; anything else stops the start.
        std::fs::write(
            &file,
            "trusted_proxies = [\"10.0.0.5\", \"192.168.1.0/24\"]\n",
        )
        .unwrap();
        let web = Config::load(&file).unwrap().web().unwrap();
        assert_eq!(web.trusted_proxies.len(), 2);
        assert!(
            web.trusted_proxies[1].contains(&"192.168.1.77".parse::<std::net::IpAddr>().unwrap())
        );
        std::fs::write(&file, "trusted_proxies = [\"proxy.example\"]\n").unwrap();
        assert!(Config::load(&file).unwrap().web().is_err());
    }

    #[test]
    fn medmij_lists_are_read_at_start_and_bad_ones_stop_it() {
        let dir = tempfile::tempdir().unwrap();
        let ocl = dir.path().join("ocl.xml");
        let zal = dir.path().join("zal.xml");
        std::fs::write(&ocl, OCL).unwrap();
        std::fs::write(&zal, ZAL).unwrap();
        let with = |m: MedmijFiles| Config {
            medmij: Some(m),
            ..Config::default()
        };
        let web = with(MedmijFiles {
            zorgaanbiedernaam: None,
            oauth_client_list: ocl.display().to_string(),
            provider_entry: Some(zal.display().to_string()),
            chain_log_months: None,
        })
        .web()
        .unwrap();
        let m = web.medmij.unwrap();
        assert_eq!(m.provider_name, "praktijk@medmij");
        assert_eq!(m.clients[0].hostname, "pgo.example");
        assert_eq!(m.services[0].id, "49");
        // A name that is not in the entry, no name at all, or a missing file: a clear error.
        for bad in [
            MedmijFiles {
                zorgaanbiedernaam: Some("andere@medmij".into()),
                oauth_client_list: ocl.display().to_string(),
                provider_entry: Some(zal.display().to_string()),
                chain_log_months: None,
            },
            MedmijFiles {
                zorgaanbiedernaam: None,
                oauth_client_list: ocl.display().to_string(),
                provider_entry: None,
                chain_log_months: None,
            },
            MedmijFiles {
                zorgaanbiedernaam: Some("praktijk@medmij".into()),
                oauth_client_list: dir.path().join("missing.xml").display().to_string(),
                provider_entry: None,
                chain_log_months: None,
            },
        ] {
            assert!(with(bad).web().is_err());
        }
        // R88: the chain log is kept 24 months unless set to at most 36; outside that, no start.
        assert_eq!(web.chain_log_months, 24);
        let months = |m: u32| {
            with(MedmijFiles {
                zorgaanbiedernaam: None,
                oauth_client_list: ocl.display().to_string(),
                provider_entry: Some(zal.display().to_string()),
                chain_log_months: Some(m),
            })
            .web()
            .map(|w| w.chain_log_months)
        };
        assert_eq!(months(36), Ok(36));
        assert!(months(12).unwrap_err().contains("24 to 36"));
        assert!(months(37).is_err());
    }
}
