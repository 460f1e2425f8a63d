//! One validator per kind of field a body carries: free text (with its length, by field
//! name), a country, a list of instruments. Shape errors go to the caller's list, all reported at once.

use crate::error::FieldError;

/// The longest text each field may hold, in characters, by field name: DESIGN.md names fields
/// the same everywhere, so one table serves every body, the CSV import, and the OpenAPI
/// document (`openapi::wire_rules` writes these numbers as `maxLength`).
pub const TEXT_LIMITS: &[(&str, usize)] = &[
    ("title", 300),
    ("short_title", 300),
    ("name", 300),
    ("display_name", 200),
    ("dates_confidence", 200),
    ("normlex_id", 100),
    ("source", 2_000),
    ("dates_source", 2_000),
    ("reason", 5_000),
    ("body", 5_000),
    ("notes", 20_000),
    ("description", 20_000),
];

/// The limit of a free-text field not in [`TEXT_LIMITS`].
pub const DEFAULT_TEXT_CHARS: usize = 20_000;

/// The longest text `field` may hold, in characters.
pub fn max_chars(field: &str) -> usize {
    TEXT_LIMITS
        .iter()
        .find(|(name, _)| *name == field)
        .map_or(DEFAULT_TEXT_CHARS, |(_, max)| *max)
}

/// The one validator of free text: no control characters (checked as sent), trimmed, not
/// empty when `required`, at most [`max_chars`] of `field`. Returns the trimmed text.
pub fn text_field(errors: &mut Vec<FieldError>, field: &str, value: &str, required: bool) -> String {
    let raw = value;
    let value = value.trim();
    let max = max_chars(field);
    if let Err(e) = crate::domain::text::check_text(raw) {
        errors.push(FieldError::new(field, e));
    } else if required && value.is_empty() {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    value.to_string()
}

/// A date at the precision its source gives (`domain::codes::parse_source_date`): absent is
/// `None`, anything else that is not such a date (an empty string included) is malformed.
pub fn source_date_field(errors: &mut Vec<FieldError>, field: &str, raw: Option<&str>) -> Option<String> {
    crate::domain::codes::parse_source_date(raw?)
        .map_err(|e| errors.push(FieldError::new(field, e)))
        .ok()
}

/// Reads a body's `country` field (an ISO alpha-3 code); a malformed one is a 400.
pub fn body_country(errors: &mut Vec<FieldError>, raw: &str) -> Option<String> {
    let country = crate::domain::codes::parse_iso3(raw);
    if country.is_none() {
        errors.push(FieldError::new(
            "country",
            format!("'{raw}' is not an ISO 3166 alpha-3 code"),
        ));
    }
    country
}

/// The years a tracked day (a target, a completion, a period's ends) may fall in: wide enough
/// for every date of the ILO's history and plans, narrow enough for every engine's date type.
pub const DAY_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// A rule (422) on a day of a body: `None` when it falls within [`DAY_YEARS`].
pub fn day_out_of_range(field: &'static str, day: chrono::NaiveDate) -> Option<(&'static str, String)> {
    use chrono::Datelike;
    (!DAY_YEARS.contains(&day.year())).then(|| (field, format!("{day} is outside the years 1900 to 2200")))
}

/// The most countries one record may name (every member state).
pub const MAX_COUNTRIES: usize = 200;

/// Reads a body's `countries` list (ISO alpha-3 codes, at most [`MAX_COUNTRIES`]):
/// duplicates dropped, sorted. Whether each is a member state is the caller's check.
pub fn body_countries(errors: &mut Vec<FieldError>, raw: &[String]) -> Vec<String> {
    let mut countries = Vec::new();
    if raw.len() > MAX_COUNTRIES {
        errors.push(FieldError::new(
            "countries",
            format!("at most {MAX_COUNTRIES} items"),
        ));
        return countries;
    }
    for code in raw {
        match crate::domain::codes::parse_iso3(code) {
            Some(c) if !countries.contains(&c) => countries.push(c),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "countries",
                format!("'{code}' is not an ISO 3166 alpha-3 code"),
            )),
        }
    }
    countries.sort();
    countries
}

/// The most instruments one record may name (a comment examining a group of conventions
/// names about ten).
pub const MAX_CONVENTIONS: usize = 50;

/// Reads a body's `conventions` list: at least one instrument code (at most
/// [`MAX_CONVENTIONS`]), duplicates dropped,
/// sorted. `what` names the record in the message ("a gap", "a request").
pub fn body_conventions(errors: &mut Vec<FieldError>, raw: &[String], what: &str) -> Vec<String> {
    let mut conventions = Vec::new();
    if raw.len() > MAX_CONVENTIONS {
        errors.push(FieldError::new(
            "conventions",
            format!("at most {MAX_CONVENTIONS} instruments"),
        ));
        return conventions;
    }
    for code in raw {
        match crate::domain::codes::parse_instrument_code(code) {
            Some(code) if !conventions.contains(&code) => conventions.push(code),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "conventions",
                format!("'{code}' is not an instrument code"),
            )),
        }
    }
    conventions.sort();
    if raw.is_empty() {
        errors.push(FieldError::new(
            "conventions",
            format!("{what} concerns at least one instrument"),
        ));
    }
    conventions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_held_to_its_fields_limit() {
        let mut errors = Vec::new();
        assert_eq!(
            text_field(&mut errors, "title", "  Labour Act  ", true),
            "Labour Act"
        );
        assert!(errors.is_empty());
        text_field(&mut errors, "title", &"x".repeat(301), true);
        text_field(&mut errors, "notes", &"x".repeat(301), true);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "title");
    }

    #[test]
    fn required_text_is_not_blank_and_no_text_holds_control_characters() {
        let mut errors = Vec::new();
        text_field(&mut errors, "name", "   ", true);
        text_field(&mut errors, "notes", "   ", false);
        text_field(&mut errors, "notes", "a\u{0B}b", false);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "notes"]);
    }

    #[test]
    fn unknown_fields_get_the_default_limit() {
        assert_eq!(max_chars("title"), 300);
        assert_eq!(max_chars("anything_else"), DEFAULT_TEXT_CHARS);
    }
}
