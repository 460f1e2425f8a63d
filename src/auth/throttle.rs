//! Login throttling: after too many failed logins for one account or from one client
//! address within a window, further attempts are refused until the window ends.
//!
//! The counters live in this instance's memory: with several instances behind a load
//! balancer each enforces its own limit (documented in the README).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins allowed per account within [`WINDOW`].
pub const ACCOUNT_LIMIT: u32 = 5;
/// Failed logins allowed per client address within [`WINDOW`] (higher: offices share NAT).
pub const ADDRESS_LIMIT: u32 = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Entries kept before old ones are swept.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    first_at: Instant,
    count: u32,
}

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    /// `Err(seconds to wait)` when either key is over its limit.
    pub fn check(&self, account: &str, address: &str, now: Instant) -> Result<(), u64> {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let wait = |key: String, limit: u32| -> Option<u64> {
            let f = failures.get(&key)?;
            let ends = f.first_at + WINDOW;
            (f.count >= limit && now < ends).then(|| (ends - now).as_secs().max(1))
        };
        match (
            wait(account_key(account), ACCOUNT_LIMIT),
            wait(address_key(address), ADDRESS_LIMIT),
        ) {
            (None, None) => Ok(()),
            (a, b) => Err(a.unwrap_or(0).max(b.unwrap_or(0))),
        }
    }

    pub fn record_failure(&self, account: &str, address: &str, now: Instant) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() >= MAX_ENTRIES {
            failures.retain(|_, f| now < f.first_at + WINDOW);
        }
        for key in [account_key(account), address_key(address)] {
            let entry = failures.entry(key).or_insert(Failures {
                first_at: now,
                count: 0,
            });
            if now >= entry.first_at + WINDOW {
                *entry = Failures {
                    first_at: now,
                    count: 0,
                };
            }
            entry.count += 1;
        }
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        failures.remove(&account_key(account));
    }
}

fn account_key(account: &str) -> String {
    format!("account:{}", account.trim().to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_an_account_after_its_limit_until_the_window_ends() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT_LIMIT {
            assert!(throttle.check("ana@example.org", "10.0.0.1", t0).is_ok());
            throttle.record_failure("Ana@Example.org", "10.0.0.1", t0);
        }
        let wait = throttle.check("ana@example.org", "10.0.0.2", t0).unwrap_err();
        assert_eq!(wait, WINDOW.as_secs());
        assert!(throttle.check("ana@example.org", "10.0.0.2", t0 + WINDOW).is_ok());
        assert!(throttle.check("bob@example.org", "10.0.0.1", t0).is_ok());
    }

    #[test]
    fn blocks_an_address_trying_many_accounts() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for i in 0..ADDRESS_LIMIT {
            throttle.record_failure(&format!("user{i}@example.org"), "10.0.0.9", t0);
        }
        assert!(throttle.check("fresh@example.org", "10.0.0.9", t0).is_err());
        assert!(throttle.check("fresh@example.org", "10.0.0.8", t0).is_ok());
    }

    #[test]
    fn success_clears_the_account() {
        let throttle = LoginThrottle::default();
        let t0 = Instant::now();
        for _ in 0..ACCOUNT_LIMIT - 1 {
            throttle.record_failure("ana@example.org", "10.0.0.1", t0);
        }
        throttle.record_success("ana@example.org");
        throttle.record_failure("ana@example.org", "10.0.0.1", t0);
        assert!(throttle.check("ana@example.org", "10.0.0.3", t0).is_ok());
    }
}
