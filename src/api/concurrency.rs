//! Optimistic concurrency: `ETag` on every record that can change, `If-Match` required to
//! change it (428 without, 412 when stale).

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::error::{AppError, AppResult};

/// A strong entity tag for version `version` of record `id` of `kind`.
pub fn etag(kind: &str, id: impl std::fmt::Display, version: i32) -> String {
    format!("\"{kind}-{id}-v{version}\"")
}

/// The entity tag of version `version` of the (country, instrument) record.
pub fn ratification_etag(country: &str, convention: &str, version: i32) -> String {
    format!("\"{country}-{convention}-v{version}\"")
}

/// The `If-Match` tags a request sent (`None`: no header), read before the request's work
/// moves to the database thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
    pub fn from_request(req: &HttpRequest) -> AppResult<IfMatch> {
        let mut tags = None;
        for value in req.headers().get_all(header::IF_MATCH) {
            let value = value
                .to_str()
                .map_err(|_| AppError::bad_request("If-Match is not valid text"))?;
            tags.get_or_insert_with(Vec::new)
                .extend(value.split(',').map(|t| t.trim().to_string()));
        }
        Ok(IfMatch(tags))
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

impl actix_web::FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<AppResult<IfMatch>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(IfMatch::from_request(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn check(header_value: Option<&str>, current: &str) -> AppResult<()> {
        let mut req = TestRequest::default();
        if let Some(v) = header_value {
            req = req.insert_header((header::IF_MATCH, v));
        }
        IfMatch::from_request(&req.to_http_request())?.check(current)
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
}
