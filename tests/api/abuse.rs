//! Hostile input: oversized or deeply nested bodies, huge CSV fields, oversized and
//! conflicting headers. Each gets a clear 4xx and changes nothing.

use serde_json::json;

use crate::helpers::{Req, TestApp, Who};
use crate::on_both_engines;

fn audit_total(app: &TestApp) -> i64 {
    app.get("/api/v1/audit").ok_json()["total"].as_i64().unwrap()
}

on_both_engines! {
    fn deeply_nested_json_is_a_400_and_changes_nothing(app) {
        let before = audit_total(app);
        let depth = 5_000;
        let body = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let mut req = Req::new("POST", "/api/v1/gaps");
        req.body = Some(("application/json".into(), body.into_bytes()));
        app.send(Who::Admin, req).problem(400);
        assert_eq!(audit_total(app), before);
    }

    fn an_oversized_json_body_is_a_413(app) {
        let huge = "x".repeat(2 * 1024 * 1024);
        let response = app.send(Who::Admin, Req::new("POST", "/api/v1/gaps").json(json!({"country": "ZWE", "conventions": ["C087"], "title": huge, "source": "s"})));
        response.problem(413);
    }

    fn a_huge_csv_field_is_refused_with_its_line_and_not_echoed(app) {
        let before = audit_total(app);
        let notes = "n".repeat(100_000);
        let csv = format!("country,convention,status,source,notes\nZWE,C155,in_progress,test,short\nZWE,C187,in_progress,test,{notes}\n");
        let mut req = Req::new("POST", "/api/v1/imports/ratifications");
        req.body = Some(("text/csv".into(), csv.into_bytes()));
        let response = app.send(Who::Admin, req);
        let problem = response.problem(422);
        assert!(response.body.len() < 10_000, "the field is not echoed back ({} bytes)", response.body.len());
        let errors = problem["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{problem}");
        assert_eq!(errors[0]["line"], 3);
        assert_eq!(errors[0]["field"], "notes");
        assert_eq!(audit_total(app), before, "all or nothing");
        app.get("/api/v1/ratifications/ZWE/C155").problem(404);
    }

    fn oversized_and_conflicting_headers_are_refused(app) {
        // A header far beyond any real one.
        let big = "a".repeat(64 * 1024);
        let request = format!("GET /api/v1/countries HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\nConnection: close\r\n\r\n");
        let status = app.raw_status(request.as_bytes());
        assert!((400..500).contains(&status), "status {status}");
        // Two different Content-Length headers.
        let status = app.raw_status(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 30\r\nConnection: close\r\n\r\n{}");
        assert!((400..500).contains(&status), "status {status}");
        // Two Authorization headers.
        let token = app.token(Who::Admin).unwrap().to_string();
        let response = app.send_with_token(
            None,
            Req::new("GET", "/api/v1/users")
                .header("Authorization", &format!("Bearer {token}"))
                .header("Authorization", "Bearer other"),
        );
        response.problem(400);
    }
}
