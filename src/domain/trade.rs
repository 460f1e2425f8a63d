//! Trade arrangements: who an arrangement binds on a given day (from dated membership events
//! that keep the precision their source gives), and whether a commitment it names is met by
//! where the country stands with the instrument on that day. Rules only; storage is
//! `repo::trade`, the views `service::trade`.

use chrono::{Datelike, NaiveDate};

use super::ratification::Status;
use super::reporting::end_of_period;
use super::text_enum;

text_enum! {
    /// What kind of arrangement: a preference scheme one side grants, an agreement between
    /// parties, or another measure (e.g. a market-access regulation).
    ArrangementKind {
        UnilateralPreferenceScheme => "unilateral_preference_scheme",
        TradeAgreement => "trade_agreement",
        Other => "other",
    }
}

text_enum! {
    /// A dated event in a country's membership of an arrangement.
    MembershipEvent {
        /// Became a beneficiary or party.
        Entered => "entered",
        /// Named as a beneficiary or party by a source of that day (a snapshot, not an entry).
        Listed => "listed",
        /// The agreement applies to (or entered into force for) the country.
        Applied => "applied",
        Signed => "signed",
        PoliticalAgreement => "political_agreement",
        /// A withdrawal or suspension procedure began; the preferences still apply.
        WithdrawalInitiated => "withdrawal_initiated",
        /// Part of the preferences withdrawn; the country stays a beneficiary.
        PartiallyWithdrawn => "partially_withdrawn",
        Withdrawn => "withdrawn",
        Reinstated => "reinstated",
        Exited => "exited",
    }
}

text_enum! {
    /// Where a country stood with an arrangement on a day.
    Membership {
        Member => "member",
        /// A member whose preferences were partly withdrawn.
        PartlyWithdrawn => "partly_withdrawn",
        NotMember => "not_member",
        /// The events the sources give do not settle it.
        Unknown => "unknown",
    }
}

text_enum! {
    /// What an arrangement asks of a country about an instrument: the controlled vocabulary of
    /// the reference notes (section a.7), every value seen in a source.
    CommitmentType {
        RatifyAndEffectivelyImplement => "ratify_and_effectively_implement",
        CommitmentToRatify => "commitment_to_ratify",
        ContinuedAndSustainedEffortsToRatify => "continued_and_sustained_efforts_to_ratify",
        ConsiderRatification => "consider_ratification",
        EffectivelyImplementAndStriveToRatify => "effectively_implement_and_strive_to_ratify",
        EffectivelyImplementInLawAndPractice => "effectively_implement_in_law_and_practice",
        EffectivelyImplementRatified => "effectively_implement_ratified",
        PromoteAndEffectivelyImplementInLawAndPractice => "promote_and_effectively_implement_in_law_and_practice",
        PromoteAndImplementInLawAndPractice => "promote_and_implement_in_law_and_practice",
        EnsureLabourLawAndPracticeEmbodyAndProtect => "ensure_labour_law_and_practice_embody_and_protect",
        RespectPromoteRealise => "respect_promote_realise",
        RespectPromoteRealiseInLawAndPractice => "respect_promote_realise_in_law_and_practice",
        ReaffirmCommitment => "reaffirm_commitment",
        ExchangeInformationOnRatification => "exchange_information_on_ratification",
        TakeStepsToAfford => "take_steps_to_afford",
        EstablishedOrContinualProgressTowardProtection => "established_or_continual_progress_toward_protection",
        BasisForTemporaryWithdrawal => "basis_for_temporary_withdrawal",
        BasisForSuspensionOrVariation => "basis_for_suspension_or_variation",
        CitedInWithdrawal => "cited_in_withdrawal",
        CitedInWithdrawalProcedure => "cited_in_withdrawal_procedure",
        CitedInWithdrawalAndReinstatement => "cited_in_withdrawal_and_reinstatement",
        ReferencedAsBasis => "referenced_as_basis",
        ProposedAdditionToGspPlusList => "proposed_addition_to_gsp_plus_list",
    }
}

