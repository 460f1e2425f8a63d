//! Reporting to the ILO supervisory bodies (ILO Constitution arts. 19, 22, 23): the regular
//! reporting cycle, first reports, the standard tripartite tasks, and what is due and
//! overdue. Rules only: storage is `repo::reporting`, the generation run
//! `service::reporting`.

use chrono::{Datelike, Months, NaiveDate};

use super::access::{Caller, Role};
use super::ratification::{default_in_force_on, in_force, Status};
use super::reference::{Category, OrganizationKind};
use super::text_enum;

text_enum! {
    /// What the supervisory system asks for.
    RequestKind {
        Article22Regular => "article22_regular",
        Article22First => "article22_first",
        Article22FollowUp => "article22_follow_up",
        Article19 => "article19",
    }
}

text_enum! {
    RequestStatus {
        Requested => "requested",
        InPreparation => "in_preparation",
        Submitted => "submitted",
    }
}

text_enum! {
    TaskKind {
        DraftReport => "draft_report",
        ConsultSocialPartners => "consult_social_partners",
        SendCopiesArticle23 => "send_copies_article23",
        SubmitObservations => "submit_observations",
        Other => "other",
    }
}

text_enum! {
    TaskStatus {
        Open => "open",
        InProgress => "in_progress",
        Done => "done",
    }
}

text_enum! {
    /// Where a schedule's figures come from: `default`, the documented approximation
    /// normtrack starts from; `official`, the country's official schedule.
    ScheduleBasis {
        Default => "default",
        Official => "official",
    }
}

/// Regular reports on fundamental and governance conventions: every 3 years (art. 22 and the
/// regular reporting cycle).
pub const CYCLE_YEARS_FUNDAMENTAL_GOVERNANCE: i32 = 3;
/// Regular reports on technical conventions: every 6 years.
pub const CYCLE_YEARS_TECHNICAL: i32 = 6;
/// Reports reach the ILO between 1 June and 1 September: the default due date is 1 September.
pub const DUE_MONTH: u32 = 9;
pub const DUE_DAY: u32 = 1;

/// The regular cycle of an instrument of this category.
pub fn default_cycle_years(category: Category) -> i32 {
    match category {
        Category::Fundamental | Category::Governance => CYCLE_YEARS_FUNDAMENTAL_GOVERNANCE,
        Category::Technical => CYCLE_YEARS_TECHNICAL,
    }
}

/// 1 September of `year`: the default due date of the year's reports.
pub fn default_due_on(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, DUE_MONTH, DUE_DAY)
}

/// A first report is due in the year after the convention enters into force for the country.
pub fn first_report_year(in_force_on: NaiveDate) -> i32 {
    in_force_on.year() + 1
}

/// The documented default of a schedule's next regular report year, counted from `from_year`
/// (the year the schedule is made):
/// - entry into force known: regular reports every `cycle` years after the first report;
/// - unknown: the country's position in the alphabetical list of member states spreads the
///   countries evenly over the cycle (`position mod cycle` picks the phase).
///
/// An approximation, to be replaced by the country's official schedule.
pub fn default_next_regular_year(
    cycle: i32,
    in_force_on: Option<NaiveDate>,
    country_position: usize,
    from_year: i32,
) -> i32 {
    let cycle = cycle.max(1);
    match in_force_on {
        Some(date) => {
            let first_regular = first_report_year(date) + cycle;
            if first_regular >= from_year {
                first_regular
            } else {
                let behind = from_year - first_regular;
                first_regular + (behind + cycle - 1) / cycle * cycle
            }
        }
        None => {
            let phase = (country_position % cycle as usize) as i32;
            from_year + (phase - from_year).rem_euclid(cycle)
        }
    }
}

/// Whether the schedule asks for a regular report in `year`: in `next_regular_year` and
/// every `cycle` years after it.
pub fn regular_due_in(cycle: i32, next_regular_year: i32, year: i32) -> bool {
    cycle > 0 && year >= next_regular_year && (year - next_regular_year) % cycle == 0
}

