//! Logins allowed per account and per client address, successful or not (the failure
//! lockout is [`super::throttle`]): each login costs an argon2id hash, so even correct
//! passwords cannot be sent without limit. A GCRA limiter (`governor`) per key: a burst, then
//! a steady rate. Counters live in this instance's memory.

use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

/// Logins per account per minute (also the burst).
pub const PER_ACCOUNT_PER_MINUTE: u32 = 10;
/// Logins per client address per minute (also the burst; offices share addresses).
pub const PER_CLIENT_PER_MINUTE: u32 = 60;
/// Keys kept before idle ones are swept.
const MAX_KEYS: usize = 100_000;

type Keyed = RateLimiter<String, HashMapStateStore<String>, DefaultClock>;

pub struct LoginRate {
    accounts: Keyed,
    clients: Keyed,
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))
}

impl Default for LoginRate {
    fn default() -> Self {
        LoginRate {
            accounts: RateLimiter::hashmap(quota(PER_ACCOUNT_PER_MINUTE)),
            clients: RateLimiter::hashmap(quota(PER_CLIENT_PER_MINUTE)),
        }
    }
}

impl LoginRate {
    /// Counts one login attempt; `Err(seconds to wait)` when the account or the client is
    /// over its rate.
    pub fn check(&self, account: &str, client: &str) -> Result<(), u64> {
        for limiter in [&self.accounts, &self.clients] {
            if limiter.len() > MAX_KEYS {
                limiter.retain_recent();
            }
        }
        let wait = |limiter: &Keyed, key: String| {
            limiter
                .check_key(&key)
                .err()
                .map(|not_until| not_until.wait_time_from(limiter.clock().now()).as_secs().max(1))
        };
        match wait(&self.accounts, account.trim().to_lowercase()) {
            Some(secs) => Err(secs),
            None => wait(&self.clients, client.to_string()).map_or(Ok(()), Err),
        }
    }

    /// Counts one attempt that names no account (a single sign-on begun) against the
    /// client's allowance alone, by [`super::public_rate::allowance_holder`]: an IPv6 client
    /// counts by its /64, which one host may hold whole.
    pub fn check_client(&self, client: std::net::IpAddr) -> Result<(), u64> {
        if self.clients.len() > MAX_KEYS {
            self.clients.retain_recent();
        }
        let key = super::public_rate::allowance_holder(client).to_string();
        self.clients.check_key(&key).map_err(|not_until| {
            not_until
                .wait_time_from(self.clients.clock().now())
                .as_secs()
                .max(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_an_account_whatever_the_address() {
        let rate = LoginRate::default();
        for i in 0..PER_ACCOUNT_PER_MINUTE {
            assert!(rate.check("ana@example.org", &format!("10.0.0.{i}")).is_ok());
        }
        let wait = rate.check("Ana@Example.org", "10.0.1.1").unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(rate.check("bob@example.org", "10.0.1.1").is_ok());
    }

    #[test]
    fn counts_sign_ins_begun_from_one_ipv6_slash_64_together() {
        let rate = LoginRate::default();
        for i in 0..PER_CLIENT_PER_MINUTE {
            let ip: std::net::IpAddr = format!("2001:db8:1:2::{i:x}").parse().unwrap();
            assert!(rate.check_client(ip).is_ok());
        }
        assert!(rate
            .check_client("2001:db8:1:2:ffff::1".parse().unwrap())
            .is_err());
        assert!(rate.check_client("2001:db8:1:3::1".parse().unwrap()).is_ok());
        assert!(rate.check_client("192.0.2.1".parse().unwrap()).is_ok());
        // IPv4 clients reported IPv4-mapped are each their own address, not one /64 (which
        // would refuse the last of these).
        for i in 0..=PER_CLIENT_PER_MINUTE {
            assert!(rate
                .check_client(format!("::ffff:198.51.100.{i}").parse().unwrap())
                .is_ok());
        }
    }

    #[test]
    fn limits_a_client_whatever_the_account() {
        let rate = LoginRate::default();
        for i in 0..PER_CLIENT_PER_MINUTE {
            assert!(rate.check(&format!("user{i}@example.org"), "10.0.0.9").is_ok());
        }
        assert!(rate.check("fresh@example.org", "10.0.0.9").is_err());
        assert!(rate.check("fresh@example.org", "10.0.0.8").is_ok());
    }
}
