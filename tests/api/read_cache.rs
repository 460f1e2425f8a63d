//! The read cache (`api::read_cache`): answers from memory that are never stale, never cross
//! callers, and follow the language.

use serde_json::json;

use crate::helpers::{import_as_another_process, Engine, Req, TestApp, Who};
use crate::on_both_engines;

fn total(app: &TestApp, who: Who, path: &str) -> i64 {
    app.get_as(who, path).ok_json()["total"].as_i64().unwrap()
}

fn gap(app: &TestApp, country: &str) {
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/gaps").json(json!({
            "country": country, "conventions": ["C087"], "title": "Labour Act excludes domestic workers",
            "source": "CEACR observation 2023"
        })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
}

/// Reads that were made rather than answered from memory, so far.
fn reads_made(app: &TestApp) -> u64 {
    let metrics = app.get_as(Who::Admin, "/metrics");
    assert_eq!(metrics.status, 200);
    metrics
        .body
        .lines()
        .find(|l| {
            l.starts_with("normtrack_cache_lookups_total{")
                && l.contains(r#"cache="reads""#)
                && l.contains(r#"outcome="miss""#)
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

on_both_engines! {
    fn many_callers_missing_one_answer_at_once_make_it_once(app) {
        // A write makes every kept answer stale; then wait until no notice of it is pending
        // (PostgreSQL's arrives after the write's own), so the burst sees one epoch.
        gap(app, "ZWE");
        let mut epoch = app.state.changes.epoch();
        loop {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let now = app.state.changes.epoch();
            if now == epoch {
                break;
            }
            epoch = now;
        }
        let made_before = reads_made(app);
        let answers: Vec<_> = std::thread::scope(|s| {
            let burst: Vec<_> = (0..16)
                .map(|_| s.spawn(|| app.get_as(Who::Admin, "/api/v1/dashboard/summary")))
                .collect();
            burst.into_iter().map(|h| h.join().expect("a reader")).collect()
        });
        assert!(answers.iter().all(|a| a.status == 200));
        assert!(answers.iter().all(|a| a.body == answers[0].body), "one answer for all");
        assert_eq!(reads_made(app) - made_before, 1, "sixteen callers at once, one computation");
        assert_eq!(app.state.reads.making(), 0, "nothing left marked as being made");
    }

    fn a_write_is_seen_at_once_by_the_next_read(app) {
        let path = "/api/v1/ratifications?country=KGZ";
        let before = total(app, Who::Viewer, path);
        let first = app.get_as(Who::Viewer, path);
        let tag = first.header("etag").expect("every kept answer has a validator").to_string();
        // The same answer again, from memory: 304 for its tag.
        let again = app.send(Who::Viewer, Req::new("GET", path).header("If-None-Match", &tag));
        assert_eq!(again.status, 304);
        assert_eq!(again.header("etag"), Some(tag.as_str()));
        let put = app.send(Who::Admin, Req::new("PUT", "/api/v1/ratifications/KGZ/C111").json(json!({
            "status": "ratified", "registered_on": "2017-03-01", "source": "cache test", "source_date": "2017-03-01"
        })));
        assert_eq!(put.status, 201, "{}", put.body);
        assert_eq!(total(app, Who::Viewer, path), before + 1, "the next read after the write");
        let after = app.send(Who::Viewer, Req::new("GET", path).header("If-None-Match", &tag));
        assert_eq!(after.status, 200, "the old tag no longer matches");
        assert_ne!(after.header("etag"), Some(tag.as_str()));
    }

    fn callers_of_different_scopes_get_their_own_answers_on_one_url(app) {
        gap(app, "ZWE");
        gap(app, "VNM");
        for _ in 0..2 {
            assert_eq!(total(app, Who::Admin, "/api/v1/gaps"), 2, "every country");
            assert_eq!(total(app, Who::Government, "/api/v1/gaps"), 1, "its own country only");
            assert_eq!(total(app, Who::Worker, "/api/v1/gaps"), 1, "its own country only");
            assert_eq!(total(app, Who::Viewer, "/api/v1/ratifications?country=VNM"), total(app, Who::Admin, "/api/v1/ratifications?country=VNM"));
        }
        // One URL, one answer per person.
        for who in [Who::Government, Who::Worker, Who::Government] {
            let me = app.get_as(who, "/api/v1/auth/me").ok_json();
            assert_eq!(me["user"]["email"], who.email());
        }
        // Without a token: refused, never an answer kept for someone else.
        app.send_with_token(None, Req::new("GET", "/api/v1/gaps")).problem(401);
    }

    fn a_records_version_tag_never_stands_for_its_answer(app) {
        // GET /conventions/{code} carries the instrument's version (for If-Match) and its
        // ratification counts, which move without a new version: no 304 for the version tag.
        let path = "/api/v1/conventions/C111";
        let first = app.get(path);
        let version = first.header("etag").expect("a record's ETag").to_string();
        assert_eq!(app.send(Who::Admin, Req::new("GET", path).header("If-None-Match", &version)).status, 200);
        let put = app.send(Who::Admin, Req::new("PUT", "/api/v1/ratifications/KGZ/C111").json(json!({
            "status": "ratified", "registered_on": "2017-03-01", "source": "cache test", "source_date": "2017-03-01"
        })));
        assert_eq!(put.status, 201, "{}", put.body);
        let after = app.send(Who::Admin, Req::new("GET", path).header("If-None-Match", &version));
        assert_eq!(after.status, 200);
        assert_eq!(after.header("etag"), Some(version.as_str()), "the same version");
        assert_ne!(after.json()["ratifications"], first.json()["ratifications"], "other counts");
    }

    fn a_language_change_is_a_different_answer(app) {
        let path = "/api/v1/countries/DEU";
        let english = app.get(path);
        let french = app.get_with(path, &[("Accept-Language", "fr")]);
        assert_eq!(english.json()["name"], "Germany");
        assert_eq!(french.json()["name"], "Allemagne");
        assert_ne!(english.header("etag"), french.header("etag"));
        assert_eq!(app.get(path).json()["name"], "Germany");
        assert_eq!(app.get(&format!("{path}?lang=es")).json()["name"], "Alemania");
        // A kept answer in which English stood in still says so.
        let created = app.send(Who::Admin, Req::new("POST", "/api/v1/conventions").json(json!({
            "code": "C190", "instrument_type": "convention", "title": "Violence and Harassment Convention",
            "category": "technical", "adopted_year": 2019, "dates_source": "test"
        })));
        assert_eq!(created.status, 201, "{}", created.body);
        for _ in 0..2 {
            assert_eq!(app.get("/api/v1/conventions/C190?lang=fr").header("content-language"), Some("fr, en"));
        }
    }

    fn a_write_by_another_process_reaches_the_kept_answers_within_moments(app) {
        let path = "/api/v1/ratifications?country=KGZ";
        let before = total(app, Who::Viewer, path);
        assert_eq!(total(app, Who::Viewer, path), before);
        import_as_another_process(app, "country,convention,status,registered_on,source\nKGZ,C111,ratified,2017-03-01,test\n");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while total(app, Who::Viewer, path) != before + 1 {
            assert!(std::time::Instant::now() < deadline, "the kept answer did not follow the other process's write");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

/// Two instances on one PostgreSQL database: a write through one reaches the other's kept
/// answers within the change notification's delivery.
#[test]
fn a_write_through_one_instance_reaches_a_second_sharing_one_postgresql() {
    let Some(first) = TestApp::spawn(Engine::Postgres) else {
        return;
    };
    let settings = crate::helpers::TestDb::settings_for(first.database_url());
    let state = normtrack::startup::prepare_database(&settings).expect("second instance");
    let second = TestApp::serve(state, Engine::Postgres, None);
    let path = "/api/v1/ratifications?country=KGZ";
    let read = |app: &TestApp| {
        app.send_with_token(first.token(Who::Admin), Req::new("GET", path))
            .ok_json()["total"]
            .as_i64()
            .unwrap()
    };
    let before = read(&second);
    assert_eq!(read(&second), before, "kept");
    let put = first.send(Who::Admin, Req::new("PUT", "/api/v1/ratifications/KGZ/C111").json(json!({
        "status": "ratified", "registered_on": "2017-03-01", "source": "cache test", "source_date": "2017-03-01"
    })));
    assert_eq!(put.status, 201, "{}", put.body);
    let started = std::time::Instant::now();
    while read(&second) != before + 1 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "the second instance kept a stale answer"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    eprintln!(
        "the second instance followed the write after {:?}",
        started.elapsed()
    );
}