/// The last day a period written `YYYY-MM-DD`, `YYYY-MM` or `YYYY` covers.
pub fn end_of_period(raw: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = raw.trim().split('-').collect();
    let year: i32 = parts.first()?.parse().ok()?;
    match parts.len() {
        1 => NaiveDate::from_ymd_opt(year, 12, 31),
        2 => {
            let month: u32 = parts[1].parse().ok()?;
            NaiveDate::from_ymd_opt(year, month, 1)?
                .checked_add_months(Months::new(1))?
                .pred_opt()
        }
        3 => NaiveDate::from_ymd_opt(year, parts[1].parse().ok()?, parts[2].parse().ok()?),
        _ => None,
    }
}

/// For a record that says "ratified" without dates: the latest day the instrument can have
/// entered into force. Its source attests the ratification as of `source_date`, so the
/// registration was no later; entry into force follows twelve months after registration (or
/// the instrument's own entry into force, if later). An upper bound, not a date of its own.
pub fn in_force_no_later_than(
    source_date: Option<&str>,
    instrument_in_force_on: Option<NaiveDate>,
) -> Option<NaiveDate> {
    default_in_force_on(end_of_period(source_date?), instrument_in_force_on)
}

/// What the cycle needs to know of one (country, instrument) record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub country: String,
    pub convention: String,
    pub status: Status,
    pub in_force_on: Option<NaiveDate>,
    pub denounced_on: Option<NaiveDate>,
    /// [`in_force_no_later_than`], for records without an entry-into-force date.
    pub in_force_by: Option<NaiveDate>,
}

impl Holding {
    /// Whether the instrument binds the country on `day`: from the entry-into-force date
    /// when known, else from the upper bound its source allows.
    pub fn binding_on(&self, day: NaiveDate) -> bool {
        match in_force(self.status, self.in_force_on, self.denounced_on, day) {
            Some(binding) => binding,
            None => self.status == Status::Ratified && self.in_force_by.is_some_and(|by| by <= day),
        }
    }
}

/// The per-(country, instrument) schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub cycle_years: i32,
    pub next_regular_year: i32,
}

/// A report request the cycle asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRequest {
    pub kind: RequestKind,
    pub country: String,
    pub convention: String,
    pub year: i32,
    pub detailed: bool,
    pub reason: Option<String>,
    /// Identifies the request across runs: generation creates each key once.
    pub key: String,
}

/// The key of a country's first report on an instrument: there is only ever one.
pub fn first_report_key(country: &str, convention: &str) -> String {
    format!("article22_first/{country}/{convention}")
}

/// The key of a country's regular report on an instrument in a year.
pub fn regular_report_key(country: &str, convention: &str, year: i32) -> String {
    format!("article22_regular/{country}/{convention}/{year}")
}

/// What the Article 22 cycle asks of one holding in `year`:
/// - nothing unless the instrument binds the country on 1 January of `year` (a denounced,
///   not ratified or not yet binding record asks nothing);
/// - the first report (detailed) in the year after entry into force, or later when it was
///   never requested (`first_requested` false) and the regular cycle has not yet come round;
///   it stands in for any regular report of its year;
/// - otherwise a regular (simplified) report in the years the schedule names, after the
///   first report's year.
pub fn plan_for(
    holding: &Holding,
    schedule: Option<&Schedule>,
    year: i32,
    first_requested: bool,
) -> Vec<PlannedRequest> {
    let Some(january_first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return Vec::new();
    };
    if !holding.binding_on(january_first) {
        return Vec::new();
    }
    let cycle = schedule.map_or(CYCLE_YEARS_FUNDAMENTAL_GOVERNANCE, |s| s.cycle_years);
    let request = |kind, detailed, reason, key| PlannedRequest {
        kind,
        country: holding.country.clone(),
        convention: holding.convention.clone(),
        year,
        detailed,
        reason,
        key,
    };
    if let Some(first) = holding.in_force_on.map(first_report_year) {
        if !first_requested && first <= year && year - first < cycle {
            let reason = (first < year).then(|| format!("first report due in {first}, not requested before"));
            let key = first_report_key(&holding.country, &holding.convention);
            return vec![request(RequestKind::Article22First, true, reason, key)];
        }
        if year <= first {
            return Vec::new();
        }
    }
    match schedule {
        Some(s) if regular_due_in(s.cycle_years, s.next_regular_year, year) => {
            let key = regular_report_key(&holding.country, &holding.convention, year);
            vec![request(RequestKind::Article22Regular, false, None, key)]
        }
        _ => Vec::new(),
    }
}

