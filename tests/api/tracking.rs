//! Ratification tracking: validated edits, If-Match, concurrent editors, history, audit,
//! CSV export and all-or-nothing import.

use serde_json::{json, Value};

use crate::helpers::{Req, TestApp, TestResponse, Who};
use crate::on_both_engines;

fn put(app: &TestApp, who: Who, key: &str, tag: Option<&str>, body: Value) -> TestResponse {
    let mut req = Req::new("PUT", format!("/api/v1/ratifications/{key}")).json(body);
    if let Some(tag) = tag {
        req = req.header("If-Match", tag);
    }
    app.send(who, req)
}

fn import(app: &TestApp, who: Who, csv: &str, dry_run: bool) -> TestResponse {
    let path = if dry_run {
        "/api/v1/imports/ratifications?dry_run=true"
    } else {
        "/api/v1/imports/ratifications"
    };
    let mut req = Req::new("POST", path);
    req.body = Some(("text/csv".into(), csv.as_bytes().to_vec()));
    app.send(who, req)
}

fn export(app: &TestApp, query: &str) -> String {
    let response = app.get(&format!("/api/v1/ratifications.csv{query}"));
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("content-type"), Some("text/csv; charset=utf-8"));
    response.body
}

fn total(app: &TestApp) -> i64 {
    app.get("/api/v1/ratifications?per_page=1").ok_json()["total"]
        .as_i64()
        .unwrap()
}

fn audit_count(app: &TestApp, query: &str) -> i64 {
    app.get(&format!("/api/v1/audit?{query}")).ok_json()["total"]
        .as_i64()
        .unwrap()
}