impl CommitmentType {
    /// Whether the commitment asks for ratification, the part of it a ratification record can
    /// show. Implementation (in law and practice) is what the supervisory comments, gaps and
    /// reports shown beside it speak to; normtrack does not score it.
    pub fn asks_ratification(self) -> bool {
        matches!(
            self,
            CommitmentType::RatifyAndEffectivelyImplement
                | CommitmentType::CommitmentToRatify
                | CommitmentType::ContinuedAndSustainedEffortsToRatify
                | CommitmentType::ConsiderRatification
                | CommitmentType::EffectivelyImplementAndStriveToRatify
        )
    }
}

text_enum! {
    /// Whether a commitment is met on a day, judged on ratification.
    Compliance {
        Met => "met",
        Unmet => "unmet",
        /// No record of the pair, a record that does not settle the day, or a commitment no
        /// ratification record can show. Never counted as unmet.
        Unknown => "unknown",
    }
}

/// Whether a commitment of `kind` is met by the status the pair had on the day (`None`:
/// unknown or no record).
pub fn compliance(kind: CommitmentType, status: Option<Status>) -> Compliance {
    if !kind.asks_ratification() {
        return Compliance::Unknown;
    }
    match status {
        Some(Status::Ratified) => Compliance::Met,
        Some(Status::NotRatified | Status::InProgress | Status::Denounced) => Compliance::Unmet,
        None => Compliance::Unknown,
    }
}

/// The first and last day a date of the precision its source gives (`YYYY`, `YYYY-MM` or
/// `YYYY-MM-DD`) can stand for.
pub fn period_of(raw: &str) -> Option<(NaiveDate, NaiveDate)> {
    let end = end_of_period(raw)?;
    let start = match raw.trim().split('-').count() {
        1 => NaiveDate::from_ymd_opt(end.year(), 1, 1)?,
        2 => NaiveDate::from_ymd_opt(end.year(), end.month(), 1)?,
        _ => end,
    };
    Some((start, end))
}

/// One membership event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedEvent {
    pub event: MembershipEvent,
    /// `None`: the source gives no date.
    pub occurred_on: Option<String>,
}

/// The days an arrangement applies: outside them it binds nobody.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub applies_from: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
}

impl MembershipEvent {
    /// The membership the event leaves behind it; `None` for events that change nothing
    /// (signature, political agreement, a procedure begun).
    pub fn leaves(self) -> Option<Membership> {
        match self {
            MembershipEvent::Entered
            | MembershipEvent::Listed
            | MembershipEvent::Applied
            | MembershipEvent::Reinstated => Some(Membership::Member),
            MembershipEvent::PartiallyWithdrawn => Some(Membership::PartlyWithdrawn),
            MembershipEvent::Withdrawn | MembershipEvent::Exited => Some(Membership::NotMember),
            MembershipEvent::Signed
            | MembershipEvent::PoliticalAgreement
            | MembershipEvent::WithdrawalInitiated => None,
        }
    }
}

