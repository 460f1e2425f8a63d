//! Trade arrangements and supervisory comments: membership as at a day (around an exit, a
//! withdrawal, a partial withdrawal), compliance from the ratification records as at the day,
//! "unknown" never counted as "unmet", and the comments beside a country's commitments.

use serde_json::{json, Value};

use crate::helpers::{Req, TestApp, Who};
use crate::on_both_engines;

const GSP_PLUS: &str = "eu-gsp-plus-978-2012";

fn import(app: &TestApp, who: Who, csv: &str, dry_run: bool) -> crate::helpers::TestResponse {
    let path = if dry_run {
        "/api/v1/imports/supervisory-comments?dry_run=true"
    } else {
        "/api/v1/imports/supervisory-comments"
    };
    let mut req = Req::new("POST", path);
    req.body = Some(("text/csv".into(), csv.as_bytes().to_vec()));
    app.send(who, req)
}

fn comment_total(app: &TestApp) -> i64 {
    app.get("/api/v1/supervisory-comments?per_page=1").ok_json()["total"]
        .as_i64()
        .unwrap()
}

fn compliance(app: &TestApp, slug: &str, day: &str) -> Value {
    app.get_as(
        Who::Viewer,
        &format!("/api/v1/trade-arrangements/{slug}/compliance?as_of={day}"),
    )
    .ok_json()
}

