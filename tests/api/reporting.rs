//! Reporting: generation from the schedule (idempotent, first and regular reports, standard
//! tasks), the command line run, status moves, `overdue` around today, task permissions per
//! role and organization, the deadline merge, and the iCalendar feed with its tokens.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use icalendar::{Calendar, Component, DatePerhapsTime};
use serde_json::{json, Value};

use crate::helpers::{Req, TestApp, TestResponse, Who};
use crate::on_both_engines;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn post(app: &TestApp, who: Who, path: &str, body: Value) -> TestResponse {
    app.send(who, Req::new("POST", path).json(body))
}

fn put(app: &TestApp, who: Who, path: &str, tag: Option<&str>, body: Value) -> TestResponse {
    let mut req = Req::new("PUT", path).json(body);
    if let Some(tag) = tag {
        req = req.header("If-Match", tag);
    }
    app.send(who, req)
}

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().expect("items").clone()
}

/// A follow-up request of `country`, due on `due`, made by the administrator.
fn follow_up(app: &TestApp, country: &str, due: NaiveDate) -> Value {
    let created = post(
        app,
        Who::Admin,
        "/api/v1/report-requests",
        json!({"kind": "article22_follow_up", "country": country, "conventions": ["C087"], "year": due.year(),
               "due_on": due.to_string(), "detailed": true, "reason": "CEACR asks about the amended Labour Act"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()
}

fn task(app: &TestApp, who: Who, request: i64, organization: i32, due: NaiveDate) -> TestResponse {
    post(
        app,
        who,
        "/api/v1/tasks",
        json!({"report_request": request, "kind": "other", "organization": organization,
               "title": format!("task due {due}"), "due_on": due.to_string()}),
    )
}

/// Prepares Zimbabwe for 2027: C155 ratified in March 2025 (in force March 2026: first report
/// due 2027) and C087's official schedule asking for a regular report in 2027.
fn prepare_zimbabwe_2027(app: &TestApp) {
    let ratified = put(
        app,
        Who::Admin,
        "/api/v1/ratifications/ZWE/C155",
        None,
        json!({"status": "ratified", "registered_on": "2025-03-01", "source": "test registration"}),
    );
    assert_eq!(ratified.status, 201, "{}", ratified.body);
    let tag = app.etag_of("/api/v1/report-schedules/ZWE/C087");
    let schedule = put(
        app,
        Who::Office,
        "/api/v1/report-schedules/ZWE/C087",
        Some(&tag),
        json!({"cycle_years": 3, "next_regular_year": 2027, "notes": "official schedule"}),
    );
    assert_eq!(schedule.status, 200, "{}", schedule.body);
    assert_eq!(schedule.json()["basis"], "official");
    assert_eq!(schedule.json()["upcoming_years"][0], 2027);
}

fn zimbabwe_requests(app: &TestApp, year: i32) -> Vec<Value> {
    items(
        &app.get(&format!(
            "/api/v1/report-requests?country=ZWE&year={year}&per_page=500"
        ))
        .ok_json(),
    )
}

on_both_engines! {
    fn generates_first_and_regular_requests_with_standard_tasks_idempotently(app) {
        prepare_zimbabwe_2027(app);
        let first = post(app, Who::Admin, "/api/v1/report-requests/generate", json!({"year": 2027})).ok_json();
        assert_eq!(first["due_on"], "2027-09-01");
        assert!(first["created"]["article22_regular"].as_u64().unwrap() > 0, "{first}");
        assert!(first["created"]["article22_first"].as_u64().unwrap() >= 1, "{first}");
        assert_eq!(first["already_present"]["article22_regular"], 0);

        let zwe = zimbabwe_requests(app, 2027);
        let of = |code: &str| zwe.iter().find(|r| r["conventions"] == json!([code])).cloned();
        let c155 = of("C155").expect("C155 first report");
        assert_eq!(c155["kind"], "article22_first");
        assert_eq!(c155["detailed"], true);
        assert_eq!(c155["due_on"], "2027-09-01");
        assert_eq!(c155["generated"], true);
        let c087 = of("C087").expect("C087 regular report");
        assert_eq!(c087["kind"], "article22_regular");
        assert_eq!(c087["detailed"], false);
        assert_eq!(c087["status"], "requested");

        // The standard tasks: the government drafts and sends copies, employers and workers
        // may send observations.
        let tasks = items(&app.get(&format!("/api/v1/tasks?report_request={}", c087["id"])).ok_json());
        let mut got: Vec<(String, i64)> = tasks
            .iter()
            .map(|t| (t["kind"].as_str().unwrap().to_string(), t["organization"].as_i64().unwrap()))
            .collect();
        got.sort();
        let org = |kind: &str| i64::from(app.fixture().organization("ZWE", kind));
        let mut want = vec![
            ("draft_report".to_string(), org("government")),
            ("send_copies_article23".to_string(), org("government")),
            ("submit_observations".to_string(), org("employer")),
            ("submit_observations".to_string(), org("worker")),
        ];
        want.sort();
        assert_eq!(got, want);
        assert!(tasks.iter().all(|t| t["due_on"] == "2027-09-01" && t["status"] == "open"));

        // A second run creates nothing and counts what is there.
        let second = post(app, Who::Admin, "/api/v1/report-requests/generate", json!({"year": 2027})).ok_json();
        assert_eq!(second["created"], json!({"article22_regular": 0, "article22_first": 0, "article22_follow_up": 0, "tasks": 0}));
        assert_eq!(second["already_present"], first["created"], "{second}");
        assert_eq!(zimbabwe_requests(app, 2027).len(), zwe.len());

        // The next year: C155's first report exists, so nothing more for it; C087 is not due.
        post(app, Who::Admin, "/api/v1/report-requests/generate", json!({"year": 2028})).ok_json();
        let next = zimbabwe_requests(app, 2028);
        assert!(next.iter().all(|r| r["conventions"] != json!(["C155"]) && r["conventions"] != json!(["C087"])), "{next:?}");

        // Every generated request is in the audit log.
        let audit = app.get("/api/v1/audit?entity=report_request&country=ZWE&per_page=500").ok_json();
        assert!(audit["total"].as_i64().unwrap() >= zwe.len() as i64);
    }

    fn concurrent_generation_runs_create_each_request_once(app) {
        let results: Vec<TestResponse> = std::thread::scope(|scope| {
            let runs: Vec<_> = (0..2)
                .map(|_| scope.spawn(|| post(app, Who::Admin, "/api/v1/report-requests/generate", json!({"year": 2029}))))
                .collect();
            runs.into_iter().map(|r| r.join().expect("run")).collect()
        });
        let created: u64 = results
            .iter()
            .map(|r| r.ok_json()["created"]["article22_regular"].as_u64().unwrap())
            .sum();
        let present: u64 = results
            .iter()
            .map(|r| r.json()["already_present"]["article22_regular"].as_u64().unwrap())
            .sum();
        let stored = app.get("/api/v1/report-requests?year=2029&kind=article22_regular").ok_json()["total"].as_u64().unwrap();
        assert!(stored > 0);
        assert_eq!(created, stored, "each request made once");
        assert_eq!(present, stored, "the run that waited found them all");
    }

    fn generation_skips_ratifications_not_yet_in_force_and_checks_its_input(app) {
        // Registered in June 2026: in force June 2027, so no report of any kind for 2027.
        let ratified = put(
            app,
            Who::Admin,
            "/api/v1/ratifications/VNM/C155",
            None,
            json!({"status": "ratified", "registered_on": "2026-06-01", "source": "test registration"}),
        );
        assert_eq!(ratified.status, 201, "{}", ratified.body);
        post(app, Who::Admin, "/api/v1/report-requests/generate", json!({"year": 2027})).ok_json();
        let c155 = app.get("/api/v1/report-requests?country=VNM&convention=C155").ok_json();
        assert_eq!(c155["total"], 0, "{c155}");
        // Its default schedule starts after its first report (2028): 2031.
        let schedule = app.get("/api/v1/report-schedules/VNM/C155").ok_json();
        assert_eq!(schedule["basis"], "default");
        assert_eq!(schedule["next_regular_year"], 2031);

        post(app, Who::Admin, "/api/v1/report-requests/generate", json!({"year": 1800})).problem(400);
        post(app, Who::Admin, "/api/v1/report-requests/generate", json!({"year": "2027"})).problem(400);
        let wrong_year = post(app, Who::Admin, "/api/v1/report-requests/generate", json!({"year": 2027, "due_on": "2028-01-01"}));
        assert_eq!(wrong_year.problem(422)["errors"][0]["field"], "due_on");
    }

    fn the_command_line_generates_the_same_requests(app) {
        prepare_zimbabwe_2027(app);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_normtrack"))
            .args(["reports", "generate", "--year", "2027"])
            .env("DATABASE_URL", app.database_url())
            .env("RUST_LOG", "warn")
            .output()
            .expect("normtrack runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
        assert!(stdout.contains("2027 (due 2027-09-01): created"), "{stdout}");
        let c155 = app.get("/api/v1/report-requests?country=ZWE&convention=C155").ok_json();
        assert_eq!(c155["items"][0]["kind"], "article22_first");
        // The API run that follows finds everything in place.
        let again = post(app, Who::Admin, "/api/v1/report-requests/generate", json!({"year": 2027})).ok_json();
        assert_eq!(again["created"], json!({"article22_regular": 0, "article22_first": 0, "article22_follow_up": 0, "tasks": 0}));
    }

    fn government_and_office_move_the_status_and_submitting_needs_a_date(app) {
        let request = follow_up(app, "ZWE", today() + Duration::days(30));
        let path = format!("/api/v1/report-requests/{}", request["id"]);
        let status_path = format!("{path}/status");
        // No If-Match: 428; a stale one: 412.
        put(app, Who::Government, &status_path, None, json!({"status": "in_preparation"})).problem(428);
        put(app, Who::Government, &status_path, Some("\"report_request-0-v9\""), json!({"status": "in_preparation"})).problem(412);
        let tag = app.etag_of(&path);
        put(app, Who::Employer, &status_path, Some(&tag), json!({"status": "in_preparation"})).problem(403);
        let moved = put(app, Who::Government, &status_path, Some(&tag), json!({"status": "in_preparation"}));
        assert_eq!(moved.ok_json()["status"], "in_preparation");
        let tag = moved.header("etag").unwrap().to_string();
        let no_date = put(app, Who::Government, &status_path, Some(&tag), json!({"status": "submitted"}));
        assert_eq!(no_date.problem(422)["errors"][0]["field"], "submitted_on");
        let tomorrow = (today() + Duration::days(1)).to_string();
        put(app, Who::Government, &status_path, Some(&tag), json!({"status": "submitted", "submitted_on": tomorrow})).problem(422);
        let submitted = put(app, Who::Office, &status_path, Some(&tag), json!({"status": "submitted", "submitted_on": today().to_string()}));
        let body = submitted.ok_json();
        assert_eq!(body["status"], "submitted");
        assert_eq!(body["submitted_on"], today().to_string());
        // Another country's request: not the ZWE government's to see, not the ZWE office's to move.
        let other = follow_up(app, "VNM", today() + Duration::days(30));
        let other_path = format!("/api/v1/report-requests/{}", other["id"]);
        let other_tag = app.etag_of(&other_path);
        put(app, Who::Government, &format!("{other_path}/status"), Some(&other_tag), json!({"status": "in_preparation"})).problem(404);
        put(app, Who::Office, &format!("{other_path}/status"), Some(&other_tag), json!({"status": "in_preparation"})).problem(403);
        // Both moves are audited.
        let audit = app.get(&format!("/api/v1/audit?entity=report_request&entity_id={}", request["id"])).ok_json();
        assert_eq!(audit["total"], 3, "{audit}");
    }

    fn derives_overdue_around_today_and_filters_by_it(app) {
        let yesterday = follow_up(app, "ZWE", today() - Duration::days(1));
        let due_today = follow_up(app, "ZWE", today());
        let tomorrow = follow_up(app, "ZWE", today() + Duration::days(1));
        assert_eq!(yesterday["overdue"], true);
        assert_eq!(due_today["overdue"], false, "due today is not overdue");
        assert_eq!(tomorrow["overdue"], false);
        let overdue = app.get_as(Who::Government, "/api/v1/report-requests?overdue=true").ok_json();
        let ids: Vec<&Value> = overdue["items"].as_array().unwrap().iter().map(|r| &r["id"]).collect();
        assert_eq!(ids, vec![&yesterday["id"]]);
        let not_overdue = app.get("/api/v1/report-requests?overdue=false&country=ZWE").ok_json();
        assert_eq!(not_overdue["total"], 2);
        // Submitted, it is no longer overdue.
        let path = format!("/api/v1/report-requests/{}", yesterday["id"]);
        let tag = app.etag_of(&path);
        put(app, Who::Government, &format!("{path}/status"), Some(&tag), json!({"status": "submitted", "submitted_on": today().to_string()})).ok_json();
        assert_eq!(app.get(&path).ok_json()["overdue"], false);
        assert_eq!(app.get("/api/v1/report-requests?overdue=true").ok_json()["total"], 0);
        app.get("/api/v1/report-requests?overdue=maybe").problem(400);
        app.get("/api/v1/report-requests?due_from=yesterday").problem(400);
    }

    fn hand_made_requests_follow_the_rules(app) {
        let base = json!({"kind": "article22_follow_up", "country": "ZWE", "conventions": ["C087"], "year": 2027, "due_on": "2027-09-01"});
        let no_reason = post(app, Who::Office, "/api/v1/report-requests", base.clone());
        assert_eq!(no_reason.problem(422)["errors"][0]["field"], "reason");
        let mut regular = base.clone();
        regular["kind"] = json!("article22_regular");
        regular["reason"] = json!("by hand");
        assert_eq!(post(app, Who::Office, "/api/v1/report-requests", regular).problem(422)["errors"][0]["field"], "kind");
        let mut unknown = base.clone();
        unknown["conventions"] = json!(["C999"]);
        unknown["reason"] = json!("x");
        post(app, Who::Office, "/api/v1/report-requests", unknown).problem(422);
        let survey = post(
            app,
            Who::Office,
            "/api/v1/report-requests",
            json!({"kind": "article19", "country": "ZWE", "conventions": ["C187", "C155"], "year": 2027, "due_on": "2027-02-28"}),
        );
        assert_eq!(survey.status, 201, "{}", survey.body);
        assert_eq!(survey.json()["conventions"], json!(["C155", "C187"]));
        assert_eq!(survey.json()["generated"], false);
        assert!(survey.header("location").unwrap().starts_with("/api/v1/report-requests/"));
    }

    fn task_permissions_follow_role_organization_and_country(app) {
        let request = follow_up(app, "ZWE", today() + Duration::days(60));
        let id = request["id"].as_i64().unwrap();
        let government = app.fixture().organization("ZWE", "government");
        let worker = app.fixture().organization("ZWE", "worker");
        let due = today() + Duration::days(20);
        // Every constituent of the country files tasks; the office too.
        let drafting = task(app, Who::Employer, id, government, due);
        assert_eq!(drafting.status, 201, "{}", drafting.body);
        let drafting = drafting.json();
        let observations = task(app, Who::Office, id, worker, due).json();
        // An organization of another country: 422.
        let foreign = task(app, Who::Government, id, app.fixture().organization("VNM", "worker"), due);
        assert_eq!(foreign.problem(422)["errors"][0]["field"], "organization");

        let change = |who: Who, t: &Value, body: Value| {
            let path = format!("/api/v1/tasks/{}", t["id"]);
            let tag = app.etag_of(&path);
            put(app, who, &path, Some(&tag), body)
        };
        let body = |t: &Value, organization: i32, status: &str, completed: Option<NaiveDate>| {
            let mut b = json!({"report_request": t["report_request"], "kind": t["kind"], "organization": organization,
                               "title": t["title"], "due_on": t["due_on"], "status": status});
            if let Some(c) = completed {
                b["completed_on"] = json!(c.to_string());
            }
            b
        };
        // The worker changes its own organization's task, not the government's, and does not reassign.
        change(Who::Worker, &observations, body(&observations, worker, "in_progress", None)).ok_json();
        change(Who::Worker, &drafting, body(&drafting, government, "in_progress", None)).problem(403);
        change(Who::Worker, &observations, body(&observations, government, "in_progress", None)).problem(403);
        // Done needs a completion date.
        let undated = change(Who::Government, &drafting, body(&drafting, government, "done", None));
        assert_eq!(undated.problem(422)["errors"][0]["field"], "completed_on");
        let done = change(Who::Government, &drafting, body(&drafting, government, "done", Some(today()))).ok_json();
        assert_eq!(done["status"], "done");
        // The office changes and reassigns any task of its country.
        change(Who::Office, &observations, body(&observations, government, "open", None)).ok_json();

        // Another country's tasks are invisible to this country's constituents and office: 404.
        let other = follow_up(app, "VNM", today() + Duration::days(60));
        let vnm_task = task(app, Who::Admin, other["id"].as_i64().unwrap(), app.fixture().organization("VNM", "worker"), due).json();
        let vnm_path = format!("/api/v1/tasks/{}", vnm_task["id"]);
        for who in [Who::Office, Who::Government, Who::Employer, Who::Worker] {
            app.get_as(who, &vnm_path).problem(404);
            let listed = app.get_as(who, "/api/v1/tasks?per_page=500").ok_json();
            assert!(items(&listed).iter().all(|t| t["country"] == "ZWE"), "{who:?}");
        }
        assert_eq!(app.get(&vnm_path).ok_json()["country"], "VNM");
        task(app, Who::Worker, other["id"].as_i64().unwrap(), worker, due).problem(404);
    }

    fn deadlines_merge_requests_tasks_and_milestones_in_the_callers_countries(app) {
        let request = follow_up(app, "ZWE", today() + Duration::days(10));
        let government = app.fixture().organization("ZWE", "government");
        let t = task(app, Who::Government, request["id"].as_i64().unwrap(), government, today() + Duration::days(5)).json();
        let gap = post(app, Who::Admin, "/api/v1/gaps", json!({"country": "ZWE", "conventions": ["C098"], "title": "Gap", "source": "CEACR"})).json();
        let milestone = post(app, Who::Admin, "/api/v1/milestones", json!({"gap": gap["id"], "kind": "adopted", "title": "Amendment adopted", "target_on": (today() + Duration::days(20)).to_string()})).json();
        follow_up(app, "VNM", today() + Duration::days(7));
        follow_up(app, "ZWE", today() + Duration::days(400));

        let timeline = app.get_as(Who::Government, "/api/v1/deadlines").ok_json();
        let got: Vec<(String, i64)> = items(&timeline)
            .iter()
            .map(|d| (d["kind"].as_str().unwrap().to_string(), d["id"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("task".to_string(), t["id"].as_i64().unwrap()),
                ("report_request".to_string(), request["id"].as_i64().unwrap()),
                ("milestone".to_string(), milestone["id"].as_i64().unwrap()),
            ],
            "{timeline}"
        );
        let first = &items(&timeline)[0];
        assert_eq!(first["link"], format!("/api/v1/tasks/{}", t["id"]));
        assert_eq!(first["conventions"], json!(["C087"]));
        assert_eq!(first["country_name"], "Zimbabwe");
        assert_eq!(items(&timeline)[2]["conventions"], json!(["C098"]));

        // Filters: kind, organization, and a window reaching the far request.
        let only_tasks = app.get_as(Who::Government, "/api/v1/deadlines?kind=task").ok_json();
        assert_eq!(only_tasks["total"], 1);
        let worker = app.fixture().organization("ZWE", "worker");
        let of_worker = app.get_as(Who::Office, &format!("/api/v1/deadlines?organization={worker}")).ok_json();
        assert!(items(&of_worker).iter().all(|d| d["kind"] == "report_request"), "{of_worker}");
        let to = (today() + Duration::days(500)).to_string();
        let longer = app.get_as(Who::Government, &format!("/api/v1/deadlines?to={to}")).ok_json();
        assert_eq!(longer["total"], 4);
        // The office sees its country; the administrator sees every country.
        assert_eq!(app.get_as(Who::Office, "/api/v1/deadlines").ok_json()["total"], 3);
        assert_eq!(app.get("/api/v1/deadlines?kind=report_request").ok_json()["total"], 2);
        app.get("/api/v1/deadlines?from=2027-01-01&to=2026-01-01").problem(422);
        app.get("/api/v1/deadlines?from=2020-01-01&to=2030-01-01").problem(422);
        app.get("/api/v1/deadlines?kind=everything").problem(400);
    }

    fn the_calendar_feed_opens_with_a_feed_token_until_it_is_revoked(app) {
        let request = follow_up(app, "ZWE", today() + Duration::days(10));
        let government = app.fixture().organization("ZWE", "government");
        task(app, Who::Office, request["id"].as_i64().unwrap(), government, today() + Duration::days(5)).json();
        follow_up(app, "VNM", today() + Duration::days(7));

        let issued = post(app, Who::Government, "/api/v1/feed-tokens", json!({"name": "Ministry calendar"}));
        assert_eq!(issued.status, 201, "{}", issued.body);
        let issued = issued.json();
        let feed_url = issued["feed_url"].as_str().unwrap().to_string();
        assert!(feed_url.starts_with("/api/v1/deadlines.ics?token="));

        // A calendar client sends no Authorization header: the URL carries the token.
        let feed = app.send_with_token(None, Req::new("GET", feed_url.clone()));
        assert_eq!(feed.status, 200, "{}", feed.body);
        assert!(feed.header("content-type").unwrap().starts_with("text/calendar"));
        let calendar: Calendar = feed.body.parse().expect("a valid iCalendar feed");
        let events = crate::helpers::feed_events(&calendar);
        let json_timeline = app.get_as(Who::Government, "/api/v1/deadlines").ok_json();
        assert_eq!(events.len() as i64, json_timeline["total"].as_i64().unwrap());
        assert_eq!(events.len(), 2, "the ZWE task and request, not the VNM request");
        let request_event = events
            .iter()
            .find(|e| e.get_uid() == Some(format!("report_request-{}@normtrack", request["id"]).as_str()))
            .expect("the request's event");
        let summary = request_event.get_summary().unwrap();
        assert!(summary.contains("Zimbabwe (ZWE)") && summary.contains("C087"), "{summary}");
        assert_eq!(
            request_event.get_start(),
            Some(DatePerhapsTime::Date(today() + Duration::days(10))),
            "an all-day event"
        );
        assert_eq!(
            request_event.get_end(),
            Some(DatePerhapsTime::Date(today() + Duration::days(11)))
        );
        assert!(request_event.get_url().unwrap().ends_with(&format!("/api/v1/report-requests/{}", request["id"])));

        // UIDs are stable from one fetch to the next; a bearer token works as well.
        let again: Calendar = app.get_as(Who::Government, "/api/v1/deadlines.ics").body.parse().expect("feed");
        let uids = |c: &Calendar| {
            let mut v: Vec<String> = crate::helpers::feed_events(c).iter().filter_map(|e| e.get_uid().map(str::to_string)).collect();
            v.sort();
            v
        };
        assert_eq!(uids(&calendar), uids(&again));

        // The feed token opens the feed only, read-only.
        let secret = issued["feed_token"].as_str().unwrap().to_string();
        app.send_with_token(Some(&secret), Req::new("GET", "/api/v1/deadlines")).problem(401);
        app.send_with_token(Some(&secret), Req::new("GET", "/api/v1/tasks")).problem(401);
        assert_eq!(app.send_with_token(Some(&secret), Req::new("GET", "/api/v1/deadlines.ics")).status, 200);

        // Listed for its owner only; another person cannot revoke it.
        let mine = app.get_as(Who::Government, "/api/v1/feed-tokens").ok_json();
        assert_eq!(mine.as_array().unwrap().len(), 1);
        assert_eq!(app.get_as(Who::Worker, "/api/v1/feed-tokens").ok_json(), json!([]));
        let revoke_path = format!("/api/v1/feed-tokens/{}", issued["id"]);
        app.send(Who::Worker, Req::new("DELETE", revoke_path.clone())).problem(404);
        let revoked = app.send(Who::Government, Req::new("DELETE", revoke_path)).ok_json();
        assert_eq!(revoked["usable"], false);
        // Revoked: the feed answers 401 at once.
        app.send_with_token(None, Req::new("GET", feed_url)).problem(401);
        app.send_with_token(None, Req::new("GET", "/api/v1/deadlines.ics?token=not-a-token")).problem(401);
        app.send_with_token(None, Req::new("GET", "/api/v1/deadlines.ics")).problem(401);
    }

    fn schedules_are_read_in_scope_and_edited_with_if_match(app) {
        let listed = app.get_as(Who::Worker, "/api/v1/report-schedules?per_page=500").ok_json();
        assert!(listed["total"].as_i64().unwrap() > 0);
        assert!(items(&listed).iter().all(|s| s["country"] == "ZWE"));
        app.get_as(Who::Worker, "/api/v1/report-schedules/VNM/C182").problem(404);
        let path = "/api/v1/report-schedules/ZWE/C182";
        let tag = app.etag_of(path);
        put(app, Who::Office, path, None, json!({"cycle_years": 3, "next_regular_year": 2028})).problem(428);
        put(app, Who::Office, path, Some(&tag), json!({"cycle_years": 0, "next_regular_year": 2028})).problem(400);
        let changed = put(app, Who::Office, path, Some(&tag), json!({"cycle_years": 6, "next_regular_year": 2028, "basis": "official"}));
        assert_eq!(changed.ok_json()["cycle_years"], 6);
        put(app, Who::Office, path, Some(&tag), json!({"cycle_years": 3, "next_regular_year": 2028})).problem(412);
        // A pair without a schedule is created without If-Match.
        let created = put(app, Who::Admin, "/api/v1/report-schedules/ZWE/C187", None, json!({"cycle_years": 3, "next_regular_year": 2029}));
        assert_eq!(created.status, 201, "{}", created.body);
        put(app, Who::Admin, "/api/v1/report-schedules/XXX/C187", None, json!({"cycle_years": 3, "next_regular_year": 2029})).problem(404);
        let audit = app.get("/api/v1/audit?entity=report_schedule&country=ZWE").ok_json();
        assert!(audit["total"].as_i64().unwrap() >= 2);
    }
}
