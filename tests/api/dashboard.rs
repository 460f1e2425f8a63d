//! Dashboards: every aggregate checked against counts computed here from the list endpoints,
//! `as_of` around known registrations, 304 on an unchanged `If-None-Match`, and a changed
//! answer right after a write.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, Utc};
use serde_json::{json, Value};

use crate::helpers::{Req, TestApp, Who};
use crate::on_both_engines;

fn items(app: &TestApp, path: &str) -> Vec<Value> {
    let body = app.get(path).ok_json();
    assert!(
        body["total"].as_i64().unwrap() <= 500,
        "{path}: more than one page"
    );
    body["items"].as_array().unwrap().clone()
}

fn total(app: &TestApp, path: &str) -> i64 {
    app.get(path).ok_json()["total"].as_i64().unwrap()
}

fn instrument<'a>(summary: &'a Value, code: &str) -> &'a Value {
    summary["instruments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["convention"] == code)
        .unwrap_or_else(|| panic!("{code} in the summary"))
}

on_both_engines! {
    fn summary_counts_match_the_lists(app) {
        let summary = app.get_as(Who::Viewer, "/api/v1/dashboard/summary").ok_json();
        let member_states = total(app, "/api/v1/countries");
        assert_eq!(summary["member_states"], member_states);
        let conventions = items(app, "/api/v1/conventions?per_page=500");
        assert_eq!(summary["instruments"].as_array().unwrap().len(), conventions.len());
        for c in &conventions {
            let code = c["code"].as_str().unwrap();
            let counts = instrument(&summary, code);
            let records = items(app, &format!("/api/v1/ratifications?convention={code}&per_page=500"));
            let with = |status: &str| records.iter().filter(|r| r["status"] == status).count() as i64;
            assert_eq!(counts["pairs"], member_states, "{code}");
            assert_eq!(counts["records"], records.len() as i64, "{code}");
            for status in ["ratified", "in_progress", "not_ratified", "denounced"] {
                assert_eq!(counts[status], with(status), "{code} {status}");
            }
            let in_force = records.iter().filter(|r| r["in_force"] == true).count() as i64;
            assert_eq!(counts["in_force"], in_force, "{code} in force");
            assert_eq!(counts["unknown"], member_states - records.len() as i64, "{code} unknown");
            let rate = counts["ratification_rate"].as_f64().unwrap();
            assert!((rate - with("ratified") as f64 / member_states as f64).abs() < 0.0001, "{code}");
        }
        // Per region, over every instrument: the ratified pairs of the region's countries.
        for region in summary["regions"].as_array().unwrap() {
            let name = region["region"].as_str().unwrap();
            let countries = total(app, &format!("/api/v1/countries?region={name}"));
            assert_eq!(region["member_states"], countries);
            let ratified = total(app, &format!("/api/v1/ratifications?region={name}&status=ratified"));
            assert_eq!(region["ratified"], ratified, "{name}");
        }
        // Per principle: the sum over its instruments.
        for principle in summary["principles"].as_array().unwrap() {
            let sum: i64 = principle["conventions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|code| instrument(&summary, code.as_str().unwrap())["ratified"].as_i64().unwrap())
                .sum();
            assert_eq!(principle["ratified"], sum);
        }
        // Countries with every fundamental convention ratified, counted from the list.
        let fundamental: BTreeSet<String> = conventions
            .iter()
            .filter(|c| c["category"] == "fundamental" && c["instrument_type"] == "convention")
            .map(|c| c["code"].as_str().unwrap().to_string())
            .collect();
        let mut ratified_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for code in &fundamental {
            for r in items(app, &format!("/api/v1/ratifications?convention={code}&status=ratified&per_page=500")) {
                ratified_by.entry(r["country"].as_str().unwrap().to_string()).or_default().insert(code.clone());
            }
        }
        let complete = ratified_by.values().filter(|set| **set == fundamental).count();
        assert_eq!(summary["all_fundamental"]["countries"], complete as i64);
        assert_eq!(
            summary["all_fundamental"]["conventions"].as_array().unwrap().len(),
            fundamental.len()
        );
        // A dashboard token sees no report or milestone figures.
        assert!(summary["reports"].is_null() && summary["milestones"].is_null());
        assert!(summary["serious_failures"].is_null());
    }

    fn report_and_milestone_figures_follow_the_callers_scope(app) {
        let today = Utc::now().date_naive();
        let follow_up = |country: &str, year: i32, due: chrono::NaiveDate| {
            let created = app.send(Who::Admin, Req::new("POST", "/api/v1/report-requests").json(json!({
                "kind": "article22_follow_up", "country": country, "conventions": ["C087"], "year": year,
                "due_on": due.to_string(), "reason": "asked by the CEACR"
            })));
            assert_eq!(created.status, 201, "{}", created.body);
            created.json()
        };
        // ZWE missed 2024 and 2025; VNM missed 2024 only; ZWE's 2026 one is due later.
        follow_up("ZWE", 2024, chrono::NaiveDate::from_ymd_opt(2024, 9, 1).unwrap());
        follow_up("ZWE", 2025, chrono::NaiveDate::from_ymd_opt(2025, 9, 1).unwrap());
        follow_up("VNM", 2024, chrono::NaiveDate::from_ymd_opt(2024, 9, 1).unwrap());
        let year = today.year();
        follow_up("ZWE", year, today + Duration::days(3));
        let gap = app.send(Who::Admin, Req::new("POST", "/api/v1/gaps").json(json!({"country": "ZWE", "conventions": ["C087"], "title": "Gap", "source": "CEACR"}))).json();
        for (status, target) in [("planned", today - Duration::days(2)), ("planned", today + Duration::days(2)), ("in_progress", today + Duration::days(9))] {
            let made = app.send(Who::Admin, Req::new("POST", "/api/v1/milestones").json(json!({"gap": gap["id"], "kind": "other", "title": "step", "target_on": target.to_string(), "status": status})));
            assert_eq!(made.status, 201, "{}", made.body);
        }

        for who in [Who::Admin, Who::Office, Who::Government] {
            let summary = app.get_as(who, "/api/v1/dashboard/summary?year=2024").ok_json();
            let reports = &summary["reports"];
            let listed = |query: &str| {
                app.get_as(who, &format!("/api/v1/report-requests?year=2024{query}")).ok_json()["total"].as_i64().unwrap()
            };
            assert_eq!(reports["due"], listed(""), "{who:?}");
            assert_eq!(reports["submitted"], listed("&status=submitted"), "{who:?}");
            assert_eq!(reports["overdue"], listed("&overdue=true"), "{who:?}");
            let milestones = &summary["milestones"];
            let listed = |query: &str| app.get_as(who, &format!("/api/v1/milestones?{query}")).ok_json()["total"].clone();
            assert_eq!(milestones["planned"], listed("status=planned"), "{who:?}");
            assert_eq!(milestones["in_progress"], listed("status=in_progress"), "{who:?}");
            assert_eq!(milestones["overdue"], listed("overdue=true"), "{who:?}");
            let failures = summary["serious_failures"].as_array().unwrap();
            let zwe = failures.iter().find(|f| f["country"] == "ZWE").expect("ZWE missed two years in a row");
            assert_eq!(zwe["years"], json!([2024, 2025]));
            assert!(failures.iter().all(|f| f["country"] != "VNM"), "one missed year is not a run");
        }
        // The ZWE government does not see VNM's request.
        let government = app.get_as(Who::Government, "/api/v1/dashboard/summary?year=2024").ok_json();
        assert_eq!(government["reports"]["due"], 1);
        assert_eq!(app.get("/api/v1/dashboard/summary?year=2024").ok_json()["reports"]["due"], 2);
    }

    fn as_of_describes_the_world_on_that_day(app) {
        // Viet Nam's C098: registered 2019-07-05, in force 2020-07-05 (ILO news).
        let cell = |day: &str| {
            let matrix = app.get_as(Who::Viewer, &format!("/api/v1/dashboard/matrix?convention=C098&as_of={day}")).ok_json();
            assert_eq!(matrix["conventions"], json!(["C098"]));
            assert_eq!(matrix["as_of"], day);
            let row = matrix["countries"].as_array().unwrap().iter().find(|r| r["country"] == "VNM").unwrap().clone();
            row["cells"][0].clone()
        };
        assert_eq!(cell("2019-07-04"), json!({"status": "not_ratified", "in_force": false}));
        assert_eq!(cell("2019-07-05"), json!({"status": "ratified", "in_force": false}));
        assert_eq!(cell("2020-07-05"), json!({"status": "ratified", "in_force": true}));
        // The summary moves by the registrations of that very day, counted from the list.
        let registered_that_day = items(app, "/api/v1/ratifications?convention=C098&per_page=500")
            .iter()
            .filter(|r| r["registered_on"] == "2019-07-05")
            .count() as i64;
        let ratified = |day: &str| {
            let s = app.get(&format!("/api/v1/dashboard/summary?convention=C098&as_of={day}")).ok_json();
            assert_eq!(s["as_of"], day);
            instrument(&s, "C098")["ratified"].as_i64().unwrap()
        };
        assert_eq!(ratified("2019-07-05") - ratified("2019-07-04"), registered_that_day);
        assert!(registered_that_day >= 1);
        // A denunciation counts from its day: the records say when.
        let denounced = items(app, "/api/v1/ratifications?status=denounced&per_page=500");
        let dated = denounced.iter().find(|r| r["denounced_on"].is_string() && r["registered_on"].is_string());
        if let Some(r) = dated {
            let (code, country) = (r["convention"].as_str().unwrap(), r["country"].as_str().unwrap());
            let day = chrono::NaiveDate::parse_from_str(r["denounced_on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
            let status_on = |d: chrono::NaiveDate| {
                let m = app.get(&format!("/api/v1/dashboard/matrix?convention={code}&as_of={d}")).ok_json();
                m["countries"].as_array().unwrap().iter().find(|row| row["country"] == country).unwrap()["cells"][0]["status"].clone()
            };
            assert_eq!(status_on(day), "denounced");
            assert_eq!(status_on(day - Duration::days(1)), "ratified");
        }
        app.get("/api/v1/dashboard/summary?as_of=2999-01-01").problem(422);
        app.get("/api/v1/dashboard/matrix?as_of=yesterday").problem(400);
        app.get("/api/v1/dashboard/summary?region=mars").problem(400);
    }

    fn the_timeline_counts_registrations_per_year(app) {
        let timeline = app.get_as(Who::Viewer, "/api/v1/dashboard/timeline?convention=C098").ok_json();
        let c098 = &timeline["instruments"][0];
        assert_eq!(c098["convention"], "C098");
        let records: Vec<Value> = items(app, "/api/v1/ratifications?convention=C098&per_page=500")
            .into_iter()
            .filter(|r| r["status"] == "ratified" || r["status"] == "denounced")
            .collect();
        let dated = records.iter().filter(|r| r["registered_on"].is_string()).count() as i64;
        let years = c098["years"].as_array().unwrap();
        assert_eq!(years.last().unwrap()["cumulative"], dated);
        assert_eq!(c098["undated"], records.len() as i64 - dated);
        let in_2019 = records.iter().filter(|r| r["registered_on"].as_str().is_some_and(|d| d.starts_with("2019"))).count() as i64;
        assert_eq!(years.iter().find(|y| y["year"] == 2019).unwrap()["registered"], in_2019);
    }

    fn an_unchanged_answer_is_304_and_a_write_changes_it_at_once(app) {
        let path = "/api/v1/dashboard/summary?convention=C155";
        let first = app.get_as(Who::Viewer, path);
        assert_eq!(first.status, 200);
        let tag = first.header("etag").expect("ETag").to_string();
        let again = app.send(Who::Viewer, Req::new("GET", path).header("If-None-Match", &tag));
        assert_eq!(again.status, 304);
        assert!(again.body.is_empty());
        let before = instrument(&first.json(), "C155")["ratified"].as_i64().unwrap();
        let put = app.send(Who::Admin, Req::new("PUT", "/api/v1/ratifications/ZWE/C155").json(json!({"status": "ratified", "registered_on": "2025-03-01", "source": "test"})));
        assert_eq!(put.status, 201, "{}", put.body);
        let after = app.send(Who::Viewer, Req::new("GET", path).header("If-None-Match", &tag));
        assert_eq!(after.status, 200, "the write changed the answer");
        assert_ne!(after.header("etag").unwrap(), tag);
        assert_eq!(instrument(&after.json(), "C155")["ratified"].as_i64().unwrap(), before + 1);
        for route in ["matrix", "timeline"] {
            let first = app.get(&format!("/api/v1/dashboard/{route}"));
            let tag = first.header("etag").unwrap().to_string();
            let again = app.send(Who::Admin, Req::new("GET", format!("/api/v1/dashboard/{route}")).header("If-None-Match", &tag));
            assert_eq!(again.status, 304, "{route}");
        }
    }

    fn a_write_by_another_process_reaches_the_answers_within_moments(app) {
        let path = "/api/v1/dashboard/summary?convention=C155";
        let ratified = || instrument(&app.get(path).ok_json(), "C155")["ratified"].as_i64().unwrap();
        let before = ratified();
        assert_eq!(ratified(), before, "served again (from the cache)");
        // Another process (the command line, as another instance would) writes to the store.
        crate::helpers::import_as_another_process(app, "country,convention,status,registered_on,source\nZWE,C155,ratified,2025-03-01,test\n");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while ratified() != before + 1 {
            assert!(std::time::Instant::now() < deadline, "the answer did not follow the other process's write");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

on_both_engines! {
    fn every_count_says_how_much_of_it_is_known_and_how_old_its_sources_are(app) {
        let summary = app.get("/api/v1/dashboard/summary?category=fundamental").ok_json();
        let member_states = summary["member_states"].as_u64().unwrap();
        for item in summary["instruments"].as_array().unwrap() {
            let code = item["convention"].as_str().unwrap();
            let coverage = &item["coverage"];
            let list = app.get(&format!("/api/v1/ratifications?convention={code}&per_page=500")).ok_json();
            assert_eq!(coverage["known"], list["total"], "{code}: known pairs are the records");
            assert_eq!(coverage["of"].as_u64(), Some(member_states));
            assert_eq!(coverage["known"].as_u64().unwrap() + item["unknown"].as_u64().unwrap(), member_states, "{code}");
            let dates: Vec<&str> = list["items"].as_array().unwrap().iter().filter_map(|r| r["source_date"].as_str()).collect();
            assert_eq!(coverage["undated"].as_u64().unwrap() as usize, list["items"].as_array().unwrap().len() - dates.len(), "{code}");
            for end in ["oldest_source_date", "newest_source_date"] {
                match coverage[end].as_str() {
                    Some(date) => assert!(dates.contains(&date), "{code} {end} {date}"),
                    None => assert!(dates.is_empty(), "{code}"),
                }
            }
        }
        let region = &summary["regions"][0];
        assert_eq!(region["coverage"]["of"].as_u64(), Some(region["pairs"].as_u64().unwrap()));
    }

    fn a_countrys_view_lists_its_records_older_than_five_years_and_its_undated_ones(app) {
        for (pair, body) in [
            ("ZWE/C155", json!({"status": "not_ratified", "source": "test", "source_date": "2015"})),
            ("ZWE/C187", json!({"status": "not_ratified", "source": "test"})),
            ("ZWE/C122", json!({"status": "not_ratified", "source": "test", "source_date": "2026-06"})),
        ] {
            let put = app.send(Who::Admin, Req::new("PUT", format!("/api/v1/ratifications/{pair}")).json(body));
            assert_eq!(put.status, 201, "{}", put.body);
        }
        let view = app.get("/api/v1/countries/ZWE").ok_json();
        let age = &view["record_age"];
        assert_eq!(age["years"], 5);
        let has = |list: &str, code: &str| age[list].as_array().unwrap().iter().any(|r| r["convention"] == code);
        assert!(has("older", "C155"), "{age}");
        assert!(has("undated", "C187"), "{age}");
        assert!(!has("older", "C122") && !has("undated", "C122"), "{age}");
        let coverage = &view["fundamental"]["coverage"];
        let known = view["fundamental"]["instruments"].as_array().unwrap().iter().filter(|i| !i["status"].is_null()).count();
        assert_eq!(coverage["known"].as_u64(), Some(known as u64));
        assert_eq!(coverage["of"].as_u64().unwrap() as usize, view["fundamental"]["instruments"].as_array().unwrap().len());
    }
}
