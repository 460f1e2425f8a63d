//! Programmes and their four-area progress report: kept by administrators, read in the
//! caller's scope, and every figure equal to the total of the list query it links to.

use serde_json::{json, Value};

use crate::helpers::{Req, TestApp, Who};
use crate::on_both_engines;

fn created(app: &TestApp, who: Who, path: &str, body: Value) -> Value {
    let made = app.send(who, Req::new("POST", path).json(body));
    assert_eq!(made.status, 201, "POST {path}: {}", made.body);
    made.json()
}

/// Writes a ratification record, with `If-Match` when one is already there.
fn put_record(app: &TestApp, pair: &str, body: Value) {
    let path = format!("/api/v1/ratifications/{pair}");
    let existing = app.get(&path);
    let mut req = Req::new("PUT", &path).json(body);
    if existing.status == 200 {
        req = req.header("If-Match", existing.header("etag").unwrap());
    }
    let put = app.send(Who::Admin, req);
    assert!(put.status == 200 || put.status == 201, "PUT {path}: {}", put.body);
}

/// A report request of Zimbabwe due on `due_on`, moved to submitted on `submitted_on`.
fn request(app: &TestApp, year: i32, due_on: &str, submitted_on: Option<&str>) {
    let made = created(
        app,
        Who::Admin,
        "/api/v1/report-requests",
        json!({
            "kind": "article22_follow_up", "country": "ZWE", "conventions": ["C087"], "year": year,
            "due_on": due_on, "reason": "progress test"
        }),
    );
    if let Some(day) = submitted_on {
        let path = format!("/api/v1/report-requests/{}", made["id"]);
        let tag = app.etag_of(&path);
        let moved = app.send(
            Who::Admin,
            Req::new("PUT", format!("{path}/status"))
                .header("If-Match", &tag)
                .json(json!({"status": "submitted", "submitted_on": day})),
        );
        assert_eq!(moved.status, 200, "{}", moved.body);
    }
}

/// Records of Zimbabwe in 2025 for every figure of the report.
pub fn make_records(app: &TestApp) {
    put_record(
        app,
        "ZWE/C155",
        json!({"status": "in_progress", "stage": "submitted_to_parliament", "source": "progress test"}),
    );
    put_record(
        app,
        "ZWE/C187",
        json!({"status": "ratified", "registered_on": "2025-03-01", "source": "progress test"}),
    );
    // A gap opened and closed in 2025 with its milestone completed; another with one overdue.
    let gap = created(
        app,
        Who::Admin,
        "/api/v1/gaps",
        json!({
            "country": "ZWE", "conventions": ["C087"], "title": "Closed in 2025", "source": "test", "opened_on": "2025-02-01"
        }),
    );
    let step = created(
        app,
        Who::Admin,
        "/api/v1/milestones",
        json!({
            "gap": gap["id"], "kind": "adopted", "title": "Adopted", "target_on": "2025-05-01", "status": "completed", "completed_on": "2025-05-01"
        }),
    );
    assert_eq!(step["status"], "completed");
    let tag = app.etag_of(&format!("/api/v1/gaps/{}", gap["id"]));
    let closed = app.send(Who::Admin, Req::new("PUT", format!("/api/v1/gaps/{}", gap["id"])).header("If-Match", &tag).json(json!({
        "country": "ZWE", "conventions": ["C087"], "title": "Closed in 2025", "source": "test", "status": "closed", "closed_on": "2025-06-01"
    })));
    assert_eq!(
        closed.ok_json()["opened_on"],
        "2025-02-01",
        "a PUT without opened_on keeps it"
    );
    let open = created(
        app,
        Who::Admin,
        "/api/v1/gaps",
        json!({
            "country": "ZWE", "conventions": ["C098"], "title": "Still open", "source": "test", "opened_on": "2024-11-01"
        }),
    );
    created(
        app,
        Who::Admin,
        "/api/v1/milestones",
        json!({"gap": open["id"], "kind": "draft_prepared", "title": "Draft", "target_on": "2025-10-01"}),
    );
    // An initiative active now, an activity completed in 2025 and one overdue.
    let initiative = created(
        app,
        Who::Admin,
        "/api/v1/rbc-initiatives",
        json!({
            "name": "Progress test initiative", "kind": "project_or_country_component", "countries": ["ZWE"], "starts": "2024", "ends": "2099", "source": "test"
        }),
    );
    created(
        app,
        Who::Admin,
        "/api/v1/rbc-activities",
        json!({
            "initiative": initiative["id"], "kind": "training", "title": "Done", "target_on": "2025-04-01", "status": "completed", "completed_on": "2025-04-15"
        }),
    );
    created(
        app,
        Who::Admin,
        "/api/v1/rbc-activities",
        json!({"initiative": initiative["id"], "kind": "assessment", "title": "Late", "target_on": "2025-09-01"}),
    );
    // Reports due in 2025: on time, late, not submitted; and one of 2024 not submitted either.
    request(app, 2025, "2025-09-01", Some("2025-08-20"));
    request(app, 2025, "2025-09-01", Some("2025-10-20"));
    request(app, 2025, "2025-09-01", None);
    request(app, 2024, "2024-09-01", None);
}

