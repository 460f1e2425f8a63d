//! One cache for every read: a `GET` (or `HEAD`) that passed the access check is answered
//! from memory while the store epoch (`db::changes`) has not moved since the answer was made.
//!
//! - **Keyed by everything an answer depends on:** the path, the query string (without `lang`,
//!   which the language middleware took out), the language, today's date (overdue flags,
//!   derived in-force states) and the caller: principal, role, countries and organization. So
//!   an answer never reaches a caller it was not made for, and `/auth/me` or a person's own
//!   feed tokens are theirs alone.
//! - **Never stale:** the epoch is read before the answer is made and the answer is kept under
//!   it; any committed write, by this instance (at once: `access::authorize` moves the epoch
//!   when a write returns) or by another sharing the database (within the watcher's interval),
//!   moves the epoch, and every older answer misses from then on.
//! - **What is kept:** answers of status 200 whose body has a known size of at most
//!   [`MAX_ENTRY_BYTES`]; streamed bodies (the CSV exports) and `/metrics` never. A handler
//!   can opt out with `Cache-Control: no-store`.
//! - **Bounded memory:** at most [`MAX_BYTES`] of bodies. When an answer would not fit, the
//!   answers of older epochs go first (they can never be served again); if that is not
//!   enough, everything goes (answers are cheap to make again, and no client can grow memory
//!   with ever-new query strings).
//! - **Validators:** every kept answer has an `ETag` (the handler's own, for a versioned
//!   record, else one from the bytes), and `If-None-Match` with it gets `304`.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpResponse;

use super::AppState;
use crate::domain::access::Caller;
use crate::error::AppError;

/// Bodies kept at most, in bytes.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// The largest body kept, in bytes.
pub const MAX_ENTRY_BYTES: usize = 512 * 1024;

/// Paths whose answers change without a write to the store.
const NEVER: [&str; 1] = ["/metrics"];

/// One kept answer.
#[derive(Debug)]
pub struct Kept {
    headers: HeaderMap,
    body: Bytes,
    etag: String,
    /// English stood in for a missing translation in it (the answer says so again).
    fell_back: bool,
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<String, (u64, Arc<Kept>)>,
    bytes: usize,
}

/// The answers kept, each with the store epoch it was made at.
#[derive(Debug, Default)]
pub struct ReadCache {
    entries: Mutex<Entries>,
}

impl ReadCache {
    /// The answer kept for `key` if it was made at `epoch`.
    pub fn get(&self, key: &str, epoch: u64) -> Option<Arc<Kept>> {
        let entries = self.entries.lock().ok()?;
        entries
            .by_key
            .get(key)
            .filter(|(at, _)| *at == epoch)
            .map(|(_, kept)| kept.clone())
    }

    /// Keeps `kept` for `key` at `epoch`, within the bound.
    pub fn put(&self, key: String, epoch: u64, kept: Kept) {
        let size = kept.body.len() + key.len();
        if kept.body.len() > MAX_ENTRY_BYTES {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if let Some((_, old)) = entries.by_key.remove(&key) {
            entries.bytes -= old.body.len() + key.len();
        }
        if entries.bytes + size > MAX_BYTES {
            // Older epochs first: they can never be served again.
            entries.by_key.retain(|_, (at, _)| *at == epoch);
            entries.bytes = entries
                .by_key
                .iter()
                .map(|(k, (_, v))| k.len() + v.body.len())
                .sum();
        }
        if entries.bytes + size > MAX_BYTES {
            entries.by_key.clear();
            entries.bytes = 0;
        }
        entries.bytes += size;
        entries.by_key.insert(key, (epoch, Arc::new(kept)));
    }

    /// Bytes of bodies and keys held.
    pub fn bytes(&self) -> usize {
        self.entries.lock().map(|e| e.bytes).unwrap_or(0)
    }
}

/// The key of a read: path, query, language, today and the caller.
fn key(req: &ServiceRequest, caller: &Caller) -> String {
    format!(
        "{}?{}|{}|{}|{:?}|{:?}|{}|{:?}",
        req.path(),
        req.query_string(),
        crate::i18n::lang().code(),
        super::today(),
        caller.principal,
        caller.role,
        caller.countries.join(","),
        caller.organization,
    )
}

fn etag_of(body: &[u8]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"r-{:016x}-{}\"", hasher.finish(), body.len())
}

