//! Responsible-business-conduct initiatives: seeded from the reference file, read in the
//! caller's scope (global ones by everyone signed in), written by administrators and the
//! countries' office, with If-Match and audit.

use serde_json::json;

use crate::helpers::{Req, Who};
use crate::on_both_engines;

on_both_engines! {
    fn the_seeded_initiatives_carry_their_sources_and_a_status_from_their_dates(app) {
        let all = app.get("/api/v1/rbc-initiatives?per_page=100").ok_json();
        assert_eq!(all["total"], 13);
        for i in all["items"].as_array().unwrap() {
            assert!(!i["source"].as_str().unwrap().is_empty(), "{i}");
            assert_eq!(i["status_recorded"], false);
        }
        let find = |name: &str| all["items"].as_array().unwrap().iter().find(|i| i["name"].as_str().unwrap().starts_with(name)).unwrap().clone();
        // RSCA ran 2017-12 to 2020-12: closed by its dates. Its components name it as parent.
        let rsca = find("Responsible Supply Chains in Asia");
        assert_eq!(rsca["status"], "closed");
        assert_eq!(rsca["countries"], json!(["CHN", "JPN", "MMR", "PHL", "THA", "VNM"]));
        assert_eq!(find("RSCA - Japan")["parent"], rsca["id"]);
        // Trade for Decent Work, Philippines: tied to C087, C098 and EU GSP+; no dates, so unknown.
        let t4dw = find("Trade for Decent Work - Philippines");
        assert_eq!(t4dw["conventions"], json!(["C087", "C098"]));
        assert_eq!(t4dw["arrangements"], json!(["eu-gsp-plus-978-2012"]));
        assert!(t4dw["status"].is_null());
        assert_eq!(t4dw["sectors"], json!([]), "sectors are not mapped to ISIC by guesswork");
        // An EU law applies in no single member state: global, with the EU said in its notes.
        let flr = find("Regulation (EU) 2024/3015");
        assert_eq!(flr["countries"], json!([]));
        assert!(flr["notes"].as_str().unwrap().contains("Applies in: EU"));
        let filtered = app.get("/api/v1/rbc-initiatives?arrangement=eu-gsp-plus-978-2012").ok_json();
        assert_eq!(filtered["total"], 1);
    }

    fn viewers_see_global_initiatives_and_constituents_those_of_their_country(app) {
        let made = app.send(Who::Admin, Req::new("POST", "/api/v1/rbc-initiatives").json(json!({
            "name": "Zimbabwe garment dialogue", "kind": "company_union_dialogue", "countries": ["ZWE"], "sectors": ["C"], "source": "test"
        })));
        assert_eq!(made.status, 201, "{}", made.body);
        let id = made.json()["id"].as_i64().unwrap();
        assert_eq!(made.json()["sectors"], json!(["C"]));
        let path = format!("/api/v1/rbc-initiatives/{id}");
        assert_eq!(app.get_as(Who::Worker, &path).status, 200);
        app.get_as(Who::Viewer, &path).problem(404);
        let viewer = app.get_as(Who::Viewer, "/api/v1/rbc-initiatives?per_page=100").ok_json();
        assert!(viewer["items"].as_array().unwrap().iter().all(|i| i["countries"] == json!([])), "{viewer}");
        assert!(viewer["total"].as_i64().unwrap() > 0);
    }

    fn office_staff_write_their_countries_initiatives_with_if_match_and_every_write_is_audited(app) {
        let body = json!({"name": "Sectoral dialogue", "kind": "company_union_dialogue", "countries": ["ZWE"],
                          "starts": "2026-03", "ends": "2027", "source": "test"});
        let made = app.send(Who::Office, Req::new("POST", "/api/v1/rbc-initiatives").json(body.clone()));
        assert_eq!(made.status, 201, "{}", made.body);
        let id = made.json()["id"].as_i64().unwrap();
        let tag = made.header("etag").unwrap().to_string();
        // A global initiative, or another country's, is not the office's to write.
        let mut global = body.clone();
        global["countries"] = json!([]);
        app.send(Who::Office, Req::new("POST", "/api/v1/rbc-initiatives").json(global)).problem(403);
        let mut elsewhere = body.clone();
        elsewhere["countries"] = json!(["VNM"]);
        app.send(Who::Office, Req::new("POST", "/api/v1/rbc-initiatives").json(elsewhere.clone())).problem(403);
        // Rules: dates in order, known links; shapes: ISIC sections.
        let mut backwards = body.clone();
        backwards["ends"] = json!("2025");
        app.send(Who::Office, Req::new("POST", "/api/v1/rbc-initiatives").json(backwards)).problem(422);
        let mut unknown = body.clone();
        unknown["arrangements"] = json!(["no-such-scheme"]);
        app.send(Who::Office, Req::new("POST", "/api/v1/rbc-initiatives").json(unknown)).problem(422);
        let mut sector = body.clone();
        sector["sectors"] = json!(["Z"]);
        app.send(Who::Office, Req::new("POST", "/api/v1/rbc-initiatives").json(sector)).problem(400);
        // Changing it: If-Match; moving it to a country the office does not cover is refused.
        let path = format!("/api/v1/rbc-initiatives/{id}");
        let mut changed = body.clone();
        changed["status"] = json!("active");
        app.send(Who::Office, Req::new("PUT", &path).json(changed.clone())).problem(428);
        app.send(Who::Office, Req::new("PUT", &path).header("If-Match", &tag).json(elsewhere)).problem(403);
        let updated = app.send(Who::Office, Req::new("PUT", &path).header("If-Match", &tag).json(changed));
        let updated = updated.ok_json();
        assert_eq!((updated["status"].as_str(), updated["status_recorded"].as_bool()), (Some("active"), Some(true)));
        let audit = app.get(&format!("/api/v1/audit?entity=rbc_initiative&entity_id={id}")).ok_json();
        assert_eq!(audit["total"], 2);
    }
}

