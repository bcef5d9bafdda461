//! The HTTP server: the web application of `inzage-web` on a TCP listener.

use inzage_domain::SystemClock;
use inzage_store::{JobStore, PortalStore, Store};
use inzage_web::WebConfig;
use std::net::SocketAddr;
use std::sync::Arc;

/// Where and how often the server writes signed checkpoints of the audit log's head.
#[derive(Debug, Clone)]
pub struct Checkpoints {
    pub dir: std::path::PathBuf,
    pub every: std::time::Duration,
}

/// Serves Prometheus metrics (`GET /metrics`) on `listen`, a listener of its own that an
/// operator keeps off the public network.
pub async fn spawn_metrics(store: Store, listen: &str) -> Result<(), crate::AnyError> {
    let handle =
        inzage_webkit::metrics::install().ok_or("the metrics recorder could not be installed")?;
    inzage_webkit::metrics::keep_up(handle, inzage_webkit::metrics::UPKEEP);
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(address = %listener.local_addr()?, "metrics at /metrics");
    let app = inzage_webkit::metrics::router(store);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    Ok(())
}

const TEN_MINUTES: std::time::Duration = std::time::Duration::from_secs(600);
const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Runs `job` every `period`, on one of the instances that share the database: at its turn an
/// instance takes the job's lease until shortly before its next turn; an instance that finds
/// the lease held by another skips the turn. An instance that dies holding the lease delays
/// the job by at most one period.
pub fn once_per_turn<F, Fut>(
    store: &Store,
    instance: &Arc<str>,
    job: &'static str,
    period: std::time::Duration,
    run: F,
) where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let (store, instance) = (store.clone(), instance.clone());
    // Held until a tenth of a period before the next turn, so this instance's own next turn
    // finds it free (timers drift).
    let held = chrono::Duration::from_std(period - period / 10).unwrap_or(chrono::Duration::zero());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            let now = chrono::Utc::now();
            match store.take_job_lease(job, &instance, now, now + held).await {
                Ok(true) => run().await,
                Ok(false) => tracing::debug!(job, "another instance runs this turn"),
                Err(e) => tracing::warn!(job, error = %e, "could not take the job's lease"),
            }
        }
    });
}

/// What one process serves: the practice's channels (with a PGO beside them when one is
/// configured), or a PGO on its own.
pub enum Serving {
    Practice(Option<inzage_pgo::PgoConfig>),
    PgoOnly(inzage_pgo::PgoConfig),
}

