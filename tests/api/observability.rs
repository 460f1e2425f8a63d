//! Observable requests (issue 14): a request id on every answer, in every problem+json body and
//! on the log lines of its request.

use crate::helpers::{captured_logs, Req, Who};
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
