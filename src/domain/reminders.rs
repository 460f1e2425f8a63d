//! Reminder rules (issue 17): per kind of deadline, the lead times at which a person is
//! reminded (default 30 and 7 days before, on the day, then weekly while overdue), and which
//! deadlines fall due at those leads on a given day. Pure rules; the digest service reads the
//! deadlines and sends.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::deadlines::{Deadline, DeadlineKind};
use super::reforms::MilestoneStatus;
use super::reporting::{RequestStatus, TaskStatus};
use crate::error::FieldError;

/// The most lead times one kind may have.
pub const MAX_LEADS: usize = 8;
/// The longest lead, in days.
pub const MAX_LEAD_DAYS: i32 = 365;

/// When to be reminded of one kind of deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    /// Remind of this kind at all.
    pub enabled: bool,
    /// Days before the due date (0: on the day), each from 0 to 365, at most 8.
    #[schema(example = json!([30, 7, 0]))]
    pub leads: Vec<i32>,
    /// Every 7 days while the deadline is overdue.
    pub overdue_weekly: bool,
}

impl Default for KindRule {
    fn default() -> Self {
        KindRule {
            enabled: true,
            leads: vec![30, 7, 0],
            overdue_weekly: true,
        }
    }
}

/// A person's reminder rules: one digest e-mail a day lists what falls due at these leads in
/// the person's work scope (the scope of `/deadlines`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderSettings {
    /// Send the daily digest at all (needs e-mail configured on the server).
    pub enabled: bool,
    pub report_requests: KindRule,
    pub tasks: KindRule,
    pub milestones: KindRule,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            enabled: true,
            report_requests: KindRule::default(),
            tasks: KindRule::default(),
            milestones: KindRule::default(),
        }
    }
}

impl ReminderSettings {
    pub fn rule(&self, kind: DeadlineKind) -> &KindRule {
        match kind {
            DeadlineKind::ReportRequest => &self.report_requests,
            DeadlineKind::Task => &self.tasks,
            DeadlineKind::Milestone => &self.milestones,
        }
    }

    /// Whether any reminder could ever be sent under these rules.
    pub fn sends_anything(&self) -> bool {
        self.enabled
            && DeadlineKind::ALL.iter().any(|kind| {
                let rule = self.rule(*kind);
                rule.enabled && (!rule.leads.is_empty() || rule.overdue_weekly)
            })
    }

