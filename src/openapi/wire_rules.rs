//! What the wire format accepts, stated once for the whole OpenAPI document. DESIGN.md names
//! fields the same way everywhere (`country`, `convention`, `organization`, `page`, …), so the
//! shape of a field follows from its name; and every free-text field refuses control
//! characters ([`crate::domain::text::check_text`]). Applying the rules to the generated
//! document keeps the schema as strict as the server, which schemathesis checks in CI: a value
//! the schema admits is never refused as malformed, and one it refuses is never accepted.

use serde_json::{json, Map, Value};

/// Control characters, as `char::is_control` has them, less tab and line breaks.
const CONTROLS: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F";
/// An ISO 3166 alpha-3 code ([`crate::domain::codes::parse_iso3`]: any case, trimmed).
const ISO3: &str = r"^\s*[A-Za-z]{3}\s*$";
/// An instrument code ([`crate::domain::codes::parse_instrument_code`]): C or P and 1 to 4
/// digits, not all zero.
const INSTRUMENT: &str = r"^\s*[CcPp](0{0,3}[1-9]|0{0,2}[1-9][0-9]|0?[1-9][0-9]{2}|[1-9][0-9]{3})\s*$";

/// An ISIC Rev.4 section ([`crate::domain::rbc::ISIC_SECTIONS`]).
const ISIC_SECTION: &str = "^[A-U]$";

/// An http(s) link ([`crate::domain::reforms::check_link`]).
fn link() -> String {
    format!(r"^https?://[^\s{CONTROLS}]+$")
}
/// An e-mail address ([`crate::domain::users::parse_email`]): trimmed, one `@`, a dotted domain.
fn email() -> String {
    let c = format!("{CONTROLS}{}", ranges(crate::domain::users::INVISIBLE));
    format!(r"^\s*[^\s@{c}]+@[^\s@.{c}][^\s@{c}]*\.[^\s@{c}]*[^\s@.{c}]\s*$")
}

/// Character ranges as a regular expression class body (`\uXXXX-\uXXXX…`).
fn ranges(table: &[(char, char)]) -> String {
    table
        .iter()
        .map(|(from, to)| format!(r"\u{:04X}-\u{:04X}", *from as u32, *to as u32))
        .collect()
}

/// A new password: something besides white space ([`crate::domain::users::check_password`]).
fn password() -> String {
    format!(
        r"^[\s\S]*[^{}][\s\S]*$",
        ranges(crate::domain::users::WHITE_SPACE)
    )
}

/// A date a source speaks for ([`crate::domain::codes::parse_source_date`]): a year from
/// 1900, a month, or a day. (A day past its month's end, such as 02-30, is refused with 400
/// by the server although the pattern admits it.)
const SOURCE_DATE: &str =
    r"^\s*(19[0-9]{2}|[2-9][0-9]{3})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?\s*$";

/// Fields whose text is checked by another rule than free text (secrets are never altered;
/// the feed token is looked up, not stored).
const NOT_FREE_TEXT: &[&str] = &["password", "new_password", "current_password", "token"];
/// Schemas that echo what a client sent (error answers): no rule applies to them.
const ECHOES: &[&str] = &["Problem", "FieldError"];
/// Ids of stored records.
const IDS: &[&str] = &["id", "organization", "gap", "report_request", "initiative"];

/// Applies the rules to a serialized OpenAPI document.
pub fn apply(doc: &mut Value) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if !ECHOES.contains(&name.as_str()) {
                constrain(schema, None);
            }
        }
    }
    constrain_paths(doc);
    limit_request_text(doc);
}

/// The rules for every operation's parameters and inline request bodies.
fn constrain_paths(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for operation in item.values_mut().filter_map(Value::as_object_mut) {
            if let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) {
                for parameter in parameters.iter_mut().filter_map(Value::as_object_mut) {
                    if parameter.get("in").and_then(Value::as_str) == Some("header") {
                        continue;
                    }
                    let name = parameter.get("name").and_then(Value::as_str).map(str::to_string);
                    let in_query = parameter.get("in").and_then(Value::as_str) == Some("query");
                    if let Some(schema) = parameter.get_mut("schema") {
                        constrain(schema, name.as_deref());
                        if in_query {
                            cap_free_text(schema);
                        }
                    }
                }
            }
            if let Some(content) = operation
                .get_mut("requestBody")
                .and_then(|b| b.get_mut("content"))
                .and_then(Value::as_object_mut)
            {
                for media in content.values_mut() {
                    if let Some(schema) = media.get_mut("schema") {
                        constrain(schema, None);
                    }
                }
            }
        }
    }
}

