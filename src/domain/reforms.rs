//! Reforms: gaps between national law or practice and the conventions, and the dated
//! milestones that close them. Rules here; storage in `repo::reforms`.

use chrono::NaiveDate;

use super::text_enum;

text_enum! {
    GapStatus {
        Open => "open",
        Closed => "closed",
    }
}

text_enum! {
    /// What a milestone is a step of.
    MilestoneKind {
        GapIdentified => "gap_identified",
        DraftPrepared => "draft_prepared",
        TripartiteConsultation => "tripartite_consultation",
        SubmittedToParliament => "submitted_to_parliament",
        Adopted => "adopted",
        InForce => "in_force",
        ImplementationMeasure => "implementation_measure",
        Other => "other",
    }
}

text_enum! {
    MilestoneStatus {
        Planned => "planned",
        InProgress => "in_progress",
        Completed => "completed",
        Cancelled => "cancelled",
    }
}

impl MilestoneStatus {
    /// Completed or cancelled: nothing is due any more.
    pub fn is_settled(self) -> bool {
        matches!(self, MilestoneStatus::Completed | MilestoneStatus::Cancelled)
    }
}

/// A milestone is overdue when its target date has passed and it is neither completed nor
/// cancelled. Derived on every read, never stored.
pub fn overdue(target_on: NaiveDate, status: MilestoneStatus, today: NaiveDate) -> bool {
    target_on < today && !status.is_settled()
}

/// Checks a milestone's status and completion date.
pub fn check_milestone(
    status: MilestoneStatus,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    match (status, completed_on) {
        (MilestoneStatus::Completed, None) => v.push((
            "completed_on",
            "a completed milestone needs its completion date".into(),
        )),
        (MilestoneStatus::Completed, Some(date)) if date > today => {
            v.push(("completed_on", format!("{date} is in the future")))
        }
        (MilestoneStatus::Completed, Some(_)) => {}
        (other, Some(_)) => v.push((
            "completed_on",
            format!("a {other} milestone has no completion date"),
        )),
        (_, None) => {}
    }
    v
}

/// Checks a gap's status and its opening and closing dates against the status of its
/// milestones.
pub fn check_gap(
    status: GapStatus,
    opened_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    milestones: &[MilestoneStatus],
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    v.extend(super::fields::day_out_of_range("opened_on", opened_on));
    if opened_on > today {
        v.push(("opened_on", format!("{opened_on} is in the future")));
    }
    if closed_on.is_some_and(|closed| closed < opened_on) {
        v.push((
            "closed_on",
            format!("is before the day the gap was opened, {opened_on}"),
        ));
    }
    match (status, closed_on) {
        (GapStatus::Closed, None) => {
            v.push(("closed_on", "a closed gap needs the date it was closed".into()))
        }
        (GapStatus::Closed, Some(date)) if date > today => {
            v.push(("closed_on", format!("{date} is in the future")))
        }
        (GapStatus::Open, Some(_)) => v.push(("closed_on", "an open gap has no closing date".into())),
        _ => {}
    }
    let pending = milestones.iter().filter(|s| !s.is_settled()).count();
    if status == GapStatus::Closed && pending > 0 {
        v.push((
            "status",
            format!("{pending} milestone(s) are neither completed nor cancelled; the gap cannot close yet"),
        ));
    }
    v
}

/// Longest link kept, in characters.
pub const MAX_LINK_CHARS: usize = 2000;

/// Checks a link: an absolute `http` or `https` URL.
pub fn check_link(raw: &str) -> Result<(), String> {
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"));
    let ok = rest.is_some_and(|rest| !rest.is_empty())
        && raw.chars().count() <= MAX_LINK_CHARS
        && !raw.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(format!("'{raw}' is not an http(s) link"))
    }
}

