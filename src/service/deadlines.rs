//! The deadline time line: report requests, tasks and milestone target dates of the caller's
//! work scope within a window, merged into one list (JSON and the iCalendar feed alike).

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::deadlines::{sort, Deadline, DeadlineKind};
use crate::domain::pagination::PageRequest;
use crate::domain::reforms::overdue as milestone_overdue;
use crate::domain::reporting::{request_label, request_overdue, task_overdue};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo::reporting::{self as store, RequestFilter, TaskFilter};
use crate::repo::{self, reforms};

#[derive(Debug, Clone, Default)]
pub struct DeadlineFilter {
    pub country: Option<String>,
    /// Tasks assigned to it, milestones it is responsible for, and the report requests of its
    /// country.
    pub organization: Option<i32>,
    pub kind: Option<DeadlineKind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Everything due in the window, in the scope, merged and sorted.
pub fn collect(
    conn: &mut DbConn,
    scope: &Scope,
    filter: &DeadlineFilter,
    today: NaiveDate,
) -> AppResult<Vec<Deadline>> {
    let (Some(from), Some(to)) = (filter.from, filter.to) else {
        return Err(AppError::Internal("deadline window not set".into()));
    };
    let mut country = filter.country.clone();
    if let Some(id) = filter.organization {
        let org = repo::organizations::get(conn, id)?.ok_or_else(|| {
            AppError::unprocessable(vec![FieldError::new(
                "organization",
                format!("no organization has the id {id}"),
            )])
        })?;
        if country.as_ref().is_some_and(|c| *c != org.country) {
            return Ok(Vec::new());
        }
        country = Some(org.country);
    }
    let names: HashMap<String, String> = super::names::countries(conn)?;
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_default();
    let wanted = |kind: DeadlineKind| filter.kind.is_none_or(|k| k == kind);
    let mut items = Vec::new();
    if wanted(DeadlineKind::ReportRequest) {
        let requests = store::all_requests(
            conn,
            &RequestFilter {
                country: country.clone(),
                due_from: Some(from),
                due_until: Some(to),
                ..Default::default()
            },
            scope,
        )?;
        for r in requests {
            let status = r.row.status;
            let kind = r.row.kind;
            items.push(Deadline {
                kind: DeadlineKind::ReportRequest,
                id: r.row.id,
                country_name: name_of(&r.row.country),
                title: request_label(kind, &r.conventions, r.row.year),
                conventions: r.conventions,
                due_on: r.row.due_on,
                status: status.as_str().into(),
                overdue: request_overdue(r.row.due_on, status, today),
                organization: None,
                link: Deadline::link_of(DeadlineKind::ReportRequest, r.row.id),
                country: r.row.country,
            });
        }
    }
    if wanted(DeadlineKind::Task) {
        let tasks = store::all_tasks(
            conn,
            &TaskFilter {
                country: country.clone(),
                organization: filter.organization,
                due_from: Some(from),
                due_until: Some(to),
                ..Default::default()
            },
            scope,
        )?;
        let mut conventions_of: HashMap<i32, Vec<String>> = HashMap::new();
        for t in tasks {
            let request = t.row.report_request_id;
            if let std::collections::hash_map::Entry::Vacant(slot) = conventions_of.entry(request) {
                let conventions = store::get_request(conn, request, &Scope::Global)?;
                slot.insert(conventions.map(|r| r.conventions).unwrap_or_default());
            }
            let status = t.row.status;
            items.push(Deadline {
                kind: DeadlineKind::Task,
                id: t.row.id,
                country_name: name_of(&t.country),
                conventions: conventions_of.get(&request).cloned().unwrap_or_default(),
                title: t.row.title,
                due_on: t.row.due_on,
                status: status.as_str().into(),
                overdue: task_overdue(t.row.due_on, status, today),
                organization: Some(t.row.organization),
                link: Deadline::link_of(DeadlineKind::Task, t.row.id),
                country: t.country,
            });
        }
    }
    if wanted(DeadlineKind::Milestone) {
        let everything = PageRequest {
            page: 1,
            per_page: i64::from(i32::MAX),
        };
        let (milestones, _) = reforms::list_milestones(
            conn,
            &reforms::MilestoneFilter {
                country: country.clone(),
                organization: filter.organization,
                target_from: Some(from),
                target_until: Some(to),
                ..Default::default()
            },
            scope,
            everything,
        )?;
        let mut conventions_of: HashMap<i32, Vec<String>> = HashMap::new();
        for m in milestones {
            let gap = m.row.gap_id;
            if let std::collections::hash_map::Entry::Vacant(slot) = conventions_of.entry(gap) {
                let gap = reforms::get_gap(conn, gap, &Scope::Global)?;
                slot.insert(gap.map(|g| g.conventions).unwrap_or_default());
            }
            let status = m.row.status;
            items.push(Deadline {
                kind: DeadlineKind::Milestone,
                id: m.row.id,
                country_name: name_of(&m.country),
                conventions: conventions_of.get(&gap).cloned().unwrap_or_default(),
                title: m.row.title,
                due_on: m.row.target_on,
                status: status.as_str().into(),
                overdue: milestone_overdue(m.row.target_on, status, today),
                organization: m.row.organization,
                link: Deadline::link_of(DeadlineKind::Milestone, m.row.id),
                country: m.country,
            });
        }
    }
    sort(&mut items);
    Ok(items)
}
