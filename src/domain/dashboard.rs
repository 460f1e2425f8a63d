//! Dashboard rules: where a (country, instrument) pair stood on a given day ("as at"), and the
//! runs of missed reports the supervisory bodies treat as a serious failure.

use chrono::NaiveDate;

use super::ratification::{in_force, Status};
use super::reporting::end_of_period;

/// What a record says, as stored today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFacts {
    pub status: Status,
    pub registered_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    pub denounced_on: Option<NaiveDate>,
    /// The day (or month, or year) the record's source speaks for.
    pub source_date: Option<String>,
}

/// Where a pair stood on a day: its status then (`None`: unknown) and whether the instrument
/// bound the country then (`None`: unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub status: Option<Status>,
    pub in_force: Option<bool>,
}

/// Where the record's pair stood on `day`, by what the record knows. From today on, the
/// record's own status. Before today:
/// - a ratification counts from its registration: before it, not (yet) ratified; when the
///   registration date is unknown, from the date its source speaks for (the ratification was
///   registered by then), and unknown before that;
/// - a denunciation counts from its date; before it, the record is a ratification;
/// - "not ratified" holds for earlier days too; "in progress" is today's word for a pair that
///   was not ratified on any earlier day.
pub fn standing_on(record: &RecordFacts, day: NaiveDate, today: NaiveDate) -> Standing {
    let source_end = record.source_date.as_deref().and_then(end_of_period);
    let ratified_by = |d: NaiveDate| -> Option<bool> {
        match record.registered_on {
            Some(registered) => Some(registered <= d),
            None if source_end.is_some_and(|end| end <= d) => Some(true),
            None => None,
        }
    };
    let status = match record.status {
        // Today (and later) the record says it as it is.
        current if day >= today => Some(current),
        Status::NotRatified => Some(Status::NotRatified),
        Status::InProgress if day >= today => Some(Status::InProgress),
        Status::InProgress => Some(Status::NotRatified),
        Status::Ratified => match ratified_by(day) {
            Some(true) => Some(Status::Ratified),
            Some(false) => Some(Status::NotRatified),
            None => None,
        },
        Status::Denounced => match record.denounced_on {
            Some(denounced) if denounced <= day => Some(Status::Denounced),
            _ => match ratified_by(day) {
                Some(true) => Some(Status::Ratified),
                Some(false) => Some(Status::NotRatified),
                None => None,
            },
        },
    };
    let in_force = match status {
        None => None,
        Some(Status::NotRatified | Status::InProgress) => Some(false),
        Some(Status::Denounced) => in_force(Status::Denounced, record.in_force_on, record.denounced_on, day),
        // An entry into force the record does not date stays unknown, as on the record's
        // own page (`in_force: null`).
        Some(Status::Ratified) => record
            .in_force_on
            .and_then(|from| in_force(Status::Ratified, Some(from), None, day)),
    };
    Standing { status, in_force }
}

