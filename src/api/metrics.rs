//! `GET /metrics`: the service's figures for Prometheus (`crate::metrics`), for administrators;
//! with `NORMTRACK_METRICS_BIND` also without a token on that separate address, which a
//! deployment keeps off the public network.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::AppState;
use crate::error::{AppError, AppResult};
use crate::metrics::Snapshot;

/// Requests by route template and status, latencies, cache hits, database pool use and the
/// store epoch, in the OpenMetrics text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    responses((status = 200, description = "The figures (OpenMetrics text)", content_type = "application/openmetrics-text", body = String))
)]
pub async fn metrics(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let pool = state.pool.state();
    let text = state
        .metrics
        .encode(Snapshot {
            pool_connections: pool.connections,
            pool_idle: pool.idle_connections,
            pool_size: state.pool.max_size(),
            store_epoch: state.changes.epoch(),
        })
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE))
        .body(text))
}
