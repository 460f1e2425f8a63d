//! Structured logs through `tracing`. `RUST_LOG` sets the filter (default `info`);
//! `NORMTRACK_LOG_FORMAT=json` writes one JSON object per line. Every request runs in a span
//! that carries its request id (`api::request_id`), so each line it logs names it; the id is
//! also kept for the request's task, for the problem+json bodies that answer it.

use std::future::Future;

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("NORMTRACK_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) keeps the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request the current task serves, if any.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(String::clone).ok()
}

/// Runs `work` as the request `id`.
pub async fn with_request_id<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// Runs `work` as the request `id`, outside any task (rendering an error after it left the
/// request's task).
pub fn sync_with_request_id<R>(id: String, work: impl FnOnce() -> R) -> R {
    REQUEST_ID.sync_scope(id, work)
}
