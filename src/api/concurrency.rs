//! `If-Match` from an HTTP request: the extractor. The precondition itself and its check are
//! `domain::concurrency`.

use actix_web::http::header;
use actix_web::HttpRequest;

pub use crate::domain::concurrency::{etag, ratification_etag, IfMatch};
use crate::error::{AppError, AppResult};

/// The `If-Match` tags a request sent, read before the request's work moves to the database
/// thread.
pub fn if_match(req: &HttpRequest) -> AppResult<IfMatch> {
    let values = req
        .headers()
        .get_all(header::IF_MATCH)
        .map(|v| {
            v.to_str()
                .map_err(|_| AppError::bad_request("If-Match is not valid text"))
        })
        .collect::<AppResult<Vec<&str>>>()?;
    Ok(if values.is_empty() {
        IfMatch::new(None)
    } else {
        IfMatch::from_header_values(values)
    })
}

impl actix_web::FromRequest for IfMatch {
    type Error = AppError;
    type Future = std::future::Ready<AppResult<IfMatch>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(if_match(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn reads_every_if_match_header() {
        let req = TestRequest::default()
            .insert_header((header::IF_MATCH, "\"a-1-v1\""))
            .append_header((header::IF_MATCH, "\"b-1-v1\", \"c-1-v2\""))
            .to_http_request();
        let tags = if_match(&req).unwrap();
        assert!(tags.check("\"c-1-v2\"").is_ok());
        assert!(tags.check("\"a-1-v1\"").is_ok());
        let none = if_match(&TestRequest::default().to_http_request()).unwrap();
        assert!(matches!(
            none.check("\"a-1-v1\""),
            Err(AppError::PreconditionRequired)
        ));
    }
}
