//! What `GET /metrics` exposes, in the OpenMetrics text format that Prometheus scrapes
//! (`prometheus-client`, the Prometheus project's Rust client): requests by method, route
//! template and status; request latency by route template; cache hits and misses; and, read at
//! each scrape, the database pool's connections and the store epoch. One registry per
//! application, so that tests running several apps in one process do not mix their figures.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The media type of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    /// The route template (`/api/v1/gaps/:id`), never the path itself: bounded cardinality.
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    /// `dashboard` (computed answers) or `callers` (authenticated tokens).
    pub cache: String,
    /// `hit` or `miss`.
    pub outcome: String,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    cache: Family<CacheLabels, Counter>,
    pool_connections: Gauge,
    pool_idle: Gauge,
    pool_size: Gauge,
    store_epoch: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("normtrack");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let cache = Family::<CacheLabels, Counter>::default();
        let (pool_connections, pool_idle, pool_size, store_epoch) = (
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
        );
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's head to its answer",
            latency.clone(),
        );
        registry.register(
            "cache_lookups",
            "Cache lookups by cache and outcome",
            cache.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_connections.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections",
            pool_idle.clone(),
        );
        registry.register("db_pool_max_connections", "The pool's size", pool_size.clone());
        registry.register(
            "store_epoch",
            "The store epoch (moves with every committed write; -1 while changes cannot be watched)",
            store_epoch.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            requests,
            latency,
            cache,
            pool_connections,
            pool_idle,
            pool_size,
            store_epoch,
        }
    }
}

/// What is read at each scrape.
pub struct Snapshot {
    pub pool_connections: u32,
    pub pool_idle: u32,
    pub pool_size: u32,
    pub store_epoch: Option<u64>,
}

impl Metrics {
    /// One answered request.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// One lookup in `cache`.
    pub fn cache_lookup(&self, cache: &str, hit: bool) {
        self.cache
            .get_or_create(&CacheLabels {
                cache: cache.to_string(),
                outcome: if hit { "hit" } else { "miss" }.to_string(),
            })
            .inc();
    }

    /// The exposition, with the gauges set from `now`.
    pub fn encode(&self, now: Snapshot) -> Result<String, std::fmt::Error> {
        self.pool_connections.set(i64::from(now.pool_connections));
        self.pool_idle.set(i64::from(now.pool_idle));
        self.pool_size.set(i64::from(now.pool_size));
        self.store_epoch.set(
            now.store_epoch
                .map_or(-1, |e| i64::try_from(e).unwrap_or(i64::MAX)),
        );
        let mut text = String::new();
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        prometheus_client::encoding::text::encode(&mut text, &registry)?;
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_requests_by_route_template_and_the_gauges() {
        let metrics = Metrics::default();
        metrics.request("GET", "/api/v1/gaps/:id", 200, 0.004);
        metrics.request("GET", "/api/v1/gaps/:id", 200, 0.002);
        metrics.cache_lookup("dashboard", true);
        let text = metrics
            .encode(Snapshot {
                pool_connections: 3,
                pool_idle: 2,
                pool_size: 8,
                store_epoch: Some(41),
            })
            .unwrap();
        assert!(
            text.contains(
                r#"normtrack_http_requests_total{method="GET",route="/api/v1/gaps/:id",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(text.contains("normtrack_store_epoch 41"), "{text}");
        assert!(text.contains("normtrack_db_pool_max_connections 8"), "{text}");
        assert!(text.ends_with("# EOF\n"));
    }
}
