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
use std::pin::Pin;

use actix_web::web::{Bytes, BytesMut};
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_core::Stream;

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
    // A caller without a token on a route of public data (the public read) is anonymous too.
    let public = public
        || req
            .extensions()
            .get::<crate::domain::access::Caller>()
            .is_some_and(|c| c.principal == crate::domain::access::Principal::Public);
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
    let read = read_body(&http_req, &mut payload, super::problems::UPLOAD_LIMIT);
    let body = match actix_web::rt::time::timeout(limit, read).await {
        Err(_) => return Err(AppError::RequestTimeout(limit.as_secs()).into()),
        Ok(Err(e)) => return Err(e.into()),
        Ok(Ok(body)) => body,
    };
    // Handlers that take the body whole ([`BufferedBody`]) share these bytes; others read
    // them again from the payload.
    http_req.extensions_mut().insert(BufferedBody(body.clone()));
    next.call(ServiceRequest::from_parts(http_req, Payload::from(body)))
        .await
}

/// Reads a whole body of at most `limit` bytes into one buffer, sized from `Content-Length`
/// when the client sends one (no growth and no copy on the way: a 64 MiB import takes
/// 64 MiB).
async fn read_body(req: &HttpRequest, payload: &mut Payload, limit: usize) -> Result<Bytes, AppError> {
    let too_large = || AppError::PayloadTooLarge(format!("the body is larger than {limit} bytes"));
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut buffer = announced.map(BytesMut::with_capacity);
    let mut received = 0usize;
    while let Some(chunk) = std::future::poll_fn(|cx| Pin::new(&mut *payload).poll_next(cx)).await {
        let chunk = chunk.map_err(|e| match e {
            PayloadError::Overflow => too_large(),
            other => AppError::bad_request(format!("the body could not be read: {other}")),
        })?;
        received += chunk.len();
        if received > limit {
            return Err(too_large());
        }
        match buffer.as_mut() {
            Some(buffer) => buffer.extend_from_slice(&chunk),
            // Without a length, chunks are kept as they come and joined once at the end.
            None => chunks.push(chunk),
        }
    }
    Ok(match buffer {
        Some(buffer) => buffer.freeze(),
        None if chunks.len() == 1 => chunks.pop().unwrap_or_default(),
        None => {
            let mut joined = BytesMut::with_capacity(received);
            for chunk in &chunks {
                joined.extend_from_slice(chunk);
            }
            joined.freeze()
        }
    })
}

/// A request's whole body as read within its time limit, without another copy.
#[derive(Debug, Clone)]
pub struct BufferedBody(pub Bytes);

impl FromRequest for BufferedBody {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if let Some(body) = req.extensions().get::<BufferedBody>().cloned() {
            return Box::pin(std::future::ready(Ok(body)));
        }
        let read = web::Bytes::from_request(req, payload);
        Box::pin(async move { read.await.map(BufferedBody) })
    }
}
