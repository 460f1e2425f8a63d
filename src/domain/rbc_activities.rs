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

/// Checks an activity's kind, status and completion day; `previous` is the status stored
/// before a change (a complaint moves forward only: filed → accepted → closed, or filed →
/// closed when it is not accepted).
pub fn check_activity(
    kind: ActivityKind,
    status: ActivityStatus,
    previous: Option<ActivityStatus>,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    let complaint = kind == ActivityKind::Complaint;
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
        assert!(check_activity(c, ActivityStatus::Filed, None, None, today).is_empty());
        assert!(check_activity(
            c,
            ActivityStatus::Accepted,
            Some(ActivityStatus::Filed),
            None,
            today
        )
        .is_empty());
        assert!(check_activity(
            c,
            ActivityStatus::Closed,
            Some(ActivityStatus::Filed),
            Some(today),
            today
        )
        .is_empty());
        assert_eq!(
            check_activity(
                c,
                ActivityStatus::Filed,
                Some(ActivityStatus::Accepted),
                None,
                today
            )[0]
            .0,
            "status"
        );
        assert_eq!(
            check_activity(c, ActivityStatus::Completed, None, Some(today), today)[0].0,
            "status"
        );
        assert_eq!(
            check_activity(
                c,
                ActivityStatus::Closed,
                Some(ActivityStatus::Accepted),
                None,
                today
            )[0]
            .0,
            "completed_on"
        );
    }

    #[test]
    fn other_activities_take_the_milestone_statuses_with_a_past_completion_day() {
        let today = d("2026-12-03");
        let t = ActivityKind::Training;
        assert!(check_activity(t, ActivityStatus::Completed, None, Some(today), today).is_empty());
        assert_eq!(
            check_activity(t, ActivityStatus::Filed, None, None, today)[0].0,
            "status"
        );
        assert_eq!(
            check_activity(t, ActivityStatus::Completed, None, Some(d("2026-12-04")), today)[0].0,
            "completed_on"
        );
        assert_eq!(
            check_activity(t, ActivityStatus::Planned, None, Some(today), today)[0].0,
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
