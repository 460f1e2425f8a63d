//! Optimistic concurrency: every record that can change has a version, shown as a strong
//! entity tag; a change names the tag it read (`If-Match`), and is refused when the record has
//! moved on (412) or when it names none (428). The value and its check live here, free of HTTP,
//! so that the services (and the command line) take a precondition whatever it came from; the
//! HTTP extractor is `api::concurrency`.

use crate::error::{AppError, AppResult};

/// A strong entity tag for version `version` of record `id` of `kind`.
pub fn etag(kind: &str, id: impl std::fmt::Display, version: i32) -> String {
    format!("\"{kind}-{id}-v{version}\"")
}

/// The entity tag of version `version` of the (country, instrument) record.
pub fn ratification_etag(country: &str, convention: &str, version: i32) -> String {
    format!("\"{country}-{convention}-v{version}\"")
}

/// The tags a change names (`None`: it names none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
    /// A precondition naming these tags (`None`: none).
    pub fn new(tags: Option<Vec<String>>) -> IfMatch {
        IfMatch(tags)
    }

    /// The tags of `If-Match` header values (each a comma-separated list).
    pub fn from_header_values<'a>(values: impl IntoIterator<Item = &'a str>) -> IfMatch {
        let mut tags: Option<Vec<String>> = None;
        for value in values {
            tags.get_or_insert_with(Vec::new)
                .extend(value.split(',').map(|t| t.trim().to_string()));
        }
        IfMatch(tags)
    }

    /// For a record that does not exist yet: any `If-Match` fails (RFC 9110 13.1.1).
    pub fn check_absent(&self) -> AppResult<()> {
        match &self.0 {
            None => Ok(()),
            Some(_) => Err(AppError::PreconditionFailed),
        }
    }

    /// Checks the tags against the record's current tag. `*` matches any existing record.
    pub fn check(&self, current: &str) -> AppResult<()> {
        match &self.0 {
            None => Err(AppError::PreconditionRequired),
            Some(tags) if tags.iter().any(|t| t == "*" || t == current) => Ok(()),
            Some(_) => Err(AppError::PreconditionFailed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(header_value: Option<&str>, current: &str) -> AppResult<()> {
        IfMatch::from_header_values(header_value).check(current)
    }

    #[test]
    fn missing_if_match_is_428_and_stale_is_412() {
        let current = etag("user", 4, 2);
        assert!(matches!(
            check(None, &current),
            Err(AppError::PreconditionRequired)
        ));
        assert!(matches!(
            check(Some(&etag("user", 4, 1)), &current),
            Err(AppError::PreconditionFailed)
        ));
        assert!(check(Some("\"x\", \"user-4-v2\""), &current).is_ok());
        assert!(check(Some("*"), &current).is_ok());
    }

    #[test]
    fn weak_tags_do_not_match() {
        let current = etag("org", 1, 1);
        assert!(matches!(
            check(Some(&format!("W/{current}")), &current),
            Err(AppError::PreconditionFailed)
        ));
    }

    #[test]
    fn a_new_record_takes_no_tag() {
        assert!(IfMatch::new(None).check_absent().is_ok());
        assert!(IfMatch::new(Some(vec!["*".into()])).check_absent().is_err());
    }
}
