//! Authenticated callers kept in memory between requests, keyed by their token and valid only
//! at the store epoch they were read at (`db::changes`): deactivating an account, changing a
//! role or revoking a token is an audited write, which moves the epoch, so the next request
//! reads the caller from the store again. A token found here was verified when it was put
//! here; its expiry (the earlier of the JWT's and the stored token's) is checked on every use.

use chrono::NaiveDateTime;

use crate::db::changes::EpochMap;
use crate::domain::access::Caller;

/// Entries kept at most; past that the cache starts again empty.
const MAX_ENTRIES: usize = 10_000;

/// Callers by token, each with the instant its token stops being valid.
#[derive(Debug)]
pub struct CallerCache {
    entries: EpochMap<(Caller, NaiveDateTime)>,
}

impl Default for CallerCache {
    fn default() -> Self {
        CallerCache {
            entries: EpochMap::new(MAX_ENTRIES),
        }
    }
}

impl CallerCache {
    /// The caller `token` stood for at `epoch`, while the token is still valid.
    pub fn get(&self, token: &str, epoch: u64, now: NaiveDateTime) -> Option<Caller> {
        let (caller, valid_until) = self.entries.get(token, epoch)?;
        (valid_until > now).then_some(caller)
    }

    pub fn put(&self, token: String, epoch: u64, caller: Caller, valid_until: NaiveDateTime) {
        self.entries.put(token, epoch, (caller, valid_until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{Principal, Role};

    fn caller() -> Caller {
        Caller {
            principal: Principal::DashboardToken(1),
            role: Role::Viewer,
            countries: Vec::new(),
            organization: None,
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn a_caller_is_served_only_at_its_epoch_and_before_its_expiry() {
        let cache = CallerCache::default();
        cache.put("t".into(), 3, caller(), at("2026-12-01 00:00:00"));
        assert!(cache.get("t", 3, at("2026-11-30 00:00:00")).is_some());
        assert!(
            cache.get("t", 4, at("2026-11-30 00:00:00")).is_none(),
            "the store changed"
        );
        assert!(cache.get("t", 3, at("2026-12-01 00:00:00")).is_none(), "expired");
        assert!(cache.get("u", 3, at("2026-11-30 00:00:00")).is_none());
    }
}
