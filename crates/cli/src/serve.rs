//! The HTTP server. Until the portal exists, it serves a status page with counts and a health check.

use axum::extract::State;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use inzage_store::{RecordStore, Store};
use serde_json::json;

pub fn router(store: Store) -> Router {
    Router::new()
        .route("/", get(status_page))
        .route("/health", get(health))
        .with_state(store)
}

pub async fn serve(store: Store, listen: &str) -> Result<(), crate::AnyError> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(address = %listener.local_addr()?, backend = store.backend_name(), "serving");
    axum::serve(listener, router(store))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn health(State(store): State<Store>) -> impl IntoResponse {
    match store.counts().await {
        Ok(_) => (axum::http::StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unavailable"})),
        ),
    }
}

async fn status_page(State(store): State<Store>) -> impl IntoResponse {
    match store.counts().await {
        Ok(c) => Html(format!(
            "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>inzage</title></head>\
             <body><h1>inzage</h1><p>Het portaal volgt. Deze server draait op {}.</p>\
             <ul><li>Praktijken: {}</li><li>Patiënten: {}</li><li>Dossieronderdelen: {}</li>\
             <li>Regels in het toegangslog: {}</li></ul></body></html>",
            store.backend_name(),
            c.practices,
            c.patients,
            c.items,
            c.audit_entries
        ))
        .into_response(),
        Err(_) => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}
