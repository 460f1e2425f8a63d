use crate::on_both_engines;

on_both_engines! {
    fn healthz_answers_ok(app) {
        let body = app.get("/healthz").ok_json();
        assert_eq!(body["status"], "ok");
    }

    fn readyz_reports_the_engine_it_reached(app) {
        let body = app.get("/readyz").ok_json();
        assert_eq!(body["status"], "ready");
        let expected = match app.engine {
            crate::helpers::Engine::Sqlite => "sqlite",
            crate::helpers::Engine::Postgres => "postgres",
        };
        assert_eq!(body["database"], expected);
    }

    fn swagger_ui_is_served(app) {
        let response = app.get("/swagger-ui/");
        assert_eq!(response.status, 200);
        assert!(response.header("content-type").unwrap_or_default().starts_with("text/html"));
    }
}

#[test]
fn answers_503_problem_while_the_database_is_unreachable() {
    // A pool whose database cannot be reached (nothing listens on port 1).
    let manager = normtrack::db::ConnectionManager::new("postgres://nobody@127.0.0.1:1/none");
    let pool = r2d2::Pool::builder()
        .connection_timeout(std::time::Duration::from_millis(500))
        .build_unchecked(manager);
    let state = normtrack::api::AppState {
        pool,
        engine: normtrack::db::Engine::Postgres,
    };
    let app = crate::helpers::TestApp::serve(state, crate::helpers::Engine::Postgres, None);
    let response = app.get("/readyz");
    response.problem(503);
    assert!(response.header("retry-after").is_some());
    app.get("/api/v1/countries").problem(503);
    app.get("/api/v1/ratifications/VNM/C098").problem(503);
    // Liveness does not depend on the database.
    assert_eq!(app.get("/healthz").status, 200);
}