/// A task generation files for an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTask {
    pub kind: TaskKind,
    pub organization: i32,
    pub title: String,
    pub key: String,
}

/// How a request is named to people: "Article 22 regular report on C087 (2027)".
pub fn request_label(kind: RequestKind, conventions: &[String], year: i32) -> String {
    let on = conventions.join(", ");
    match kind {
        RequestKind::Article22Regular => format!("Article 22 regular report on {on} ({year})"),
        RequestKind::Article22First => format!("first Article 22 report on {on} ({year})"),
        RequestKind::Article22FollowUp => format!("Article 22 follow-up report on {on} ({year})"),
        RequestKind::Article19 => format!("Article 19 report on {on} ({year})"),
    }
}

/// The standard tasks of a report (art. 23(2)): the government drafts the report and sends
/// copies to the representative employers' and workers' organizations, which may send
/// observations. One set per organization the country has.
pub fn standard_tasks(
    request_key: &str,
    label: &str,
    organizations: &[(i32, OrganizationKind)],
) -> Vec<PlannedTask> {
    let mut tasks = Vec::new();
    let mut add = |kind: TaskKind, organization: i32, title: String| {
        tasks.push(PlannedTask {
            kind,
            organization,
            title,
            key: format!("{request_key}/{organization}/{}", kind.as_str()),
        })
    };
    for &(id, kind) in organizations {
        match kind {
            OrganizationKind::Government => {
                add(TaskKind::DraftReport, id, format!("Draft the {label}"));
                add(
                    TaskKind::SendCopiesArticle23,
                    id,
                    format!("Send copies of the {label} to the employers' and workers' organizations (art. 23(2))"),
                );
            }
            OrganizationKind::Employer | OrganizationKind::Worker => add(
                TaskKind::SubmitObservations,
                id,
                format!("Observations on the {label} (art. 23(2))"),
            ),
        }
    }
    tasks
}

/// Who moves a report request's status: the country's government and whoever administers
/// the country (its office staff, administrators).
pub fn may_move_request_status(caller: &Caller, country: &str) -> bool {
    caller.may_administer_country(country)
        || (caller.role == Role::Government && caller.countries.iter().any(|c| c == country))
}

/// Who files a task against a report request of `country`: its constituents and whoever
/// administers the country.
pub fn may_create_task(caller: &Caller, country: &str) -> bool {
    caller.may_administer_country(country)
        || (caller.role.is_constituent() && caller.countries.iter().any(|c| c == country))
}

/// Who changes a task: the constituents of the organization it is assigned to, and whoever
/// administers the country. Only the latter reassign it.
pub fn may_update_task(caller: &Caller, country: &str, organization: i32) -> bool {
    caller.may_administer_country(country)
        || (caller.role.is_constituent()
            && caller.organization == Some(organization)
            && caller.countries.iter().any(|c| c == country))
}

/// A report request is overdue when its due date has passed and it is not submitted.
pub fn request_overdue(due_on: NaiveDate, status: RequestStatus, today: NaiveDate) -> bool {
    due_on < today && status != RequestStatus::Submitted
}

/// A task is overdue when its due date has passed and it is not done.
pub fn task_overdue(due_on: NaiveDate, status: TaskStatus, today: NaiveDate) -> bool {
    due_on < today && status != TaskStatus::Done
}

