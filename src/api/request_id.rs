//! Every request gets an id: the client's `X-Request-Id` when it is well formed (1 to 64
//! letters, digits, `.`, `_` or `-`), else a new random one. The request runs in a tracing span
//! that carries it, the answer carries it back as `X-Request-Id`, and every problem+json body
//! names it as `request_id`, so a bug report can point at the log lines of its request.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

/// Whether a client's request id may be used as it is.
pub fn well_formed(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The middleware (outermost): assigns the id, runs the request in its span and scope, and
/// answers every request, failed ones included, with the id.
pub async fn assign(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| well_formed(v))
        .map(str::to_string)
        .unwrap_or_else(|| crate::auth::random_hex(16));
    let span = tracing::info_span!("request", request_id = %id);
    match crate::telemetry::with_request_id(id.clone(), next.call(req).instrument(span)).await {
        Ok(mut res) => {
            insert_header(res.headers_mut(), &id);
            Ok(res)
        }
        Err(inner) => Err(WithRequestId { id, inner }.into()),
    }
}

fn insert_header(headers: &mut actix_web::http::header::HeaderMap, id: &str) {
    if let Ok(value) = HeaderValue::from_str(id) {
        headers.insert(HeaderName::from_static(HEADER), value);
    }
}

/// An error that left the request's task: rendered later, as the request it belongs to.
#[derive(Debug)]
struct WithRequestId {
    id: String,
    inner: actix_web::Error,
}

impl std::fmt::Display for WithRequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl ResponseError for WithRequestId {
    fn status_code(&self) -> StatusCode {
        self.inner.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = crate::telemetry::sync_with_request_id(self.id.clone(), || self.inner.error_response());
        insert_header(res.headers_mut(), &self.id);
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_only_short_plain_ids() {
        assert!(well_formed("abc-123_X.y"));
        assert!(well_formed(&"a".repeat(64)));
        for bad in ["", "a b", "a\nb", "ünï", &"a".repeat(65), "a;b"] {
            assert!(!well_formed(bad), "{bad:?}");
        }
    }
}
