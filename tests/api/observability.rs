//! Observable requests (issue 14): a request id on every answer, in every problem+json body and
//! on the log lines of its request.

use std::net::TcpListener;
use std::time::Duration;

use crate::helpers::{captured_logs, Req, TestApp, Who};
use crate::on_both_engines;

on_both_engines! {
    fn every_answer_carries_a_request_id_that_problems_and_logs_name(app) {
        // The client's id, when well formed, is kept.
        let id = format!("bug-report-{}", app.engine as u8);
        let missing = app.send(Who::Admin, Req::new("GET", "/api/v1/ratifications/ZWE/C190").header("X-Request-Id", &id));
        assert_eq!(missing.header("x-request-id"), Some(id.as_str()));
        assert_eq!(missing.problem(404)["request_id"], id.as_str());
        // Refused before any handler (no token): the answer and its body still name it.
        let refused = app.send_with_token(None, Req::new("GET", "/api/v1/tasks").header("X-Request-Id", "no-token-1"));
        assert_eq!(refused.problem(401)["request_id"], "no-token-1");
        assert_eq!(refused.header("x-request-id"), Some("no-token-1"));
        // No id, or a malformed one: a fresh one is made.
        let ok = app.send_with_token(None, Req::new("GET", "/healthz"));
        let fresh = ok.header("x-request-id").expect("an id").to_string();
        assert_eq!(fresh.len(), 32);
        assert!(fresh.bytes().all(|b| b.is_ascii_hexdigit()));
        let odd = app.send_with_token(None, Req::new("GET", "/healthz").header("X-Request-Id", "has space;x"));
        let replaced = odd.header("x-request-id").expect("an id");
        assert_ne!(replaced, "has space;x");
        assert_ne!(replaced, fresh);
        // The log lines of the request name it (the access log line among them).
        let logs = captured_logs();
        let lines: Vec<&str> = logs.lines().filter(|l| l.contains(&id)).collect();
        assert!(lines.iter().any(|l| l.contains("ratifications/ZWE/C190") && l.contains("404")), "{lines:?}");
    }
}

fn parse(text: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .expect("the Prometheus text format")
}

fn value(scrape: &prometheus_parse::Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
}

on_both_engines! {
    fn metrics_count_requests_by_route_template_for_administrators(app) {
        for id in [1, 2, 3] {
            app.get(&format!("/api/v1/organizations/{id}"));
        }
        app.get("/api/v1/dashboard/summary").ok_json();
        app.get("/api/v1/dashboard/summary").ok_json();
        let response = app.get("/metrics");
        assert_eq!(response.status, 200, "{}", response.body);
        assert!(response.header("content-type").unwrap().starts_with("application/openmetrics-text"));
        let scrape = parse(&response.body);
        let by_template = value(&scrape, "normtrack_http_requests_total", &[("method", "GET"), ("route", "/api/v1/organizations/:id"), ("status", "200")]);
        assert_eq!(by_template, Some(3.0), "one series for the template, not one per id: {}", response.body.lines().filter(|l| l.contains("organizations")).collect::<Vec<_>>().join("\n"));
        assert!(!response.body.contains("/api/v1/organizations/1\""), "paths never label a series");
        // The second summary is answered by the read cache before the dashboard's own memo.
        assert_eq!(value(&scrape, "normtrack_cache_lookups_total", &[("cache", "reads"), ("outcome", "hit")]), Some(1.0));
        assert_eq!(value(&scrape, "normtrack_cache_lookups_total", &[("cache", "dashboard"), ("outcome", "miss")]), Some(1.0));
        assert!(value(&scrape, "normtrack_db_pool_max_connections", &[]).is_some_and(|v| v >= 1.0));
        assert!(value(&scrape, "normtrack_store_epoch", &[]).is_some());
        assert!(scrape.samples.iter().any(|s| s.metric == "normtrack_http_request_duration_seconds_bucket" || s.metric == "normtrack_http_request_duration_seconds"));
        app.get_as(Who::Office, "/metrics").problem(403);
        app.send_with_token(None, Req::new("GET", "/metrics")).problem(401);
    }
}

/// `NORMTRACK_METRICS_BIND`: the same figures without a token on a separate address.
#[test]
fn metrics_are_served_without_a_token_on_their_own_address() {
    let app = TestApp::spawn(crate::helpers::Engine::Sqlite).expect("an app");
    app.get("/api/v1/countries").ok_json();
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = listener.local_addr().expect("its address");
    let state = app.state.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            normtrack::startup::run_metrics(listener, state)
                .expect("metrics server")
                .await
        })
    });
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent();
    let mut body = String::new();
    for _ in 0..50 {
        if let Ok(mut response) = agent.get(&format!("http://{address}/metrics")).call() {
            assert_eq!(response.status(), 200);
            body = response.body_mut().read_to_string().expect("a body");
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let scrape = parse(&body);
    assert_eq!(
        value(
            &scrape,
            "normtrack_http_requests_total",
            &[("route", "/api/v1/countries"), ("status", "200")]
        ),
        Some(1.0),
        "{body}"
    );
}
