//! The one JSON-with-ETag answer. Every record a handler returns on its own carries its
//! version as `ETag` (the value `If-Match` must repeat to change it), and a record just
//! created also carries its address as `Location`.

use actix_web::http::header::{ETAG, LOCATION};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;

/// A record answered with its version.
pub trait Versioned: Serialize {
    /// The entity tag of this version (`domain::concurrency::etag`).
    fn etag(&self) -> String;
    /// Where the record lives, below the server root (sent as `Location` with a 201).
    fn location(&self) -> String;
}

/// `body` as JSON with its `ETag` (none when the record has no version), and with its `Location` when `status` is 201 Created.
pub fn versioned<T: Versioned>(status: StatusCode, body: &T) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    let tag = body.etag();
    if !tag.is_empty() {
        response.insert_header((ETAG, tag));
    }
    if status == StatusCode::CREATED {
        response.insert_header((LOCATION, body.location()));
    }
    response.json(body)
}

/// 201 for a record a write created, 200 for one it changed.
pub fn created_or_ok(created: bool) -> StatusCode {
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}
