//! The MedMij lists the PGO works from (R92, R93): the Zorgaanbiederslijst (which providers
//! there are, their data services and endpoints), the Gegevensdienstnamenlijst (what each data
//! service is called) and the whitelist (the only hosts we call). Each is read from a file or an
//! https URL, checked whole, and refreshed on a schedule. A new list replaces the one in use only
//! when it is valid and its Volgnummer is higher: a broken or older download never takes the
//! providers away (the lists may be unavailable up to 8 hours, background §3 item 41).

use inzage_webkit::config::DataService;
use inzage_webkit::lists::{
    Provider, ProviderList, ServiceNames, Whitelist, parse_provider_list, parse_service_names,
    parse_whitelist,
};
use std::sync::{Arc, RwLock};

/// Where each list comes from: a file path or an `https://` URL (`http://` only for loopback).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSources {
    pub providers: String,
    pub service_names: Option<String>,
    pub whitelist: String,
}

/// The lists in use.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub providers: Option<ProviderList>,
    pub names: Option<ServiceNames>,
    pub whitelist: Option<Whitelist>,
}

impl Lists {
    /// A provider by its Zorgaanbiedernaam (any case).
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.providers
            .as_ref()?
            .providers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// A provider's data service.
    pub fn service(&self, provider: &str, service: &str) -> Option<(&Provider, &DataService)> {
        let p = self.provider(provider)?;
        Some((p, p.services.iter().find(|s| s.id == service)?))
    }

    /// What a person reads for a data service: its name in the Gegevensdienstnamenlijst.
    pub fn service_name(&self, id: &str) -> Option<&str> {
        self.names
            .as_ref()?
            .names
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, n)| n.as_str())
    }

    /// Providers whose name contains every word of `query` (any case), at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Provider> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let Some(list) = &self.providers else {
            return vec![];
        };
        list.providers
            .iter()
            .filter(|p| {
                let name = display_name(&p.name).to_lowercase();
                let full = p.name.to_lowercase();
                words.iter().all(|w| name.contains(w) || full.contains(w))
            })
            .take(limit)
            .collect()
    }
}

/// A Zorgaanbiedernaam as a person reads it: `huisartsenpraktijk-de-linde@medmij` becomes
/// "huisartsenpraktijk de linde".
pub fn display_name(provider: &str) -> String {
    provider
        .split('@')
        .next()
        .unwrap_or(provider)
        .replace(['-', '_', '.'], " ")
}

/// The lists, shared by every request and replaced by the refresh.
#[derive(Clone)]
pub struct Directory {
    sources: ListSources,
    lists: Arc<RwLock<Lists>>,
    http: reqwest::Client,
}

/// The largest list we read (the national ZAL is a few MB).
const MAX_LIST: usize = 64 * 1024 * 1024;

impl Directory {
    pub fn new(sources: ListSources, http: reqwest::Client) -> Self {
        Self {
            sources,
            lists: Arc::default(),
            http,
        }
    }

    /// The lists in use now.
    pub fn lists(&self) -> Lists {
        self.lists.read().map(|l| l.clone()).unwrap_or_default()
    }

    async fn read(&self, source: &str) -> Result<String, String> {
        if source.starts_with("https://") || source.starts_with("http://") {
            let url = url::Url::parse(source).map_err(|e| e.to_string())?;
            if url.scheme() == "http" && !crate::loopback(&url) {
                return Err("a list is fetched over https".into());
            }
            let answer = self
                .http
                .get(url)
                .send()
                .await
                .map_err(|e| format!("no answer: {e}"))?;
            if !answer.status().is_success() {
                return Err(format!("HTTP {}", answer.status()));
            }
            let bytes = answer.bytes().await.map_err(|e| e.to_string())?;
            if bytes.len() > MAX_LIST {
                return Err("the list is too large".into());
            }
            String::from_utf8(bytes.to_vec()).map_err(|_| "the list is not UTF-8".into())
        } else {
            let meta = tokio::fs::metadata(source)
                .await
                .map_err(|e| e.to_string())?;
            if meta.len() > MAX_LIST as u64 {
                return Err("the list is too large".into());
            }
            tokio::fs::read_to_string(source)
                .await
                .map_err(|e| e.to_string())
        }
    }

