//! Turns every error actix itself produces (unknown routes, malformed query strings, paths
//! and JSON bodies, wrong content types) into problem+json, so no client ever gets an
//! HTML or plain-text error.

use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpRequest, HttpResponse};

use super::routes::RouteMethods;

use crate::error::{AppError, Problem, PROBLEM_JSON};

/// Largest JSON body accepted, in bytes.
pub const JSON_LIMIT: usize = 256 * 1024;
/// Largest raw body (a CSV import), in bytes: room for every instrument × member state.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let detail = match &err {
        QueryPayloadError::Deserialize(e) => format!("invalid query string: {e}"),
        other => format!("invalid query string: {other}"),
    };
    AppError::bad_request(detail).into()
}

/// A path parameter that does not parse: the resource does not exist (404), unless the path
/// is a literal route of another method (`PUT /report-requests/generate` is 405, not a
/// report request named "generate").
pub fn path_error(err: PathError, req: &HttpRequest) -> actix_web::Error {
    let what = format!("the resource at this path ({err})");
    match req.app_data::<web::Data<RouteMethods>>() {
        Some(routes) => {
            let response = routes.refusal(req.method().as_str(), req.path(), what);
            actix_web::error::InternalError::from_response(err, response).into()
        }
        None => AppError::NotFound(what).into(),
    }
}

pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    json_error_to_app_error(err).into()
}

pub fn json_error_to_app_error(err: JsonPayloadError) -> AppError {
    match err {
        JsonPayloadError::ContentType => {
            AppError::UnsupportedMediaType("the body must be JSON (Content-Type: application/json)".into())
        }
        JsonPayloadError::Overflow { limit } | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            AppError::PayloadTooLarge(format!("the body is larger than {limit} bytes"))
        }
        JsonPayloadError::Deserialize(e) => AppError::bad_request(format!("invalid JSON body: {e}")),
        other => AppError::bad_request(format!("invalid body: {other}")),
    }
}

/// Error-handler middleware: a 4xx/5xx response that is not problem+json yet (one actix
/// produced itself) is replaced by a problem+json body of the same status.
pub fn ensure_problem_json<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let already = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if already {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let problem = Problem {
        problem_type: format!("/problems/http-{}", status.as_u16()),
        title: crate::i18n::catalogue::status_title(
            status.as_u16(),
            status.canonical_reason().unwrap_or("Error"),
        ),
        status: status.as_u16(),
        detail: status.canonical_reason().unwrap_or("Error").to_lowercase(),
        errors: Vec::new(),
        request_id: crate::telemetry::request_id(),
    };
    let (req, _) = res.into_parts();
    let response = HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .body(serde_json::to_string(&problem).unwrap_or_default());
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;

    use super::*;

    #[test]
    fn wrong_json_content_type_is_415() {
        let err = json_error_to_app_error(JsonPayloadError::ContentType);
        assert_eq!(
            err.status_code(),
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    }

    #[test]
    fn oversized_json_is_413() {
        let err = json_error_to_app_error(JsonPayloadError::Overflow { limit: 10 });
        assert_eq!(err.status_code(), actix_web::http::StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn malformed_json_is_400() {
        let e = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let err = json_error_to_app_error(JsonPayloadError::Deserialize(e));
        assert_eq!(err.status_code(), actix_web::http::StatusCode::BAD_REQUEST);
    }
}