    /// Checks the leads; sorts them longest first and drops repeats.
    pub fn checked(mut self) -> Result<ReminderSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        for (name, rule) in [
            ("report_requests", &mut self.report_requests),
            ("tasks", &mut self.tasks),
            ("milestones", &mut self.milestones),
        ] {
            if rule.leads.len() > MAX_LEADS {
                errors.push(FieldError::new(
                    format!("{name}.leads"),
                    format!("at most {MAX_LEADS} lead times"),
                ));
            }
            if rule.leads.iter().any(|d| !(0..=MAX_LEAD_DAYS).contains(d)) {
                errors.push(FieldError::new(
                    format!("{name}.leads"),
                    format!("each lead is a number of days from 0 to {MAX_LEAD_DAYS}"),
                ));
            }
            rule.leads.sort_unstable_by(|a, b| b.cmp(a));
            rule.leads.dedup();
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// Whether nothing more is due on this deadline (a submitted report, a done task, a completed
/// or cancelled milestone).
pub fn is_settled(deadline: &Deadline) -> bool {
    match deadline.kind {
        DeadlineKind::ReportRequest => {
            deadline.status.parse::<RequestStatus>().ok() == Some(RequestStatus::Submitted)
        }
        DeadlineKind::Task => deadline.status.parse::<TaskStatus>().ok() == Some(TaskStatus::Done),
        DeadlineKind::Milestone => deadline
            .status
            .parse::<MilestoneStatus>()
            .is_ok_and(MilestoneStatus::is_settled),
    }
}

/// The lead at which `deadline` falls due on `today` under `settings`, if it does: days
/// before the due date, or minus the days it is overdue (every 7th day overdue).
pub fn lead_on(settings: &ReminderSettings, deadline: &Deadline, today: NaiveDate) -> Option<i32> {
    let rule = settings.rule(deadline.kind);
    if !settings.enabled || !rule.enabled || is_settled(deadline) {
        return None;
    }
    let days = i32::try_from((deadline.due_on - today).num_days()).ok()?;
    if days >= 0 {
        rule.leads.contains(&days).then_some(days)
    } else {
        (rule.overdue_weekly && days % 7 == 0).then_some(days)
    }
}

/// The window of due dates a digest on `today` may list under `settings`.
pub fn window(settings: &ReminderSettings, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let longest = DeadlineKind::ALL
        .iter()
        .flat_map(|kind| settings.rule(*kind).leads.iter().copied())
        .max()
        .unwrap_or(0);
    // Overdue deadlines are reminded of for up to a year, weekly.
    (
        today - chrono::Duration::days(i64::from(MAX_LEAD_DAYS)),
        today + chrono::Duration::days(i64::from(longest)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> NaiveDate {
        d.parse().expect("date")
    }

    fn due(kind: DeadlineKind, on: &str, status: &str) -> Deadline {
        Deadline {
            kind,
            id: 1,
            country: "VNM".into(),
            country_name: "Viet Nam".into(),
            conventions: vec!["C087".into()],
            title: "Report".into(),
            due_on: day(on),
            status: status.into(),
            overdue: false,
            organization: None,
            link: "/api/v1/report-requests/1".into(),
        }
    }

    #[test]
    fn defaults_remind_thirty_and_seven_days_before_on_the_day_and_weekly_when_overdue() {
        let s = ReminderSettings::default();
        let d = due(DeadlineKind::ReportRequest, "2027-09-01", "requested");
        assert_eq!(lead_on(&s, &d, day("2027-08-02")), Some(30));
        assert_eq!(lead_on(&s, &d, day("2027-08-25")), Some(7));
        assert_eq!(lead_on(&s, &d, day("2027-09-01")), Some(0));
        assert_eq!(lead_on(&s, &d, day("2027-09-08")), Some(-7));
        assert_eq!(lead_on(&s, &d, day("2027-09-15")), Some(-14));
        for quiet in ["2027-08-03", "2027-08-31", "2027-09-02", "2027-09-07"] {
            assert_eq!(lead_on(&s, &d, day(quiet)), None, "{quiet}");
        }
    }

    #[test]
    fn settled_deadlines_and_turned_off_kinds_remind_of_nothing() {
        let mut s = ReminderSettings::default();
        let today = day("2027-09-01");
        assert_eq!(
            lead_on(
                &s,
                &due(DeadlineKind::ReportRequest, "2027-09-01", "submitted"),
                today
            ),
            None
        );
        assert_eq!(
            lead_on(&s, &due(DeadlineKind::Task, "2027-09-01", "done"), today),
            None
        );
        assert_eq!(
            lead_on(
                &s,
                &due(DeadlineKind::Milestone, "2027-09-01", "cancelled"),
                today
            ),
            None
        );
        s.tasks.enabled = false;
        assert_eq!(
            lead_on(&s, &due(DeadlineKind::Task, "2027-09-01", "open"), today),
            None
        );
        s.enabled = false;
        assert_eq!(
            lead_on(&s, &due(DeadlineKind::Milestone, "2027-09-01", "planned"), today),
            None
        );
        assert!(!s.sends_anything());
    }

    #[test]
    fn leads_are_checked_sorted_and_deduplicated() {
        let mut s = ReminderSettings::default();
        s.tasks.leads = vec![0, 14, 14, 3];
        assert_eq!(s.clone().checked().expect("valid").tasks.leads, vec![14, 3, 0]);
        s.tasks.leads = vec![-1];
        assert!(s.clone().checked().is_err());
        s.tasks.leads = vec![366];
        assert!(s.clone().checked().is_err());
        s.tasks.leads = (0..9).collect();
        assert!(s.checked().is_err());
    }
}
