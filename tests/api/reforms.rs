//! Reforms: gaps and milestones, their rules, `overdue` around today, filters, If-Match,
//! audit, progress notes, and the country view.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{Req, TestApp, TestResponse, Who};
use crate::on_both_engines;

fn post(app: &TestApp, who: Who, path: &str, body: Value) -> TestResponse {
    app.send(who, Req::new("POST", path).json(body))
}

fn gap(app: &TestApp, country: &str, conventions: &[&str]) -> i64 {
    let created = post(
        app,
        Who::Admin,
        "/api/v1/gaps",
        json!({
            "country": country, "conventions": conventions, "title": "Labour Act excludes domestic workers",
            "source": "CEACR observation 2023", "source_link": "https://normlex.ilo.org/example"
        }),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().unwrap()
}

fn milestone(
    app: &TestApp,
    gap: i64,
    target: chrono::NaiveDate,
    status: &str,
    organization: Option<i32>,
) -> Value {
    let mut body = json!({"gap": gap, "kind": "draft_prepared", "title": format!("step {target} {status}"), "target_on": target.to_string(), "status": status});
    if status == "completed" {
        body["completed_on"] = json!((Utc::now().date_naive() - Duration::days(1)).to_string());
    }
    if let Some(org) = organization {
        body["organization"] = json!(org);
    }
    let created = post(app, Who::Admin, "/api/v1/milestones", body);
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()
}

fn ids(body: &Value) -> Vec<i64> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

on_both_engines! {
    fn derives_overdue_around_today_and_filters_by_it(app) {
        let today = Utc::now().date_naive();
        let g = gap(app, "ZWE", &["C087"]);
        let yesterday = milestone(app, g, today - Duration::days(1), "planned", None);
        let due_today = milestone(app, g, today, "in_progress", None);
        let tomorrow = milestone(app, g, today + Duration::days(1), "planned", None);
        let done = milestone(app, g, today - Duration::days(30), "completed", None);
        let dropped = milestone(app, g, today - Duration::days(30), "cancelled", None);
        assert_eq!(yesterday["overdue"], true);
        assert_eq!(due_today["overdue"], false);
        assert_eq!(tomorrow["overdue"], false);
        assert_eq!(done["overdue"], false);
        assert_eq!(dropped["overdue"], false);
        let overdue = app.get("/api/v1/milestones?overdue=true").ok_json();
        assert_eq!(ids(&overdue), vec![yesterday["id"].as_i64().unwrap()]);
        let not_overdue = app.get("/api/v1/milestones?overdue=false").ok_json();
        assert_eq!(not_overdue["total"], 4);
        app.get("/api/v1/milestones?overdue=maybe").problem(400);
    }

    fn filters_milestones_by_gap_country_instrument_status_organization_and_dates(app) {
        let worker = app.fixture().organization("ZWE", "worker");
        let g1 = gap(app, "ZWE", &["C087", "C098"]);
        let g2 = gap(app, "VNM", &["C105"]);
        let a = milestone(app, g1, "2027-01-10".parse().unwrap(), "planned", Some(worker));
        let b = milestone(app, g1, "2027-06-10".parse().unwrap(), "in_progress", None);
        let c = milestone(app, g2, "2027-03-10".parse().unwrap(), "planned", None);
        let id = |m: &Value| m["id"].as_i64().unwrap();
        assert_eq!(ids(&app.get(&format!("/api/v1/milestones?gap={g1}")).ok_json()), vec![id(&a), id(&b)]);
        assert_eq!(ids(&app.get("/api/v1/milestones?country=VNM").ok_json()), vec![id(&c)]);
        assert_eq!(ids(&app.get("/api/v1/milestones?convention=C098").ok_json()), vec![id(&a), id(&b)]);
        assert_eq!(ids(&app.get("/api/v1/milestones?status=in_progress").ok_json()), vec![id(&b)]);
        assert_eq!(ids(&app.get(&format!("/api/v1/milestones?organization={worker}")).ok_json()), vec![id(&a)]);
        assert_eq!(ids(&app.get("/api/v1/milestones?target_from=2027-02-01&target_until=2027-04-01").ok_json()), vec![id(&c)]);
        assert_eq!(app.get("/api/v1/gaps?convention=C105").ok_json()["total"], 1);
        assert_eq!(app.get("/api/v1/gaps?country=ZWE&status=open").ok_json()["total"], 1);
        for bad in ["gap=x", "target_from=2027-02-30", "status=done", "organization=-1", "country=ZZ", "convention=X"] {
            app.get(&format!("/api/v1/milestones?{bad}")).problem(400);
        }
        // Constituents see their country only.
        assert_eq!(app.get_as(Who::Worker, "/api/v1/milestones").ok_json()["total"], 2);
        assert_eq!(app.get_as(Who::Worker, "/api/v1/gaps").ok_json()["total"], 1);
        app.get_as(Who::Worker, &format!("/api/v1/gaps/{g2}")).problem(404);
    }

    fn enforces_the_milestone_and_gap_rules_with_422(app) {
        let today = Utc::now().date_naive();
        let g = gap(app, "ZWE", &["C087"]);
        let vnm_org = app.fixture().organization("VNM", "worker");
        let cases = [
            (json!({"gap": g, "kind": "adopted", "title": "t", "target_on": "2027-01-01", "status": "completed"}), "completed_on"),
            (json!({"gap": g, "kind": "adopted", "title": "t", "target_on": "2027-01-01", "status": "completed", "completed_on": (today + Duration::days(1)).to_string()}), "completed_on"),
            (json!({"gap": g, "kind": "adopted", "title": "t", "target_on": "2027-01-01", "completed_on": today.to_string()}), "completed_on"),
            (json!({"gap": g, "kind": "adopted", "title": "t", "target_on": "2027-01-01", "organization": vnm_org}), "organization"),
            (json!({"gap": g, "kind": "adopted", "title": "t", "target_on": "2027-01-01", "organization": 999999}), "organization"),
        ];
        for (body, field) in cases {
            let response = post(app, Who::Office, "/api/v1/milestones", body.clone());
            response.problem(422);
            assert_eq!(response.error_fields(), [field], "{body}");
        }
        for body in [
            json!({"gap": g, "kind": "adopted", "title": "t", "target_on": "2027-02-30"}),
            json!({"gap": g, "kind": "celebrated", "title": "t", "target_on": "2027-02-01"}),
            json!({"gap": g, "kind": "adopted", "title": " ", "target_on": "2027-02-01"}),
            json!({"gap": g, "kind": "adopted", "title": "t", "target_on": "2027-02-01", "evidence_link": "javascript:alert(1)"}),
        ] {
            post(app, Who::Office, "/api/v1/milestones", body).problem(400);
        }
        post(app, Who::Office, "/api/v1/milestones", json!({"gap": 999999, "kind": "adopted", "title": "t", "target_on": "2027-02-01"})).problem(404);
        // Gaps: instruments must exist; a gap closes only when its milestones are settled.
        let unknown = post(app, Who::Office, "/api/v1/gaps", json!({"country": "ZWE", "conventions": ["C999"], "title": "t", "source": "s"}));
        unknown.problem(422);
        assert_eq!(unknown.error_fields(), ["conventions"]);
        post(app, Who::Office, "/api/v1/gaps", json!({"country": "ZWE", "conventions": [], "title": "t", "source": "s"})).problem(400);
        let step = milestone(app, g, "2027-01-01".parse().unwrap(), "planned", None);
        let path = format!("/api/v1/gaps/{g}");
        let tag = app.etag_of(&path);
        let close = json!({"country": "ZWE", "conventions": ["C087"], "title": "t", "source": "s", "status": "closed", "closed_on": today.to_string()});
        let refused = app.send(Who::Office, Req::new("PUT", &path).header("If-Match", &tag).json(close.clone()));
        refused.problem(422);
        assert_eq!(refused.error_fields(), ["status"]);
        let no_date = json!({"country": "ZWE", "conventions": ["C087"], "title": "t", "source": "s", "status": "closed"});
        let refused = app.send(Who::Office, Req::new("PUT", &path).header("If-Match", &tag).json(no_date));
        assert!(refused.error_fields().contains(&"closed_on".to_string()));
        // Complete the step, then the gap closes; a closed gap takes no new open steps.
        let step_path = format!("/api/v1/milestones/{}", step["id"]);
        let step_tag = app.etag_of(&step_path);
        let completed = app.send(Who::Office, Req::new("PUT", &step_path).header("If-Match", &step_tag).json(json!({
            "gap": g, "kind": "draft_prepared", "title": "t", "target_on": "2027-01-01", "status": "completed", "completed_on": today.to_string()
        })));
        assert_eq!(completed.status, 200, "{}", completed.body);
        let closed = app.send(Who::Office, Req::new("PUT", &path).header("If-Match", &tag).json(close));
        assert_eq!(closed.ok_json()["status"], "closed");
        let late = post(app, Who::Office, "/api/v1/milestones", json!({"gap": g, "kind": "other", "title": "t", "target_on": "2027-05-01"}));
        assert_eq!(late.error_fields(), ["gap"]);
    }

    fn updates_need_the_current_etag_and_every_write_is_audited(app) {
        let g = gap(app, "ZWE", &["C087"]);
        let path = format!("/api/v1/gaps/{g}");
        let tag = app.etag_of(&path);
        let body = json!({"country": "ZWE", "conventions": ["C087", "C098"], "title": "renamed", "source": "s"});
        app.send(Who::Office, Req::new("PUT", &path).json(body.clone())).problem(428);
        app.send(Who::Office, Req::new("PUT", &path).header("If-Match", "\"gap-0-v0\"").json(body.clone())).problem(412);
        let updated = app.send(Who::Office, Req::new("PUT", &path).header("If-Match", &tag).json(body.clone()));
        assert_eq!(updated.ok_json()["conventions"], json!(["C087", "C098"]));
        let moved = json!({"country": "VNM", "conventions": ["C087"], "title": "moved", "source": "s"});
        app.send(Who::Office, Req::new("PUT", &path).header("If-Match", updated.header("etag").unwrap()).json(moved)).problem(422);
        let step = milestone(app, g, "2027-01-01".parse().unwrap(), "planned", None);
        let step_path = format!("/api/v1/milestones/{}", step["id"]);
        app.send(Who::Office, Req::new("DELETE", &path).header("If-Match", &app.etag_of(&path))).problem(409);
        app.send(Who::Office, Req::new("DELETE", &step_path)).problem(428);
        assert_eq!(app.send(Who::Office, Req::new("DELETE", &step_path).header("If-Match", &app.etag_of(&step_path))).status, 204);
        assert_eq!(app.send(Who::Office, Req::new("DELETE", &path).header("If-Match", &app.etag_of(&path))).status, 204);
        app.get(&path).problem(404);
        let audit = app.get(&format!("/api/v1/audit?entity=gap&entity_id={g}")).ok_json();
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["delete", "update", "create"]);
        assert_eq!(app.get("/api/v1/audit?entity=milestone").ok_json()["total"], 2);
    }

    fn progress_notes_come_from_the_responsible_organization(app) {
        let worker = app.fixture().organization("ZWE", "worker");
        let g = gap(app, "ZWE", &["C087"]);
        let step = milestone(app, g, "2027-01-01".parse().unwrap(), "planned", Some(worker));
        let path = format!("/api/v1/milestones/{}/comments", step["id"]);
        let added = post(app, Who::Worker, &path, json!({"body": "Union consulted its members"}));
        assert_eq!(added.status, 201, "{}", added.body);
        post(app, Who::Employer, &path, json!({"body": "not ours"})).problem(403);
        post(app, Who::Worker, &path, json!({"body": "  "})).problem(400);
        post(app, Who::Worker, &path, json!({"body": "x", "author": "someone else"})).problem(400);
        let notes = app.get_as(Who::Government, &path).ok_json();
        assert_eq!(notes.as_array().unwrap().len(), 1);
        assert_eq!(notes[0]["body"], "Union consulted its members");
        assert_eq!(notes[0]["organization"], worker);
        assert_eq!(notes[0]["author"], format!("user:{}", app.fixture().users[&Who::Worker]));
        assert_eq!(app.get("/api/v1/audit?entity=milestone_comment").ok_json()["total"], 1);
    }

    fn the_country_view_shows_open_gaps_next_steps_and_overdue_counts_to_those_who_may_see_them(app) {
        let today = Utc::now().date_naive();
        let g = gap(app, "ZWE", &["C087"]);
        milestone(app, g, today - Duration::days(40), "completed", None);
        let late = milestone(app, g, today - Duration::days(2), "in_progress", None);
        milestone(app, g, today + Duration::days(20), "planned", None);
        let empty = gap(app, "ZWE", &["C098"]);
        let view = app.get_as(Who::Office, "/api/v1/countries/ZWE").ok_json();
        let reforms = &view["reforms"];
        assert_eq!(reforms["overdue_milestones"], 1);
        let gaps = reforms["open_gaps"].as_array().unwrap();
        assert_eq!(gaps.len(), 2);
        assert_eq!(gaps[0]["id"], g);
        assert_eq!(gaps[0]["next_milestone"]["id"], late["id"]);
        assert_eq!(gaps[0]["next_milestone"]["overdue"], true);
        assert_eq!(gaps[1]["id"], empty);
        assert!(gaps[1]["next_milestone"].is_null());
        assert!(app.get_as(Who::Government, "/api/v1/countries/ZWE").ok_json()["reforms"].is_object());
        // Not for dashboards, nor for another country's constituents.
        assert!(app.get_as(Who::Viewer, "/api/v1/countries/ZWE").ok_json().get("reforms").is_none());
        assert!(app.get_as(Who::Government, "/api/v1/countries/VNM").ok_json().get("reforms").is_none());
        assert_eq!(app.get_as(Who::Office, "/api/v1/countries/VNM").ok_json()["reforms"]["open_gaps"], json!([]));
    }
}
