//! Ratification states and the dates that follow from them.

use chrono::{Months, NaiveDate};

use super::text_enum;

text_enum! {
    /// Where a country stands with an instrument.
    Status {
        NotRatified => "not_ratified",
        InProgress => "in_progress",
        Ratified => "ratified",
        Denounced => "denounced",
    }
}

text_enum! {
    /// How far a ratification in progress has come.
    Stage {
        UnderConsideration => "under_consideration",
        TripartiteConsultation => "tripartite_consultation",
        SubmittedToParliament => "submitted_to_parliament",
        ApprovedByParliament => "approved_by_parliament",
        InstrumentDeposited => "instrument_deposited",
    }
}

/// Months between the ILO's registration of a ratification and its entry into force for
/// the member (the final articles of the fundamental and governance conventions).
pub const MONTHS_TO_ENTRY_INTO_FORCE: u32 = 12;

/// The default date a ratification enters into force for the member: twelve months after
/// registration, but never before the instrument itself entered into force (a member that
/// ratified before that is bound from the instrument's own entry into force).
///
/// `None` when the registration date is unknown: no date is guessed.
pub fn default_in_force_on(
    registered_on: Option<NaiveDate>,
    instrument_in_force_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let twelve_months = registered_on?.checked_add_months(Months::new(MONTHS_TO_ENTRY_INTO_FORCE))?;
    Some(match instrument_in_force_on {
        Some(general) if general > twelve_months => general,
        _ => twelve_months,
    })
}

