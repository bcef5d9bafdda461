//! Prometheus metrics for operators (issue 21): requests and their latency per route group,
//! the database pools, the record cache, the audit writer's queue and the e-mail backlog.
//! Recorded through the `metrics` facade and rendered by `metrics-exporter-prometheus`; served
//! on a listener of its own (`metrics_listen`), never on the public port. No patient data: a
//! route group, a status class and counts.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use inzage_store::{NotifyStore, Store};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The request counters and latency histograms, registered once when recording starts: the
/// macros look a metric up by its name and labels each time (a key built and hashed, a map
/// read), per request.
static REQUESTS: OnceLock<RequestMetrics> = OnceLock::new();

/// The route groups, the label `group` takes ([`route_group`]).
const GROUPS: [&str; 8] = [
    "fhir", "medmij", "practice", "pgo", "static", "health", "login", "portal",
];

/// The status classes, the label `status` takes.
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

struct RequestMetrics {
    /// By group, then status class.
    counts: Vec<metrics::Counter>,
    /// By group.
    durations: Vec<metrics::Histogram>,
}

impl RequestMetrics {
    fn register() -> Self {
        Self {
            counts: GROUPS
                .iter()
                .flat_map(|&group| {
                    CLASSES.iter().map(move |&status| {
                        metrics::counter!("inzage_http_requests_total", "group" => group, "status" => status)
                    })
                })
                .collect(),
            durations: GROUPS
                .iter()
                .map(|&group| metrics::histogram!("inzage_http_request_duration_seconds", "group" => group))
                .collect(),
        }
    }
}

/// Request latency buckets, in seconds: the goal is p99 under 50 ms.
const BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Starts recording (once per process; later calls return the same handle). Until then the
/// request middleware records into nothing, at next to no cost.
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("inzage_http_request_duration_seconds".into()),
                    &BUCKETS,
                )
                .ok()?
                .install_recorder()
                .ok()
                .inspect(|_| {
                    REQUESTS.get_or_init(RequestMetrics::register);
                })
        })
        .as_ref()
}

/// How often the recorded latencies are folded into their buckets ([`keep_up`]).
pub const UPKEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// Folds the request latencies recorded since into their histogram buckets every `every`, for
/// as long as the runtime runs. The exporter queues each recorded latency (16 bytes, counted)
/// until its upkeep runs, which `install` leaves to its caller; with upkeep only at a scrape, a
/// server that nobody scraped (no Prometheus yet, or one that is down) grew by every request it
/// answered: about 15 MiB a minute at 16,000 requests a second.
pub fn keep_up(handle: &'static PrometheusHandle, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            handle.run_upkeep();
        }
    });
}

/// The group a path belongs to: few enough labels to keep the series bounded, and no id.
pub fn route_group(path: &str) -> &'static str {
    GROUPS[group_of(path)]
}

/// [`route_group`] as its index in [`GROUPS`].
fn group_of(path: &str) -> usize {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "fhir" => 0,
        "medmij" => 1,
        "praktijk" => 2,
        "pgo" => 3,
        "static" => 4,
        "health" => 5,
        "inloggen" | "uitloggen" | "activeren" | "beveiliging" | "taal" => 6,
        _ => 7,
    }
}

/// Middleware: counts each request and times it, per route group and status class.
/// Until recording starts ([`install`]) it records nothing.
pub async fn track(request: Request, next: Next) -> Response {
    let group = group_of(request.uri().path());
    let start = Instant::now();
    let response = next.run(request).await;
    if let Some(metrics) = REQUESTS.get() {
        let class = match response.status().as_u16() {
            100..=199 => 0,
            200..=299 => 1,
            300..=399 => 2,
            400..=499 => 3,
            _ => 4,
        };
        if let Some(count) = metrics.counts.get(group * CLASSES.len() + class) {
            count.increment(1);
        }
        if let Some(duration) = metrics.durations.get(group) {
            duration.record(start.elapsed().as_secs_f64());
        }
    }
    response
}

/// The metrics router: `GET /metrics`, for a listener of its own.
pub fn router(store: Store) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(store)
}

async fn scrape(State(store): State<Store>) -> Response {
    let Some(handle) = install() else {
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "metrics recorder not installed",
        )
            .into_response();
    };
    // Gauges of now, read at the scrape.
    let stats = store.stats();
    for (pool, size, idle) in &stats.pools {
        metrics::gauge!("inzage_db_pool_connections", "pool" => *pool, "state" => "open")
            .set(f64::from(*size));
        metrics::gauge!("inzage_db_pool_connections", "pool" => *pool, "state" => "idle")
            .set(*idle as f64);
    }
    metrics::gauge!("inzage_record_cache_reads", "result" => "hit").set(stats.cache_hits as f64);
    metrics::gauge!("inzage_record_cache_reads", "result" => "miss").set(stats.cache_misses as f64);
    metrics::gauge!("inzage_record_cache_bytes").set(stats.cache_bytes as f64);
    metrics::gauge!("inzage_audit_queue_waiting").set(stats.audit_queue as f64);
    metrics::gauge!("inzage_audit_batches_rewritten").set(stats.audit_rewrites as f64);
    metrics::counter!("inzage_audit_commits_total").absolute(stats.audit_commits);
    metrics::counter!("inzage_audit_entries_committed_total").absolute(stats.audit_entries);
    metrics::counter!("inzage_audit_commit_microseconds_total").absolute(stats.audit_commit_micros);
    metrics::gauge!("inzage_medmij_answers_rebuilt").set(stats.access_stale as f64);
    if let Ok(n) = store.pending_notices().await {
        metrics::gauge!("inzage_notices_pending").set(n as f64);
    }
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_groups_carry_no_ids() {
        assert_eq!(route_group("/fhir/Patient"), "fhir");
        assert_eq!(route_group("/praktijk/patienten/x123/dossier"), "practice");
        assert_eq!(route_group("/overzicht"), "portal");
        assert_eq!(route_group("/inloggen/code"), "login");
        assert_eq!(route_group("/"), "portal");
    }
}
