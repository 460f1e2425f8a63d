//! How much of a count is known, and how old what is known is: beside every count the
//! product shows, the number of pairs with a record, the oldest and newest date their sources
//! speak for, and which records are older than [`STALE_YEARS`].

use chrono::{Months, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

/// A record whose source speaks for a day more than this many years ago is called old.
pub const STALE_YEARS: u32 = 5;

/// Coverage of a count: how many of its pairs are known, and the age of their sources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Coverage {
    /// Pairs with a record that says where they stood.
    pub known: usize,
    /// Pairs counted in all.
    pub of: usize,
    /// Known pairs whose source gives no date.
    pub undated: usize,
    /// The oldest and newest date the known pairs' sources speak for, at the precision
    /// they give (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`); `null` when none is dated.
    pub oldest_source_date: Option<String>,
    pub newest_source_date: Option<String>,
}

impl Coverage {
    /// Coverage of `of` pairs, from the source dates of the known ones.
    pub fn of<'a>(of: usize, known_source_dates: impl IntoIterator<Item = Option<&'a str>>) -> Coverage {
        let mut c = Coverage {
            of,
            ..Default::default()
        };
        // (first day, text) of the oldest and (last day, text) of the newest.
        let mut oldest: Option<(NaiveDate, &str)> = None;
        let mut newest: Option<(NaiveDate, &str)> = None;
        for date in known_source_dates {
            c.known += 1;
            let Some((date, (first, last))) =
                date.and_then(|d| super::trade::period_of(d).map(|period| (d, period)))
            else {
                c.undated += 1;
                continue;
            };
            if oldest.is_none_or(|(day, _)| first < day) {
                oldest = Some((first, date));
            }
            if newest.is_none_or(|(day, _)| last > day) {
                newest = Some((last, date));
            }
        }
        c.oldest_source_date = oldest.map(|(_, d)| d.to_string());
        c.newest_source_date = newest.map(|(_, d)| d.to_string());
        c
    }
}

/// Whether a record whose source speaks for `source_date` is older than [`STALE_YEARS`] on
/// `today`: the whole period the date names (all of 2014 for `2014`) lies before the cut.
pub fn is_stale(source_date: &str, today: NaiveDate) -> bool {
    let cut = today
        .checked_sub_months(Months::new(12 * STALE_YEARS))
        .unwrap_or(NaiveDate::MIN);
    super::trade::period_of(source_date).is_some_and(|(_, last)| last < cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn counts_the_known_and_the_undated_and_finds_the_oldest_and_newest_source() {
        let c = Coverage::of(
            187,
            [Some("2014"), Some("2022-10"), None, Some("2011-05-06"), Some("")],
        );
        assert_eq!((c.known, c.of, c.undated), (5, 187, 2));
        assert_eq!(c.oldest_source_date.as_deref(), Some("2011-05-06"));
        assert_eq!(c.newest_source_date.as_deref(), Some("2022-10"));
        assert_eq!(
            Coverage::of(3, []),
            Coverage {
                of: 3,
                ..Default::default()
            }
        );
    }

    #[test]
    fn a_source_is_old_when_all_of_its_period_is_over_five_years_before_today() {
        let today = d("2026-12-03");
        assert!(is_stale("2014", today));
        assert!(is_stale("2021-12-02", today));
        assert!(!is_stale("2021-12-03", today));
        assert!(
            !is_stale("2021", today),
            "2021 runs to its end, within five years"
        );
        assert!(!is_stale("not a date", today));
    }
}