fn member_codes(table: &Value) -> Vec<String> {
    table["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["country"].as_str().unwrap().to_string())
        .collect()
}

fn unsettled_codes(table: &Value) -> Vec<String> {
    table["membership_unknown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["country"].as_str().unwrap().to_string())
        .collect()
}

fn commitments(app: &TestApp, who: Who, country: &str, day: &str) -> Value {
    app.get_as(
        who,
        &format!("/api/v1/countries/{country}/commitments?as_of={day}"),
    )
    .ok_json()
}

fn binding_slugs(view: &Value) -> Vec<String> {
    view["arrangements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap().to_string())
        .collect()
}

on_both_engines! {
    fn membership_ends_on_the_day_of_an_exit(app) {
        // Armenia left GSP+ on 2022-01-01 (upper-middle income; excluded from the GSP).
        let before = compliance(app, GSP_PLUS, "2021-12-31");
        assert!(member_codes(&before).contains(&"ARM".to_string()));
        let after = compliance(app, GSP_PLUS, "2022-01-01");
        assert!(!member_codes(&after).contains(&"ARM".to_string()));
        assert!(!unsettled_codes(&after).contains(&"ARM".to_string()));
        // The country's own view agrees.
        assert!(binding_slugs(&commitments(app, Who::Viewer, "ARM", "2021-12-31")).contains(&GSP_PLUS.to_string()));
        assert!(!binding_slugs(&commitments(app, Who::Viewer, "ARM", "2022-01-01")).contains(&GSP_PLUS.to_string()));
        // Before the scheme applied, it bound nobody.
        assert!(member_codes(&compliance(app, GSP_PLUS, "2013-12-31")).is_empty());
        // Uzbekistan entered on 2021-04-10.
        assert!(!member_codes(&compliance(app, GSP_PLUS, "2021-04-09")).contains(&"UZB".to_string()));
        assert!(member_codes(&compliance(app, GSP_PLUS, "2021-04-10")).contains(&"UZB".to_string()));
    }

    fn a_withdrawal_and_a_partial_withdrawal_move_membership_on_their_days(app) {
        // Belarus: GSP withdrawn in 2007; Myanmar: withdrawn in 1997, reinstated 2013-06-12.
        let gsp = compliance(app, "eu-gsp-978-2012", "2015-01-01");
        assert!(member_codes(&gsp).contains(&"MMR".to_string()));
        assert!(!member_codes(&gsp).contains(&"BLR".to_string()));
        assert!(!unsettled_codes(&gsp).contains(&"BLR".to_string()));
        // Cambodia: EBA preferences partly withdrawn from 2020-08-12; no source dates its
        // entry, so before that day its membership is unknown, not "not a member".
        let before = commitments(app, Who::Viewer, "KHM", "2020-08-11");
        assert!(!binding_slugs(&before).contains(&"eu-eba-978-2012".to_string()));
        let unsettled: Vec<&str> = before["membership_unknown"].as_array().unwrap().iter().map(|a| a["slug"].as_str().unwrap()).collect();
        assert!(unsettled.contains(&"eu-eba-978-2012"), "{before}");
        let on = commitments(app, Who::Viewer, "KHM", "2020-08-12");
        let eba = on["arrangements"].as_array().unwrap().iter().find(|a| a["slug"] == "eu-eba-978-2012").expect("EBA binds");
        assert_eq!(eba["membership"], "partly_withdrawn");
        assert_eq!(eba["since"], "2020-08-12");
        // The instruments cited in Cambodia's withdrawal procedure are named for Cambodia.
        let cited: Vec<&str> = eba["commitments"].as_array().unwrap().iter().filter_map(|c| c["convention"].as_str()).collect();
        assert!(cited.contains(&"C087") && cited.contains(&"C098"), "{eba}");
    }

    fn compliance_follows_the_ratification_record_as_at_the_day_and_unknown_is_never_unmet(app) {
        // Kyrgyzstan is a GSP+ beneficiary from 2016-01-27; no record of C111 is seeded.
        let cell = |table: &Value, code: &str| -> Value {
            let row = table["members"].as_array().unwrap().iter().find(|m| m["country"] == "KGZ").expect("KGZ a member").clone();
            row["cells"].as_array().unwrap().iter().find(|c| !c.is_null() && c["convention"] == code).expect("named").clone()
        };
        let table = compliance(app, GSP_PLUS, "2017-03-01");
        assert_eq!(cell(&table, "C111")["compliance"], "unknown");
        assert!(cell(&table, "C111")["status"].is_null());
        // Totals count every cell once; no unknown cell is counted as unmet.
        let cells: Vec<Value> = table["members"].as_array().unwrap().iter().flat_map(|m| m["cells"].as_array().unwrap().clone()).filter(|c| !c.is_null()).collect();
        // Every row has one cell (or null) per column.
        for m in table["members"].as_array().unwrap() {
            assert_eq!(m["cells"].as_array().unwrap().len(), table["instruments"].as_array().unwrap().len());
        }
        let count = |what: &str| cells.iter().filter(|c| c["compliance"] == what).count() as u64;
        assert_eq!(table["totals"]["unknown"].as_u64(), Some(count("unknown")));
        assert_eq!(table["totals"]["unmet"].as_u64(), Some(count("unmet")));
        assert_eq!(table["totals"]["met"].as_u64(), Some(count("met")));
        for c in &cells {
            if c["status"].is_null() {
                assert_eq!(c["compliance"], "unknown", "{c}");
            }
        }
        // A record registered on 2017-03-01: unmet the day before, met from that day.
        let put = app.send(Who::Admin, Req::new("PUT", "/api/v1/ratifications/KGZ/C111").json(json!({
            "status": "ratified", "registered_on": "2017-03-01", "source": "trade test", "source_date": "2017-03-01"
        })));
        assert_eq!(put.status, 201, "{}", put.body);
        assert_eq!(cell(&compliance(app, GSP_PLUS, "2017-02-28"), "C111")["compliance"], "unmet");
        let met = compliance(app, GSP_PLUS, "2017-03-01");
        assert_eq!(cell(&met, "C111")["compliance"], "met");
        assert_eq!(cell(&met, "C111")["status"], "ratified");
        // The country's view shows the same standing with its source.
        let view = commitments(app, Who::Viewer, "KGZ", "2017-03-01");
        let gsp = view["arrangements"].as_array().unwrap().iter().find(|a| a["slug"] == GSP_PLUS).expect("GSP+ binds");
        let c111 = gsp["commitments"].as_array().unwrap().iter().find(|c| c["convention"] == "C111").unwrap();
        assert_eq!(c111["compliance"], "met");
        assert_eq!(c111["standing"]["source"], "trade test");
        assert_eq!(c111["commitment_type"], "ratify_and_effectively_implement");
        // GSP+ names 27 conventions; the view lists the 8 ILO ones.
        assert_eq!(gsp["commitments"].as_array().unwrap().len(), 8);
    }

    fn the_commitments_view_shows_recent_comments_and_hides_reforms_from_outsiders(app) {
        // Uzbekistan: GSP+ since 2021; CEACR observation on C182 adopted 2024, direct request
        // on C105 adopted 2020 (outside the five years to 2025).
        let view = commitments(app, Who::Viewer, "UZB", "2025-06-01");
        let years: Vec<(i64, Vec<String>)> = view["comments"].as_array().unwrap().iter().map(|c| {
            (c["year"].as_i64().unwrap(), c["conventions"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect())
        }).collect();
        assert!(years.iter().any(|(y, codes)| *y == 2024 && codes.contains(&"C182".to_string())), "{years:?}");
        assert!(years.iter().all(|(y, _)| (2021..=2025).contains(y)), "{years:?}");
        // A viewer may not see a country's reforms or reporting: null, not an empty list.
        assert!(view["open_gaps"].is_null());
        assert!(view["overdue_report_requests"].is_null());
        let admin = commitments(app, Who::Admin, "UZB", "2025-06-01");
        assert!(admin["open_gaps"].is_array());
        assert!(admin["overdue_report_requests"].is_array());
        // Bad days and unknown places.
        app.get_as(Who::Viewer, "/api/v1/countries/UZB/commitments?as_of=2999-01-01").problem(422);
        app.get_as(Who::Viewer, "/api/v1/countries/UZB/commitments?as_of=yesterday").problem(400);
        app.get_as(Who::Viewer, "/api/v1/countries/XXX/commitments").problem(404);
        app.get_as(Who::Viewer, "/api/v1/trade-arrangements/no-such-thing/compliance").problem(404);
        app.get_as(Who::Viewer, "/api/v1/trade-arrangements/Not_A_Slug").problem(404);
    }

    fn arrangements_and_comments_are_listed_with_their_sources(app) {
        let page = app.get_as(Who::Viewer, "/api/v1/trade-arrangements?per_page=100").ok_json();
        assert_eq!(page["total"], 25);
        for a in page["items"].as_array().unwrap() {
            assert!(!a["source"].as_str().unwrap_or("").is_empty(), "{a}");
        }
        let detail = app.get_as(Who::Viewer, &format!("/api/v1/trade-arrangements/{GSP_PLUS}")).ok_json();
        assert_eq!(detail["instruments"].as_array().unwrap().len(), 27);
        let exits = detail["events"].as_array().unwrap().iter().filter(|e| e["event"] == "exited").count();
        assert!(exits >= 6, "{exits}");
        // Filters: by instrument named, by country, by kind.
        let naming = app.get_as(Who::Viewer, "/api/v1/trade-arrangements?convention=C087&per_page=100").ok_json();
        assert!(naming["items"].as_array().unwrap().iter().any(|a| a["slug"] == GSP_PLUS));
        let kinds = app.get_as(Who::Viewer, "/api/v1/trade-arrangements?kind=trade_agreement&per_page=100").ok_json();
        assert!(kinds["items"].as_array().unwrap().iter().all(|a| a["kind"] == "trade_agreement"));
        app.get_as(Who::Viewer, "/api/v1/trade-arrangements?kind=treaty").problem(400);
        // Comments: 22 seeded; the grouped Costa Rica comment examines three instruments.
        let comments = app.get_as(Who::Viewer, "/api/v1/supervisory-comments?per_page=100").ok_json();
        assert_eq!(comments["total"], 22);
        let cri = app.get_as(Who::Viewer, "/api/v1/supervisory-comments?country=CRI").ok_json();
        assert_eq!(cri["items"][0]["conventions"], json!(["C081", "C129", "C150"]));
        let cas = app.get_as(Who::Viewer, "/api/v1/supervisory-comments?body=cas&convention=C182").ok_json();
        assert_eq!(cas["total"], 3);
        app.get_as(Who::Viewer, "/api/v1/supervisory-comments?year_from=2024&year_to=2020").problem(422);
        app.get_as(Who::Viewer, "/api/v1/supervisory-comments/999999").problem(404);
    }

    fn a_comment_is_written_by_its_countrys_office_with_if_match_and_audited(app) {
        let body = json!({"body": "ceacr", "kind": "observation", "country": "ZWE", "conventions": ["C087", "c98"], "year": 2024,
                          "published_year": 2025, "reply_requested_for": 2026, "source": "NORMLEX", "source_date": "2025"});
        let created = app.send(Who::Office, Req::new("POST", "/api/v1/supervisory-comments").json(body.clone()));
        assert_eq!(created.status, 201, "{}", created.body);
        let comment = created.json();
        assert_eq!(comment["conventions"], json!(["C087", "C098"]));
        assert_eq!(comment["footnote"], "unknown");
        let id = comment["id"].as_i64().unwrap();
        assert_eq!(created.header("location"), Some(format!("/api/v1/supervisory-comments/{id}").as_str()));
        let tag = created.header("etag").unwrap().to_string();
        // Another country's office may not; rules are 422, malformed fields 400.
        let mut other = body.clone();
        other["country"] = json!("VNM");
        app.send(Who::Office, Req::new("POST", "/api/v1/supervisory-comments").json(other)).problem(403);
        let mut cas = body.clone();
        cas["body"] = json!("cas");
        let refused = app.send(Who::Office, Req::new("POST", "/api/v1/supervisory-comments").json(cas));
        refused.problem(422);
        assert_eq!(refused.error_fields(), ["kind"]);
        let mut early = body.clone();
        early["published_year"] = json!(2023);
        app.send(Who::Office, Req::new("POST", "/api/v1/supervisory-comments").json(early)).problem(422);
        let mut too_many = body.clone();
        too_many["conventions"] = json!((1..=51).map(|n| format!("C{n:03}")).collect::<Vec<_>>());
        app.send(Who::Office, Req::new("POST", "/api/v1/supervisory-comments").json(too_many)).problem(400);
        let mut bad_link = body.clone();
        bad_link["link"] = json!("normlex");
        app.send(Who::Office, Req::new("POST", "/api/v1/supervisory-comments").json(bad_link)).problem(400);
        let mut nowhere = body.clone();
        nowhere["country"] = json!("XXX");
        app.send(Who::Admin, Req::new("POST", "/api/v1/supervisory-comments").json(nowhere)).problem(422);
        // Changing it needs the current ETag; the country stays.
        let path = format!("/api/v1/supervisory-comments/{id}");
        let mut changed = body.clone();
        changed["footnote"] = json!("double");
        app.send(Who::Office, Req::new("PUT", &path).json(changed.clone())).problem(428);
        app.send(Who::Office, Req::new("PUT", &path).header("If-Match", "\"supervisory_comment-1-v0\"").json(changed.clone())).problem(412);
        let mut moved = changed.clone();
        moved["country"] = json!("VNM");
        app.send(Who::Admin, Req::new("PUT", &path).header("If-Match", &tag).json(moved)).problem(422);
        let updated = app.send(Who::Office, Req::new("PUT", &path).header("If-Match", &tag).json(changed));
        assert_eq!(updated.ok_json()["footnote"], "double");
        assert_ne!(updated.header("etag"), Some(tag.as_str()));
        // Both writes are in the audit log, with the state before and after.
        let audit = app.get(&format!("/api/v1/audit?entity=supervisory_comment&entity_id={id}")).ok_json();
        assert_eq!(audit["total"], 2);
        // Constituents and viewers read it, but do not write.
        assert_eq!(app.get_as(Who::Worker, &path).status, 200);
        app.send(Who::Government, Req::new("POST", "/api/v1/supervisory-comments").json(body)).problem(403);
    }

    fn a_comment_file_is_imported_all_or_nothing_with_every_bad_line_named(app) {
        let before = comment_total(app);
        let csv = "body,kind,country,conventions,year,published_year,source\n\
                   ceacr,observation,ZWE,C087,2023,2024,file\n\
                   cas,observation,ZWE,C087,2023,,file\n\
                   ceacr,direct_request,XXX,C087,2023,,file\n\
                   ceacr,direct_request,ZWE,C087,twenty,,file\n\
                   ceacr,direct_request,ZWE,,2023,,file\n";
        let refused = import(app, Who::Admin, csv, false);
        refused.problem(422);
        let lines: Vec<(u64, String)> = refused.json()["errors"].as_array().unwrap().iter()
            .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap().to_string())).collect();
        assert_eq!(lines, [(3, "kind".to_string()), (4, "country".to_string()), (5, "year".to_string()), (6, "conventions".to_string())]);
        assert_eq!(comment_total(app), before, "nothing was imported");
        // A dry run counts and changes nothing; then the good rows go in.
        let good = "body,kind,country,conventions,year,source\nceacr,observation,ZWE,C087 C098,2023,file\ncas,individual_case,ZWE,C087,2024,file\n";
        let dry = import(app, Who::Office, good, true).ok_json();
        assert_eq!((dry["inserted"].as_u64(), dry["dry_run"].as_bool()), (Some(2), Some(true)));
        assert_eq!(comment_total(app), before);
        assert_eq!(import(app, Who::Office, good, false).ok_json()["inserted"], 2);
        assert_eq!(comment_total(app), before + 2);
        // An office user's file about another country is refused.
        let elsewhere = "body,kind,country,conventions,year,source\nceacr,observation,VNM,C087,2023,file\n";
        import(app, Who::Office, elsewhere, false).problem(422);
        app.send(Who::Office, Req::new("POST", "/api/v1/imports/supervisory-comments")).problem(415);
    }

    fn a_comment_export_imports_back_unchanged(app) {
        let export = app.get("/api/v1/supervisory-comments.csv?country=UZB");
        assert_eq!(export.status, 200);
        assert_eq!(export.header("content-type"), Some("text/csv; charset=utf-8"));
        let rows = csv::Reader::from_reader(export.body.as_bytes()).records().count();
        assert_eq!(rows, 6, "{}", export.body);
        let back = import(app, Who::Admin, &export.body, false).ok_json();
        assert_eq!((back["unchanged"].as_u64(), back["inserted"].as_u64(), back["updated"].as_u64()), (Some(6), Some(0), Some(0)), "{back}");
        // A changed cell updates that comment only.
        let changed = export.body.replacen(",unknown,", ",double,", 1);
        let again = import(app, Who::Admin, &changed, false).ok_json();
        assert_eq!((again["unchanged"].as_u64(), again["updated"].as_u64()), (Some(5), Some(1)), "{again}");
    }

    fn a_reply_asked_for_makes_one_follow_up_request_over_two_generation_runs(app) {
        let created = app.send(Who::Admin, Req::new("POST", "/api/v1/supervisory-comments").json(json!({
            "body": "ceacr", "kind": "observation", "country": "ZWE", "conventions": ["C087", "C150"], "year": 2026,
            "reply_requested_for": 2027, "source": "reply test"
        })));
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.json()["id"].as_i64().unwrap();
        let generate = || app.send(Who::Admin, Req::new("POST", "/api/v1/report-requests/generate").json(json!({"year": 2027}))).ok_json();
        let first = generate();
        assert_eq!(first["created"]["article22_follow_up"], 1, "{first}");
        let second = generate();
        assert_eq!(second["created"]["article22_follow_up"], 0, "{second}");
        assert_eq!(second["already_present"]["article22_follow_up"], 1, "{second}");
        let requests = app.get("/api/v1/report-requests?country=ZWE&kind=article22_follow_up&year=2027").ok_json();
        assert_eq!(requests["total"], 1, "{requests}");
        let request = &requests["items"][0];
        // One per instrument normtrack tracks (C150 is not tracked), naming the comment.
        assert_eq!(request["conventions"], json!(["C087"]));
        assert!(request["reason"].as_str().unwrap().contains(&format!("supervisory comment {id}")), "{request}");
        // Another year's run makes none.
        let other = app.send(Who::Admin, Req::new("POST", "/api/v1/report-requests/generate").json(json!({"year": 2028}))).ok_json();
        assert_eq!(other["created"]["article22_follow_up"], 0);
    }

    fn a_gap_cites_the_comments_it_was_opened_from_and_a_comment_lists_its_gaps(app) {
        let comment = app.send(Who::Admin, Req::new("POST", "/api/v1/supervisory-comments").json(json!({
            "body": "ceacr", "kind": "observation", "country": "ZWE", "conventions": ["C087"], "year": 2025, "source": "gap test"
        })));
        assert_eq!(comment.status, 201, "{}", comment.body);
        let id = comment.json()["id"].as_i64().unwrap();
        let gap = app.send(Who::Office, Req::new("POST", "/api/v1/gaps").json(json!({
            "country": "ZWE", "conventions": ["C087"], "title": "Public servants cannot organise", "source": "CEACR 2025", "comments": [id, id]
        })));
        assert_eq!(gap.status, 201, "{}", gap.body);
        assert_eq!(gap.json()["comments"], json!([id]));
        let gap_id = gap.json()["id"].as_i64().unwrap();
        assert_eq!(app.get(&format!("/api/v1/supervisory-comments/{id}")).ok_json()["gaps"], json!([gap_id]));
        // Those who may not see Zimbabwe's reforms do not learn of its gaps through a comment.
        assert_eq!(app.get_as(Who::Viewer, &format!("/api/v1/supervisory-comments/{id}")).ok_json()["gaps"], json!([]));
        assert_eq!(app.get_as(Who::Worker, &format!("/api/v1/supervisory-comments/{id}")).ok_json()["gaps"], json!([gap_id]));
        // A comment of another country, or none at all, is refused.
        let elsewhere = app.get("/api/v1/supervisory-comments?country=KHM&per_page=1").ok_json()["items"][0]["id"].as_i64().unwrap();
        for bad in [elsewhere, 999_999] {
            let refused = app.send(Who::Office, Req::new("POST", "/api/v1/gaps").json(json!({
                "country": "ZWE", "conventions": ["C087"], "title": "x", "source": "y", "comments": [bad]
            })));
            refused.problem(422);
            assert_eq!(refused.error_fields(), ["comments"]);
        }
        // The commitments view of a country lists comments; a gap's own list is its reverse.
        let tag = gap.header("etag").unwrap().to_string();
        let cleared = app.send(Who::Office, Req::new("PUT", format!("/api/v1/gaps/{gap_id}")).header("If-Match", &tag).json(json!({
            "country": "ZWE", "conventions": ["C087"], "title": "Public servants cannot organise", "source": "CEACR 2025"
        })));
        assert_eq!(cleared.ok_json()["comments"], json!([]));
        assert_eq!(app.get(&format!("/api/v1/supervisory-comments/{id}")).ok_json()["gaps"], json!([]));
    }

    fn administrators_record_an_arrangement_its_members_and_what_it_names(app) {
        let path = "/api/v1/trade-arrangements/test-scheme-2026";
        let body = json!({"name": "Test scheme", "kind": "unilateral_preference_scheme", "granting_parties": "Testland",
                          "applies_from": "2020-01-01", "expires_on": "2030-12-31", "source": "test act", "source_date": "2019-11"});
        app.send(Who::Office, Req::new("PUT", path).json(body.clone())).problem(403);
        let created = app.send(Who::Admin, Req::new("PUT", path).json(body.clone()));
        assert_eq!(created.status, 201, "{}", created.body);
        let tag = created.header("etag").unwrap().to_string();
        // Changing it needs its ETag; dates must be in order.
        app.send(Who::Admin, Req::new("PUT", path).json(body.clone())).problem(428);
        let mut ancient = body.clone();
        ancient["applies_from"] = json!("-5000-01-01");
        app.send(Who::Admin, Req::new("PUT", path).header("If-Match", &tag).json(ancient)).problem(422);
        let mut backwards = body.clone();
        backwards["expires_on"] = json!("2019-12-31");
        app.send(Who::Admin, Req::new("PUT", path).header("If-Match", &tag).json(backwards)).problem(422);
        // Zimbabwe enters on 2021-03-01 and the scheme names C087 and C098 for ratification.
        let entered = app.send(Who::Admin, Req::new("POST", format!("{path}/events")).json(json!({
            "country": "ZWE", "event": "entered", "occurred_on": "2021-03-01", "source": "test notice"
        })));
        assert_eq!(entered.status, 201, "{}", entered.body);
        assert_eq!(entered.json()["country_name"], "Zimbabwe");
        app.send(Who::Admin, Req::new("POST", format!("{path}/events")).json(json!({
            "country": "NIU", "event": "entered", "occurred_on": "2021", "source": "test notice"
        }))).problem(422);
        for code in ["C087", "C098"] {
            let added = app.send(Who::Admin, Req::new("POST", format!("{path}/instruments")).json(json!({
                "convention": code, "named_as": code, "commitment_type": "ratify_and_effectively_implement", "source": "test act"
            })));
            assert_eq!(added.status, 201, "{}", added.body);
        }
        app.send(Who::Admin, Req::new("POST", format!("{path}/instruments")).json(json!({
            "convention": "C150", "named_as": "C150", "commitment_type": "consider_ratification", "source": "test act"
        }))).problem(422);
        // Each addition moved the version: the first ETag is stale.
        app.send(Who::Admin, Req::new("PUT", path).header("If-Match", &tag).json(body)).problem(412);
        let table = compliance(app, "test-scheme-2026", "2021-03-01");
        assert_eq!(member_codes(&table), ["ZWE"]);
        assert_eq!(table["instruments"].as_array().unwrap().len(), 2);
        assert!(member_codes(&compliance(app, "test-scheme-2026", "2021-02-28")).is_empty());
        let audit = app.get("/api/v1/audit?entity=trade_arrangement&entity_id=test-scheme-2026").ok_json();
        assert_eq!(audit["total"], 4, "{audit}");
    }
}