/// The 422 problem's `(line, field)` pairs.
fn row_errors(response: &TestResponse) -> Vec<(u64, String)> {
    response.problem(422);
    response.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or(0),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

on_both_engines! {
    fn creates_a_record_without_if_match_and_changes_it_only_with_the_current_etag(app) {
        let body = json!({"status": "in_progress", "stage": "submitted_to_parliament", "source": "Ministry note", "source_date": "2026-10"});
        let created = put(app, Who::Office, "ZWE/C155", None, body.clone());
        assert_eq!(created.status, 201, "{}", created.body);
        let tag = created.header("etag").unwrap().to_string();
        assert_eq!(tag, "\"ZWE-C155-v1\"");
        // Changing it needs If-Match: 428 without, 412 when stale.
        let ratified = json!({"status": "ratified", "registered_on": "2026-06-01", "source": "ILO registration", "source_date": "2026-06-01"});
        put(app, Who::Office, "ZWE/C155", None, ratified.clone()).problem(428);
        put(app, Who::Office, "ZWE/C155", Some("\"ZWE-C155-v0\""), ratified.clone()).problem(412);
        let changed = put(app, Who::Office, "ZWE/C155", Some(&tag), ratified.clone());
        let record = changed.ok_json();
        assert_eq!(changed.header("etag"), Some("\"ZWE-C155-v2\""));
        assert_eq!(record["status"], "ratified");
        assert!(record["stage"].is_null());
        assert_eq!(record["in_force_on"], "2027-06-01", "twelve months after registration");
        assert_eq!(record["in_force"], false);
        // The old tag is stale now; an If-Match on a record that does not exist fails too.
        put(app, Who::Office, "ZWE/C155", Some(&tag), ratified.clone()).problem(412);
        put(app, Who::Office, "ZWE/C187", Some(&tag), ratified).problem(412);
    }

    fn each_broken_rule_is_a_422_naming_its_field(app) {
        let cases = [
            ("ZWE/C155", json!({"status": "ratified", "stage": "instrument_deposited", "registered_on": "2020-01-01"}), "stage"),
            ("ZWE/C155", json!({"status": "ratified"}), "registered_on"),
            ("ZWE/C155", json!({"status": "ratified", "registered_on": "1981-06-21"}), "registered_on"),
            ("ZWE/C155", json!({"status": "ratified", "registered_on": "2099-01-01"}), "registered_on"),
            ("ZWE/C155", json!({"status": "ratified", "registered_on": "2020-01-01", "in_force_on": "2019-12-31"}), "in_force_on"),
            ("ZWE/C155", json!({"status": "denounced", "registered_on": "2010-01-01"}), "denounced_on"),
            ("ZWE/C155", json!({"status": "denounced", "registered_on": "2010-01-01", "in_force_on": "2011-01-01", "denounced_on": "2010-06-01"}), "denounced_on"),
            ("ZWE/C155", json!({"status": "not_ratified", "registered_on": "2010-01-01"}), "registered_on"),
            ("ZWE/C155", json!({"status": "ratified", "registered_on": "2010-01-01", "declarations": {"minimum_age": 15}}), "minimum_age"),
            ("AFG/C138", json!({"status": "ratified", "registered_on": "2010-01-01"}), "minimum_age"),
            ("AFG/C138", json!({"status": "ratified", "registered_on": "2010-01-01", "declarations": {"minimum_age": 13}}), "minimum_age"),
            // Zimbabwe declared 14; a later declaration may raise it, never lower it.
            ("ZWE/C138", json!({"status": "ratified", "registered_on": "2000-06-06", "declarations": {"minimum_age": 13}}), "minimum_age"),
            // No record shows Afghanistan bound by C029.
            ("AFG/P029", json!({"status": "ratified", "registered_on": "2020-01-01"}), "status"),
            // Zimbabwe has ratified P029: C029 cannot be denounced before it.
            ("ZWE/C029", json!({"status": "denounced", "registered_on": "1998-08-27", "denounced_on": "2020-01-01"}), "status"),
        ];
        for (key, mut body, field) in cases {
            body["source"] = json!("rule test");
            let tag = {
                let current = app.get(&format!("/api/v1/ratifications/{key}"));
                current.header("etag").map(str::to_string)
            };
            let response = put(app, Who::Admin, key, tag.as_deref(), body.clone());
            response.problem(422);
            assert!(response.error_fields().contains(&field.to_string()), "{key} {body}: {}", response.body);
        }
        // Nothing was written.
        assert_eq!(audit_count(app, "entity=ratification"), 0);
        app.get("/api/v1/ratifications/ZWE/C155").problem(404);
        // Well-formed variants of the same records pass.
        let tag = app.etag_of("/api/v1/ratifications/ZWE/C138");
        let raised = put(app, Who::Admin, "ZWE/C138", Some(&tag), json!({"status": "ratified", "registered_on": "2000-06-06", "declarations": {"minimum_age": 15}, "source": "declaration"}));
        assert_eq!(raised.ok_json()["declarations"]["minimum_age"], 15);
        let undated = put(app, Who::Admin, "AFG/C138", None, json!({"status": "ratified", "source_incomplete": true, "source": "news item without a date"}));
        let body = undated.json();
        assert_eq!(undated.status, 201, "{}", undated.body);
        assert!(body["in_force"].is_null());
    }

    fn unknown_country_or_instrument_is_404_and_bad_bodies_are_400(app) {
        put(app, Who::Admin, "XXX/C087", None, json!({"status": "ratified", "source_incomplete": true, "source": "x"})).problem(404);
        put(app, Who::Admin, "ZWE/C999", None, json!({"status": "ratified", "source_incomplete": true, "source": "x"})).problem(404);
        put(app, Who::Admin, "ZWE/C155", None, json!({"status": "ratified", "registered_on": "2021-02-30", "source": "x"})).problem(400);
        put(app, Who::Admin, "ZWE/C155", None, json!({"status": "maybe", "source": "x"})).problem(400);
        put(app, Who::Admin, "ZWE/C155", None, json!({"status": "in_progress", "source": " "})).problem(400);
        put(app, Who::Admin, "ZWE/C155", None, json!({"status": "in_progress", "source": "x", "version": 9})).problem(400);
        put(app, Who::Admin, "ZWE/C155", None, json!({"status": "in_progress", "source": "x", "source_date": "June"})).problem(400);
    }

    fn a_body_and_a_csv_row_are_held_to_the_same_text_limits(app) {
        // `source` holds at most 2,000 characters and `notes` 20,000, by field name
        // (domain::fields::TEXT_LIMITS), in a PUT body and in an imported row alike.
        let long_source = "s".repeat(2_001);
        let long_notes = "n".repeat(20_001);
        let response = put(app, Who::Admin, "ZWE/C155", None, json!({"status": "in_progress", "source": long_source}));
        response.problem(400);
        assert_eq!(response.error_fields(), ["source"]);
        let response = put(app, Who::Admin, "ZWE/C155", None, json!({"status": "in_progress", "source": "x", "notes": long_notes}));
        response.problem(400);
        assert_eq!(response.error_fields(), ["notes"]);
        let header = "country,convention,status,source,notes";
        let csv = format!("{header}\nZWE,C155,in_progress,{long_source},\nZWE,C187,in_progress,x,{long_notes}\nZWE,C161,in_progress,x,\"bell\u{7}\"\n");
        let errors = row_errors(&import(app, Who::Admin, &csv, false));
        assert_eq!(errors, [(2, "source".to_string()), (3, "notes".to_string()), (4, "notes".to_string())]);
        // At the limit, both pass.
        let at_limit = format!("{header}\nZWE,C155,in_progress,{},{}\n", "s".repeat(2_000), "n".repeat(20_000));
        assert_eq!(import(app, Who::Admin, &at_limit, false).ok_json()["inserted"], 1);
        // The OpenAPI document states the same limits.
        let doc = app.get("/api-docs/openapi.json").ok_json();
        let input = &doc["components"]["schemas"]["RatificationInput"]["properties"];
        assert_eq!(input["source"]["maxLength"], 2_000);
        assert_eq!(input["notes"]["maxLength"], 20_000);
    }

    fn two_concurrent_editors_exactly_one_wins_and_nothing_is_lost(app) {
        let tag = app.etag_of("/api/v1/ratifications/ZWE/C087");
        let edits = ["first editor's note", "second editor's note"];
        let results: Vec<(u16, String)> = std::thread::scope(|scope| {
            let handles: Vec<_> = edits
                .iter()
                .map(|note| {
                    let tag = tag.clone();
                    scope.spawn(move || {
                        let response = put(app, Who::Office, "ZWE/C087", Some(&tag), json!({
                            "status": "ratified", "registered_on": "2003-04-09", "source": "NORMLEX", "notes": note
                        }));
                        (response.status, note.to_string())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("editor thread")).collect()
        });
        let winners: Vec<_> = results.iter().filter(|(status, _)| *status == 200).collect();
        let losers: Vec<_> = results.iter().filter(|(status, _)| *status == 412).collect();
        assert_eq!((winners.len(), losers.len()), (1, 1), "{results:?}");
        let record = app.get("/api/v1/ratifications/ZWE/C087").ok_json();
        assert_eq!(record["notes"], winners[0].1.as_str());
        assert_eq!(record["version"], 2);
        // The loser reads again and applies its change on top: nothing is lost.
        let tag = app.etag_of("/api/v1/ratifications/ZWE/C087");
        let merged = format!("{} / {}", winners[0].1, losers[0].1);
        let response = put(app, Who::Office, "ZWE/C087", Some(&tag), json!({"status": "ratified", "registered_on": "2003-04-09", "source": "NORMLEX", "notes": merged}));
        assert_eq!(response.ok_json()["version"], 3);
        let history = app.get("/api/v1/ratifications/ZWE/C087/history").ok_json();
        assert_eq!(history["total"], 3);
    }

    fn history_keeps_who_when_before_and_after_newest_first(app) {
        let office = app.fixture().users[&Who::Office];
        let tag = app.etag_of("/api/v1/ratifications/VNM/C098");
        put(app, Who::Admin, "VNM/C098", Some(&tag), json!({
            "status": "ratified", "registered_on": "2019-07-05", "in_force_on": "2020-07-05",
            "source": "ILO news", "notes": "checked against NORMLEX"
        })).ok_json();
        let history = app.get("/api/v1/ratifications/VNM/C098/history").ok_json();
        assert_eq!(history["total"], 2);
        let newest = &history["items"][0];
        assert_eq!(newest["version"], 2);
        assert_eq!(newest["actor"], format!("user:{}", app.fixture().users[&Who::Admin]));
        assert!(newest["changed_at"].is_string());
        assert_eq!(newest["before"]["notes"], "ILO news 26 Jul 2019 (167th ratification of C098); confidence: primary (ILO news)");
        assert_eq!(newest["after"]["notes"], "checked against NORMLEX");
        let oldest = &history["items"][1];
        assert_eq!(oldest["actor"], "seed");
        assert!(oldest["before"].is_null());
        // Public: a dashboard token reads it too.
        assert_eq!(app.get_as(Who::Viewer, "/api/v1/ratifications/VNM/C098/history").status, 200);
        app.get("/api/v1/ratifications/ZWE/C155/history").problem(404);
        let _ = office;
    }

    fn every_accepted_write_is_audited_and_office_sees_its_countries(app) {
        let before = audit_count(app, "");
        let created = put(app, Who::Office, "ZWE/C187", None, json!({"status": "in_progress", "source": "office"}));
        assert_eq!(created.status, 201);
        let org = app.send(Who::Office, Req::new("POST", "/api/v1/organizations").json(json!({"country": "ZWE", "kind": "worker", "name": "Audited union"})));
        assert_eq!(org.status, 201);
        let token = app.send(Who::Admin, Req::new("POST", "/api/v1/tokens").json(json!({"name": "audited", "expires_in_days": 5})));
        assert_eq!(token.status, 201);
        let user = app.send(Who::Admin, Req::new("POST", "/api/v1/users").json(json!({"email": "audited@fixture.example", "role": "viewer", "password": crate::helpers::TEST_PASSWORD})));
        assert_eq!(user.status, 201);
        assert_eq!(audit_count(app, ""), before + 4);
        let entries = app.get("/api/v1/audit?entity=ratification&entity_id=ZWE/C187").ok_json();
        let entry = &entries["items"][0];
        assert_eq!(entry["action"], "create");
        assert_eq!(entry["country"], "ZWE");
        assert!(entry["before"].is_null());
        assert_eq!(entry["after"]["status"], "in_progress");
        assert_eq!(entry["actor"], format!("user:{}", app.fixture().users[&Who::Office]));
        // The account's entry never holds its password hash.
        let users = app.get("/api/v1/audit?entity=user");
        assert!(!users.body.contains("argon2"));
        // Office staff read the entries of what they may read through its own endpoint
        // (issue 13): the ratification and the organization, not the token or the account.
        let office = app.get_as(Who::Office, "/api/v1/audit?per_page=500").ok_json();
        assert_eq!(office["total"], before + 2);
        assert_eq!(app.get_as(Who::Office, "/api/v1/audit?country=ZWE").ok_json()["total"], 2);
        assert_eq!(app.get_as(Who::Office, "/api/v1/audit?country=VNM").ok_json()["total"], 0);
        // Filters.
        assert_eq!(audit_count(app, "entity=token"), 1);
        let actor = format!("user:{}", app.fixture().users[&Who::Admin]);
        assert_eq!(audit_count(app, &format!("actor={actor}")), 2);
        assert_eq!(audit_count(app, "from=2099-01-01"), 0);
        assert_eq!(audit_count(app, "until=2000-01-01T00:00:00Z"), 0);
        app.get("/api/v1/audit?from=yesterday").problem(400);
    }

    fn audit_pages_follow_one_another_by_cursor_and_kept_totals_equal_counted_ones(app) {
        // Entries of two countries and of no country, written one by one and in bulk.
        let csv = "country,convention,status,source\nZWE,C155,in_progress,office\nVNM,C155,in_progress,office\nVNM,C187,in_progress,office\nKEN,C187,in_progress,office\n";
        import(app, Who::Admin, csv, false).ok_json();
        assert_eq!(put(app, Who::Office, "ZWE/C187", None, json!({"status": "in_progress", "source": "office"})).status, 201);
        let token = app.send(Who::Admin, Req::new("POST", "/api/v1/tokens").json(json!({"name": "paged", "expires_in_days": 5})));
        assert_eq!(token.status, 201);
        // A total by kind and country is read from the kept counts; with a time window it
        // is counted entry by entry. Every entry is after 2000, so the two must agree, for
        // every caller's scope.
        let kept_and_counted = |who: Who| {
            for query in ["", "entity=ratification", "country=ZWE", "country=VNM", "entity=token", "entity=ratification&country=ZWE"] {
                let kept = app.get_as(who, &format!("/api/v1/audit?{query}")).ok_json()["total"].as_i64().unwrap();
                let counted = app.get_as(who, &format!("/api/v1/audit?{query}&from=2000-01-01")).ok_json()["total"].as_i64().unwrap();
                assert_eq!(kept, counted, "{who:?} {query}");
            }
        };
        kept_and_counted(Who::Admin);
        kept_and_counted(Who::Office);
        // Records of every country are read by everyone, and so are their entries; tokens
        // only by administrators.
        assert_eq!(app.get_as(Who::Office, "/api/v1/audit?country=ZWE").ok_json()["total"], 2);
        assert_eq!(app.get_as(Who::Office, "/api/v1/audit?country=VNM").ok_json()["total"], 2);
        assert_eq!(app.get_as(Who::Office, "/api/v1/audit?entity=token").ok_json()["total"], 0);
        assert_eq!(app.get_as(Who::Admin, "/api/v1/audit?entity=token").ok_json()["total"], 1);
        // PostgreSQL adds a row per insert statement and folds them now and then: a fold
        // leaves one row per pair and every total as it was.
        let before_fold = audit_count(app, "");
        let rows_and_pairs = |conn: &mut normtrack::db::DbConn| {
            use diesel::prelude::*;
            #[derive(QueryableByName)]
            struct Counts {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                rows: i64,
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                pairs: i64,
            }
            let query = diesel::sql_query("SELECT COUNT(*) AS rows, COUNT(DISTINCT entity || '/' || country) AS pairs FROM audit_counts");
            let counts: Counts = match conn {
                normtrack::db::DbConn::Postgres(c) => {
                    diesel::sql_query("SELECT normtrack_fold_audit_counts()").execute(c).unwrap();
                    query.get_result(c).unwrap()
                }
                normtrack::db::DbConn::Sqlite(c) => query.get_result(c).unwrap(),
            };
            (counts.rows, counts.pairs)
        };
        let (rows, pairs) = app.with_conn(rows_and_pairs);
        assert_eq!(rows, pairs);
        assert_eq!(audit_count(app, ""), before_fold);
        kept_and_counted(Who::Admin);

        // Pages read by key follow one another like pages read by offset, and say their number.
        for who in [Who::Admin, Who::Office] {
            let by_offset: Vec<Value> = (1..)
                .map(|page| app.get_as(who, &format!("/api/v1/audit?per_page=2&page={page}")).ok_json())
                .take_while(|page| !page["items"].as_array().unwrap().is_empty())
                .flat_map(|page| page["items"].as_array().unwrap().clone())
                .map(|entry| entry["id"].clone())
                .collect();
            let first = app.get_as(who, "/api/v1/audit?per_page=2").ok_json();
            let total = first["total"].as_i64().unwrap();
            assert_eq!(by_offset.len() as i64, total, "{who:?}");
            let mut by_key: Vec<Value> = first["items"].as_array().unwrap().iter().map(|e| e["id"].clone()).collect();
            let mut next = first["next_cursor"].as_str().map(str::to_string);
            let mut expected_page = 2;
            while let Some(cursor) = next {
                let page = app.get_as(who, &format!("/api/v1/audit?per_page=2&cursor={cursor}")).ok_json();
                assert_eq!(page["page"], expected_page);
                assert_eq!(page["total"], total);
                by_key.extend(page["items"].as_array().unwrap().iter().map(|e| e["id"].clone()));
                next = page["next_cursor"].as_str().map(str::to_string);
                expected_page += 1;
            }
            assert_eq!(by_key, by_offset, "{who:?}");
            // The last page by offset has no cursor either.
            let last = (total + 1) / 2;
            assert!(app.get_as(who, &format!("/api/v1/audit?per_page=2&page={last}")).ok_json().get("next_cursor").is_none());
        }
        // By number, the log is read 10,000 entries deep and no deeper.
        assert!(app.get("/api/v1/audit?page=200").ok_json()["items"].as_array().unwrap().is_empty());
        assert!(app.get("/api/v1/audit?page=20&per_page=500").ok_json()["items"].as_array().unwrap().is_empty());
        assert_eq!(app.get("/api/v1/audit?page=201").problem(422)["errors"][0]["field"], "page");
        app.get("/api/v1/audit?page=11&per_page=1000").problem(400);
        // Cursors are read strictly.
        let cursor = app.get("/api/v1/audit?per_page=1").ok_json()["next_cursor"].as_str().unwrap().to_string();
        app.get(&format!("/api/v1/audit?cursor={cursor}&page=2")).problem(422);
        app.get("/api/v1/audit?cursor=2.abc.3").problem(400);
        app.get("/api/v1/audit?cursor=").problem(400);
        app.get("/api/v1/audit?cursor=1.1796000000000000.3").problem(422);
        app.get("/api/v1/audit?cursor=2.-300000000000000000.1").problem(422);
        // Other lists have no cursor.
        assert!(app.get("/api/v1/ratifications?per_page=1").ok_json().get("next_cursor").is_none());
    }

    fn export_then_import_changes_nothing(app) {
        let exported = export(app, "");
        assert_eq!(exported.lines().count(), 1055, "a header and one line per record");
        assert!(exported.starts_with("country,convention,status,stage,registered_on,in_force_on,denounced_on,minimum_age,notes,source,source_date,source_incomplete\n"));
        let summary = import(app, Who::Admin, &exported, false).ok_json();
        assert_eq!(summary, json!({"dry_run": false, "rows": 1054, "inserted": 0, "updated": 0, "unchanged": 1054}));
        assert_eq!(export(app, ""), exported);
        assert_eq!(audit_count(app, "entity=ratification"), 0);
        // The export takes the list's filters.
        let zwe = export(app, "?country=ZWE&status=ratified");
        assert_eq!(zwe.lines().count(), 1 + 12);
        app.get("/api/v1/ratifications.csv?page=2").problem(400);
        app.get("/api/v1/ratifications.csv?country=XXX").problem(422);
    }

    fn an_import_applies_every_change_with_history_and_audit(app) {
        let csv = "country,convention,status,stage,registered_on,source,source_date,notes\n\
                   ZWE,C155,in_progress,tripartite_consultation,,Ministry,2026-09,consultation held\n\
                   ZWE,C187,ratified,,2024-03-01,ILO,2024-03,\n\
                   VNM,C087,in_progress,under_consideration,,ILO Hanoi,2026,\n";
        let summary = import(app, Who::Admin, csv, false).ok_json();
        assert_eq!(summary, json!({"dry_run": false, "rows": 3, "inserted": 3, "updated": 0, "unchanged": 0}));
        let c187 = app.get("/api/v1/ratifications/ZWE/C187").ok_json();
        assert_eq!(c187["in_force_on"], "2025-03-01");
        assert_eq!(c187["in_force"], true);
        assert_eq!(audit_count(app, "entity=ratification"), 3);
        assert_eq!(app.get("/api/v1/ratifications/VNM/C087/history").ok_json()["total"], 1);
        // Importing the same file again changes nothing.
        let again = import(app, Who::Admin, csv, false).ok_json();
        assert_eq!(again["unchanged"], 3);
        assert_eq!(audit_count(app, "entity=ratification"), 3);
    }

    fn one_bad_row_among_many_changes_nothing_and_names_its_line(app) {
        let mut csv = export(app, "");
        let before = csv.clone();
        // A valid change on line 2, and bad rows further down.
        csv = csv.replacen("\nAFG,C100,ratified,", "\nAFG,C100,not_ratified,", 1);
        csv.push_str("ZWE,C155,ratified,,2031-01-01,,,,,future,,false\n");
        csv.push_str("XXX,C087,ratified,,2001-01-01,,,,,nowhere,,false\n");
        csv.push_str("ZWE,C087,ratified,,2003-04-09,,,,,twice,,false\n");
        csv.push_str("ZWE,C155,ratified,,not-a-date,,,,,bad date,,false\n");
        let response = import(app, Who::Admin, &csv, false);
        let errors = row_errors(&response);
        assert_eq!(
            errors,
            vec![
                (1056, "registered_on".to_string()),
                (1057, "country".to_string()),
                (1058, "convention".to_string()),
                (1059, "registered_on".to_string()),
            ],
            "{}",
            response.body
        );
        assert!(response.json()["detail"].as_str().unwrap().contains("1056"));
        assert_eq!(export(app, ""), before, "nothing changed");
        assert_eq!(total(app), 1054);
    }

    fn an_office_file_touching_another_country_changes_nothing(app) {
        let csv = "country,convention,status,stage,source\n\
                   ZWE,C155,in_progress,under_consideration,office\n\
                   VNM,C155,in_progress,under_consideration,office\n";
        let response = import(app, Who::Office, csv, false);
        assert_eq!(row_errors(&response), vec![(3, "country".to_string())]);
        app.get("/api/v1/ratifications/ZWE/C155").problem(404);
        // Its own country alone is fine.
        let own = "country,convention,status,stage,source\nZWE,C155,in_progress,under_consideration,office\n";
        assert_eq!(import(app, Who::Office, own, false).ok_json()["inserted"], 1);
    }

    fn a_dry_run_checks_and_counts_but_changes_nothing(app) {
        let csv = "country,convention,status,stage,source\n\
                   ZWE,C155,in_progress,under_consideration,planning\n\
                   ZWE,C087,ratified,,NORMLEX\n";
        let summary = import(app, Who::Office, csv, true);
        // ZWE C087 has a registration date; a row without one is a change that breaks a rule.
        assert_eq!(row_errors(&summary), vec![(3, "registered_on".to_string())]);
        let csv = "country,convention,status,stage,source\nZWE,C155,in_progress,under_consideration,planning\n";
        let summary = import(app, Who::Office, csv, true).ok_json();
        assert_eq!(summary, json!({"dry_run": true, "rows": 1, "inserted": 1, "updated": 0, "unchanged": 0}));
        app.get("/api/v1/ratifications/ZWE/C155").problem(404);
        assert_eq!(audit_count(app, ""), 0);
    }

    fn the_import_reads_only_well_formed_csv_files(app) {
        let mut req = Req::new("POST", "/api/v1/imports/ratifications");
        req.body = Some(("application/json".into(), b"{}".to_vec()));
        app.send(Who::Admin, req).problem(415);
        assert_eq!(row_errors(&import(app, Who::Admin, "", false))[0].0, 1);
        let unknown = row_errors(&import(app, Who::Admin, "country,convention,status,source,colour\n", false));
        assert_eq!(unknown, vec![(1, "colour".to_string())]);
        let missing = row_errors(&import(app, Who::Admin, "country,convention\n", false));
        assert_eq!(missing, vec![(1, "status".to_string()), (1, "source".to_string())]);
        let ragged = import(app, Who::Admin, "country,convention,status,source\nZWE,C155\n", false);
        assert_eq!(row_errors(&ragged)[0].0, 2);
        let mut req = Req::new("POST", "/api/v1/imports/ratifications");
        req.body = Some(("text/csv".into(), b"country,convention,status,source\n\xff\xfe,C155,ratified,x\n".to_vec()));
        assert_eq!(row_errors(&app.send(Who::Admin, req))[0].0, 2);
        app.send(Who::Admin, Req::new("POST", "/api/v1/imports/ratifications?dry_run=perhaps")).problem(400);
        assert_eq!(total(app), 1054);
    }

    fn administrators_add_and_edit_instruments(app) {
        let body = json!({
            "code": "c190", "instrument_type": "convention", "title": "Violence and Harassment Convention, 2019 (No. 190)",
            "category": "technical", "adopted_year": 2019, "adopted_on": "2019-06-21", "in_force_on": "2021-06-25",
            "dates_source": "ILO", "normlex_id": "3999810"
        });
        let created = app.send(Who::Admin, Req::new("POST", "/api/v1/conventions").json(body.clone()));
        assert_eq!(created.status, 201, "{}", created.body);
        let c190 = created.json();
        assert_eq!(c190["code"], "C190");
        assert_eq!(c190["short_title"], "Violence and Harassment Convention");
        app.send(Who::Admin, Req::new("POST", "/api/v1/conventions").json(body.clone())).problem(409);
        let bad = app.send(Who::Admin, Req::new("POST", "/api/v1/conventions").json(json!({
            "code": "P190", "instrument_type": "protocol", "title": "x", "category": "technical",
            "adopted_year": 2019, "dates_source": "x", "parent": "C999"
        })));
        assert_eq!(bad.status, 422);
        assert_eq!(bad.error_fields(), ["parent"]);
        // Its ratifications can be tracked now.
        let recorded = put(app, Who::Office, "ZWE/C190", None, json!({"status": "in_progress", "source": "office"}));
        assert_eq!(recorded.status, 201);
        // Editing needs If-Match.
        let tag = created.header("etag").unwrap().to_string();
        let mut edit = body.clone();
        edit["dates_confidence"] = json!("checked against NORMLEX");
        app.send(Who::Admin, Req::new("PUT", "/api/v1/conventions/C190").json(edit.clone())).problem(428);
        let edited = app.send(Who::Admin, Req::new("PUT", "/api/v1/conventions/C190").header("If-Match", &tag).json(edit.clone()));
        assert_eq!(edited.ok_json()["dates_confidence"], "checked against NORMLEX");
        app.send(Who::Admin, Req::new("PUT", "/api/v1/conventions/C190").header("If-Match", &tag).json(edit.clone())).problem(412);
        let mut renamed = edit;
        renamed["code"] = json!("C191");
        let tag = app.etag_of("/api/v1/conventions/C190");
        app.send(Who::Admin, Req::new("PUT", "/api/v1/conventions/C190").header("If-Match", &tag).json(renamed)).problem(422);
        assert_eq!(audit_count(app, "entity=convention"), 2);
    }
}