/// Who may add a progress note to a milestone of `country` that `organization` is
/// responsible for: the country's administrators and office staff, and the constituents of
/// that organization.
pub fn may_note_progress(caller: &super::access::Caller, country: &str, organization: Option<i32>) -> bool {
    let responsible =
        caller.role.is_constituent() && caller.organization.is_some() && caller.organization == organization;
    caller.may_administer_country(country) || responsible
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn overdue_after_the_target_day_until_settled() {
        let today = d("2026-11-23");
        assert!(
            !overdue(d("2026-11-23"), MilestoneStatus::Planned, today),
            "due today is not overdue"
        );
        assert!(overdue(d("2026-11-22"), MilestoneStatus::Planned, today));
        assert!(overdue(d("2026-11-22"), MilestoneStatus::InProgress, today));
        assert!(!overdue(d("2026-11-22"), MilestoneStatus::Completed, today));
        assert!(!overdue(d("2026-11-22"), MilestoneStatus::Cancelled, today));
    }

    #[test]
    fn completed_needs_a_past_completion_date() {
        let today = d("2026-11-23");
        assert_eq!(
            check_milestone(MilestoneStatus::Completed, None, today)[0].0,
            "completed_on"
        );
        assert_eq!(
            check_milestone(MilestoneStatus::Completed, Some(d("2026-11-24")), today)[0].0,
            "completed_on"
        );
        assert!(check_milestone(MilestoneStatus::Completed, Some(today), today).is_empty());
        assert_eq!(
            check_milestone(MilestoneStatus::Planned, Some(today), today)[0].0,
            "completed_on"
        );
    }

    #[test]
    fn a_gap_closes_only_when_its_milestones_are_settled() {
        let today = d("2026-11-23");
        let settled = [MilestoneStatus::Completed, MilestoneStatus::Cancelled];
        let opened = d("2025-01-10");
        assert!(check_gap(GapStatus::Closed, opened, Some(today), &settled, today).is_empty());
        let pending = [MilestoneStatus::Completed, MilestoneStatus::Planned];
        assert_eq!(
            check_gap(GapStatus::Closed, opened, Some(today), &pending, today)[0].0,
            "status"
        );
        assert_eq!(
            check_gap(GapStatus::Closed, opened, None, &[], today)[0].0,
            "closed_on"
        );
        assert_eq!(
            check_gap(GapStatus::Open, opened, Some(today), &[], today)[0].0,
            "closed_on"
        );
    }

    #[test]
    fn a_gap_opens_no_later_than_today_and_closes_no_earlier_than_it_opened() {
        let today = d("2026-11-23");
        assert_eq!(
            check_gap(GapStatus::Open, d("2026-11-24"), None, &[], today)[0].0,
            "opened_on"
        );
        assert_eq!(
            check_gap(
                GapStatus::Closed,
                d("2026-11-20"),
                Some(d("2026-11-19")),
                &[],
                today
            )[0]
            .0,
            "closed_on"
        );
        assert!(check_gap(
            GapStatus::Closed,
            d("2026-11-20"),
            Some(d("2026-11-20")),
            &[],
            today
        )
        .is_empty());
    }

    #[test]
    fn links_are_http_urls() {
        assert!(check_link("https://normlex.ilo.org/x").is_ok());
        for bad in [
            "ftp://x",
            "javascript:alert(1)",
            "https://",
            "https://a b",
            "normlex.ilo.org",
        ] {
            assert!(check_link(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn progress_notes_come_from_the_responsible_organization_and_the_office() {
        use crate::domain::access::{Caller, Principal, Role};
        let person = |role: Role, countries: &[&str], organization: Option<i32>| Caller {
            principal: Principal::User(1),
            role,
            countries: countries.iter().map(|c| c.to_string()).collect(),
            organization,
        };
        assert!(may_note_progress(
            &person(Role::Worker, &["ZWE"], Some(7)),
            "ZWE",
            Some(7)
        ));
        assert!(!may_note_progress(
            &person(Role::Employer, &["ZWE"], Some(8)),
            "ZWE",
            Some(7)
        ));
        assert!(!may_note_progress(
            &person(Role::Worker, &["ZWE"], None),
            "ZWE",
            None
        ));
        assert!(may_note_progress(
            &person(Role::Office, &["ZWE"], None),
            "ZWE",
            Some(7)
        ));
        assert!(!may_note_progress(
            &person(Role::Office, &["VNM"], None),
            "ZWE",
            Some(7)
        ));
        assert!(may_note_progress(&person(Role::Admin, &[], None), "ZWE", None));
    }
}
