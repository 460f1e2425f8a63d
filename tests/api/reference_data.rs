//! Countries and conventions: seeded counts, filters, search, pagination, detail views.

use crate::helpers::seed_rows;
use crate::on_both_engines;

fn codes(body: &serde_json::Value, key: &str) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i[key].as_str().expect("code").to_string())
        .collect()
}

on_both_engines! {
    fn lists_all_187_member_states_in_iso3_order(app) {
        let body = app.get("/api/v1/countries?per_page=500").ok_json();
        assert_eq!(body["total"], 187);
        assert_eq!(body["page"], 1);
        assert_eq!(body["per_page"], 500);
        let iso3 = codes(&body, "iso3");
        assert_eq!(iso3.len(), 187);
        let mut sorted = iso3.clone();
        sorted.sort();
        assert_eq!(iso3, sorted);
    }

    fn filters_countries_by_region(app) {
        let seed = seed_rows("countries.csv");
        for (region, expected) in [("africa", 54), ("americas", 35), ("arab_states", 11), ("asia_and_the_pacific", 36), ("europe_and_central_asia", 51)] {
            let independent = seed.iter().filter(|r| &r[4] == region).count();
            assert_eq!(independent, expected, "seed file count for {region}");
            let body = app.get(&format!("/api/v1/countries?region={region}&per_page=500")).ok_json();
            assert_eq!(body["total"], expected, "{region}");
            assert!(body["items"].as_array().unwrap().iter().all(|c| c["region"] == region));
        }
    }

    fn searches_countries_by_name_or_code_case_insensitively(app) {
        assert_eq!(codes(&app.get("/api/v1/countries?q=viet").ok_json(), "iso3"), ["VNM"]);
        assert_eq!(codes(&app.get("/api/v1/countries?q=ZIMBABWE").ok_json(), "iso3"), ["ZWE"]);
        assert_eq!(codes(&app.get("/api/v1/countries?q=zw").ok_json(), "iso3"), ["ZWE"]);
        assert_eq!(codes(&app.get("/api/v1/countries?q=kor").ok_json(), "iso3"), ["KOR"]);
        // LIKE wildcards are searched for literally.
        assert_eq!(app.get("/api/v1/countries?q=%25").ok_json()["total"], 0);
        assert_eq!(app.get("/api/v1/countries?q=_").ok_json()["total"], 0);
    }

    fn paginates_countries_without_overlap(app) {
        let first = codes(&app.get("/api/v1/countries?per_page=100&page=1").ok_json(), "iso3");
        let second = codes(&app.get("/api/v1/countries?per_page=100&page=2").ok_json(), "iso3");
        assert_eq!(first.len(), 100);
        assert_eq!(second.len(), 87);
        let all = codes(&app.get("/api/v1/countries?per_page=500").ok_json(), "iso3");
        assert_eq!([first, second].concat(), all);
        let beyond = app.get("/api/v1/countries?page=99").ok_json();
        assert_eq!(beyond["items"].as_array().unwrap().len(), 0);
        assert_eq!(beyond["total"], 187);
    }

    fn country_detail_summarises_fundamental_ratifications(app) {
        let body = app.get("/api/v1/countries/zwe").ok_json();
        assert_eq!(body["iso3"], "ZWE");
        assert_eq!(body["region"], "africa");
        assert_eq!(body["region_name"], "Africa");
        let counts = &body["fundamental"]["counts"];
        // The seed has 9 of Zimbabwe's fundamental instruments (C155 and C187 are unknown).
        assert_eq!(counts["pairs"], 11);
        assert_eq!(counts["records"], 9);
        assert_eq!(counts["ratified"], 9);
        assert_eq!(counts["unknown"], 2);
        let instruments = body["fundamental"]["instruments"].as_array().unwrap();
        assert_eq!(instruments.len(), 11);
        let c155 = instruments.iter().find(|i| i["convention"] == "C155").unwrap();
        assert!(c155["status"].is_null(), "no record is unknown, not 'not ratified'");
        assert!(c155["in_force"].is_null());
        let c138 = instruments.iter().find(|i| i["convention"] == "C138").unwrap();
        assert_eq!(c138["status"], "ratified");
        assert_eq!(c138["in_force"], true);
        assert_eq!(c138["registered_on"], "2000-06-06");
    }

    fn lists_instruments_by_category_and_principle(app) {
        let all = app.get("/api/v1/conventions").ok_json();
        assert_eq!(all["total"], 17);
        let fundamental = app.get("/api/v1/conventions?category=fundamental").ok_json();
        assert_eq!(fundamental["total"], 11);
        assert_eq!(
            codes(&fundamental, "code"),
            ["C029", "C087", "C098", "C100", "C105", "C111", "C138", "C155", "C182", "C187", "P029"]
        );
        let governance = app.get("/api/v1/conventions?category=governance").ok_json();
        assert_eq!(codes(&governance, "code"), ["C081", "C122", "C129", "C144"]);
        assert!(governance["items"].as_array().unwrap().iter().all(|c| c["principle"].is_null()));
        let child = app.get("/api/v1/conventions?principle=child_labour").ok_json();
        assert_eq!(codes(&child, "code"), ["C138", "C182"]);
        let both = app.get("/api/v1/conventions?category=fundamental&principle=occupational_safety_and_health").ok_json();
        assert_eq!(codes(&both, "code"), ["C155", "C187"]);
    }

    fn protocol_names_its_parent_convention(app) {
        let p029 = app.get("/api/v1/conventions/P029").ok_json();
        assert_eq!(p029["instrument_type"], "protocol");
        assert_eq!(p029["parent"], "C029");
        assert_eq!(p029["principle"], "forced_labour");
        // Dates from general knowledge are flagged, not hidden.
        assert_eq!(p029["dates_confidence"], "UNVERIFIED");
    }

    fn convention_detail_counts_its_records_and_the_unknown(app) {
        let c100 = app.get("/api/v1/conventions/c100").ok_json();
        let tally = &c100["ratifications"];
        assert_eq!(tally["pairs"], 187);
        assert_eq!(tally["records"], 187);
        assert_eq!(tally["ratified"], 173);
        assert_eq!(tally["not_ratified"], 14);
        assert_eq!(tally["unknown"], 0);
        assert_eq!(c100["reference_count"]["count"], 173);

        let c187 = app.get("/api/v1/conventions/C187").ok_json();
        let seeded = seed_rows("ratifications.csv").iter().filter(|r| &r[1] == "C187").count() as i64;
        assert_eq!(c187["ratifications"]["records"], seeded);
        assert_eq!(c187["ratifications"]["unknown"], 187 - seeded);
    }

    fn unknown_country_and_instrument_are_404_problems(app) {
        app.get("/api/v1/countries/XXX").problem(404);
        app.get("/api/v1/countries/12").problem(404);
        app.get("/api/v1/countries/VNMX").problem(404);
        app.get("/api/v1/conventions/C999").problem(404);
        app.get("/api/v1/conventions/banana").problem(404);
    }

    fn rejects_bad_filter_values_with_field_errors(app) {
        let response = app.get("/api/v1/countries?region=mars");
        response.problem(400);
        assert_eq!(response.error_fields(), ["region"]);
        let response = app.get("/api/v1/conventions?category=core&principle=x&per_page=0");
        response.problem(400);
        assert_eq!(response.error_fields(), ["category", "principle", "per_page"]);
    }
}
