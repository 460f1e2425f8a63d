//! Activities of responsible-business-conduct initiatives: their kinds and statuses, when one
//! is overdue, the life cycle of a complaint (an OECD National Contact Point specific
//! instance, say: filed → accepted → closed), and who writes them. Rules only; storage is
//! `repo::rbc_activities`.

use chrono::NaiveDate;

use super::access::Caller;
use super::text_enum;

text_enum! {
    ActivityKind {
        Assessment => "assessment",
        Training => "training",
        Dialogue => "dialogue",
        Guidance => "guidance",
        /// A complaint or specific instance: its status moves filed → accepted → closed.
        Complaint => "complaint",
        Report => "report",
        Other => "other",
    }
}

text_enum! {
    /// `planned`, `in_progress`, `completed`, `cancelled` for every kind but a complaint;
    /// `filed`, `accepted`, `closed` for a complaint.
    ActivityStatus {
        Planned => "planned",
        InProgress => "in_progress",
        Completed => "completed",
        Cancelled => "cancelled",
        Filed => "filed",
        Accepted => "accepted",
        Closed => "closed",
    }
}

impl ActivityStatus {
    /// Nothing is due any more: completed, cancelled, or (a complaint) closed.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            ActivityStatus::Completed | ActivityStatus::Cancelled | ActivityStatus::Closed
        )
    }

    /// Ended with a result on a day: completed, or (a complaint) closed.
    pub fn is_done(self) -> bool {
        matches!(self, ActivityStatus::Completed | ActivityStatus::Closed)
    }

    /// The statuses still pending (what `overdue` looks for), as stored.
    pub const PENDING: &'static [ActivityStatus] = &[
        ActivityStatus::Planned,
        ActivityStatus::InProgress,
        ActivityStatus::Filed,
        ActivityStatus::Accepted,
    ];

    /// The step of a complaint's life cycle, `None` for the other statuses.
    fn complaint_step(self) -> Option<u8> {
        match self {
            ActivityStatus::Filed => Some(0),
            ActivityStatus::Accepted => Some(1),
            ActivityStatus::Closed => Some(2),
            _ => None,
        }
    }
}

impl ActivityKind {
    /// The status a new activity of this kind starts in.
    pub fn first_status(self) -> ActivityStatus {
        match self {
            ActivityKind::Complaint => ActivityStatus::Filed,
            _ => ActivityStatus::Planned,
        }
    }
}

/// An activity is overdue when its target day has passed and it is not settled. Derived on
/// every read, never stored.
pub fn overdue(target_on: NaiveDate, status: ActivityStatus, today: NaiveDate) -> bool {
    target_on < today && !status.is_settled()
}

/// Checks an activity's kind, status and days; `previous` is the kind and status stored
/// before a change (a complaint moves forward only: filed → accepted → closed, or filed →
/// closed when it is not accepted; nothing becomes a complaint, or stops being one, by a
/// change, which would reset its life cycle).
pub fn check_activity(
    kind: ActivityKind,
    status: ActivityStatus,
    previous: Option<(ActivityKind, ActivityStatus)>,
    target_on: NaiveDate,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    v.extend(super::fields::day_out_of_range("target_on", target_on));
    if let Some(day) = completed_on {
        v.extend(super::fields::day_out_of_range("completed_on", day));
    }
    let complaint = kind == ActivityKind::Complaint;
    if let Some((before, _)) = previous {
        if (before == ActivityKind::Complaint) != complaint {
            v.push((
                "kind",
                format!("a {before} activity does not become a {kind} one; record a new activity"),
            ));
        }
    }
    let previous = previous.map(|(_, status)| status);
    if complaint != status.complaint_step().is_some() {
        v.push((
            "status",
            if complaint {
                format!("a complaint is filed, accepted or closed, not {status}")
            } else {
                format!("a {kind} activity is planned, in_progress, completed or cancelled, not {status}")
            },
        ));
    }
    if let (Some(before), Some(after)) = (
        previous.and_then(ActivityStatus::complaint_step),
        status.complaint_step(),
    ) {
        if after < before {
            v.push((
                "status",
                format!(
                    "a complaint moves filed → accepted → closed; it cannot go back from {} to {status}",
                    previous.map(ActivityStatus::as_str).unwrap_or_default()
                ),
            ));
        }
    }
    match (status.is_done(), completed_on) {
        (true, None) => v.push((
            "completed_on",
            format!("a {status} activity needs the day it was {status}"),
        )),
        (true, Some(day)) if day > today => v.push(("completed_on", format!("{day} is in the future"))),
        (false, Some(_)) => v.push((
            "completed_on",
            format!("a {status} activity has no completion day"),
        )),
        _ => {}
    }
    v
}

/// Whether the caller may create, change or delete an activity taking place in `country`
/// (`None`: in no one member state, of a global initiative): administrators any; office staff
/// those of the countries they cover.
pub fn may_write_activity(caller: &Caller, country: Option<&str>) -> bool {
    match country {
        Some(country) => caller.may_administer_country(country),
        None => caller.role == super::access::Role::Admin,
    }
}