/// Every figure of a report: (name, count, list).
fn figures(report: &Value) -> Vec<(String, i64, String)> {
    let mut out = Vec::new();
    for country in report["countries"].as_array().unwrap() {
        for area in [
            "ratifications",
            "reforms",
            "responsible_business_conduct",
            "reporting",
        ] {
            for (name, figure) in country[area].as_object().unwrap() {
                if let Some(count) = figure.get("count").and_then(Value::as_i64) {
                    out.push((
                        format!("{} {area}.{name}", country["country"]),
                        count,
                        figure["list"].as_str().unwrap().to_string(),
                    ));
                }
            }
        }
        for s in country["ratifications"]["in_progress_by_stage"]
            .as_array()
            .unwrap()
        {
            out.push((
                format!("stage {}", s["stage"]),
                s["count"].as_i64().unwrap(),
                s["list"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

on_both_engines! {
    fn every_progress_figure_equals_the_total_of_the_list_query_it_links_to(app) {
        make_records(app);
        let programme = created(app, Who::Admin, "/api/v1/programmes", json!({
            "name": "Trade for Decent Work", "countries": ["ZWE", "VNM"], "starts_on": "2019-01-01", "ends_on": "2027-12-31"
        }));
        let path = format!("/api/v1/programmes/{}/progress?from=2025-01-01&to=2025-12-31", programme["id"]);
        for who in [Who::Admin, Who::Office, Who::Worker] {
            let report = app.get_as(who, &path).ok_json();
            assert_eq!((report["from"].as_str(), report["to"].as_str()), (Some("2025-01-01"), Some("2025-12-31")));
            let all = figures(&report);
            let countries = report["countries"].as_array().unwrap().len();
            assert_eq!(countries, if who == Who::Worker { 1 } else { 2 });
            assert!(all.len() >= 14 * countries, "{report}");
            for (name, count, list) in all {
                let answered = app.get_as(who, &list).ok_json();
                assert_eq!(answered["total"].as_i64(), Some(count), "{who:?}: {name} links to {list}");
            }
        }
        let report = app.get(&path).ok_json();
        let zwe = report["countries"].as_array().unwrap().iter().find(|c| c["country"] == "ZWE").unwrap().clone();
        let count = |area: &str, figure: &str| zwe[area][figure]["count"].as_i64().unwrap();
        assert!(count("ratifications", "registered") >= 1);
        assert!(zwe["ratifications"]["in_progress_by_stage"].as_array().unwrap().iter().any(|s| s["stage"] == "submitted_to_parliament"));
        assert_eq!((count("reforms", "gaps_opened"), count("reforms", "gaps_closed")), (1, 1));
        assert_eq!((count("reforms", "milestones_completed"), count("reforms", "milestones_overdue")), (1, 1));
        assert_eq!(count("responsible_business_conduct", "initiatives_active"), 1);
        assert_eq!(count("responsible_business_conduct", "activities_completed"), 1);
        assert_eq!(count("responsible_business_conduct", "activities_overdue"), 1);
        assert_eq!(count("reporting", "requests_due"), 3);
        assert_eq!(
            [count("reporting", "submitted_on_time"), count("reporting", "submitted_late"), count("reporting", "not_submitted")],
            [1, 1, 1]
        );
        assert_eq!(count("reporting", "overdue"), 2);
        assert_eq!(zwe["reporting"]["serious_failure_years"], json!([2024, 2025]));
        // The CSV carries the same figures.
        let csv = app.get(&format!("/api/v1/programmes/{}/progress.csv?from=2025-01-01&to=2025-12-31", programme["id"]));
        assert_eq!(csv.status, 200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
        let lines: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let line = |figure: &str| lines.iter().find(|l| &l[0] == "ZWE" && l[3].starts_with(figure)).unwrap_or_else(|| panic!("{figure}")).clone();
        assert_eq!(&line("gaps_closed")[4], "1");
        assert_eq!(&line("submitted_late")[5], zwe["reporting"]["submitted_late"]["list"].as_str().unwrap());
        let signal = line("serious_failure_years");
        assert_eq!((&signal[3], &signal[4], &signal[5]), ("serious_failure_years:2024 2025", "2", ""));
        // Every other line's count is its list's total.
        for l in lines.iter().filter(|l| !l[5].is_empty()) {
            assert_eq!(app.get(&l[5]).ok_json()["total"].as_i64().unwrap().to_string(), &l[4], "{:?}", l);
        }
    }

    fn programmes_are_kept_by_administrators_and_constituents_see_only_their_country(app) {
        let body = json!({"name": "Trade for Decent Work", "countries": ["VNM", "ZWE"], "starts_on": "2019-01-01", "ends_on": "2027-12-31"});
        app.send(Who::Office, Req::new("POST", "/api/v1/programmes").json(body.clone())).problem(403);
        let programme = created(app, Who::Admin, "/api/v1/programmes", body.clone());
        let path = format!("/api/v1/programmes/{}", programme["id"]);
        assert_eq!(app.get_as(Who::Office, &path).ok_json()["countries"], json!(["VNM", "ZWE"]));
        assert_eq!(app.get_as(Who::Worker, &path).ok_json()["countries"], json!(["ZWE"]));
        let report = app.get_as(Who::Worker, &format!("{path}/progress")).ok_json();
        assert_eq!(report["countries"].as_array().unwrap().len(), 1);
        assert_eq!((report["from"].as_str(), report["to"].as_str()), (Some("2019-01-01"), Some("2027-12-31")), "the programme's period by default");
        app.get_as(Who::Viewer, &path).problem(403);
        // Bad periods and countries change nothing.
        let mut backwards = body.clone();
        backwards["ends_on"] = json!("2018-12-31");
        assert_eq!(app.send(Who::Admin, Req::new("POST", "/api/v1/programmes").json(backwards)).problem(422)["errors"][0]["field"], "ends_on");
        let mut unknown = body.clone();
        unknown["countries"] = json!(["XXX"]);
        app.send(Who::Admin, Req::new("POST", "/api/v1/programmes").json(unknown)).problem(422);
        let mut none = body.clone();
        none["countries"] = json!([]);
        app.send(Who::Admin, Req::new("POST", "/api/v1/programmes").json(none)).problem(400);
        app.get(&format!("{path}/progress?from=2026-01-01&to=2025-01-01")).problem(422);
        app.get(&format!("{path}/progress?from=yesterday")).problem(400);
        assert_eq!(app.get("/api/v1/programmes").ok_json()["total"], 1);
        // Changing it: If-Match, and audited.
        let mut renamed = body.clone();
        renamed["name"] = json!("Trade for Decent Work II");
        app.send(Who::Admin, Req::new("PUT", &path).json(renamed.clone())).problem(428);
        let tag = app.etag_of(&path);
        assert_eq!(app.send(Who::Admin, Req::new("PUT", &path).header("If-Match", &tag).json(renamed.clone())).ok_json()["name"], "Trade for Decent Work II");
        app.send(Who::Admin, Req::new("PUT", &path).header("If-Match", &tag).json(renamed)).problem(412);
        let audit = app.get(&format!("/api/v1/audit?entity=programme&entity_id={}", programme["id"])).ok_json();
        assert_eq!(audit["total"], 2);
    }
}
