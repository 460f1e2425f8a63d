//! A time limit on receiving a request's body. actix-web bounds the request head
//! (`NORMTRACK_REQUEST_HEAD_TIMEOUT_SECS`) but not the body, so a client could hold a
//! connection open forever by sending a body a byte at a time. Every route with a body reads
//! it here first, within `NORMTRACK_REQUEST_BODY_TIMEOUT_SECS`: too slow is 408, too large
//! 413, both as problem+json. It runs after the route's access check (`access::endpoint`), so
//! nobody without a token can make the server wait for or buffer a body.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest};

use crate::error::AppError;

/// How long a client has to send a request's body: with a token, and without one (logging
/// in), where it is short so that anonymous clients cannot hold connections.
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout {
    pub authenticated: Duration,
    pub public: Duration,
}

impl Default for BodyTimeout {
    fn default() -> Self {
        let t = crate::config::Timeouts::default();
        BodyTimeout {
            authenticated: t.request_body,
            public: t.public_body,
        }
    }
}

/// Whether the request announces a body.
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// The middleware: reads the whole body within the limit and hands it on.
pub async fn read_within_limit(
    public: bool,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !has_body(&req) {
        return next.call(req).await;
    }
    let limits = req
        .app_data::<web::Data<BodyTimeout>>()
        .map(|t| *t.get_ref())
        .unwrap_or_default();
    let limit = if public {
        limits.public
    } else {
        limits.authenticated
    };
    let (http_req, mut payload) = req.into_parts();
    let read = web::Bytes::from_request(&http_req, &mut payload);
    let body = match actix_web::rt::time::timeout(limit, read).await {
        Err(_) => return Err(AppError::RequestTimeout(limit.as_secs()).into()),
        Ok(Err(e)) => return Err(payload_error(e).into()),
        Ok(Ok(body)) => body,
    };
    next.call(ServiceRequest::from_parts(http_req, Payload::from(body)))
        .await
}

fn payload_error(e: actix_web::Error) -> AppError {
    match e.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => AppError::PayloadTooLarge(format!(
            "the body is larger than {} bytes",
            super::problems::UPLOAD_LIMIT
        )),
        _ => AppError::bad_request(format!("the body could not be read: {e}")),
    }
}