/// Who may add a progress note to an activity: those who may write it, and the
/// constituents of the organization responsible for it (as for reform milestones).
pub fn may_note_activity(caller: &Caller, country: Option<&str>, organization: Option<i32>) -> bool {
    may_write_activity(caller, country)
        || country.is_some_and(|c| super::reforms::may_note_progress(caller, c, organization))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{Principal, Role};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn overdue_after_the_target_day_until_settled() {
        let today = d("2026-12-03");
        assert!(!overdue(today, ActivityStatus::Planned, today));
        assert!(overdue(d("2026-12-02"), ActivityStatus::Planned, today));
        assert!(overdue(d("2026-12-02"), ActivityStatus::Accepted, today));
        assert!(!overdue(d("2026-12-02"), ActivityStatus::Closed, today));
        assert!(!overdue(d("2026-12-02"), ActivityStatus::Cancelled, today));
        for s in ActivityStatus::ALL {
            assert_eq!(ActivityStatus::PENDING.contains(s), !s.is_settled(), "{s}");
        }
    }

    #[test]
    fn a_complaint_moves_filed_accepted_closed_and_never_back() {
        let today = d("2026-12-03");
        let c = ActivityKind::Complaint;
        let check = |status, previous: Option<ActivityStatus>, completed_on| {
            check_activity(c, status, previous.map(|p| (c, p)), today, completed_on, today)
        };
        assert!(check(ActivityStatus::Filed, None, None).is_empty());
        assert!(check(ActivityStatus::Accepted, Some(ActivityStatus::Filed), None).is_empty());
        assert!(check(ActivityStatus::Closed, Some(ActivityStatus::Filed), Some(today)).is_empty());
        assert_eq!(
            check(ActivityStatus::Filed, Some(ActivityStatus::Accepted), None)[0].0,
            "status"
        );
        assert_eq!(check(ActivityStatus::Completed, None, Some(today))[0].0, "status");
        assert_eq!(
            check(ActivityStatus::Closed, Some(ActivityStatus::Accepted), None)[0].0,
            "completed_on"
        );
    }

    #[test]
    fn nothing_becomes_a_complaint_or_stops_being_one_and_days_stay_within_the_years() {
        let today = d("2026-12-03");
        let closed = (ActivityKind::Complaint, ActivityStatus::Closed);
        assert_eq!(
            check_activity(
                ActivityKind::Training,
                ActivityStatus::Planned,
                Some(closed),
                today,
                None,
                today
            )[0]
            .0,
            "kind"
        );
        let planned = (ActivityKind::Training, ActivityStatus::Planned);
        assert_eq!(
            check_activity(
                ActivityKind::Complaint,
                ActivityStatus::Filed,
                Some(planned),
                today,
                None,
                today
            )[0]
            .0,
            "kind"
        );
        assert!(check_activity(
            ActivityKind::Dialogue,
            ActivityStatus::Planned,
            Some(planned),
            today,
            None,
            today
        )
        .is_empty());
        assert_eq!(
            check_activity(
                ActivityKind::Training,
                ActivityStatus::Planned,
                None,
                d("1899-12-31"),
                None,
                today
            )[0]
            .0,
            "target_on"
        );
    }

    #[test]
    fn other_activities_take_the_milestone_statuses_with_a_past_completion_day() {
        let today = d("2026-12-03");
        let t = ActivityKind::Training;
        assert!(check_activity(t, ActivityStatus::Completed, None, today, Some(today), today).is_empty());
        assert_eq!(
            check_activity(t, ActivityStatus::Filed, None, today, None, today)[0].0,
            "status"
        );
        assert_eq!(
            check_activity(
                t,
                ActivityStatus::Completed,
                None,
                today,
                Some(d("2026-12-04")),
                today
            )[0]
            .0,
            "completed_on"
        );
        assert_eq!(
            check_activity(t, ActivityStatus::Planned, None, today, Some(today), today)[0].0,
            "completed_on"
        );
    }

    #[test]
    fn writers_are_the_office_of_the_country_and_note_takers_also_the_responsible_organization() {
        let person = |role: Role, countries: &[&str], organization: Option<i32>| Caller {
            principal: Principal::User(1),
            role,
            countries: countries.iter().map(|c| c.to_string()).collect(),
            organization,
        };
        let office = person(Role::Office, &["PHL"], None);
        assert!(may_write_activity(&office, Some("PHL")));
        assert!(!may_write_activity(&office, Some("VNM")));
        assert!(!may_write_activity(&office, None));
        assert!(may_write_activity(&Caller::cli(), None));
        let worker = person(Role::Worker, &["PHL"], Some(4));
        assert!(!may_write_activity(&worker, Some("PHL")));
        assert!(may_note_activity(&worker, Some("PHL"), Some(4)));
        assert!(!may_note_activity(&worker, Some("PHL"), Some(5)));
        assert!(!may_note_activity(&worker, None, Some(4)));
    }
}
