//! The HTTP server: the web application of `inzage-web` on a TCP listener.

use inzage_domain::SystemClock;
use inzage_store::Store;
use inzage_web::WebConfig;
use std::net::SocketAddr;
use std::sync::Arc;

pub async fn serve(store: Store, listen: &str, web: WebConfig) -> Result<(), crate::AnyError> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(address = %listener.local_addr()?, backend = store.backend_name(), dev_mode = web.dev_mode, "serving");
    let app = inzage_web::app(store, Arc::new(SystemClock), web);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
