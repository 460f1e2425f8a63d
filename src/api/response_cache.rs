//! A small in-process cache of computed read-only answers (the dashboard aggregates): an entry
//! is served only at the store epoch it was computed at (`db::changes`), so any committed
//! write, by this instance or another sharing the database, makes it stale.

use std::hash::{Hash, Hasher};

use actix_web::web::Bytes;

use crate::db::changes::EpochMap;

/// Entries kept at most; past that the cache starts again empty (answers are cheap to recompute,
/// and a client cannot grow memory without bound with ever-new query strings).
const MAX_ENTRIES: usize = 512;

/// One computed answer: its body and entity tag.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Shared, not copied, by every answer that serves it.
    pub body: Bytes,
    pub etag: String,
    /// English stood in for a missing translation in it (each answer says so again).
    pub fell_back: bool,
}

impl Answer {
    /// An answer with a strong entity tag derived from its bytes.
    pub fn new(body: Vec<u8>) -> Answer {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        let etag = format!("\"dash-{:016x}-{}\"", hasher.finish(), body.len());
        Answer {
            body: Bytes::from(body),
            etag,
            fell_back: crate::i18n::current().is_some_and(|c| c.fell_back()),
        }
    }
}

#[derive(Debug)]
pub struct ResponseCache {
    entries: EpochMap<Answer>,
    /// Held while an answer is computed, so that after a write the many requests that find
    /// the cache stale wait for one computation instead of each running their own.
    computing: tokio::sync::Mutex<()>,
}

impl Default for ResponseCache {
    fn default() -> Self {
        ResponseCache {
            entries: EpochMap::new(MAX_ENTRIES),
            computing: Default::default(),
        }
    }
}

impl ResponseCache {
    /// The answer for `key` if it was computed at store epoch `epoch`.
    pub fn get(&self, key: &str, epoch: u64) -> Option<Answer> {
        self.entries.get(key, epoch)
    }

    /// Waits for any computation under way; hold the guard while computing.
    pub async fn computing(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.computing.lock().await
    }

    pub fn put(&self, key: String, epoch: u64, answer: Answer) {
        self.entries.put(key, epoch, answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_only_at_the_version_it_was_computed_at() {
        let cache = ResponseCache::default();
        cache.put("summary".into(), 7, Answer::new(b"{}".to_vec()));
        assert!(cache.get("summary", 7).is_some());
        assert!(cache.get("summary", 8).is_none(), "a write since: stale");
        assert!(cache.get("matrix", 7).is_none());
    }

    #[test]
    fn the_tag_follows_the_bytes() {
        assert_eq!(Answer::new(b"a".to_vec()).etag, Answer::new(b"a".to_vec()).etag);
        assert_ne!(Answer::new(b"a".to_vec()).etag, Answer::new(b"b".to_vec()).etag);
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = ResponseCache::default();
        for i in 0..(MAX_ENTRIES + 10) {
            cache.put(format!("k{i}"), 1, Answer::new(vec![]));
        }
        assert!(cache.entries.kept() <= MAX_ENTRIES);
    }
}