    /// Reads every list again and takes each one that is valid and newer. Returns what was
    /// refused, one line per list (for the operator's log).
    pub async fn refresh(&self) -> Vec<String> {
        let mut problems = vec![];
        let providers = self
            .read(&self.sources.providers)
            .await
            .and_then(|t| parse_provider_list(&t));
        let names = match &self.sources.service_names {
            Some(s) => Some(self.read(s).await.and_then(|t| parse_service_names(&t))),
            None => None,
        };
        let whitelist = self
            .read(&self.sources.whitelist)
            .await
            .and_then(|t| parse_whitelist(&t));
        let Ok(mut lists) = self.lists.write() else {
            return vec!["the lists are unavailable".into()];
        };
        take(
            &mut lists.providers,
            providers,
            |l| l.header.sequence,
            "Zorgaanbiederslijst",
            &mut problems,
        );
        if let Some(names) = names {
            take(
                &mut lists.names,
                names,
                |l| l.header.sequence,
                "Gegevensdienstnamenlijst",
                &mut problems,
            );
        }
        take(
            &mut lists.whitelist,
            whitelist,
            |l| l.header.sequence,
            "Whitelist",
            &mut problems,
        );
        problems
    }

    /// Refreshes every `minutes` minutes until the process ends.
    pub fn spawn_refresh(self, minutes: u64) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick =
                tokio::time::interval(std::time::Duration::from_secs(minutes.max(1) * 60));
            tick.tick().await;
            loop {
                tick.tick().await;
                for p in self.refresh().await {
                    tracing::warn!(problem = %p, "MedMij list kept as it was");
                }
            }
        })
    }
}

/// Takes `new` when valid and newer than `current`.
fn take<T>(
    current: &mut Option<T>,
    new: Result<T, String>,
    sequence: impl Fn(&T) -> u64,
    what: &str,
    problems: &mut Vec<String>,
) {
    match new {
        Err(e) => problems.push(format!("{what}: {e}")),
        Ok(list) => match current {
            Some(old) if sequence(&list) <= sequence(old) => {
                if sequence(&list) < sequence(old) {
                    problems.push(format!(
                        "{what}: Volgnummer {} is not newer than {}",
                        sequence(&list),
                        sequence(old)
                    ));
                }
            }
            _ => *current = Some(list),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn lists(names: &[&str]) -> Lists {
        Lists {
            providers: Some(ProviderList {
                header: inzage_webkit::lists::ListHeader {
                    timestamp: chrono::DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
                        .unwrap(),
                    sequence: 1,
                },
                providers: names
                    .iter()
                    .map(|n| Provider {
                        name: (*n).into(),
                        services: vec![],
                    })
                    .collect(),
            }),
            names: None,
            whitelist: None,
        }
    }

    /// The lists carry a provider's name only; a place is found where the name holds it, also
    /// inside a name written as one word ("umcharderwijk@medmij"), and every word must match.
    #[test]
    fn r92_providers_are_found_by_name_and_by_a_place_in_their_name() {
        let l = lists(&[
            "umcharderwijk@medmij",
            "huisartsenpraktijk-de-linde-utrecht@medmij",
            "apotheek-de-linde-zwolle@medmij",
        ]);
        let found = |q: &str| {
            l.search(q, 10)
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(found("Harderwijk"), ["umcharderwijk@medmij"]);
        assert_eq!(
            found("de linde"),
            [
                "huisartsenpraktijk-de-linde-utrecht@medmij",
                "apotheek-de-linde-zwolle@medmij"
            ]
        );
        assert_eq!(found("linde zwolle"), ["apotheek-de-linde-zwolle@medmij"]);
        assert!(found("amsterdam").is_empty());
    }
}
