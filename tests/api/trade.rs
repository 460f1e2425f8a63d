//! Trade arrangements and supervisory comments: membership as at a day (around an exit, a
//! withdrawal, a partial withdrawal), compliance from the ratification records as at the day,
//! "unknown" never counted as "unmet", and the comments beside a country's commitments.

use serde_json::{json, Value};

use crate::helpers::{Req, TestApp, Who};
use crate::on_both_engines;

const GSP_PLUS: &str = "eu-gsp-plus-978-2012";

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
        // Kyrgyzstan is a GSP+ beneficiary from 2016-01-27; no record of C105 is seeded.
        let cell = |table: &Value, code: &str| -> Value {
            let row = table["members"].as_array().unwrap().iter().find(|m| m["country"] == "KGZ").expect("KGZ a member").clone();
            row["cells"].as_array().unwrap().iter().find(|c| c["convention"] == code).expect("named").clone()
        };
        let table = compliance(app, GSP_PLUS, "2017-03-01");
        assert_eq!(cell(&table, "C105")["compliance"], "unknown");
        assert!(cell(&table, "C105")["status"].is_null());
        // Totals count every cell once; no unknown cell is counted as unmet.
        let cells: Vec<Value> = table["members"].as_array().unwrap().iter().flat_map(|m| m["cells"].as_array().unwrap().clone()).collect();
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
        let put = app.send(Who::Admin, Req::new("PUT", "/api/v1/ratifications/KGZ/C105").json(json!({
            "status": "ratified", "registered_on": "2017-03-01", "source": "trade test", "source_date": "2017-03-01"
        })));
        assert_eq!(put.status, 201, "{}", put.body);
        assert_eq!(cell(&compliance(app, GSP_PLUS, "2017-02-28"), "C105")["compliance"], "unmet");
        let met = compliance(app, GSP_PLUS, "2017-03-01");
        assert_eq!(cell(&met, "C105")["compliance"], "met");
        assert_eq!(cell(&met, "C105")["status"], "ratified");
        // The country's view shows the same standing with its source.
        let view = commitments(app, Who::Viewer, "KGZ", "2017-03-01");
        let gsp = view["arrangements"].as_array().unwrap().iter().find(|a| a["slug"] == GSP_PLUS).expect("GSP+ binds");
        let c105 = gsp["commitments"].as_array().unwrap().iter().find(|c| c["convention"] == "C105").unwrap();
        assert_eq!(c105["compliance"], "met");
        assert_eq!(c105["standing"]["source"], "trade test");
        assert_eq!(c105["commitment_type"], "ratify_and_effectively_implement");
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
}
