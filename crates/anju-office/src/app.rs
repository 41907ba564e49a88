//! The office as one application: the sync API's routes (`server`), the office pages'
//! (`web`) and the read API's (`read_api`) merged, with the OpenAPI document, the
//! fallbacks and the layers; and the serve loop, with the maintenance that runs beside it.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use anju_core::wire::MAX_PUSH_BYTES;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::{Json, Router};
use chrono::Utc;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::http::{AppState, ServeOptions, ServerError, count_responses, method_not_allowed};

/// The whole application: API routes, OpenAPI document, fallbacks and layers.
pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = crate::server::routes();
    let (pages, pages_doc) = crate::web::routes();
    openapi.merge(pages_doc);
    let (read_api, read_doc) = crate::read_api::routes();
    openapi.merge(read_doc);
    let api: Router<AppState> = api.merge(pages).merge(read_api);
    let openapi = Arc::new(crate::server::contract::served(&openapi));
    api.route(
        "/api/openapi.json",
        axum::routing::get(move || {
            let doc = Arc::clone(&openapi);
            async move { Json(doc.as_ref().clone()) }
        }),
    )
    .fallback(crate::web::pages_or_not_found)
    .method_not_allowed_fallback(method_not_allowed)
    .layer(DefaultBodyLimit::max(MAX_PUSH_BYTES))
    .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        state.limits.body_timeout,
    ))
    .layer(middleware::from_fn_with_state(
        state.clone(),
        count_responses,
    ))
    .layer(CompressionLayer::new().gzip(true))
    .layer(TraceLayer::new_for_http())
    .with_state(state)
}

/// Serve the office on `listener` until `shutdown` completes, then finish the requests
/// in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    data_dir: PathBuf,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    serve_with(listener, ServeOptions::new(data_dir), shutdown).await
}

/// The same with every option.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let state = AppState::open_with(&options)?;
    let maintenance = tokio::spawn(maintain(
        state.clone(),
        options.maintenance_every,
        options.upload_expiry,
    ));
    let served = crate::listen::serve_connections(
        listener,
        router(state),
        options.limits,
        options.tls.map(|t| t.acceptor),
        shutdown,
    )
    .await;
    maintenance.abort();
    served?;
    Ok(())
}

/// Sweep stale uploads and prune dead tokens now and then. Failures are logged and
/// tried again next time (a full disk, say, clears by itself).
async fn maintain(state: AppState, every: std::time::Duration, upload_expiry: chrono::Duration) {
    let mut ticker = tokio::time::interval(every.max(std::time::Duration::from_millis(100)));
    loop {
        ticker.tick().await;
        match state.blobs.sweep(upload_expiry).await {
            Ok(report) if report.removed > 0 => {
                tracing::info!(
                    removed = report.removed,
                    bytes = report.bytes,
                    "swept stale uploads"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "sweeping stale uploads failed"),
        }
        match crate::print_jobs::sweep(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(swept) => tracing::info!(swept, "removed old print jobs"),
            Err(error) => tracing::warn!(error = error.message(), "sweeping print jobs failed"),
        }
        match state.store.prune_tokens().await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "pruned dead sign-in tokens"),
            Err(error) => tracing::warn!(%error, "pruning tokens failed"),
        }
    }
}