/// The free-text patterns [`constrain`] gives text: optional, and required (something visible
/// once trimmed).
fn free_text_patterns() -> [String; 2] {
    [
        format!(r"^[^{CONTROLS}]*$"),
        format!(r"^[^{CONTROLS}]*[^\s{CONTROLS}][^{CONTROLS}]*$"),
    ]
}

/// The free-text fields of every request body are at most as long as
/// [`crate::domain::fields::max_chars`] allows, the one table the server checks them against.
/// (Answers are left alone: they show what is stored.)
fn limit_request_text(doc: &mut Value) {
    let mut bodies = std::collections::BTreeSet::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for operation in paths
            .values()
            .filter_map(Value::as_object)
            .flat_map(|i| i.values())
        {
            let content = operation
                .pointer("/requestBody/content")
                .and_then(Value::as_object);
            for media in content.into_iter().flat_map(|c| c.values()) {
                if let Some(name) = media
                    .pointer("/schema/$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    bodies.insert(name.to_string());
                }
            }
        }
    }
    let patterns = free_text_patterns();
    for name in bodies {
        let Some(properties) = doc
            .pointer_mut(&format!("/components/schemas/{name}/properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (field, schema) in properties.iter_mut() {
            let Some(schema) = schema.as_object_mut() else {
                continue;
            };
            let free_text = schema
                .get("pattern")
                .and_then(Value::as_str)
                .is_some_and(|p| patterns.iter().any(|f| f == p));
            if free_text && types(schema).contains(&"string") {
                set_default(
                    schema,
                    "maxLength",
                    json!(crate::domain::fields::max_chars(field)),
                );
            }
        }
    }
}

/// A free-text query parameter (a string with no other shape than the free-text pattern)
/// is at most [`crate::domain::text::MAX_FILTER_CHARS`] long, as `ParamErrors::text` checks.
fn cap_free_text(schema: &mut Value) {
    let Some(schema) = schema.as_object_mut() else {
        return;
    };
    let free_text = types(schema).contains(&"string")
        && !["enum", "format", "const", "$ref", "maxLength"]
            .iter()
            .any(|k| schema.contains_key(*k))
        && schema.get("pattern") == Some(&json!(format!(r"^[^{CONTROLS}]*$")));
    if free_text {
        schema.insert("maxLength".into(), json!(crate::domain::text::MAX_FILTER_CHARS));
    }
}

fn types(schema: &Map<String, Value>) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn set_default(schema: &mut Map<String, Value>, key: &str, value: Value) {
    schema.entry(key.to_string()).or_insert(value);
}

