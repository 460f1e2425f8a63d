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