/// A status and the date that goes with its final state (`submitted_on`, `completed_on`):
/// required in the final state, not in the future, absent otherwise.
pub fn check_settled_date(
    field: &'static str,
    settled: bool,
    date: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<(&'static str, String)> {
    match (settled, date) {
        (true, None) => Some((field, format!("the final status needs {field}"))),
        (true, Some(d)) if d > today => Some((field, format!("{d} is in the future"))),
        (false, Some(_)) => Some((field, format!("{field} is set only in the final status"))),
        _ => None,
    }
}

/// The longest deadline window one request may ask for.
pub const MAX_WINDOW_DAYS: i64 = 5 * 366;

/// The deadline window: `from` defaults to today, `to` to twelve months after `from`.
pub fn deadline_window(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), (&'static str, String)> {
    let from = from.unwrap_or(today);
    let to = match to {
        Some(to) => to,
        None => from
            .checked_add_months(Months::new(12))
            .ok_or(("from", format!("{from} is out of range")))?,
    };
    if to < from {
        return Err(("to", format!("{to} is before {from}")));
    }
    if (to - from).num_days() > MAX_WINDOW_DAYS {
        return Err(("to", format!("a window spans at most {MAX_WINDOW_DAYS} days")));
    }
    Ok((from, to))
}

/// What the generation run needs of a supervisory comment that asks for a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyAsked {
    pub comment_id: i32,
    /// How the comment is named in the request's reason, e.g. "the CEACR observation of 2024".
    pub named: String,
    pub country: String,
    pub conventions: Vec<String>,
    /// The year the reply is asked for.
    pub year: i32,
}

/// The follow-up requests a comment's reply makes in `year`: one per instrument normtrack
/// tracks (a follow-up covers one instrument), keyed by comment, instrument and year so a
/// second run makes none. Instruments normtrack does not track get none.
pub fn reply_follow_ups(
    reply: &ReplyAsked,
    year: i32,
    tracked: &dyn Fn(&str) -> bool,
) -> Vec<PlannedRequest> {
    if reply.year != year {
        return Vec::new();
    }
    reply
        .conventions
        .iter()
        .filter(|code| tracked(code))
        .map(|code| PlannedRequest {
            kind: RequestKind::Article22FollowUp,
            country: reply.country.clone(),
            convention: code.clone(),
            year,
            detailed: true,
            reason: Some(format!(
                "{} (supervisory comment {}) asks for a reply in {year}",
                reply.named, reply.comment_id
            )),
            key: format!("reply/{}/{code}/{year}", reply.comment_id),
        })
        .collect()
}

text_enum! {
    /// How a report request stands with its due day.
    Submission {
        /// Submitted on or before the day it was due.
        OnTime => "on_time",
        /// Submitted after the day it was due.
        Late => "late",
        /// Not submitted (yet).
        NotSubmitted => "not_submitted",
    }
}