/// Constrains one schema, `name` being the property or parameter it describes.
fn constrain(schema: &mut Value, name: Option<&str>) {
    let Some(schema) = schema.as_object_mut() else {
        return;
    };
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(members) = schema.get_mut(key).and_then(Value::as_array_mut) {
            for member in members {
                constrain(member, name);
            }
        }
    }
    let types: Vec<String> = types(schema).into_iter().map(str::to_string).collect();
    let is = |t: &str| types.iter().any(|x| x == t);
    let shaped = ["enum", "format", "pattern", "const", "$ref"]
        .iter()
        .any(|k| schema.contains_key(*k));
    if is("string") && !shaped {
        match name {
            Some("country") => set_default(schema, "pattern", json!(ISO3)),
            Some("convention") | Some("parent") | Some("code") => {
                set_default(schema, "pattern", json!(INSTRUMENT))
            }
            Some("source_link") | Some("evidence_link") => {
                set_default(schema, "pattern", json!(link()));
                set_default(schema, "maxLength", json!(crate::domain::reforms::MAX_LINK_CHARS));
            }
            Some("sector") => set_default(schema, "pattern", json!(ISIC_SECTION)),
            Some("source_date") | Some("occurred_on") | Some("starts") | Some("ends") => {
                set_default(schema, "pattern", json!(SOURCE_DATE))
            }
            Some("email") => {
                set_default(schema, "pattern", json!(email()));
                set_default(schema, "maxLength", json!(crate::domain::users::MAX_EMAIL_CHARS));
            }
            Some("password") | Some("new_password") => set_default(schema, "pattern", json!(password())),
            Some(n) if NOT_FREE_TEXT.contains(&n) => {}
            _ => {
                let required = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) > 0;
                // Trimmed by the server and then required: something visible.
                let [optional, required_text] = free_text_patterns();
                let pattern = if required { required_text } else { optional };
                set_default(schema, "pattern", json!(pattern));
            }
        }
    }
    if is("integer") {
        match name {
            Some(n) if IDS.contains(&n) => set_default(schema, "minimum", json!(1)),
            Some("page") => {
                set_default(schema, "minimum", json!(1));
                set_default(schema, "maximum", json!(crate::domain::pagination::MAX_PAGE));
            }
            Some("per_page") => {
                set_default(schema, "minimum", json!(1));
                set_default(schema, "maximum", json!(crate::domain::pagination::MAX_PER_PAGE));
            }
            _ => {}
        }
    }
    if is("array") {
        let item_name = match name {
            Some("countries") => Some("country"),
            Some("conventions") => Some("convention"),
            Some("sectors") => Some("sector"),
            _ => None,
        };
        if let Some(items) = schema.get_mut("items") {
            constrain(items, item_name);
        }
    }
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (property, sub) in properties.iter_mut() {
            constrain(sub, Some(property.as_str()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text_pattern(required: bool) -> String {
        let mut doc = json!({"components": {"schemas": {"X": {"type": "object", "properties": {
            "t": if required { json!({"type": "string", "minLength": 1}) } else { json!({"type": "string"}) }
        }}}}});
        apply(&mut doc);
        doc["components"]["schemas"]["X"]["properties"]["t"]["pattern"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_default()
    }

    fn agree(pattern: &str, value: &str, server_accepts: bool) -> Result<(), TestCaseError> {
        let re = regex::Regex::new(pattern).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            re.is_match(value),
            server_accepts,
            "{:?} against {}",
            value,
            pattern
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn the_schema_admits_exactly_what_the_server_parses(
            value in prop_oneof![
                "\\PC{0,6}",
                "[ \t]?[A-Za-z]{3}[ \n]?",
                "[CcPpX]0{0,3}[0-9]{0,4}",
                "[ ]?(https?://)?[a-z.@ /\\u{1}]{0,6}[ ]?",
                "[ \u{0}-\u{1f}\u{7f}-\u{9f}a-z\u{a0}\u{3000}]{0,5}",
                "[ \t\u{85}\u{a0}\u{200b}\u{202e}\u{2028}\u{3000}\u{feff}a@.]{0,6}",
            ]
        ) {
            agree(ISO3, &value, crate::domain::codes::parse_iso3(&value).is_some())?;
            agree(INSTRUMENT, &value, crate::domain::codes::parse_instrument_code(&value).is_some())?;
            let clean = crate::domain::text::check_text(&value).is_ok();
            agree(&text_pattern(false), &value, clean)?;
            agree(&text_pattern(true), &value, clean && !value.trim().is_empty())?;
            agree(&link(), &value, crate::domain::reforms::check_link(&value).is_ok())?;
            agree(&email(), &value, crate::domain::users::parse_email(&value).is_ok())?;
            let password_ok = !value.chars().all(char::is_whitespace);
            agree(&password(), &value, password_ok)?;
        }
    }

    #[test]
    fn names_give_shapes() {
        let mut doc = json!({
            "components": {"schemas": {"X": {"type": "object", "properties": {
                "country": {"type": "string"},
                "conventions": {"type": "array", "items": {"type": "string"}},
                "organization": {"type": ["integer", "null"]},
                "title": {"type": "string", "minLength": 1},
                "notes": {"type": "string"},
                "password": {"type": "string"},
                "status": {"type": "string", "enum": ["open"]}
            }}}},
            "paths": {"/x": {"get": {"parameters": [
                {"name": "page", "in": "query", "schema": {"type": "integer"}},
                {"name": "If-Match", "in": "header", "schema": {"type": "string"}}
            ]}}}
        });
        apply(&mut doc);
        let x = &doc["components"]["schemas"]["X"]["properties"];
        assert_eq!(x["country"]["pattern"], json!(ISO3));
        assert_eq!(x["conventions"]["items"]["pattern"], json!(INSTRUMENT));
        assert_eq!(x["organization"]["minimum"], json!(1));
        assert_eq!(x["title"]["pattern"], json!(text_pattern(true)));
        assert_eq!(x["notes"]["pattern"], json!(text_pattern(false)));
        assert_eq!(
            x["password"]["pattern"],
            json!(password()),
            "a password is more than white space"
        );
        assert_eq!(x["status"].get("pattern"), None, "enums keep their values");
        let params = &doc["paths"]["/x"]["get"]["parameters"];
        assert_eq!(
            params[0]["schema"]["maximum"],
            json!(crate::domain::pagination::MAX_PAGE)
        );
        assert_eq!(params[1]["schema"].get("pattern"), None, "headers are left alone");
    }
}