pub async fn serve(
    store: Store,
    listen: &str,
    web: WebConfig,
    mail_every: std::time::Duration,
    checkpoints: Checkpoints,
    serving: Serving,
) -> Result<(), crate::AnyError> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(address = %listener.local_addr()?, backend = store.backend_name(), dev_mode = web.dev_mode, "serving");
    // Jobs that change the database run once per turn across the instances sharing it (leases).
    let instance: Arc<str> = format!("instance-{:016x}", rand::random::<u64>()).into();
    // Expired sessions (every visitor of the login page has one) are removed every ten minutes.
    let purger = store.clone();
    once_per_turn(
        &store,
        &instance,
        "sessions-purge",
        TEN_MINUTES,
        move || {
            let purger = purger.clone();
            async move {
                match purger.sessions_purge(chrono::Utc::now()).await {
                    Ok(n) => tracing::debug!(removed = n, "expired sessions removed"),
                    Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
                }
            }
        },
    );
    // A signed checkpoint of the audit log's head at every interval, outside the database, so
    // that cutting the log short is seen by `inzage audit verify`: of each lane's head (one
    // lane per instance that appended). Every instance writes its own, into its own
    // directory: more witnesses of the heads, not fewer.
    let audited = store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(checkpoints.every);
        loop {
            tick.tick().await;
            match audited
                .write_audit_checkpoint(&checkpoints.dir, chrono::Utc::now())
                .await
            {
                Ok(written) => {
                    for c in written {
                        tracing::info!(seq = c.seq, "audit checkpoint written");
                    }
                }
                Err(e) => tracing::error!(error = %e, "could not write the audit checkpoint"),
            }
        }
    });
    // The chain log (ketenlog) is kept the configured 24 to 36 months (R88): purged daily.
    let chain = store.clone();
    let months = web.chain_log_months;
    once_per_turn(&store, &instance, "chain-log-purge", DAY, move || {
        let chain = chain.clone();
        async move {
            match inzage_medmij::purge_chain_log(&chain, chrono::Utc::now(), months).await {
                Ok(n) => tracing::info!(removed = n, months, "chain log purged"),
                Err(e) => tracing::warn!(error = %e, "could not purge the chain log"),
            }
        }
    });
    // Records whose 20-year term ended are reported daily to their practice (R108); nothing is
    // destroyed without a GP's decision.
    let records = store.clone();
    once_per_turn(&store, &instance, "retention-sweep", DAY, move || {
        let records = records.clone();
        async move {
            match inzage_practice::retention::sweep(&records, chrono::Utc::now()).await {
                Ok(n) => tracing::info!(reported = n, "retention sweep: records whose term ended"),
                Err(e) => tracing::warn!(error = %e, "could not run the retention sweep"),
            }
        }
    });
    // The notification sender: every instance runs one; the queue's leases keep two instances
    // from sending the same e-mail.
    match inzage_webkit::notify::Notifier::new(store.clone(), Arc::new(SystemClock), &web)? {
        Some(notifier) => {
            tracing::info!(
                smtp = web.mail.smtp_url.is_some(),
                "notification sender running"
            );
            tokio::spawn(notifier.run(mail_every));
        }
        None => tracing::info!("no SMTP server configured: no notification e-mails"),
    }
    let shutdown_store = store.clone();
    let start_pgo = |config: inzage_pgo::PgoConfig| {
        let store = store.clone();
        let instance = instance.clone();
        async move {
            let minutes = config.refresh_minutes;
            let logs = store.clone();
            let (pgo, problems) = inzage_pgo::Pgo::start(config, store).await;
            for p in problems {
                tracing::warn!(problem = %p, "MedMij list not read");
            }
            // The MedMij lists are held in memory: every instance refreshes its own copy.
            pgo.directory.clone().spawn_refresh(minutes);
            // The person's log is kept five years: purged daily.
            once_per_turn(&logs.clone(), &instance, "pgo-log-purge", DAY, move || {
                let logs = logs.clone();
                async move {
                    match inzage_pgo::purge_log(&logs, chrono::Utc::now()).await {
                        Ok(n) => tracing::info!(removed = n, "PGO log purged"),
                        Err(e) => tracing::warn!(error = %e, "could not purge the PGO log"),
                    }
                }
            });
            Arc::new(pgo)
        }
    };
    let app = match serving {
        Serving::Practice(None) => inzage_web::app(store, Arc::new(SystemClock), web),
        Serving::Practice(Some(config)) => {
            let pgo = start_pgo(config).await;
            inzage_web::app_with_pgo(store, Arc::new(SystemClock), web, Some(pgo))
        }
        Serving::PgoOnly(config) => {
            let pgo = start_pgo(config).await;
            inzage_web::pgo_app(store, Arc::new(SystemClock), web, pgo)
        }
    };
    let (stopping, stop_seen) = tokio::sync::oneshot::channel::<()>();
    let serving = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop_asked().await;
        tracing::info!("stopping: no new connections, answering the open requests");
        let _ = stopping.send(());
    })
    .into_future();
    // A client that keeps its request open (or sends it slowly) would hold the stop for good,
    // until the supervisor's SIGKILL lost the queued log events: the drain is bounded.
    tokio::select! {
        served = serving => served?,
        () = async {
            match stop_seen.await {
                Ok(()) => tokio::time::sleep(DRAIN_WAIT).await,
                Err(_) => std::future::pending().await,
            }
        } => tracing::warn!("requests still open {} s after the stop: closed unanswered", DRAIN_WAIT.as_secs()),
    }
    // The chain-log events of the last answers are queued, not yet stored.
    match tokio::time::timeout(STORE_CLOSE_WAIT, shutdown_store.flush_queued()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "queued log events not stored at shutdown"),
        Err(_) => tracing::warn!("queued log events not stored in time at shutdown"),
    }
    // Connections end cleanly (PostgreSQL sees a goodbye, not a dropped socket).
    if tokio::time::timeout(STORE_CLOSE_WAIT, shutdown_store.close())
        .await
        .is_err()
    {
        tracing::warn!("the database connections did not close in time");
    }
    Ok(())
}

/// How long a stopping server waits for the requests it has to be answered: below the grace
/// period of Kubernetes (30 s) and of systemd (90 s), so that what follows still runs.
const DRAIN_WAIT: std::time::Duration = std::time::Duration::from_secs(20);
/// How long a stopping server waits for its queued log events to be stored, and then for its
/// database connections to close.
const STORE_CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Resolves when the server is asked to stop: Ctrl-C (SIGINT) or SIGTERM, which is what
/// systemd, Docker and Kubernetes send. The server then stops accepting connections, answers
/// the requests it has (for at most [`DRAIN_WAIT`]), and stores the log events still queued
/// before it exits; without this a SIGTERM ended the process at once.
async fn stop_asked() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                return;
            }
            Err(e) => tracing::warn!(error = %e, "SIGTERM cannot be caught; stop with Ctrl-C"),
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