/// Where a country stood with an arrangement on `day`, from its events:
/// - outside the arrangement's window, nobody is a member;
/// - an event counts from the last day its date can stand for (a day: that day; "2019-02":
///   the end of February); on a day its date may or may not cover, the answer is unknown;
/// - before the first event that changes membership: not a member if that event is an entry
///   or application, unknown if it is a snapshot listing, a withdrawal or an exit (the
///   country was a member since a day no source gives);
/// - events without a date, and countries with no dated event that changes membership, leave
///   it unknown.
pub fn membership_on(events: &[DatedEvent], window: Window, day: NaiveDate) -> Membership {
    if window.applies_from.is_some_and(|from| day < from)
        || window.expires_on.is_some_and(|until| day > until)
    {
        return Membership::NotMember;
    }
    let mut changes: Vec<(NaiveDate, NaiveDate, Membership, MembershipEvent)> = events
        .iter()
        .filter_map(|e| {
            let state = e.event.leaves()?;
            let (start, end) = period_of(e.occurred_on.as_deref()?)?;
            Some((start, end, state, e.event))
        })
        .collect();
    changes.sort_by_key(|(start, end, _, _)| (*start, *end));
    let Some(&(_, _, _, first)) = changes.first() else {
        return Membership::Unknown;
    };
    let mut state = None;
    let mut settled_until: Option<NaiveDate> = None;
    for (start, end, effect, _) in changes {
        if end <= day {
            // Two settled events whose dates overlap, with different effects: their order
            // is not known, so neither is the state they leave.
            if settled_until.is_some_and(|until| start < until) && state != Some(effect) {
                return Membership::Unknown;
            }
            settled_until = Some(settled_until.map_or(end, |until| until.max(end)));
            state = Some(effect);
        } else if start <= day {
            // The date's precision does not say whether it had happened by then.
            if state != Some(effect) {
                return Membership::Unknown;
            }
        } else {
            break;
        }
    }
    match state {
        Some(state) => state,
        None if matches!(first, MembershipEvent::Entered | MembershipEvent::Applied) => Membership::NotMember,
        None => Membership::Unknown,
    }
}

