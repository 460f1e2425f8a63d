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
//!   [`MAX_ENTRY_BYTES`]; never streamed bodies (the CSV exports), nor the routes in [`NEVER`]
//!   whose answers follow the clock rather than the store. A handler can opt out with
//!   `Cache-Control: no-store`.
//! - **Bounded memory:** at most [`MAX_BYTES`], counting each answer's body, headers, key and
//!   a fixed [`ENTRY_OVERHEAD`], and at most [`MAX_ENTRIES`] answers. When an answer would not
//!   fit, the answers of older epochs go first (they can never be served again), then about
//!   half of the rest (whichever the map yields first): no client can grow memory with
//!   ever-new query strings, nor empty everyone's cache at once. An answer made at an epoch
//!   older than the newest seen is not kept at all.
//! - **One computation per missing answer:** the first read that misses makes the answer; the
//!   others for the same key at the same epoch wait for it (at most [`WAIT_FOR_FIRST`]) and are
//!   answered from memory, rather than each making their own, as the dashboard cache does.
//!   After a write under load, 64 callers of one URL cost one computation, not 64 at once.
//!   A wait that ends without a kept answer (the first failed, was not keepable, or was
//!   dropped) makes its own.
//! - **Validators:** a kept answer whose handler set no `ETag` gets one from its bytes, and
//!   `If-None-Match` with that tag gets `304`. A record's own `ETag` (its version, for
//!   `If-Match`) is passed on but never taken for the body's validator: the same version can
//!   come with other counts, another day's derived fields or another language. A handler that
//!   asks for revalidation (`Cache-Control: no-cache`, the dashboard) gives a tag of its
//!   answer's bytes, which is honoured.

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

/// Memory kept at most, in bytes (bodies, headers, keys and [`ENTRY_OVERHEAD`] each).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// The largest body kept, in bytes.
pub const MAX_ENTRY_BYTES: usize = 512 * 1024;
/// Answers kept at most.
pub const MAX_ENTRIES: usize = 8192;
/// What an answer costs beyond its bytes (map slot, header map, tag, reference count): a
/// generous estimate.
pub const ENTRY_OVERHEAD: usize = 512;

/// How long a read waits for the same answer being made by another request.
pub const WAIT_FOR_FIRST: std::time::Duration = std::time::Duration::from_secs(5);

/// Paths whose answers follow the clock, not the store: the metrics, and the token lists
/// (`usable` compares each expiry with the present instant).
const NEVER: [&str; 3] = ["/metrics", "/api/v1/tokens", "/api/v1/feed-tokens"];

/// One kept answer.
#[derive(Debug)]
pub struct Kept {
    headers: HeaderMap,
    body: Bytes,
    /// The validator `If-None-Match` is compared with: a tag of the body's bytes.
    etag: String,
    /// English stood in for a missing translation in it (the answer says so again).
    fell_back: bool,
}

impl Kept {
    /// What keeping it under `key` costs.
    fn cost(&self, key: &str) -> usize {
        let headers: usize = self.headers.iter().map(|(n, v)| n.as_str().len() + v.len()).sum();
        self.body.len() + headers + key.len() + self.etag.len() + ENTRY_OVERHEAD
    }
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<String, (u64, Arc<Kept>)>,
    bytes: usize,
    /// The newest epoch an answer was kept at.
    newest: u64,
}

impl Entries {
    fn recount(&mut self) {
        self.bytes = self.by_key.iter().map(|(k, (_, v))| v.cost(k)).sum();
    }
}

/// The answers kept, each with the store epoch it was made at.
#[derive(Debug, Default)]
pub struct ReadCache {
    entries: Mutex<Entries>,
    /// Answers being made: key → (epoch, a receiver that wakes when the maker is done).
    making: Mutex<HashMap<String, (u64, tokio::sync::watch::Receiver<()>)>>,
}

/// Who makes a missing answer.
pub enum Turn {
    /// This request: the answer is marked as being made until the [`Maker`] is dropped.
    Make(Maker),
    /// Another request is making it: wait for this to change (or close), then look again.
    Wait(tokio::sync::watch::Receiver<()>),
}

/// The mark of an answer being made; dropping it (after keeping the answer, or on failure or
/// cancellation) wakes the requests waiting for it.
pub struct Maker {
    cache: Arc<ReadCache>,
    key: String,
    epoch: u64,
    _done: tokio::sync::watch::Sender<()>,
}

impl Drop for Maker {
    fn drop(&mut self) {
        if let Ok(mut making) = self.cache.making.lock() {
            if making
                .get(&self.key)
                .is_some_and(|(epoch, _)| *epoch == self.epoch)
            {
                making.remove(&self.key);
            }
        }
        // `_done` is dropped next, which wakes every waiting receiver.
    }
}

