//! Ratification records: seeded content, filters, pagination, ETag, `in_force` derivation.

use chrono::{Months, Utc};
use normtrack::domain::ratification::{default_in_force_on, resolve_in_force_on, Status};

use crate::helpers::{seed_rows, Req, TestApp, Who};
use crate::on_both_engines;

fn keys(body: &serde_json::Value) -> Vec<(String, String)> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| {
            (
                r["country"].as_str().unwrap().to_string(),
                r["convention"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The total the API gives for a query.
fn total(app: &TestApp, query: &str) -> i64 {
    app.get(&format!("/api/v1/ratifications?{query}")).ok_json()["total"]
        .as_i64()
        .expect("total")
}

on_both_engines! {
    fn seeds_every_documented_record_with_its_source(app) {
        let seed = seed_rows("ratifications.csv");
        assert_eq!(seed.len(), 1054);
        assert_eq!(total(app, ""), seed.len() as i64);
        let all = app.get("/api/v1/ratifications?per_page=500").ok_json();
        for record in all["items"].as_array().unwrap() {
            assert!(!record["source"].as_str().unwrap().is_empty(), "{record}");
        }
    }

    fn filters_by_country_convention_status_region_and_category(app) {
        let seed = seed_rows("ratifications.csv");
        let countries = seed_rows("countries.csv");
        let conventions = seed_rows("conventions.csv");
        let region_of = |iso3: &str| countries.iter().find(|c| &c[0] == iso3).map(|c| c[4].to_string()).unwrap();
        let category_of = |code: &str| conventions.iter().find(|c| &c[0] == code).map(|c| c[4].to_string()).unwrap();
        let count = |pred: &dyn Fn(&csv::StringRecord) -> bool| seed.iter().filter(|r| pred(r)).count() as i64;

        assert_eq!(total(app, "country=ZWE"), count(&|r| &r[0] == "ZWE"));
        assert_eq!(total(app, "country=zwe"), count(&|r| &r[0] == "ZWE"));
        assert_eq!(total(app, "convention=C182"), 187);
        assert_eq!(total(app, "convention=c182"), 187);
        assert_eq!(total(app, "status=not_ratified"), count(&|r| &r[2] == "not_ratified"));
        assert_eq!(total(app, "status=denounced"), count(&|r| &r[2] == "denounced"));
        assert_eq!(total(app, "status=in_progress"), 0);
        assert_eq!(total(app, "region=arab_states"), count(&|r| region_of(&r[0]) == "arab_states"));
        assert_eq!(total(app, "category=technical"), count(&|r| category_of(&r[1]) == "technical"));
        assert_eq!(
            total(app, "region=americas&category=fundamental&status=ratified"),
            count(&|r| region_of(&r[0]) == "americas" && category_of(&r[1]) == "fundamental" && &r[2] == "ratified")
        );
        assert_eq!(
            total(app, "convention=C100&status=not_ratified&region=arab_states"),
            4, // Bahrain, Kuwait, Oman, Qatar
        );
        let zwe = app.get("/api/v1/ratifications?country=ZWE").ok_json();
        assert!(zwe["items"].as_array().unwrap().iter().all(|r| r["country"] == "ZWE" && r["country_name"] == "Zimbabwe"));
    }

    fn orders_deterministically_and_pages_without_overlap(app) {
        let whole = keys(&app.get("/api/v1/ratifications?per_page=500").ok_json());
        let mut sorted = whole.clone();
        sorted.sort();
        assert_eq!(whole, sorted, "ordered by country, then instrument");
        let mut paged = Vec::new();
        for page in 1..=6 {
            paged.extend(keys(&app.get(&format!("/api/v1/ratifications?per_page=200&page={page}")).ok_json()));
        }
        assert_eq!(paged.len(), 1054);
        assert_eq!(&paged[..500], &whole[..]);
    }

    fn caps_per_page_at_500(app) {
        assert_eq!(app.get("/api/v1/ratifications?per_page=500").ok_json()["items"].as_array().unwrap().len(), 500);
        for bad in ["501", "100000", "0", "-5", "ten", "1e3"] {
            let response = app.get(&format!("/api/v1/ratifications?per_page={bad}"));
            response.problem(400);
            assert_eq!(response.error_fields(), ["per_page"], "per_page={bad}");
        }
        for bad in ["0", "-1", "99999999999999999999", "x"] {
            let response = app.get(&format!("/api/v1/ratifications?page={bad}"));
            response.problem(400);
            assert_eq!(response.error_fields(), ["page"], "page={bad}");
        }
    }

    fn one_record_by_key_carries_an_etag_and_its_source(app) {
        let response = app.get("/api/v1/ratifications/vnm/C98");
        let body = response.ok_json();
        assert_eq!(response.header("etag"), Some("\"VNM-C098-v1\""));
        assert_eq!(body["country"], "VNM");
        assert_eq!(body["convention"], "C098");
        assert_eq!(body["status"], "ratified");
        assert_eq!(body["registered_on"], "2019-07-05");
        assert_eq!(body["in_force_on"], "2020-07-05");
        assert_eq!(body["in_force"], true);
        assert_eq!(body["source_date"], "2019-07-26");
        assert!(body["source"].as_str().unwrap().contains("ilo.org"));
    }

    fn a_pair_without_a_record_is_404_not_not_ratified(app) {
        let response = app.get("/api/v1/ratifications/ZWE/C155");
        let problem = response.problem(404);
        assert!(problem["detail"].as_str().unwrap().contains("ZWE"));
        app.get("/api/v1/ratifications/XXX/C087").problem(404);
        app.get("/api/v1/ratifications/ZWE/Q087").problem(404);
    }

    fn ratified_without_a_registration_date_has_unknown_in_force(app) {
        // Korea C155: "ratified in 2008 (year only)" — no date is guessed.
        let body = app.get("/api/v1/ratifications/KOR/C155").ok_json();
        assert_eq!(body["status"], "ratified");
        assert!(body["registered_on"].is_null());
        assert!(body["in_force_on"].is_null());
        assert!(body["in_force"].is_null());
        // C182 universal ratification: no dates, as of the source's date.
        let afg = app.get("/api/v1/ratifications/AFG/C182").ok_json();
        assert!(afg["in_force"].is_null());
        assert_eq!(afg["source_date"], "2020-08-04");
    }

    fn an_early_ratifier_is_in_force_from_the_instruments_own_entry_into_force(app) {
        let body = app.get("/api/v1/ratifications/JPN/C187").ok_json();
        assert_eq!(body["registered_on"], "2007-07-24");
        assert_eq!(body["in_force_on"], "2009-02-20");
    }

    fn denounced_records_are_not_in_force(app) {
        let body = app.get("/api/v1/ratifications/GBR/C007").ok_json();
        assert_eq!(body["status"], "denounced");
        assert_eq!(body["denounced_on"], "2000-06-07");
        assert_eq!(body["in_force"], false);
        // Denounced before it could enter into force: no in-force date is made up.
        let gtm = app.get("/api/v1/ratifications/GTM/C015").ok_json();
        assert!(gtm["in_force_on"].is_null());
        assert_eq!(gtm["in_force"], false);
    }

    fn derives_in_force_at_the_twelve_month_boundary(app) {
        let today = Utc::now().date_naive();
        let exactly = today.checked_sub_months(Months::new(12)).unwrap();
        let one_day_short = exactly.succ_opt().unwrap();
        for (convention, registered_on, expected) in [("C087", exactly, true), ("C098", one_day_short, false)] {
            let in_force_on = resolve_in_force_on(Status::Ratified, None, Some(registered_on), None, None);
            assert_eq!(in_force_on, default_in_force_on(Some(registered_on), None));
            // Recorded through the API, which leaves in_force_on to its default.
            let put = app.send(
                Who::Admin,
                Req::new("PUT", format!("/api/v1/ratifications/AFG/{convention}")).json(serde_json::json!({
                    "status": "ratified", "registered_on": registered_on.to_string(), "source": "test fixture"
                })),
            );
            assert_eq!(put.status, 201, "{}", put.body);
            let body = app.get(&format!("/api/v1/ratifications/AFG/{convention}")).ok_json();
            assert_eq!(body["in_force"], expected, "registered {registered_on}, today {today}");
            assert_eq!(body["in_force_on"], in_force_on.unwrap().to_string());
        }
    }

    fn rejects_malformed_and_unknown_filters(app) {
        let response = app.get("/api/v1/ratifications?country=VN&convention=X1&status=maybe&region=mars&category=core");
        response.problem(400);
        assert_eq!(response.error_fields(), ["country", "convention", "status", "region", "category"]);
        // Well-formed codes that name nothing break a rule; they are not malformed.
        let response = app.get("/api/v1/ratifications?country=XXX");
        response.problem(422);
        assert_eq!(response.error_fields(), ["country"]);
        let response = app.get("/api/v1/ratifications?convention=C999");
        response.problem(422);
        assert_eq!(response.error_fields(), ["convention"]);
    }
}
