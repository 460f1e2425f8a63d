//! The reporting run: default schedules for every ratification that lacks one, and the report
//! requests and standard tasks the cycle asks for in a year. Idempotent: every generated
//! request and task has a key, and a key is created once. Called by
//! `POST /api/v1/report-requests/generate` and `normtrack reports generate`.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::Caller;
use crate::domain::ratification::Status;
use crate::domain::reference::{Category, OrganizationKind};
use crate::domain::reporting::{
    default_cycle_years, default_due_on, default_next_regular_year, first_report_key, in_force_no_later_than,
    plan_for, reply_follow_ups, request_label, standard_tasks, Holding, PlannedRequest, ReplyAsked,
    RequestKind, RequestStatus, Schedule, ScheduleBasis, TaskStatus,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::reporting::{self as store, NewSchedule, RequestFields, TaskFields};
use crate::service::audit;

/// The years a generation run accepts.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// What one generation run made, and what it found already there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct GenerationCounts {
    pub article22_regular: usize,
    pub article22_first: usize,
    /// Follow-ups to supervisory comments that ask for a reply this year.
    pub article22_follow_up: usize,
    pub tasks: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GenerationSummary {
    pub year: i32,
    pub due_on: NaiveDate,
    /// Made by this run.
    pub created: GenerationCounts,
    /// Asked for by the cycle and already present (from an earlier run).
    pub already_present: GenerationCounts,
    /// Default schedules made for ratifications that had none.
    pub schedules_created: usize,
}

impl GenerationCounts {
    fn add(&mut self, kind: RequestKind) {
        match kind {
            RequestKind::Article22Regular => self.article22_regular += 1,
            RequestKind::Article22First => self.article22_first += 1,
            RequestKind::Article22FollowUp => self.article22_follow_up += 1,
            RequestKind::Article19 => {}
        }
    }
}

/// The (country, instrument) records with what the cycle needs of each.
fn holdings(conn: &mut DbConn) -> AppResult<Vec<Holding>> {
    let instrument_in_force: HashMap<String, Option<NaiveDate>> = repo::conventions::all(conn)?
        .into_iter()
        .map(|c| (c.code, c.in_force_on))
        .collect();
    repo::ratifications::all_for(conn, None)?
        .into_iter()
        .map(|r| {
            let status = r.status;
            let general = instrument_in_force.get(&r.convention).copied().flatten();
            let in_force_by = match (status, r.in_force_on) {
                (Status::Ratified, None) => in_force_no_later_than(r.source_date.as_deref(), general),
                _ => None,
            };
            Ok(Holding {
                country: r.country,
                convention: r.convention,
                status,
                in_force_on: r.in_force_on,
                denounced_on: r.denounced_on,
                in_force_by,
            })
        })
        .collect()
}

/// Makes the documented default schedule for every ratified (country, instrument) record
/// that has none; returns how many were made. Audited as made by `actor` when one is given
/// (the first seed, like the seeded records themselves, is the origin and is not).
pub fn ensure_schedules(conn: &mut DbConn, actor: Option<&str>, this_year: i32) -> AppResult<usize> {
    let holdings = holdings(conn)?;
    ensure_schedules_of(conn, &holdings, actor, this_year)
}

/// [`ensure_schedules`] for holdings already read.
fn ensure_schedules_of(
    conn: &mut DbConn,
    holdings: &[Holding],
    actor: Option<&str>,
    this_year: i32,
) -> AppResult<usize> {
    let existing: std::collections::HashSet<(String, String)> = store::all_schedules(conn)?
        .into_iter()
        .map(|s| (s.country, s.convention))
        .collect();
    let categories: HashMap<String, Category> = repo::conventions::all(conn)?
        .into_iter()
        .map(|c| Ok((c.code, c.category)))
        .collect::<AppResult<_>>()?;
    let positions: HashMap<String, usize> = repo::countries::codes(conn)?
        .into_iter()
        .enumerate()
        .map(|(i, code)| (code, i))
        .collect();
    let now = repo::now();
    let mut made = Vec::new();
    for h in holdings {
        if h.status != Status::Ratified || existing.contains(&(h.country.clone(), h.convention.clone())) {
            continue;
        }
        let cycle = default_cycle_years(
            categories
                .get(&h.convention)
                .copied()
                .unwrap_or(Category::Fundamental),
        );
        let position = positions.get(&h.country).copied().unwrap_or(0);
        made.push(NewSchedule {
            next_regular_year: default_next_regular_year(cycle, h.in_force_on, position, this_year),
            cycle_years: cycle,
            country: h.country.clone(),
            convention: h.convention.clone(),
            basis: ScheduleBasis::Default,
            notes: String::new(),
            version: 1,
            created_at: now,
            updated_at: now,
        });
    }
    store::insert_schedules(conn, &made)?;
    let Some(actor) = actor.filter(|_| !made.is_empty()) else {
        return Ok(made.len());
    };
    let created: Vec<store::ScheduleRow> = store::all_schedules(conn)?
        .into_iter()
        .filter(|s| !existing.contains(&(s.country.clone(), s.convention.clone())))
        .collect();
    let entries = created
        .iter()
        .map(|s| audit::Entry {
            actor,
            action: "create",
            entity: crate::domain::access::EntityKind::ReportSchedule,
            entity_id: s.id.to_string(),
            country: Some(&s.country),
            before: None,
            after: audit::snapshot(s),
        })
        .collect();
    audit::entries(conn, entries)?;
    Ok(made.len())
}

/// Checks a generation request: a year in [`YEARS`], a due date (default 1 September) in it.
pub fn check_generation(year: i32, due_on: Option<NaiveDate>) -> AppResult<NaiveDate> {
    if !YEARS.contains(&year) {
        return Err(AppError::invalid(vec![FieldError::new(
            "year",
            format!("{year} is not between {} and {}", YEARS.start(), YEARS.end()),
        )]));
    }
    let due_on = match due_on {
        Some(due) => due,
        None => default_due_on(year).ok_or_else(|| AppError::bad_request("no such date"))?,
    };
    if due_on.year() != year {
        return Err(AppError::unprocessable(vec![FieldError::new(
            "due_on",
            format!("{due_on} is not in the reporting year {year}"),
        )]));
    }
    Ok(due_on)
}

/// Generates the year's Article 22 requests and their standard tasks, in one transaction.
pub fn generate(
    conn: &mut DbConn,
    caller: &Caller,
    year: i32,
    due_on: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<GenerationSummary> {
    let due_on = check_generation(year, due_on)?;
    let actor = caller.actor();
    db::write_transaction(conn, |conn| {
        db::lock_for_generation(conn)?;
        let holdings = holdings(conn)?;
        let schedules_created = ensure_schedules_of(conn, &holdings, Some(&actor), today.year())?;
        let schedules: HashMap<(String, String), Schedule> = store::all_schedules(conn)?
            .into_iter()
            .map(|s| {
                let schedule = Schedule {
                    cycle_years: s.cycle_years,
                    next_regular_year: s.next_regular_year,
                };
                ((s.country, s.convention), schedule)
            })
            .collect();
        let mut organizations: HashMap<String, Vec<(i32, OrganizationKind)>> = HashMap::new();
        for org in repo::organizations::all_of(conn, None)? {
            let kind = org.kind;
            organizations.entry(org.country).or_default().push((org.id, kind));
        }
        let mut run = Run {
            year,
            due_on,
            request_keys: store::request_keys(conn)?,
            task_keys: store::task_keys(conn)?,
            organizations,
            summary: GenerationSummary {
                year,
                due_on,
                created: GenerationCounts::default(),
                already_present: GenerationCounts::default(),
                schedules_created,
            },
            made: Vec::new(),
        };
        for h in &holdings {
            let pair = (h.country.clone(), h.convention.clone());
            let first_key = first_report_key(&h.country, &h.convention);
            if let Some(first) = run.request_keys.get(&first_key).filter(|r| r.year == year) {
                // This year's first report exists: count it, and let its tasks be checked.
                run.summary.already_present.add(RequestKind::Article22First);
                let first = first.clone();
                let label = request_label(
                    RequestKind::Article22First,
                    std::slice::from_ref(&h.convention),
                    year,
                );
                let tasks = standard_tasks(
                    &first_key,
                    &label,
                    run.organizations.get(&h.country).map_or(&[], |v| v),
                );
                add_tasks(
                    conn,
                    &first,
                    tasks,
                    &run.task_keys,
                    &mut run.summary,
                    &mut run.made,
                )?;
                continue;
            }
            let first_requested = run.request_keys.contains_key(&first_key);
            for planned in plan_for(h, schedules.get(&pair), year, first_requested) {
                ensure_planned(conn, &planned, &mut run)?;
            }
        }
        // Replies the supervisory bodies asked for this year: one follow-up per instrument.
        let tracked: HashSet<String> = repo::conventions::all(conn)?
            .into_iter()
            .map(|c| c.code)
            .collect();
        let asking = repo::comments::all(
            conn,
            &repo::comments::CommentFilter {
                reply_requested_for: Some(year),
                ..Default::default()
            },
        )?;
        for comment in asking {
            let reply = ReplyAsked {
                comment_id: comment.row.id,
                named: format!(
                    "the {} {} of {}",
                    comment.row.body.as_str().to_uppercase(),
                    comment.row.kind.as_str().replace('_', " "),
                    comment.row.year
                ),
                country: comment.row.country.clone(),
                conventions: comment.conventions.clone(),
                year: comment.row.reply_requested_for.unwrap_or(year),
            };
            for planned in reply_follow_ups(&reply, year, &|code| tracked.contains(code)) {
                ensure_planned(conn, &planned, &mut run)?;
            }
        }
        let Run { summary, made, .. } = run;
        let entries = made
            .iter()
            .map(|m| match m {
                Made::Request(r) => audit::Entry {
                    actor: &actor,
                    action: "generate",
                    entity: crate::domain::access::EntityKind::ReportRequest,
                    entity_id: r.row.id.to_string(),
                    country: Some(&r.row.country),
                    before: None,
                    after: audit::snapshot(r),
                },
                Made::Task(t, country) => audit::Entry {
                    actor: &actor,
                    action: "generate",
                    entity: crate::domain::access::EntityKind::Task,
                    entity_id: t.id.to_string(),
                    country: Some(country),
                    before: None,
                    after: audit::snapshot(t),
                },
            })
            .collect();
        audit::entries(conn, entries)?;
        tracing::info!(
            year,
            created_regular = summary.created.article22_regular,
            created_first = summary.created.article22_first,
            created_tasks = summary.created.tasks,
            schedules_created,
            "report requests generated"
        );
        Ok(summary)
    })
}

/// What one generation run knows and has made so far.
struct Run {
    year: i32,
    due_on: NaiveDate,
    /// Every generated request, by its key (those made by this run included).
    request_keys: HashMap<String, store::KeyedRequest>,
    task_keys: HashSet<String>,
    organizations: HashMap<String, Vec<(i32, OrganizationKind)>>,
    summary: GenerationSummary,
    made: Vec<Made>,
}

/// Makes a planned request unless an earlier run made it (by its key), and its tasks.
fn ensure_planned(conn: &mut DbConn, planned: &PlannedRequest, run: &mut Run) -> AppResult<()> {
    let existing = match run.request_keys.get(&planned.key) {
        Some(existing) => {
            run.summary.already_present.add(planned.kind);
            existing.clone()
        }
        None => {
            let fields = RequestFields {
                kind: planned.kind,
                year: run.year,
                due_on: run.due_on,
                detailed: planned.detailed,
                status: RequestStatus::Requested,
                submitted_on: None,
                reason: planned.reason.clone(),
            };
            let request = store::insert_request(
                conn,
                &planned.country,
                &fields,
                std::slice::from_ref(&planned.convention),
                Some(&planned.key),
            )?;
            run.summary.created.add(planned.kind);
            run.made.push(Made::Request(request.clone()));
            let key = store::KeyedRequest::of(&request.row);
            run.request_keys.insert(planned.key.clone(), key.clone());
            key
        }
    };
    let label = request_label(planned.kind, std::slice::from_ref(&planned.convention), run.year);
    let tasks = standard_tasks(
        &planned.key,
        &label,
        run.organizations.get(&planned.country).map_or(&[], |v| v),
    );
    add_tasks(
        conn,
        &existing,
        tasks,
        &run.task_keys,
        &mut run.summary,
        &mut run.made,
    )
}

enum Made {
    Request(store::Request),
    Task(store::TaskRow, String),
}

fn add_tasks(
    conn: &mut DbConn,
    request: &store::KeyedRequest,
    tasks: Vec<crate::domain::reporting::PlannedTask>,
    task_keys: &std::collections::HashSet<String>,
    summary: &mut GenerationSummary,
    made: &mut Vec<Made>,
) -> AppResult<()> {
    for task in tasks {
        if task_keys.contains(&task.key) {
            summary.already_present.tasks += 1;
            continue;
        }
        let fields = TaskFields {
            kind: task.kind,
            organization: task.organization,
            title: task.title,
            due_on: request.due_on,
            status: TaskStatus::Open,
            completed_on: None,
            notes: String::new(),
        };
        let row = store::insert_task(conn, request.id, &fields, Some(&task.key))?;
        summary.created.tasks += 1;
        made.push(Made::Task(row, request.country.clone()));
    }
    Ok(())
}
