//! When a failed webhook delivery is tried again (issue 17): exponential backoff from 30
//! seconds to 8 hours, for at least 24 hours after the first attempt; then it is marked failed.

use chrono::{Duration, NaiveDateTime};

/// Waits after the 1st, 2nd, … failed attempt (the last repeats).
const WAITS_SECONDS: &[i64] = &[30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800];

/// How long after its first attempt a delivery keeps being retried.
pub const RETRY_FOR: Duration = Duration::hours(24);

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(NaiveDateTime),
    GiveUp,
}

/// After `attempts` failed attempts, the first made at `first`, the last at `now`.
pub fn after_failure(attempts: i32, first: NaiveDateTime, now: NaiveDateTime) -> AfterFailure {
    if now - first >= RETRY_FOR {
        return AfterFailure::GiveUp;
    }
    let index = (attempts.max(1) as usize - 1).min(WAITS_SECONDS.len() - 1);
    AfterFailure::RetryAt(now + Duration::seconds(WAITS_SECONDS[index]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64, seconds: i64) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("date")
            + Duration::hours(hours)
            + Duration::seconds(seconds)
    }

    #[test]
    fn waits_grow_then_stay_at_eight_hours() {
        let first = at(0, 0);
        assert_eq!(after_failure(1, first, first), AfterFailure::RetryAt(at(0, 30)));
        assert_eq!(
            after_failure(2, first, at(0, 30)),
            AfterFailure::RetryAt(at(0, 150))
        );
        assert_eq!(
            after_failure(20, first, at(10, 0)),
            AfterFailure::RetryAt(at(18, 0))
        );
    }

    #[test]
    fn a_delivery_is_retried_for_at_least_a_day_then_given_up() {
        let first = at(0, 0);
        let mut now = first;
        let mut attempts = 1;
        while let AfterFailure::RetryAt(next) = after_failure(attempts, first, now) {
            assert!(next > now);
            now = next;
            attempts += 1;
        }
        assert!(now - first >= RETRY_FOR, "gave up after {}", now - first);
        assert!(attempts <= 12, "{attempts} attempts");
    }
}
