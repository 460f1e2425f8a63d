//! English, French and Spanish: the language chosen by `lang` or `Accept-Language` (with
//! q-values), names and titles in JSON, CSV and the calendar feed, problem titles from the
//! catalogue, and English standing in, said so, where a translation is missing.

use chrono::{Datelike, Duration, Utc};
use icalendar::{Calendar, Component};
use serde_json::json;

use crate::helpers::{feed_events, Req, Who};
use crate::on_both_engines;

/// The summary and description of a feed's one event.
fn only_event(feed: &str) -> (String, String) {
    let calendar: Calendar = feed.parse().expect("a valid iCalendar feed");
    let events = feed_events(&calendar);
    assert_eq!(events.len(), 1, "{feed}");
    let text = |v: Option<&str>| v.unwrap_or_default().to_string();
    (text(events[0].get_summary()), text(events[0].get_description()))
}

on_both_engines! {
    fn accept_language_chooses_the_offered_language_with_the_highest_q_value(app) {
        let answer = app.get_with("/api/v1/countries/DEU", &[("Accept-Language", "de-DE, de;q=0.9, fr;q=0.5, es;q=0.8")]);
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["name"], "Alemania");
        assert_eq!(answer.json()["name_lang"], "es");
        assert_eq!(answer.header("content-language"), Some("es"));
        assert!(answer.header("vary").unwrap_or("").contains("Accept-Language"));
        let refused = app.get_with("/api/v1/countries/DEU", &[("Accept-Language", "es;q=0, fr;q=0.1")]);
        assert_eq!(refused.json()["name"], "Allemagne");
    }

    fn the_lang_parameter_decides_over_the_header_and_reaches_no_handler(app) {
        let page = app.get_with("/api/v1/countries?q=DEU&lang=fr", &[("Accept-Language", "es")]);
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.json()["items"][0]["name"], "Allemagne");
        assert_eq!(page.header("content-language"), Some("fr"));
        let c029 = app.get("/api/v1/conventions/C029?lang=es").ok_json();
        assert_eq!(c029["title"], "Convenio sobre el trabajo forzoso, 1930 (núm. 29)");
        assert_eq!(c029["short_title"], "Convenio sobre el trabajo forzoso");
        assert_eq!(c029["title_lang"], "es");
        let ratification = app.get("/api/v1/ratifications/ZWE/C029?lang=fr").ok_json();
        assert_eq!(ratification["country_name"], "Zimbabwe");
        assert_eq!(ratification["convention_title"], "Convention sur le travail forcé");
        let matrix = app.get("/api/v1/dashboard/matrix?category=fundamental&lang=es").ok_json();
        let deu = matrix["countries"].as_array().unwrap().iter().find(|c| c["country"] == "DEU").unwrap().clone();
        assert_eq!(deu["name"], "Alemania");
        // The dashboard's cache keeps one answer per language.
        let english = app.get("/api/v1/dashboard/matrix?category=fundamental").ok_json();
        assert!(english["countries"].as_array().unwrap().iter().any(|c| c["name"] == "Germany"));
    }

    fn unoffered_languages_fall_back_to_english(app) {
        let answer = app.get_with("/api/v1/countries/DEU", &[("Accept-Language", "de, ja;q=0.8, *;q=0.1")]);
        assert_eq!(answer.json()["name"], "Germany");
        assert_eq!(answer.header("content-language"), Some("en"));
        let malformed = app.get_with("/api/v1/countries/DEU", &[("Accept-Language", "fr;q=7, es;q=abc")]);
        assert_eq!(malformed.json()["name"], "Germany");
        let plain = app.get("/api/v1/countries/DEU");
        assert_eq!(plain.json()["name"], "Germany");
        assert_eq!(plain.header("content-language"), Some("en"));
    }

    fn an_unoffered_lang_parameter_is_refused_with_400(app) {
        let problem = app.get("/api/v1/countries/DEU?lang=de").problem(400);
        assert_eq!(problem["errors"][0]["field"], "lang");
        app.get("/api/v1/countries?lang=").problem(400);
        // The page ignores a language it does not offer, as its script does.
        let page = app.send_with_token(None, Req::new("GET", "/?lang=de"));
        assert_eq!(page.status, 200);
        assert!(page.header("content-type").unwrap().starts_with("text/html"));
    }

    fn a_missing_translation_falls_back_to_english_and_says_so(app) {
        let created = app.send(Who::Admin, Req::new("POST", "/api/v1/conventions").json(json!({
            "code": "C190", "instrument_type": "convention", "title": "Violence and Harassment Convention, 2019 (No. 190)",
            "category": "technical", "adopted_year": 2019, "dates_source": "test"
        })));
        assert_eq!(created.status, 201, "{}", created.body);
        let answer = app.get("/api/v1/conventions/C190?lang=fr");
        assert_eq!(answer.json()["title"], "Violence and Harassment Convention, 2019 (No. 190)");
        assert_eq!(answer.json()["title_lang"], "en");
        assert_eq!(answer.header("content-language"), Some("fr, en"));
        // Where every name has its translation, only the language asked for is named.
        assert_eq!(app.get("/api/v1/conventions/C029?lang=fr").header("content-language"), Some("fr"));
        // The audit keeps the English title whatever language the change was asked in.
        let etag = app.etag_of("/api/v1/conventions/C190");
        let changed = app.send(Who::Admin, Req::new("PUT", "/api/v1/conventions/C190?lang=es").header("If-Match", &etag).json(json!({
            "instrument_type": "convention", "title": "Violence and Harassment Convention, 2019 (No. 190)",
            "category": "technical", "adopted_year": 2019, "dates_source": "test, checked"
        })));
        assert_eq!(changed.status, 200, "{}", changed.body);
        let audit = app.get("/api/v1/audit?entity=convention").ok_json();
        assert!(audit.to_string().contains("Violence and Harassment Convention"));
    }

    fn problem_titles_come_from_the_catalogue_of_the_language(app) {
        assert_eq!(app.get("/api/v1/countries/XXX?lang=fr").problem(404)["title"], "Introuvable");
        let unauthenticated = app.send_with_token(None, Req::new("GET", "/api/v1/countries").header("Accept-Language", "es"));
        assert_eq!(unauthenticated.problem(401)["title"], "No autenticado");
        assert_eq!(app.get("/api/v1/countries/DEU").header("content-language"), Some("en"));
        assert_eq!(app.get("/api/v1/no-such-route?lang=fr").problem(404)["title"], "Introuvable");
    }

    fn csv_exports_and_the_feed_name_countries_in_the_language(app) {
        let programme = app.send(Who::Admin, Req::new("POST", "/api/v1/programmes").json(json!({
            "name": "Trade for Decent Work", "countries": ["DEU"], "starts_on": "2019-01-01", "ends_on": "2027-12-31"
        })));
        assert_eq!(programme.status, 201, "{}", programme.body);
        let csv = app.get(&format!("/api/v1/programmes/{}/progress.csv?lang=fr", programme.json()["id"]));
        assert_eq!(csv.status, 200);
        assert!(csv.body.contains(",Allemagne,"), "{}", csv.body);
        assert_eq!(csv.header("content-language"), Some("fr"));

        let due = Utc::now().date_naive() + Duration::days(20);
        let request = app.send(Who::Admin, Req::new("POST", "/api/v1/report-requests").json(json!({
            "kind": "article22_follow_up", "country": "DEU", "conventions": ["C087"], "year": due.year(),
            "due_on": due.to_string(), "detailed": true, "reason": "language test"
        })));
        assert_eq!(request.status, 201, "{}", request.body);
        let feed = app.get_with("/api/v1/deadlines.ics?country=DEU", &[("Accept-Language", "es-ES,es;q=0.9")]);
        assert_eq!(feed.status, 200, "{}", feed.body);
        assert_eq!(feed.header("content-language"), Some("es"));
        let (summary, description) = only_event(&feed.body);
        assert!(summary.starts_with("Alemania (DEU)"), "{summary}");
        assert!(description.contains("Estado: "), "{description}");
        assert!(feed.body.contains("Plazos de normtrack"), "{}", feed.body);
        let (summary, description) = only_event(&app.get("/api/v1/deadlines.ics?country=DEU").body);
        assert!(summary.starts_with("Germany (DEU)") && description.contains("Status: "), "{summary} {description}");
    }
}
