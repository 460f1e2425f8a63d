//! A programme's four-area progress report (Ratifications, Reforms, Responsible Business
//! Conduct, Reporting), per country, for a period and as of today. Every figure is counted
//! by the same repository filter as the list query it links to, so each number can be
//! opened and checked: the count is that list's `total`, for the same caller.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::domain::access::{Caller, Scope};
use crate::domain::dashboard::serious_failure_runs;
use crate::domain::programmes::{check_period, report_period, visible_countries};
use crate::domain::ratification::{Stage, Status};
use crate::domain::rbc::InitiativeStatus;
use crate::domain::reporting::Submission;
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::ratifications::RatificationFilter;
use crate::repo::rbc::InitiativeFilter;
use crate::repo::rbc_activities::ActivityFilter;
use crate::repo::reforms::{GapFilter, MilestoneFilter};
use crate::repo::reporting::RequestFilter;
use crate::service::programmes;

/// A number and the list query that produces it (its `total`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figure {
    pub count: i64,
    /// The list query, on this API, whose `total` is `count`.
    #[schema(example = "/api/v1/gaps?country=PHL&closed_from=2025-01-01&closed_until=2025-12-31")]
    pub list: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageFigure {
    pub stage: Stage,
    pub count: i64,
    pub list: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatificationProgress {
    /// Ratifications the ILO registered in the period.
    pub registered: Figure,
    /// Ratifications in progress now.
    pub in_progress: Figure,
    /// Those in progress now, by stage (stages with none are left out; records without a
    /// stage are in `in_progress` only).
    pub in_progress_by_stage: Vec<StageFigure>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReformProgress {
    /// Gaps opened in the period.
    pub gaps_opened: Figure,
    /// Gaps closed in the period.
    pub gaps_closed: Figure,
    /// Milestones completed in the period.
    pub milestones_completed: Figure,
    /// Milestones overdue now.
    pub milestones_overdue: Figure,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RbcProgress {
    /// Initiatives in the country active now (as recorded, or read from their dates).
    pub initiatives_active: Figure,
    /// Activities completed (a complaint: closed) in the period.
    pub activities_completed: Figure,
    /// Activities overdue now.
    pub activities_overdue: Figure,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportingProgress {
    /// Report requests due in the period.
    pub requests_due: Figure,
    /// Of those: submitted by the due day.
    pub submitted_on_time: Figure,
    /// Of those: submitted after the due day.
    pub submitted_late: Figure,
    /// Of those: not submitted (yet).
    pub not_submitted: Figure,
    /// Report requests overdue now (past due, not submitted), whatever their period.
    pub overdue: Figure,
    /// The longest run of two or more consecutive years with a report overdue now (those of
    /// `overdue`): the signal of a serious failure to report; empty when there is none.
    pub serious_failure_years: Vec<i32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountryProgress {
    #[schema(example = "PHL")]
    pub country: String,
    pub name: String,
    pub ratifications: RatificationProgress,
    pub reforms: ReformProgress,
    pub responsible_business_conduct: RbcProgress,
    pub reporting: ReportingProgress,
}

/// The report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Progress {
    pub programme: i32,
    pub name: String,
    /// The period of the period figures (the programme's own unless asked otherwise).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day of the "now" figures (in progress, overdue, active): today.
    pub as_of: NaiveDate,
    /// The programme's countries the caller sees, by code.
    pub countries: Vec<CountryProgress>,
}

/// A list query: a path and its parameters, written as a link.
struct Link(String);

impl Link {
    fn to(path: &str) -> Link {
        Link(format!("/api/v1{path}"))
    }

    fn with(mut self, name: &str, value: impl std::fmt::Display) -> Link {
        let separator = if self.0.contains('?') { '&' } else { '?' };
        self.0 = format!("{}{separator}{name}={value}", self.0);
        self
    }

    fn figure(self, count: i64) -> Figure {
        Figure { count, list: self.0 }
    }
}

/// The period a report covers, checked: a 422 when it runs backwards or leaves the known years.
pub fn period(
    programme: (NaiveDate, NaiveDate),
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<(NaiveDate, NaiveDate)> {
    let (from, to) = report_period(programme, from, to);
    let violations: Vec<FieldError> = check_period("from", from, "to", to)
        .into_iter()
        .map(|(f, m)| FieldError::new(f, m))
        .collect();
    if violations.is_empty() {
        Ok((from, to))
    } else {
        Err(AppError::unprocessable(violations))
    }
}

/// The progress report of programme `id` for the caller, over `from`..=`to` (each defaulting
/// to the programme's own), as of `today`.
pub fn report(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<Progress> {
    let programme = programmes::get(conn, caller, id)?;
    let (from, to) = period((programme.row.starts_on, programme.row.ends_on), from, to)?;
    let scope = caller.read_scope();
    let names = super::names::countries(conn)?;
    let mut countries = Vec::new();
    for country in visible_countries(caller, &programme.countries) {
        let at = Window {
            country: &country,
            from,
            to,
            today,
            scope: &scope,
        };
        countries.push(CountryProgress {
            name: names.get(&country).cloned().unwrap_or_default(),
            ratifications: at.ratifications(conn)?,
            reforms: at.reforms(conn)?,
            responsible_business_conduct: at.rbc(conn)?,
            reporting: at.reporting(conn)?,
            country: country.clone(),
        });
    }
    Ok(Progress {
        programme: programme.row.id,
        name: programme.row.name,
        from,
        to,
        as_of: today,
        countries,
    })
}

/// One country, one period, one caller's scope.
struct Window<'a> {
    country: &'a str,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    scope: &'a Scope,
}

impl Window<'_> {
    fn ratifications(&self, conn: &mut DbConn) -> AppResult<RatificationProgress> {
        let c = Some(self.country.to_string());
        let registered = RatificationFilter {
            country: c.clone(),
            registered_from: Some(self.from),
            registered_until: Some(self.to),
            ..Default::default()
        };
        let registered = Link::to("/ratifications")
            .with("country", self.country)
            .with("registered_from", self.from)
            .with("registered_until", self.to)
            .figure(repo::ratifications::count_matching(conn, &registered)?);
        let pending = RatificationFilter {
            country: c.clone(),
            status: Some(Status::InProgress),
            ..Default::default()
        };
        let in_progress = Link::to("/ratifications")
            .with("country", self.country)
            .with("status", Status::InProgress)
            .figure(repo::ratifications::count_matching(conn, &pending)?);
        let mut by_stage = Vec::new();
        for stage in Stage::ALL {
            let filter = RatificationFilter {
                stage: Some(*stage),
                ..pending.clone()
            };
            let count = repo::ratifications::count_matching(conn, &filter)?;
            if count > 0 {
                let link = Link::to("/ratifications")
                    .with("country", self.country)
                    .with("status", Status::InProgress)
                    .with("stage", stage)
                    .figure(count);
                by_stage.push(StageFigure {
                    stage: *stage,
                    count,
                    list: link.list,
                });
            }
        }
        Ok(RatificationProgress {
            registered,
            in_progress,
            in_progress_by_stage: by_stage,
        })
    }

    fn reforms(&self, conn: &mut DbConn) -> AppResult<ReformProgress> {
        let c = Some(self.country.to_string());
        let gaps =
            |conn: &mut DbConn, filter: GapFilter| repo::reforms::count_gaps(conn, &filter, self.scope);
        let milestones = |conn: &mut DbConn, filter: MilestoneFilter| {
            repo::reforms::count_milestones(conn, &filter, self.scope)
        };
        Ok(ReformProgress {
            gaps_opened: Link::to("/gaps")
                .with("country", self.country)
                .with("opened_from", self.from)
                .with("opened_until", self.to)
                .figure(gaps(
                    conn,
                    GapFilter {
                        country: c.clone(),
                        opened_from: Some(self.from),
                        opened_until: Some(self.to),
                        ..Default::default()
                    },
                )?),
            gaps_closed: Link::to("/gaps")
                .with("country", self.country)
                .with("closed_from", self.from)
                .with("closed_until", self.to)
                .figure(gaps(
                    conn,
                    GapFilter {
                        country: c.clone(),
                        closed_from: Some(self.from),
                        closed_until: Some(self.to),
                        ..Default::default()
                    },
                )?),
            milestones_completed: Link::to("/milestones")
                .with("country", self.country)
                .with("completed_from", self.from)
                .with("completed_until", self.to)
                .figure(milestones(
                    conn,
                    MilestoneFilter {
                        country: c.clone(),
                        completed_from: Some(self.from),
                        completed_until: Some(self.to),
                        ..Default::default()
                    },
                )?),
            milestones_overdue: Link::to("/milestones")
                .with("country", self.country)
                .with("overdue", true)
                .figure(milestones(
                    conn,
                    MilestoneFilter {
                        country: c,
                        overdue: Some(true),
                        today: Some(self.today),
                        ..Default::default()
                    },
                )?),
        })
    }

    fn rbc(&self, conn: &mut DbConn) -> AppResult<RbcProgress> {
        let c = Some(self.country.to_string());
        let active = InitiativeFilter {
            country: c.clone(),
            status: Some((InitiativeStatus::Active, self.today)),
            ..Default::default()
        };
        let activities = |conn: &mut DbConn, filter: ActivityFilter| {
            repo::rbc_activities::count(conn, &filter, self.scope)
        };
        Ok(RbcProgress {
            initiatives_active: Link::to("/rbc-initiatives")
                .with("country", self.country)
                .with("status", InitiativeStatus::Active)
                .figure(repo::rbc::count_matching(conn, &active, self.scope)?),
            activities_completed: Link::to("/rbc-activities")
                .with("country", self.country)
                .with("completed_from", self.from)
                .with("completed_until", self.to)
                .figure(activities(
                    conn,
                    ActivityFilter {
                        country: c.clone(),
                        completed_from: Some(self.from),
                        completed_until: Some(self.to),
                        ..Default::default()
                    },
                )?),
            activities_overdue: Link::to("/rbc-activities")
                .with("country", self.country)
                .with("overdue", true)
                .figure(activities(
                    conn,
                    ActivityFilter {
                        country: c,
                        overdue: Some(true),
                        today: Some(self.today),
                        ..Default::default()
                    },
                )?),
        })
    }

    fn reporting(&self, conn: &mut DbConn) -> AppResult<ReportingProgress> {
        let due = RequestFilter {
            country: Some(self.country.to_string()),
            due_from: Some(self.from),
            due_until: Some(self.to),
            ..Default::default()
        };
        let due_link = || {
            Link::to("/report-requests")
                .with("country", self.country)
                .with("due_from", self.from)
                .with("due_until", self.to)
        };
        let count = |conn: &mut DbConn, filter: &RequestFilter| {
            repo::reporting::count_requests(conn, filter, self.scope)
        };
        let of = |conn: &mut DbConn, submission: Submission| -> AppResult<Figure> {
            let filter = RequestFilter {
                submission: Some(submission),
                ..due.clone()
            };
            Ok(due_link()
                .with("submission", submission)
                .figure(count(conn, &filter)?))
        };
        let overdue_filter = RequestFilter {
            country: Some(self.country.to_string()),
            overdue: Some(true),
            today: Some(self.today),
            ..Default::default()
        };
        let overdue_requests = repo::reporting::all_requests(conn, &overdue_filter, self.scope)?;
        let years = overdue_requests.iter().map(|r| r.row.year).collect();
        let serious_failure_years = serious_failure_runs(years).into_iter().next().unwrap_or_default();
        let overdue = Link::to("/report-requests")
            .with("country", self.country)
            .with("overdue", true)
            .figure(overdue_requests.len() as i64);
        Ok(ReportingProgress {
            requests_due: due_link().figure(count(conn, &due)?),
            submitted_on_time: of(conn, Submission::OnTime)?,
            submitted_late: of(conn, Submission::Late)?,
            not_submitted: of(conn, Submission::NotSubmitted)?,
            overdue,
            serious_failure_years,
        })
    }
}

/// One line of the report as CSV: a figure of a country.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressLine {
    pub country: String,
    pub country_name: String,
    pub area: &'static str,
    pub figure: String,
    pub count: i64,
    pub list: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: NaiveDate,
}

/// The report as lines, one per figure; the serious-failure signal as
/// `serious_failure_years:<years>` with the number of years as its count and no list (it is
/// read from the `overdue` line's list).
pub fn lines(progress: &Progress) -> Vec<ProgressLine> {
    let mut out = Vec::new();
    for c in &progress.countries {
        let mut push = |area: &'static str, figure: String, f: &Figure| {
            out.push(ProgressLine {
                country: c.country.clone(),
                country_name: c.name.clone(),
                area,
                figure,
                count: f.count,
                list: f.list.clone(),
                from: progress.from,
                to: progress.to,
                as_of: progress.as_of,
            })
        };
        let r = &c.ratifications;
        push("ratifications", "registered".into(), &r.registered);
        push("ratifications", "in_progress".into(), &r.in_progress);
        for s in &r.in_progress_by_stage {
            let f = Figure {
                count: s.count,
                list: s.list.clone(),
            };
            push("ratifications", format!("in_progress:{}", s.stage), &f);
        }
        let f = &c.reforms;
        push("reforms", "gaps_opened".into(), &f.gaps_opened);
        push("reforms", "gaps_closed".into(), &f.gaps_closed);
        push("reforms", "milestones_completed".into(), &f.milestones_completed);
        push("reforms", "milestones_overdue".into(), &f.milestones_overdue);
        let b = &c.responsible_business_conduct;
        push(
            "responsible_business_conduct",
            "initiatives_active".into(),
            &b.initiatives_active,
        );
        push(
            "responsible_business_conduct",
            "activities_completed".into(),
            &b.activities_completed,
        );
        push(
            "responsible_business_conduct",
            "activities_overdue".into(),
            &b.activities_overdue,
        );
        let p = &c.reporting;
        push("reporting", "requests_due".into(), &p.requests_due);
        push("reporting", "submitted_on_time".into(), &p.submitted_on_time);
        push("reporting", "submitted_late".into(), &p.submitted_late);
        push("reporting", "not_submitted".into(), &p.not_submitted);
        push("reporting", "overdue".into(), &p.overdue);
        // A signal read from the overdue requests, not a list's total: its years in the figure's
        // name, their number as the count, and no list of its own.
        let years: Vec<String> = p.serious_failure_years.iter().map(i32::to_string).collect();
        let signal = Figure {
            count: p.serious_failure_years.len() as i64,
            list: String::new(),
        };
        push(
            "reporting",
            format!("serious_failure_years:{}", years.join(" ")),
            &signal,
        );
    }
    out
}