impl Membership {
    /// Whether the arrangement binds the country: a member, partly withdrawn or not.
    pub fn binds(self) -> bool {
        matches!(self, Membership::Member | Membership::PartlyWithdrawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ev(event: MembershipEvent, on: Option<&str>) -> DatedEvent {
        DatedEvent {
            event,
            occurred_on: on.map(str::to_string),
        }
    }

    #[test]
    fn an_exit_ends_membership_on_its_day() {
        // Armenia in EU GSP+ (Regulation 978/2012): entered 2014-01-01, exited 2022-01-01.
        let events = [
            ev(MembershipEvent::Entered, Some("2014-01-01")),
            ev(MembershipEvent::Exited, Some("2022-01-01")),
        ];
        let window = Window {
            applies_from: Some(d("2014-01-01")),
            expires_on: Some(d("2027-12-31")),
        };
        assert_eq!(
            membership_on(&events, window, d("2013-12-31")),
            Membership::NotMember
        );
        assert_eq!(
            membership_on(&events, window, d("2014-01-01")),
            Membership::Member
        );
        assert_eq!(
            membership_on(&events, window, d("2021-12-31")),
            Membership::Member
        );
        assert_eq!(
            membership_on(&events, window, d("2022-01-01")),
            Membership::NotMember
        );
    }

    #[test]
    fn a_withdrawal_and_a_reinstatement_move_membership_and_a_year_is_uncertain_within_it() {
        // Myanmar in the EU GSP: withdrawn in 1997 (the year only), reinstated 2013-06-12.
        let events = [
            ev(MembershipEvent::Withdrawn, Some("1997")),
            ev(MembershipEvent::Reinstated, Some("2013-06-12")),
        ];
        let window = Window::default();
        assert_eq!(
            membership_on(&events, window, d("1996-12-31")),
            Membership::Unknown
        );
        assert_eq!(
            membership_on(&events, window, d("1997-06-30")),
            Membership::Unknown
        );
        assert_eq!(
            membership_on(&events, window, d("1998-01-01")),
            Membership::NotMember
        );
        assert_eq!(
            membership_on(&events, window, d("2013-06-11")),
            Membership::NotMember
        );
        assert_eq!(
            membership_on(&events, window, d("2013-06-12")),
            Membership::Member
        );
    }

    #[test]
    fn a_partial_withdrawal_still_binds_and_a_procedure_begun_changes_nothing() {
        let events = [
            ev(MembershipEvent::Entered, Some("2014-01-01")),
            ev(MembershipEvent::WithdrawalInitiated, Some("2019-02-11")),
            ev(MembershipEvent::PartiallyWithdrawn, Some("2020-08-12")),
        ];
        let window = Window::default();
        assert_eq!(
            membership_on(&events, window, d("2019-06-01")),
            Membership::Member
        );
        let partly = membership_on(&events, window, d("2020-08-12"));
        assert_eq!(partly, Membership::PartlyWithdrawn);
        assert!(partly.binds());
    }

    #[test]
    fn a_snapshot_listing_says_nothing_about_earlier_days_and_undated_events_settle_nothing() {
        let listed = [ev(MembershipEvent::Listed, Some("2025-01-01"))];
        assert_eq!(
            membership_on(&listed, Window::default(), d("2024-12-31")),
            Membership::Unknown
        );
        assert_eq!(
            membership_on(&listed, Window::default(), d("2025-01-01")),
            Membership::Member
        );
        let undated = [ev(MembershipEvent::Listed, None)];
        assert_eq!(
            membership_on(&undated, Window::default(), d("2012-01-01")),
            Membership::Unknown
        );
        let signed_only = [ev(MembershipEvent::Signed, Some("2014-06-27"))];
        assert_eq!(
            membership_on(&signed_only, Window::default(), d("2020-01-01")),
            Membership::Unknown
        );
    }

    #[test]
    fn outside_the_arrangements_window_nobody_is_bound() {
        let events = [ev(MembershipEvent::Listed, Some("2009-01-01"))];
        let window = Window {
            applies_from: Some(d("2009-01-01")),
            expires_on: Some(d("2013-12-31")),
        };
        assert_eq!(
            membership_on(&events, window, d("2014-01-01")),
            Membership::NotMember
        );
        assert_eq!(
            membership_on(&events, window, d("2010-01-01")),
            Membership::Member
        );
    }

    #[test]
    fn events_whose_dates_overlap_leave_an_unknown_order_unknown() {
        // A reinstatement known only by its year and a withdrawal inside that year.
        let events = [
            ev(MembershipEvent::Withdrawn, Some("2016-05-01")),
            ev(MembershipEvent::Reinstated, Some("2016")),
        ];
        assert_eq!(
            membership_on(&events, Window::default(), d("2017-01-01")),
            Membership::Unknown
        );
        let ordered = [
            ev(MembershipEvent::Withdrawn, Some("1997")),
            ev(MembershipEvent::Reinstated, Some("1998-06-12")),
        ];
        assert_eq!(
            membership_on(&ordered, Window::default(), d("1999-01-01")),
            Membership::Member
        );
    }

    #[test]
    fn a_month_is_uncertain_until_its_end() {
        let events = [ev(MembershipEvent::Applied, Some("2019-02"))];
        assert_eq!(
            membership_on(&events, Window::default(), d("2019-01-31")),
            Membership::NotMember
        );
        assert_eq!(
            membership_on(&events, Window::default(), d("2019-02-10")),
            Membership::Unknown
        );
        assert_eq!(
            membership_on(&events, Window::default(), d("2019-02-28")),
            Membership::Member
        );
    }

    #[test]
    fn only_ratification_commitments_are_judged_and_unknown_is_never_unmet() {
        use CommitmentType::*;
        assert_eq!(
            compliance(RatifyAndEffectivelyImplement, Some(Status::Ratified)),
            Compliance::Met
        );
        assert_eq!(
            compliance(RatifyAndEffectivelyImplement, Some(Status::Denounced)),
            Compliance::Unmet
        );
        assert_eq!(
            compliance(ContinuedAndSustainedEffortsToRatify, Some(Status::InProgress)),
            Compliance::Unmet
        );
        assert_eq!(compliance(ConsiderRatification, None), Compliance::Unknown);
        assert_eq!(
            compliance(BasisForTemporaryWithdrawal, Some(Status::NotRatified)),
            Compliance::Unknown
        );
        for kind in CommitmentType::ALL {
            assert_ne!(compliance(*kind, None), Compliance::Unmet, "{kind}");
        }
    }
}