/// A national initiative of `country`, made by the administrator.
fn make_initiative(app: &crate::helpers::TestApp, country: &str) -> i64 {
    let made = app.send(Who::Admin, Req::new("POST", "/api/v1/rbc-initiatives").json(json!({
        "name": format!("Activities of {country}"), "kind": "project_or_country_component", "countries": [country], "source": "test"
    })));
    assert_eq!(made.status, 201, "{}", made.body);
    made.json()["id"].as_i64().unwrap()
}

on_both_engines! {
    fn a_complaint_moves_filed_accepted_closed_and_never_back(app) {
        let initiative = make_initiative(app, "ZWE");
        let made = app.send(Who::Office, Req::new("POST", "/api/v1/rbc-activities").json(json!({
            "initiative": initiative, "kind": "complaint", "title": "Specific instance: garment supplier", "target_on": "2027-03-01"
        })));
        assert_eq!(made.status, 201, "{}", made.body);
        let complaint = made.json();
        assert_eq!((complaint["status"].as_str(), complaint["country"].as_str()), (Some("filed"), Some("ZWE")), "the only country is taken");
        let path = format!("/api/v1/rbc-activities/{}", complaint["id"]);
        let put = |status: &str, completed_on: Option<&str>| {
            let tag = app.etag_of(&path);
            app.send(Who::Office, Req::new("PUT", &path).header("If-Match", &tag).json(json!({
                "initiative": initiative, "kind": "complaint", "title": "Specific instance: garment supplier",
                "target_on": "2027-03-01", "status": status, "completed_on": completed_on
            })))
        };
        assert_eq!(put("accepted", None).ok_json()["status"], "accepted");
        assert!(put("filed", None).problem(422)["detail"].as_str().is_some());
        assert!(put("completed", Some("2026-01-05")).error_fields().contains(&"status".to_string()), "a complaint is not completed but closed");
        assert!(put("closed", None).error_fields().contains(&"completed_on".to_string()));
        let closed = put("closed", Some("2026-01-05")).ok_json();
        assert_eq!((closed["status"].as_str(), closed["overdue"].as_bool()), (Some("closed"), Some(false)));
        assert!(put("accepted", None).error_fields().contains(&"status".to_string()), "closed stays closed");
        // Nor is its life cycle reset by turning it into another kind and back.
        let tag = app.etag_of(&path);
        let retyped = app.send(Who::Office, Req::new("PUT", &path).header("If-Match", &tag).json(json!({
            "initiative": initiative, "kind": "training", "title": "t", "target_on": "2027-03-01", "status": "planned"
        })));
        assert_eq!(retyped.problem(422)["errors"][0]["field"], "kind");
        let audit = app.get(&format!("/api/v1/audit?entity=rbc_activity&entity_id={}", complaint["id"])).ok_json();
        assert_eq!(audit["total"], 3, "create, accepted, closed: refused writes change nothing");
    }

    fn activities_take_a_country_of_their_initiative_and_an_organization_of_that_country(app) {
        let initiative = make_initiative(app, "ZWE");
        let body = |extra: serde_json::Value| {
            let mut b = json!({"initiative": initiative, "kind": "training", "title": "Due-diligence training", "target_on": "2025-06-30"});
            b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            b
        };
        let post = |b| app.send(Who::Admin, Req::new("POST", "/api/v1/rbc-activities").json(b));
        assert_eq!(post(body(json!({"country": "VNM"}))).problem(422)["errors"][0]["field"], "country");
        let vnm_worker = app.fixture().organization("VNM", "worker");
        assert_eq!(post(body(json!({"organization": vnm_worker}))).problem(422)["errors"][0]["field"], "organization");
        assert_eq!(post(body(json!({"status": "filed"}))).problem(422)["errors"][0]["field"], "status");
        assert_eq!(post(body(json!({"evidence_link": "javascript:alert(1)"}))).problem(400)["errors"][0]["field"], "evidence_link");
        assert_eq!(post(body(json!({"target_on": "1899-12-31"}))).problem(422)["errors"][0]["field"], "target_on");
        app.get("/api/v1/rbc-activities?completed_from=-5000-01-01").problem(400);
        app.send(Who::Admin, Req::new("POST", "/api/v1/rbc-activities").json(json!({
            "initiative": 999999, "kind": "training", "title": "t", "target_on": "2025-06-30"
        }))).problem(404);
        // Planned with a target in the past: overdue, and found by the overdue filter.
        let made = post(body(json!({})));
        assert_eq!(made.status, 201, "{}", made.body);
        assert_eq!(made.json()["overdue"], true);
        let overdue = app.get(&format!("/api/v1/rbc-activities?initiative={initiative}&overdue=true")).ok_json();
        assert_eq!(overdue["total"], 1);
        assert_eq!(app.get(&format!("/api/v1/rbc-activities?initiative={initiative}&overdue=false")).ok_json()["total"], 0);
        // The initiative cannot leave Zimbabwe while an activity takes place there.
        let path = format!("/api/v1/rbc-initiatives/{initiative}");
        let tag = app.etag_of(&path);
        let moved = app.send(Who::Admin, Req::new("PUT", &path).header("If-Match", &tag).json(json!({
            "name": "Activities of ZWE", "kind": "project_or_country_component", "countries": ["VNM"], "source": "test"
        })));
        assert_eq!(moved.problem(422)["errors"][0]["field"], "countries");
    }

    fn constituents_read_their_countrys_activities_and_note_those_their_organization_leads(app) {
        let initiative = make_initiative(app, "ZWE");
        let worker = app.fixture().organization("ZWE", "worker");
        let made = app.send(Who::Admin, Req::new("POST", "/api/v1/rbc-activities").json(json!({
            "initiative": initiative, "kind": "dialogue", "title": "Company-union dialogue", "target_on": "2027-06-30", "organization": worker
        })));
        assert_eq!(made.status, 201, "{}", made.body);
        let id = made.json()["id"].as_i64().unwrap();
        let notes = format!("/api/v1/rbc-activities/{id}/notes");
        let noted = app.send(Who::Worker, Req::new("POST", &notes).json(json!({"body": "First session held."})));
        assert_eq!(noted.status, 201, "{}", noted.body);
        assert_eq!(noted.json()["organization"], worker);
        app.send(Who::Employer, Req::new("POST", &notes).json(json!({"body": "Not ours."}))).problem(403);
        app.send(Who::Worker, Req::new("POST", &notes).json(json!({"body": " "}))).problem(400);
        let read = app.get_as(Who::Government, &notes).ok_json();
        assert_eq!(read.as_array().unwrap().len(), 1);
        // Another country's activity is not there for Zimbabwe's constituents.
        let elsewhere = make_initiative(app, "VNM");
        let other = app.send(Who::Admin, Req::new("POST", "/api/v1/rbc-activities").json(json!({
            "initiative": elsewhere, "kind": "report", "title": "Report", "target_on": "2027-06-30"
        })));
        let other_id = other.json()["id"].as_i64().unwrap();
        app.get_as(Who::Worker, &format!("/api/v1/rbc-activities/{other_id}")).problem(404);
        let listed = app.get_as(Who::Worker, "/api/v1/rbc-activities?per_page=500").ok_json();
        assert!(listed["items"].as_array().unwrap().iter().all(|a| a["country"] == "ZWE" || a["country"].is_null()), "{listed}");
        app.get_as(Who::Viewer, "/api/v1/rbc-activities").problem(403);
    }
}
