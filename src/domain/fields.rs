//! One validator per kind of field a body carries: free text (with its length), a country,
//! a list of instruments. Shape errors go to the caller's list, all reported at once.

use crate::error::FieldError;

/// Free text fields: required ones must not be empty; none may hold control characters.
pub fn text_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let raw = value;
    let value = value.trim();
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

/// Reads a body's `conventions` list: at least one instrument code, duplicates dropped,
/// sorted. `what` names the record in the message ("a gap", "a request").
pub fn body_conventions(errors: &mut Vec<FieldError>, raw: &[String], what: &str) -> Vec<String> {
    let mut conventions = Vec::new();
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
