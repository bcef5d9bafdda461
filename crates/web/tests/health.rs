//! Issue 21: health checks that cost nothing. Liveness touches no table; readiness asks the
//! database one trivial question with a short timeout, and says so when it cannot answer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use axum::http::StatusCode;
use support::*;

async fn issue21_liveness_and_readiness_answer_without_counting_the_store(app: &TestApp) {
    let mut c = app.client();
    for path in ["/health", "/health/ready", "/health/live"] {
        let p = c.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert!(p.content_type.starts_with("application/json"), "{path}");
        assert!(p.body.contains("\"ok\""), "{path}: {}", p.body);
    }
    // Without a database: the process is alive, but not ready.
    app.store.close().await;
    let p = c.get("/health/live").await;
    assert_eq!(p.status, StatusCode::OK);
    for path in ["/health", "/health/ready"] {
        let p = c.get(path).await;
        assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(p.body.contains("database unavailable"));
    }
}

both_backends!(issue21_liveness_and_readiness_answer_without_counting_the_store,);