/// How a report request due on `due_on` stands.
pub fn submission_of(
    status: RequestStatus,
    due_on: NaiveDate,
    submitted_on: Option<NaiveDate>,
) -> Submission {
    match (status, submitted_on) {
        (RequestStatus::Submitted, Some(day)) if day > due_on => Submission::Late,
        (RequestStatus::Submitted, _) => Submission::OnTime,
        _ => Submission::NotSubmitted,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reply_asked_for_makes_one_follow_up_per_tracked_instrument_in_its_year_only() {
        let reply = ReplyAsked {
            comment_id: 7,
            named: "the CEACR observation of 2024".into(),
            country: "KHM".into(),
            conventions: vec!["C087".into(), "C150".into()],
            year: 2026,
        };
        let tracked = |code: &str| code == "C087";
        let planned = reply_follow_ups(&reply, 2026, &tracked);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].kind, RequestKind::Article22FollowUp);
        assert_eq!(planned[0].key, "reply/7/C087/2026");
        assert!(planned[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("the CEACR observation of 2024"));
        assert!(reply_follow_ups(&reply, 2027, &tracked).is_empty());
    }

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn holding(status: Status, in_force_on: Option<&str>, denounced_on: Option<&str>) -> Holding {
        Holding {
            country: "ZWE".into(),
            convention: "C087".into(),
            status,
            in_force_on: in_force_on.map(d),
            denounced_on: denounced_on.map(d),
            in_force_by: None,
        }
    }

    fn kinds(planned: &[PlannedRequest]) -> Vec<RequestKind> {
        planned.iter().map(|p| p.kind).collect()
    }

    const EVERY_3_FROM_2027: Schedule = Schedule {
        cycle_years: 3,
        next_regular_year: 2027,
    };

    #[test]
    fn fundamental_and_governance_conventions_report_every_3_years_technical_every_6() {
        assert_eq!(default_cycle_years(Category::Fundamental), 3);
        assert_eq!(default_cycle_years(Category::Governance), 3);
        assert_eq!(default_cycle_years(Category::Technical), 6);
        let due: Vec<i32> = (2026..2040).filter(|y| regular_due_in(3, 2027, *y)).collect();
        assert_eq!(due, vec![2027, 2030, 2033, 2036, 2039]);
        let due: Vec<i32> = (2026..2040).filter(|y| regular_due_in(6, 2027, *y)).collect();
        assert_eq!(due, vec![2027, 2033, 2039]);
    }

    #[test]
    fn regular_report_in_the_scheduled_years_only() {
        let h = holding(Status::Ratified, Some("2000-06-01"), None);
        for (year, expected) in [(2026, 0), (2027, 1), (2028, 0), (2030, 1)] {
            let planned = plan_for(&h, Some(&EVERY_3_FROM_2027), year, true);
            assert_eq!(planned.len(), expected, "{year}");
        }
        let planned = plan_for(&h, Some(&EVERY_3_FROM_2027), 2030, true);
        assert_eq!(planned[0].kind, RequestKind::Article22Regular);
        assert!(!planned[0].detailed, "regular reports are simplified");
        assert_eq!(planned[0].key, "article22_regular/ZWE/C087/2030");
        let six = Schedule {
            cycle_years: 6,
            next_regular_year: 2027,
        };
        assert!(plan_for(&h, Some(&six), 2030, true).is_empty());
        assert_eq!(plan_for(&h, Some(&six), 2033, true).len(), 1);
    }

    #[test]
    fn first_report_is_due_the_year_after_entry_into_force_across_the_year_boundary() {
        // In force on the last day of 2026: the first report is due in 2027.
        let h = holding(Status::Ratified, Some("2026-12-31"), None);
        assert!(
            plan_for(&h, None, 2026, false).is_empty(),
            "not binding on 1 January 2026"
        );
        let planned = plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, false);
        assert_eq!(kinds(&planned), vec![RequestKind::Article22First]);
        assert!(planned[0].detailed, "a first report is detailed");
        assert_eq!(planned[0].reason, None);
        assert_eq!(planned[0].key, "article22_first/ZWE/C087");
        // In force on 1 January 2027: the first report is due in 2028, nothing in 2027.
        let h = holding(Status::Ratified, Some("2027-01-01"), None);
        assert!(plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, false).is_empty());
        assert_eq!(
            kinds(&plan_for(&h, None, 2028, false)),
            vec![RequestKind::Article22First]
        );
    }

    #[test]
    fn a_missing_first_report_is_asked_for_until_the_regular_cycle_comes_round() {
        let h = holding(Status::Ratified, Some("2025-03-01"), None);
        let schedule = Schedule {
            cycle_years: 3,
            next_regular_year: 2029,
        };
        let planned = plan_for(&h, Some(&schedule), 2027, false);
        assert_eq!(kinds(&planned), vec![RequestKind::Article22First]);
        assert_eq!(
            planned[0].reason.as_deref(),
            Some("first report due in 2026, not requested before")
        );
        assert!(plan_for(&h, Some(&schedule), 2028, true).is_empty());
        assert!(
            plan_for(&h, Some(&schedule), 2029, false)
                .iter()
                .all(|p| p.kind == RequestKind::Article22Regular),
            "three years on, the regular cycle has taken over"
        );
    }

    #[test]
    fn a_first_report_stands_in_for_the_regular_report_of_its_year() {
        let h = holding(Status::Ratified, Some("2026-02-01"), None);
        assert_eq!(
            kinds(&plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, false)),
            vec![RequestKind::Article22First]
        );
        assert!(
            plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, true).is_empty(),
            "the first report exists: no regular report in the same year"
        );
    }

    #[test]
    fn denounced_not_ratified_and_not_yet_in_force_generate_nothing() {
        let schedule = Some(&EVERY_3_FROM_2027);
        let denounced = holding(Status::Denounced, Some("1990-01-01"), Some("2020-05-01"));
        assert!(plan_for(&denounced, schedule, 2027, false).is_empty());
        let not_yet = holding(Status::Ratified, Some("2027-06-01"), None);
        assert!(plan_for(&not_yet, schedule, 2027, false).is_empty());
        for status in [Status::NotRatified, Status::InProgress] {
            assert!(plan_for(&holding(status, None, None), schedule, 2027, false).is_empty());
        }
        // A denunciation registered but effective only later: still binding, still reported on.
        let leaving = holding(Status::Denounced, Some("1990-01-01"), Some("2028-05-01"));
        assert_eq!(plan_for(&leaving, schedule, 2027, true).len(), 1);
    }

    #[test]
    fn undated_ratifications_report_once_their_source_proves_them_binding() {
        let mut h = holding(Status::Ratified, None, None);
        assert!(
            plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, false).is_empty(),
            "nothing proves it binding"
        );
        h.in_force_by = in_force_no_later_than(Some("2020-08"), None);
        assert_eq!(h.in_force_by, Some(d("2021-08-31")));
        let planned = plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, false);
        assert_eq!(
            kinds(&planned),
            vec![RequestKind::Article22Regular],
            "no first report without a known entry into force"
        );
        h.in_force_by = in_force_no_later_than(Some("2026-08-04"), None);
        assert!(plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, false).is_empty());
    }

    #[test]
    fn planning_is_idempotent_by_key() {
        let h = holding(Status::Ratified, Some("2026-03-01"), None);
        let a = plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, false);
        let b = plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, false);
        assert_eq!(a, b, "the same inputs plan the same requests under the same keys");
        assert!(
            plan_for(&h, Some(&EVERY_3_FROM_2027), 2027, true).is_empty(),
            "once the first report exists, it is not planned again"
        );
    }

    #[test]
    fn default_schedule_follows_entry_into_force_or_spreads_countries() {
        // In force 2019-05-01: first report 2020, regular 2023, 2026, 2029, ...
        assert_eq!(default_next_regular_year(3, Some(d("2019-05-01")), 0, 2026), 2026);
        assert_eq!(default_next_regular_year(3, Some(d("2019-05-01")), 0, 2027), 2029);
        // In force 2026-03-01: first report 2027, first regular report 2030.
        assert_eq!(default_next_regular_year(3, Some(d("2026-03-01")), 0, 2026), 2030);
        // Unknown entry into force: consecutive countries fall in consecutive years.
        let years: Vec<i32> = (0..4)
            .map(|p| default_next_regular_year(3, None, p, 2026))
            .collect();
        let mut phases: Vec<i32> = years.iter().map(|y| y.rem_euclid(3)).collect();
        assert!(years.iter().all(|y| (2026..2029).contains(y)), "{years:?}");
        assert_eq!(phases[0], phases[3]);
        phases.truncate(3);
        phases.sort();
        assert_eq!(phases, vec![0, 1, 2]);
        assert_eq!(
            default_next_regular_year(3, None, 5, 2026).rem_euclid(3),
            default_next_regular_year(3, None, 5, 2027).rem_euclid(3),
            "the phase does not depend on the year the schedule is made"
        );
    }

    #[test]
    fn standard_tasks_per_organization_kind() {
        let tasks = standard_tasks(
            "article22_regular/ZWE/C087/2027",
            "Article 22 regular report on C087 (2027)",
            &[
                (1, OrganizationKind::Government),
                (2, OrganizationKind::Employer),
                (3, OrganizationKind::Worker),
            ],
        );
        let got: Vec<(TaskKind, i32)> = tasks.iter().map(|t| (t.kind, t.organization)).collect();
        assert_eq!(
            got,
            vec![
                (TaskKind::DraftReport, 1),
                (TaskKind::SendCopiesArticle23, 1),
                (TaskKind::SubmitObservations, 2),
                (TaskKind::SubmitObservations, 3),
            ]
        );
        assert_eq!(tasks[0].key, "article22_regular/ZWE/C087/2027/1/draft_report");
    }

    fn caller(role: Role, country: &str, organization: Option<i32>) -> Caller {
        Caller {
            principal: crate::domain::access::Principal::User(1),
            role,
            countries: vec![country.to_string()],
            organization,
        }
    }

    #[test]
    fn the_government_and_the_office_move_a_report_requests_status() {
        assert!(may_move_request_status(
            &caller(Role::Government, "ZWE", Some(1)),
            "ZWE"
        ));
        assert!(!may_move_request_status(
            &caller(Role::Government, "VNM", Some(9)),
            "ZWE"
        ));
        assert!(!may_move_request_status(
            &caller(Role::Employer, "ZWE", Some(2)),
            "ZWE"
        ));
        assert!(!may_move_request_status(
            &caller(Role::Worker, "ZWE", Some(3)),
            "ZWE"
        ));
        assert!(may_move_request_status(&caller(Role::Office, "ZWE", None), "ZWE"));
        assert!(!may_move_request_status(
            &caller(Role::Office, "VNM", None),
            "ZWE"
        ));
        assert!(may_move_request_status(&caller(Role::Admin, "", None), "ZWE"));
    }

    #[test]
    fn constituents_file_tasks_for_their_country_and_change_their_organizations() {
        let worker = caller(Role::Worker, "ZWE", Some(3));
        assert!(may_create_task(&worker, "ZWE"));
        assert!(!may_create_task(&worker, "VNM"));
        assert!(may_update_task(&worker, "ZWE", 3));
        assert!(!may_update_task(&worker, "ZWE", 1), "another organization's task");
        let office = caller(Role::Office, "ZWE", None);
        assert!(may_update_task(&office, "ZWE", 1));
        assert!(!may_update_task(&office, "VNM", 7));
        assert!(!may_create_task(&caller(Role::Viewer, "ZWE", None), "ZWE"));
    }

    #[test]
    fn overdue_after_the_due_day_until_submitted_or_done() {
        let today = d("2026-11-23");
        assert!(!request_overdue(today, RequestStatus::Requested, today));
        assert!(request_overdue(
            d("2026-11-22"),
            RequestStatus::InPreparation,
            today
        ));
        assert!(!request_overdue(d("2026-11-22"), RequestStatus::Submitted, today));
        assert!(task_overdue(d("2026-11-22"), TaskStatus::Open, today));
        assert!(!task_overdue(d("2026-11-22"), TaskStatus::Done, today));
        assert!(!task_overdue(d("2026-11-24"), TaskStatus::Open, today));
    }

    #[test]
    fn the_final_status_needs_its_past_date() {
        let today = d("2026-11-23");
        assert!(check_settled_date("submitted_on", true, None, today).is_some());
        assert!(check_settled_date("submitted_on", true, Some(d("2026-11-24")), today).is_some());
        assert!(check_settled_date("submitted_on", true, Some(today), today).is_none());
        assert!(check_settled_date("submitted_on", false, Some(today), today).is_some());
        assert!(check_settled_date("submitted_on", false, None, today).is_none());
    }

    #[test]
    fn deadline_window_defaults_to_the_next_twelve_months() {
        let today = d("2026-11-23");
        assert_eq!(deadline_window(None, None, today), Ok((today, d("2027-11-23"))));
        assert!(deadline_window(Some(d("2027-01-01")), Some(d("2026-01-01")), today).is_err());
        assert!(deadline_window(Some(d("2020-01-01")), Some(d("2030-01-01")), today).is_err());
    }

    #[test]
    fn periods_end_on_their_last_day() {
        assert_eq!(end_of_period("2017-06"), Some(d("2017-06-30")));
        assert_eq!(end_of_period("2016-02"), Some(d("2016-02-29")));
        assert_eq!(end_of_period("2013"), Some(d("2013-12-31")));
        assert_eq!(end_of_period("2020-08-04"), Some(d("2020-08-04")));
        assert_eq!(end_of_period("June 2017"), None);
    }
}

