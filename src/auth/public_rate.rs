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
        limiter.check_key(&allowance_holder(client)).map_err(|not_until| {
            // Whole seconds, rounded up: a client that waits as told is let in.
            not_until
                .wait_time_from(limiter.clock().now())
                .as_secs_f64()
                .ceil()
                .max(1.0) as u64
        })
    }
}

/// Who an allowance belongs to: an IPv4 address (also when a socket on `[::]` reports it
/// IPv4-mapped, `::ffff:a.b.c.d`), or an IPv6 address's /64 (one subscriber's network: its
/// addresses are a client's to pick). Also the key of single sign-ons begun (`login_rate`).
pub fn allowance_holder(client: IpAddr) -> IpAddr {
    match client.to_canonical() {
        client @ IpAddr::V4(_) => client,
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
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

    #[test]
    fn an_ipv4_mapped_address_is_its_ipv4_address() {
        let mapped: IpAddr = "::ffff:198.51.100.7".parse().unwrap();
        let other: IpAddr = "::ffff:198.51.100.8".parse().unwrap();
        assert_eq!(
            allowance_holder(mapped),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_ne!(allowance_holder(mapped), allowance_holder(other));
    }

    #[test]
    fn the_addresses_of_one_ipv6_64_share_an_allowance() {
        let rate = PublicRate::default();
        for i in 0..3 {
            let a: IpAddr = format!("2001:db8:1:2::{i}").parse().unwrap();
            assert!(rate.check(3, a).is_ok());
        }
        assert!(rate.check(3, "2001:db8:1:2:ffff::9".parse().unwrap()).is_err());
        assert!(rate.check(3, "2001:db8:1:3::1".parse().unwrap()).is_ok());
    }
}