/// Whether the instrument is in force for the country on `today`: `Some(true)`,
/// `Some(false)`, or `None` when the record does not say (a ratification without a known
/// entry-into-force date). Derived on every read, never stored.
pub fn in_force(
    status: Status,
    in_force_on: Option<NaiveDate>,
    denounced_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<bool> {
    match status {
        Status::NotRatified | Status::InProgress => Some(false),
        Status::Ratified => in_force_on.map(|d| d <= today),
        Status::Denounced => match (in_force_on, denounced_on) {
            // A denunciation registered but not yet effective leaves the instrument binding.
            (Some(from), Some(until)) if today < until => Some(from <= today),
            _ => Some(false),
        },
    }
}

/// The entry-into-force date a record carries: the one its source states, or else the
/// default of [`default_in_force_on`] for a ratification (or a denounced one, when that date
/// falls before the denunciation). Other statuses, and unknown registrations, have none.
pub fn resolve_in_force_on(
    status: Status,
    stated: Option<NaiveDate>,
    registered_on: Option<NaiveDate>,
    denounced_on: Option<NaiveDate>,
    instrument_in_force_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    if stated.is_some() {
        return stated;
    }
    match status {
        Status::Ratified => default_in_force_on(registered_on, instrument_in_force_on),
        Status::Denounced => default_in_force_on(registered_on, instrument_in_force_on)
            .filter(|from| denounced_on.is_none_or(|until| *from < until)),
        Status::NotRatified | Status::InProgress => None,
    }
}

/// Counts of records by state, for one country's or one instrument's records. `unknown`
/// counts the (country, instrument) pairs that have no record at all: no record is not
/// "not ratified".
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Tally {
    /// Pairs considered (member states for an instrument; instruments for a country).
    pub pairs: i64,
    /// Pairs with a record.
    pub records: i64,
    pub ratified: i64,
    pub in_progress: i64,
    pub not_ratified: i64,
    pub denounced: i64,
    /// Records in force today.
    pub in_force: i64,
    /// Ratified records whose entry into force is not known.
    pub in_force_unknown: i64,
    /// Pairs without any record: status unknown.
    pub unknown: i64,
}

impl Tally {
    /// A tally over `pairs` pairs, from the records that exist among them.
    pub fn count(pairs: i64, records: impl IntoIterator<Item = (Status, Option<bool>)>) -> Tally {
        let mut tally = Tally {
            pairs,
            ..Tally::default()
        };
        for (status, in_force) in records {
            tally.records += 1;
            match status {
                Status::Ratified => tally.ratified += 1,
                Status::InProgress => tally.in_progress += 1,
                Status::NotRatified => tally.not_ratified += 1,
                Status::Denounced => tally.denounced += 1,
            }
            match in_force {
                Some(true) => tally.in_force += 1,
                None => tally.in_force_unknown += 1,
                Some(false) => {}
            }
        }
        tally.unknown = (pairs - tally.records).max(0);
        tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn enters_into_force_twelve_months_after_registration() {
        assert_eq!(
            default_in_force_on(Some(d("2019-07-05")), Some(d("1951-07-19"))),
            Some(d("2020-07-05"))
        );
    }

    #[test]
    fn early_ratifier_is_bound_from_the_instruments_entry_into_force() {
        // Japan registered C187 first, on 2007-07-24; C187 entered into force on 2009-02-20.
        assert_eq!(
            default_in_force_on(Some(d("2007-07-24")), Some(d("2009-02-20"))),
            Some(d("2009-02-20"))
        );
    }

    #[test]
    fn leap_day_registration_enters_into_force_on_the_last_day_of_february() {
        assert_eq!(
            default_in_force_on(Some(d("2024-02-29")), None),
            Some(d("2025-02-28"))
        );
    }

    #[test]
    fn unknown_registration_gives_no_entry_into_force_date() {
        assert_eq!(default_in_force_on(None, Some(d("2000-11-19"))), None);
    }

    #[test]
    fn ratified_is_in_force_from_the_in_force_date_on() {
        let on = d("2024-05-01");
        assert_eq!(
            in_force(Status::Ratified, Some(on), None, d("2024-04-30")),
            Some(false)
        );
        assert_eq!(in_force(Status::Ratified, Some(on), None, on), Some(true));
        assert_eq!(
            in_force(Status::Ratified, Some(on), None, d("2030-01-01")),
            Some(true)
        );
    }

    #[test]
    fn ratified_without_dates_is_unknown() {
        assert_eq!(in_force(Status::Ratified, None, None, d("2026-01-01")), None);
    }

    #[test]
    fn not_ratified_and_in_progress_are_not_in_force() {
        assert_eq!(
            in_force(Status::NotRatified, None, None, d("2026-01-01")),
            Some(false)
        );
        assert_eq!(
            in_force(Status::InProgress, None, None, d("2026-01-01")),
            Some(false)
        );
    }

    #[test]
    fn stated_entry_into_force_wins_over_the_default() {
        let stated = Some(d("2022-04-20"));
        assert_eq!(
            resolve_in_force_on(Status::Ratified, stated, Some(d("2021-04-20")), None, None),
            stated
        );
    }

    #[test]
    fn denounced_before_the_default_date_never_entered_into_force() {
        // Guatemala registered C015 on 1989-06-13 and denounced it on 1990-04-27.
        let got = resolve_in_force_on(
            Status::Denounced,
            None,
            Some(d("1989-06-13")),
            Some(d("1990-04-27")),
            None,
        );
        assert_eq!(got, None);
        let got = resolve_in_force_on(
            Status::Denounced,
            None,
            Some(d("1921-07-14")),
            Some(d("2000-06-07")),
            None,
        );
        assert_eq!(got, Some(d("1922-07-14")));
    }

    #[test]
    fn tally_counts_pairs_without_records_as_unknown() {
        let tally = Tally::count(
            11,
            [
                (Status::Ratified, Some(true)),
                (Status::Ratified, None),
                (Status::NotRatified, Some(false)),
            ],
        );
        assert_eq!(tally.records, 3);
        assert_eq!(tally.ratified, 2);
        assert_eq!(tally.in_force, 1);
        assert_eq!(tally.in_force_unknown, 1);
        assert_eq!(tally.not_ratified, 1);
        assert_eq!(tally.unknown, 8);
    }

    #[test]
    fn denounced_is_not_in_force_once_the_denunciation_applies() {
        let from = Some(d("1990-01-01"));
        assert_eq!(
            in_force(Status::Denounced, from, Some(d("2000-06-07")), d("2026-01-01")),
            Some(false)
        );
        assert_eq!(
            in_force(Status::Denounced, from, Some(d("2027-01-01")), d("2026-01-01")),
            Some(true)
        );
        assert_eq!(
            in_force(Status::Denounced, None, None, d("2026-01-01")),
            Some(false)
        );
    }
}