impl ReadCache {
    /// Whether this request makes the answer for `key` at `epoch`, or waits for another.
    pub fn turn(self: &Arc<Self>, key: &str, epoch: u64) -> Turn {
        let mut making = self.making.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, done)) = making.get(key) {
            if *at == epoch {
                return Turn::Wait(done.clone());
            }
        }
        let (done, waiting) = tokio::sync::watch::channel(());
        making.insert(key.to_string(), (epoch, waiting));
        Turn::Make(Maker {
            cache: self.clone(),
            key: key.to_string(),
            epoch,
            _done: done,
        })
    }

    /// Answers being made right now.
    pub fn making(&self) -> usize {
        self.making.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// The answer kept for `key` if it was made at `epoch`.
    pub fn get(&self, key: &str, epoch: u64) -> Option<Arc<Kept>> {
        let entries = self.entries.lock().ok()?;
        entries
            .by_key
            .get(key)
            .filter(|(at, _)| *at == epoch)
            .map(|(_, kept)| kept.clone())
    }

    /// Keeps `kept` for `key` at `epoch`, within the bounds.
    pub fn put(&self, key: String, epoch: u64, kept: Kept) {
        let size = kept.cost(&key);
        if kept.body.len() > MAX_ENTRY_BYTES {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if epoch < entries.newest {
            // Made before a write that is known since: it could never be served.
            return;
        }
        entries.newest = epoch;
        if let Some((_, old)) = entries.by_key.remove(&key) {
            entries.bytes -= old.cost(&key);
        }
        let full = |e: &Entries| e.bytes + size > MAX_BYTES || e.by_key.len() >= MAX_ENTRIES;
        if full(&entries) {
            // Older epochs first: they can never be served again.
            entries.by_key.retain(|_, (at, _)| *at == epoch);
            entries.recount();
        }
        if full(&entries) {
            // Then about half of the rest, whichever the map yields first.
            let half = (entries.by_key.len() / 2).max(1);
            let gone: Vec<String> = entries.by_key.keys().take(half).cloned().collect();
            for key in gone {
                entries.by_key.remove(&key);
            }
            entries.recount();
        }
        if full(&entries) {
            entries.by_key.clear();
            entries.bytes = 0;
        }
        entries.bytes += size;
        entries.by_key.insert(key, (epoch, Arc::new(kept)));
    }

    /// Answers kept.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.by_key.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held, by the count of [`Kept::cost`].
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
    // Only the tag this answer was given as its validator can match (see the module doc).
    let advertised = kept
        .headers
        .get(header::ETAG)
        .is_some_and(|v| v.as_bytes() == kept.etag.as_bytes());
    let not_modified = advertised && if_none_match(&req, &kept.etag);
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
    let from_memory = |req: ServiceRequest, kept: &Kept| {
        state.metrics.cache_lookup("reads", true);
        if kept.fell_back {
            crate::i18n::note_fallback();
        }
        Ok(respond(req, kept))
    };
    if let Some(kept) = state.reads.get(&key, epoch) {
        return from_memory(req, &kept);
    }
    let _maker = match state.reads.turn(&key, epoch) {
        Turn::Make(maker) => Some(maker),
        Turn::Wait(mut done) => {
            // Wakes when the maker is dropped (`changed` then fails): look again.
            let _ = tokio::time::timeout(WAIT_FOR_FIRST, done.changed()).await;
            if let Some(kept) = state.reads.get(&key, epoch) {
                return from_memory(req, &kept);
            }
            None
        }
    };
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
    let revalidated = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-cache"));
    let etag = match headers.get(header::ETAG).and_then(|v| v.to_str().ok()) {
        // The handler's own tag of its answer's bytes (it asks clients to revalidate).
        Some(tag) if revalidated => tag.to_string(),
        // A record's version: passed on for If-Match, never the body's validator.
        Some(_) => etag_of(&body),
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
    fn the_first_miss_makes_the_answer_and_the_others_wait_until_it_is_done() {
        let cache = Arc::new(ReadCache::default());
        let Turn::Make(maker) = cache.turn("k", 7) else {
            panic!("the first miss makes the answer");
        };
        let Turn::Wait(waiting) = cache.turn("k", 7) else {
            panic!("a second miss at the same epoch waits");
        };
        assert!(
            matches!(cache.turn("k", 8), Turn::Make(_)),
            "another epoch is another answer"
        );
        assert!(matches!(cache.turn("other", 8), Turn::Make(_)), "another key too");
        assert!(matches!(waiting.has_changed(), Ok(false)), "still being made");
        drop(maker);
        assert!(
            waiting.has_changed().is_err(),
            "the waiter is woken when the maker is done"
        );
    }

    #[test]
    fn a_maker_of_an_older_epoch_does_not_unmark_a_newer_one() {
        let cache = Arc::new(ReadCache::default());
        let Turn::Make(old) = cache.turn("k", 1) else {
            panic!()
        };
        let Turn::Make(new) = cache.turn("k", 2) else {
            panic!()
        };
        drop(old);
        assert!(
            matches!(cache.turn("k", 2), Turn::Wait(_)),
            "epoch 2 is still being made"
        );
        drop(new);
        assert_eq!(cache.making(), 0);
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
    fn an_answer_made_before_a_newer_epoch_is_not_kept() {
        let cache = ReadCache::default();
        cache.put("a".into(), 9, kept(10));
        cache.put("a".into(), 8, kept(10));
        assert!(cache.get("a", 9).is_some(), "the newer answer stays");
        cache.put("b".into(), 8, kept(10));
        assert!(cache.get("b", 8).is_none());
    }

    #[test]
    fn many_small_answers_stay_within_the_count_and_do_not_empty_the_cache() {
        let cache = ReadCache::default();
        for i in 0..(MAX_ENTRIES * 3) {
            cache.put(format!("k{i}"), 1, kept(1));
            assert!(cache.len() <= MAX_ENTRIES);
            assert!(cache.bytes() <= MAX_BYTES);
        }
        assert!(
            cache.len() >= MAX_ENTRIES / 2,
            "about half stays: {}",
            cache.len()
        );
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
