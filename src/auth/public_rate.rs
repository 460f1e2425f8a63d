//! How often one client address may read without a token when the public read is on
//! (`NORMTRACK_PUBLIC_READ`): a GCRA limiter (`governor`) per address, a minute's allowance
//! as its burst. Counters live in this instance's memory; idle addresses are swept.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::OnceLock;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

/// Addresses kept before idle ones are swept.
const MAX_KEYS: usize = 100_000;

type Keyed = RateLimiter<IpAddr, HashMapStateStore<IpAddr>, DefaultClock>;

#[derive(Default)]
pub struct PublicRate {
    /// Made at the first anonymous read, with the configured allowance.
    limiter: OnceLock<Keyed>,
}

impl PublicRate {
    /// Counts one anonymous read by `client`; `Err(seconds to wait)` past `per_minute`.
    pub fn check(&self, per_minute: u32, client: IpAddr) -> Result<(), u64> {
        let limiter = self.limiter.get_or_init(|| {
            RateLimiter::hashmap(Quota::per_minute(
                NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN),
            ))
        });
        if limiter.len() > MAX_KEYS {
            limiter.retain_recent();
        }
        limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(limiter.clock().now()).as_secs().max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_reads_its_allowance_then_waits_and_others_go_on() {
        let rate = PublicRate::default();
        let a: IpAddr = "198.51.100.7".parse().unwrap();
        let b: IpAddr = "198.51.100.8".parse().unwrap();
        for _ in 0..5 {
            assert!(rate.check(5, a).is_ok());
        }
        let wait = rate.check(5, a).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(rate.check(5, b).is_ok());
    }
}
