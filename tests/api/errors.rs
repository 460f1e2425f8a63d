//! Malformed input of every kind gets a 4xx problem+json answer, never a 500.

use crate::on_both_engines;

on_both_engines! {
    fn a_known_path_with_another_method_is_405_with_allow(app) {
        let response = app.send(crate::helpers::Who::Admin, crate::helpers::Req::new("DELETE", "/api/v1/ratifications/ZWE/C087"));
        response.problem(405);
        assert_eq!(response.header("allow"), Some("GET, PUT"));
        let response = app.send(crate::helpers::Who::Anonymous, crate::helpers::Req::new("POST", "/healthz"));
        response.problem(405);
        assert_eq!(response.header("allow"), Some("GET"));
        // Nothing changed.
        assert_eq!(app.get("/api/v1/ratifications/ZWE/C087").ok_json()["version"], 1);
    }

    fn unknown_routes_are_404_problems(app) {
        app.get("/nothing-here").problem(404);
        app.get("/api/v1/").problem(404);
        app.get("/api/v2/countries").problem(404);
        app.get("/api/v1/countries/VNM/extra").problem(404);
    }

    fn unknown_and_duplicated_query_parameters_are_400_problems(app) {
        let problem = app.get("/api/v1/countries?contry=VNM").problem(400);
        assert!(problem["detail"].as_str().unwrap().contains("contry"));
        app.get("/api/v1/ratifications?page=1&page=2").problem(400);
        app.get("/api/v1/conventions?category=fundamental&category=governance").problem(400);
    }

    fn malformed_input_never_gets_a_server_error(app) {
        let paths = [
            "/api/v1/countries/%FF%FE",
            "/api/v1/countries/%00%00%00",
            "/api/v1/countries/%E2%82",
            "/api/v1/ratifications/%FF/%FE",
            "/api/v1/ratifications?country=%FF%FE%FD",
            "/api/v1/countries?q=%FF%FE",
            "/api/v1/countries?q=%27%3B%20DROP%20TABLE%20countries%3B--",
            "/api/v1/countries?q=%00",
            "/api/v1/countries?per_page=%FF",
            "/api/v1/countries?page=1%00",
            "/api/v1/countries?region=",
            "/api/v1/ratifications?status=&country=",
            "/api/v1/conventions/C0",
            "/api/v1/conventions/C%2F87",
            "/api/v1/ratifications/VNM/%2E%2E",
            "/api/v1/countries?%ZZ=1",
        ];
        for path in paths {
            let response = app.get(path);
            assert!(response.status < 500, "{path}: {} {}", response.status, response.body);
            if response.status >= 400 {
                response.problem(response.status);
            }
        }
        let response = app.get("/api/v1/countries?q=a%00b");
        response.problem(400);
        assert_eq!(response.error_fields(), ["q"]);
        // The country list is intact after the injection attempt.
        assert_eq!(app.get("/api/v1/countries").ok_json()["total"], 187);
    }

    fn empty_filters_mean_no_filter_or_a_clear_400(app) {
        // An empty name search matches every country.
        assert_eq!(app.get("/api/v1/countries?q=").ok_json()["total"], 187);
        // An empty enum value is not one of the allowed values.
        let response = app.get("/api/v1/countries?region=");
        response.problem(400);
        assert_eq!(response.error_fields(), ["region"]);
    }

    fn bodies_and_content_types_on_read_routes_are_refused_cleanly(app) {
        // Writing to a read-only collection: the path exists, the method does not.
        let refused = app.post("/api/v1/countries", "application/json", b"{\"iso3\":\"XXX\"}");
        refused.problem(405);
        assert_eq!(refused.header("allow"), Some("GET"));
        app.post("/api/v1/countries", "application/xml", b"<country/>").problem(405);
        app.post("/api/v1/ratifications", "text/csv", b"\xff\xfe\x00garbage").problem(405);
        // A GET with an odd content type and a body is still a GET.
        let response = app.get_with("/api/v1/conventions", &[("Content-Type", "text/plain; charset=banana")]);
        assert_eq!(response.status, 200);
        assert_eq!(app.get("/api/v1/countries").ok_json()["total"], 187);
    }

    fn non_utf8_bytes_in_the_request_line_are_refused_with_a_4xx(app) {
        let status = app.raw_status(b"GET /api/v1/countries/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert!((400..500).contains(&status), "status {status}");
        let status = app.raw_status(b"GET /api/v1/countries?q=\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert!((200..500).contains(&status), "status {status}");
        let status = app.raw_status(b"BREW /api/v1/countries HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert!((400..500).contains(&status), "status {status}");
    }
}