/// The runs of two or more consecutive years in which a country sent none of the reports due
/// (a request past its due date and not submitted), longest first, from the years with a
/// missed report.
pub fn serious_failure_runs(mut missed_years: Vec<i32>) -> Vec<Vec<i32>> {
    missed_years.sort_unstable();
    missed_years.dedup();
    let mut runs: Vec<Vec<i32>> = Vec::new();
    for year in missed_years {
        match runs.last_mut() {
            Some(run) if run.last() == Some(&(year - 1)) => run.push(year),
            _ => runs.push(vec![year]),
        }
    }
    runs.retain(|run| run.len() >= 2);
    runs.sort_by_key(|run| std::cmp::Reverse(run.len()));
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn record(
        status: Status,
        registered: Option<&str>,
        in_force_on: Option<&str>,
        denounced: Option<&str>,
    ) -> RecordFacts {
        RecordFacts {
            status,
            registered_on: registered.map(d),
            in_force_on: in_force_on.map(d),
            denounced_on: denounced.map(d),
            source_date: None,
        }
    }

    const TODAY: &str = "2026-11-23";

    #[test]
    fn a_ratification_counts_from_its_registration_and_binds_from_its_entry_into_force() {
        let r = record(Status::Ratified, Some("2019-07-05"), Some("2020-07-05"), None);
        let on = |day: &str| standing_on(&r, d(day), d(TODAY));
        assert_eq!(
            on("2019-07-04"),
            Standing {
                status: Some(Status::NotRatified),
                in_force: Some(false)
            }
        );
        assert_eq!(
            on("2019-07-05"),
            Standing {
                status: Some(Status::Ratified),
                in_force: Some(false)
            }
        );
        assert_eq!(
            on("2020-07-05"),
            Standing {
                status: Some(Status::Ratified),
                in_force: Some(true)
            }
        );
    }

    #[test]
    fn a_denunciation_counts_from_its_date() {
        let r = record(
            Status::Denounced,
            Some("1990-01-01"),
            Some("1991-01-01"),
            Some("2020-05-01"),
        );
        assert_eq!(
            standing_on(&r, d("2020-04-30"), d(TODAY)).status,
            Some(Status::Ratified)
        );
        assert_eq!(standing_on(&r, d("2020-04-30"), d(TODAY)).in_force, Some(true));
        assert_eq!(
            standing_on(&r, d("2020-05-01"), d(TODAY)),
            Standing {
                status: Some(Status::Denounced),
                in_force: Some(false)
            }
        );
        assert_eq!(
            standing_on(&r, d("1989-01-01"), d(TODAY)).status,
            Some(Status::NotRatified)
        );
    }

    #[test]
    fn an_undated_ratification_counts_from_its_sources_date_and_is_unknown_before() {
        let mut r = record(Status::Ratified, None, None, None);
        r.source_date = Some("2017-06".into());
        assert_eq!(
            standing_on(&r, d("2017-06-30"), d(TODAY)).status,
            Some(Status::Ratified)
        );
        assert_eq!(
            standing_on(&r, d("2018-06-30"), d(TODAY)).in_force,
            None,
            "no entry-into-force date, no guess"
        );
        assert_eq!(
            standing_on(&r, d("2017-06-29"), d(TODAY)),
            Standing {
                status: None,
                in_force: None
            }
        );
        r.source_date = None;
        assert_eq!(standing_on(&r, d("2025-01-01"), d(TODAY)).status, None);
        assert_eq!(
            standing_on(&r, d(TODAY), d(TODAY)).status,
            Some(Status::Ratified),
            "today the record says it as it is"
        );
    }

    #[test]
    fn in_progress_today_was_not_ratified_before() {
        let r = record(Status::InProgress, None, None, None);
        assert_eq!(
            standing_on(&r, d(TODAY), d(TODAY)).status,
            Some(Status::InProgress)
        );
        assert_eq!(
            standing_on(&r, d("2020-01-01"), d(TODAY)).status,
            Some(Status::NotRatified)
        );
        let n = record(Status::NotRatified, None, None, None);
        assert_eq!(
            standing_on(&n, d("2000-01-01"), d(TODAY)).status,
            Some(Status::NotRatified)
        );
    }

    #[test]
    fn serious_failure_is_two_or_more_missed_years_in_a_row() {
        assert_eq!(
            serious_failure_runs(vec![2024, 2022, 2025, 2019]),
            vec![vec![2024, 2025]]
        );
        assert!(serious_failure_runs(vec![2021, 2023, 2025]).is_empty());
        assert_eq!(
            serious_failure_runs(vec![2020, 2021, 2022, 2022]),
            vec![vec![2020, 2021, 2022]]
        );
    }
}

#[cfg(test)]
mod properties {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;

    fn date() -> impl Strategy<Value = NaiveDate> {
        prop_oneof![
            (1900i32..=2100, 1u32..=12, 1u32..=28)
                .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
            Just(NaiveDate::MIN),
            Just(NaiveDate::MAX),
        ]
    }

    proptest! {
        #[test]
        fn a_standing_never_panics_and_today_is_the_records_own_status(
            status in proptest::sample::select(Status::ALL.to_vec()),
            registered_on in proptest::option::of(date()),
            in_force_on in proptest::option::of(date()),
            denounced_on in proptest::option::of(date()),
            source_date in proptest::option::of("\\PC{0,12}|[0-9]{4}(-[0-9]{2}){0,2}"),
            day in date(),
            today in date(),
        ) {
            let record = RecordFacts { status, registered_on, in_force_on, denounced_on, source_date };
            let standing = standing_on(&record, day, today);
            if day >= today {
                prop_assert_eq!(standing.status, Some(status));
            }
            if standing.in_force == Some(true) {
                prop_assert!(matches!(standing.status, Some(Status::Ratified | Status::Denounced)));
            }
        }

        #[test]
        fn failure_runs_are_consecutive_and_long(years in proptest::collection::vec(1900i32..2100, 0..30)) {
            for run in serious_failure_runs(years) {
                prop_assert!(run.len() >= 2);
                prop_assert!(run.windows(2).all(|w| w[1] == w[0] + 1));
            }
        }
    }
}