fn if_none_match(req: &ServiceRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

fn respond(req: ServiceRequest, kept: &Kept) -> ServiceResponse<BoxBody> {
    let not_modified = if_none_match(&req, &kept.etag);
    let mut response = if not_modified {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::with_body(StatusCode::OK, kept.body.clone()).map_into_boxed_body()
    };
    let headers = response.headers_mut();
    for (name, value) in kept.headers.iter() {
        if not_modified && *name != header::ETAG && *name != header::CACHE_CONTROL && *name != header::VARY {
            continue;
        }
        headers.append(name.clone(), value.clone());
    }
    req.into_response(response)
}

/// Answers a read the caller was admitted to: from memory when the answer for it was made at
/// the current epoch, else by the handler (keeping its answer when it may be kept).
pub async fn read(
    state: &AppState,
    caller: &Caller,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let cacheable = matches!(*req.method(), Method::GET | Method::HEAD) && !NEVER.contains(&req.path());
    let epoch = state.changes.epoch().filter(|_| cacheable);
    let Some(epoch) = epoch else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = key(&req, caller);
    if let Some(kept) = state.reads.get(&key, epoch) {
        state.metrics.cache_lookup("reads", true);
        if kept.fell_back {
            crate::i18n::note_fallback();
        }
        return Ok(respond(req, &kept));
    }
    state.metrics.cache_lookup("reads", false);
    let res = next.call(req).await?;
    let small = matches!(res.response().body().size(), BodySize::Sized(n) if n as usize <= MAX_ENTRY_BYTES);
    let opted_out = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"));
    if res.status() != StatusCode::OK || !small || opted_out {
        return Ok(res.map_into_boxed_body());
    }
    let (http, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let body = actix_web::body::to_bytes(body).await.map_err(|e| {
        let e: Box<dyn std::error::Error> = e.into();
        AppError::Internal(format!("reading an answer to keep it: {e}"))
    })?;
    let mut headers = head.headers().clone();
    let etag = match headers.get(header::ETAG).and_then(|v| v.to_str().ok()) {
        Some(tag) => tag.to_string(),
        None => {
            let tag = etag_of(&body);
            if let Ok(value) = HeaderValue::from_str(&tag) {
                headers.insert(header::ETAG, value);
            }
            tag
        }
    };
    let kept = Kept {
        headers,
        body,
        etag,
        fell_back: crate::i18n::current().is_some_and(|c| c.fell_back()),
    };
    let request = ServiceRequest::from_request(http);
    let answer = respond(request, &kept);
    state.reads.put(key, epoch, kept);
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(size: usize) -> Kept {
        Kept {
            headers: HeaderMap::new(),
            body: Bytes::from(vec![b'x'; size]),
            etag: etag_of(&vec![b'x'; size]),
            fell_back: false,
        }
    }

    #[test]
    fn an_answer_is_served_only_at_the_epoch_it_was_made_at() {
        let cache = ReadCache::default();
        cache.put("a".into(), 7, kept(10));
        assert!(cache.get("a", 7).is_some());
        assert!(cache.get("a", 8).is_none(), "a write since: never served again");
        assert!(cache.get("b", 7).is_none());
    }

    #[test]
    fn memory_stays_within_the_bound_older_epochs_going_first() {
        let cache = ReadCache::default();
        cache.put("old".into(), 1, kept(100));
        let per = MAX_ENTRY_BYTES;
        let mut i = 0;
        while cache.bytes() + per <= MAX_BYTES {
            cache.put(format!("k{i}"), 2, kept(per - 10));
            i += 1;
        }
        assert!(cache.get("old", 1).is_some());
        cache.put("new".into(), 2, kept(per - 10));
        assert!(cache.bytes() <= MAX_BYTES);
        assert!(cache.get("old", 1).is_none(), "the older epoch went first");
        for _ in 0..100 {
            i += 1;
            cache.put(format!("k{i}"), 2, kept(per - 10));
            assert!(cache.bytes() <= MAX_BYTES);
        }
    }

    #[test]
    fn an_answer_over_the_entry_bound_is_not_kept() {
        let cache = ReadCache::default();
        cache.put("big".into(), 1, kept(MAX_ENTRY_BYTES + 1));
        assert!(cache.get("big", 1).is_none());
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn the_tag_follows_the_bytes() {
        assert_eq!(etag_of(b"a"), etag_of(b"a"));
        assert_ne!(etag_of(b"a"), etag_of(b"b"));
    }
}