#[cfg(test)]
mod properties {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;

    fn date() -> impl Strategy<Value = NaiveDate> {
        (-5000i32..=5000, 1u32..=12, 1u32..=31)
            .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d.min(28)).unwrap_or(NaiveDate::MIN))
            .boxed()
            .prop_union(Just(NaiveDate::MAX).boxed())
            .or(Just(NaiveDate::MIN).boxed())
    }

    fn status() -> impl Strategy<Value = Status> {
        proptest::sample::select(Status::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn the_cycle_never_panics_and_asks_at_most_one_report_of_its_year(
            status in status(),
            in_force_on in proptest::option::of(date()),
            denounced_on in proptest::option::of(date()),
            in_force_by in proptest::option::of(date()),
            cycle in -3i32..=12,
            next in -3000i32..=3000,
            year in -3000i32..=3000,
            first_requested in any::<bool>(),
            with_schedule in any::<bool>(),
        ) {
            let holding = Holding {
                country: "ZWE".into(),
                convention: "C087".into(),
                status,
                in_force_on,
                denounced_on,
                in_force_by,
            };
            let schedule = Schedule { cycle_years: cycle, next_regular_year: next };
            let planned = plan_for(&holding, with_schedule.then_some(&schedule), year, first_requested);
            prop_assert!(planned.len() <= 1);
            for p in &planned {
                prop_assert_eq!(p.year, year);
                prop_assert!(matches!(status, Status::Ratified | Status::Denounced));
                prop_assert_eq!(p.detailed, p.kind == RequestKind::Article22First);
                if p.kind == RequestKind::Article22First {
                    prop_assert!(!first_requested);
                }
            }
        }

        #[test]
        fn the_default_schedule_is_due_from_the_year_it_names(
            cycle in 1i32..=10,
            in_force_on in proptest::option::of((1900i32..=2100, 1u32..=12).prop_map(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1).unwrap())),
            position in 0usize..500,
            from_year in 1950i32..=2100,
        ) {
            let next = default_next_regular_year(cycle, in_force_on, position, from_year);
            prop_assert!(next >= from_year);
            prop_assert!(next < from_year + cycle + cycle.max(first_gap(in_force_on, from_year)));
            prop_assert!(regular_due_in(cycle, next, next));
            prop_assert!(regular_due_in(cycle, next, next + cycle));
            prop_assert!(!regular_due_in(cycle, next, next - 1) || cycle == 1);
        }

        #[test]
        fn windows_and_periods_never_panic(
            from in proptest::option::of(date()),
            to in proptest::option::of(date()),
            today in date(),
            raw in "\\PC{0,20}",
        ) {
            if let Ok((from, to)) = deadline_window(from, to, today) {
                prop_assert!(from <= to);
                prop_assert!((to - from).num_days() <= MAX_WINDOW_DAYS);
            }
            let _ = end_of_period(&raw);
            let _ = in_force_no_later_than(Some(&raw), Some(today));
        }
    }

    /// How far past `from_year` a schedule counted from a recent entry into force may start.
    fn first_gap(in_force_on: Option<NaiveDate>, from_year: i32) -> i32 {
        in_force_on.map_or(0, |d| (d.year() + 2 - from_year).max(0))
    }

    #[test]
    fn a_report_is_on_time_up_to_its_due_day() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let due = d("2026-09-01");
        assert_eq!(
            submission_of(RequestStatus::Submitted, due, Some(due)),
            Submission::OnTime
        );
        assert_eq!(
            submission_of(RequestStatus::Submitted, due, Some(d("2026-09-02"))),
            Submission::Late
        );
        assert_eq!(
            submission_of(RequestStatus::InPreparation, due, None),
            Submission::NotSubmitted
        );
    }
}
