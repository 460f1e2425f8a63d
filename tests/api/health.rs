use normtrack::auth::jwt::Claims;
use normtrack::domain::access::{Principal, Role};

use crate::helpers::Req;
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
    let auth = std::sync::Arc::new(normtrack::auth::Auth::new(b"0123456789abcdef0123456789abcdef", 2));
    let state = normtrack::api::AppState {
        pool,
        engine: normtrack::db::Engine::Postgres,
        auth: auth.clone(),
        cache: Default::default(),
        reads: Default::default(),
        changes: Default::default(),
        limits: Default::default(),
        in_flight: normtrack::api::client::InFlight::new(32),
        public_base: "http://normtrack.test".into(),
        metrics: Default::default(),
        notify: std::sync::Arc::new(normtrack::api::NotifySettings {
            webhooks: Default::default(),
            mailer: None,
        }),
        sso: Default::default(),
    };
    let app = crate::helpers::TestApp::serve(state, crate::helpers::Engine::Postgres, None);
    let response = app.send_with_token(None, Req::new("GET", "/readyz"));
    response.problem(503);
    assert!(response.header("retry-after").is_some());
    let now = chrono::Utc::now().timestamp();
    let claims = Claims::new(Principal::User(1), Role::Admin, now, 600);
    let token = auth.keys.issue(&claims).expect("token");
    app.send_with_token(Some(&token), Req::new("GET", "/api/v1/countries"))
        .problem(503);
    app.send_with_token(Some(&token), Req::new("GET", "/api/v1/ratifications/VNM/C098"))
        .problem(503);
    // Liveness does not depend on the database.
    assert_eq!(app.send_with_token(None, Req::new("GET", "/healthz")).status, 200);
}
