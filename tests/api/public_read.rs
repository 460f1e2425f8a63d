//! The optional public read (`NORMTRACK_PUBLIC_READ=true`): anonymous callers read public
//! data within an allowance per client address; the access matrix checks every route both
//! ways (`access_matrix`), the page opens without signing in (`page`).

use crate::helpers::{Engine, Req, TestApp, Who};

fn allowance_then_429_with_retry_after(app: &TestApp) {
    for _ in 0..3 {
        assert_eq!(
            app.send(Who::Anonymous, Req::new("GET", "/api/v1/countries?region=africa"))
                .status,
            200
        );
    }
    let refused = app.send(Who::Anonymous, Req::new("GET", "/api/v1/conventions"));
    let problem = refused.problem(429);
    assert!(
        problem["detail"].as_str().unwrap().contains("without a token"),
        "{problem}"
    );
    let wait: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Signed-in callers are not counted against it; what is not public still needs a token.
    assert_eq!(
        app.send(Who::Viewer, Req::new("GET", "/api/v1/conventions"))
            .status,
        200
    );
    assert_eq!(
        app.send(Who::Anonymous, Req::new("GET", "/api/v1/gaps")).status,
        401
    );
    // A token that is sent is checked, public data or not.
    let forged = app.send_with_token(Some("not-a-token"), Req::new("GET", "/api/v1/countries"));
    assert_eq!(forged.status, 401);
}

mod anonymous_reads_are_limited_per_address_with_retry_after {
    use super::*;

    fn spawn(engine: Engine) -> Option<TestApp> {
        TestApp::spawn_with(engine, |s| s.limits.public_read_per_minute = Some(3))
    }

    #[test]
    fn sqlite() {
        allowance_then_429_with_retry_after(&spawn(Engine::Sqlite).expect("SQLite app"));
    }

    #[test]
    fn postgres() {
        if let Some(app) = spawn(Engine::Postgres) {
            allowance_then_429_with_retry_after(&app);
        }
    }
}
