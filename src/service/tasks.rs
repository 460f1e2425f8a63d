//! Tasks toward a report request: filing and changing them, with who may do what
//! (`domain::reporting`), each write audited in its transaction.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::Caller;
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::fields::text_field;
use crate::domain::reporting::{check_settled_date, may_create_task, may_update_task, TaskKind, TaskStatus};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::reporting::{self as store, TaskFields};
use crate::service::audit;
use crate::service::audit::{record, Written};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    /// The report request; on `PUT` it must stay the same.
    pub report_request: i32,
    pub kind: TaskKind,
    /// The assignee: an organization of the request's country.
    pub organization: i32,
    #[schema(min_length = 1)]
    pub title: String,
    pub due_on: NaiveDate,
    /// Defaults to `open`.
    pub status: Option<TaskStatus>,
    /// Required when `done`, not in the future.
    pub completed_on: Option<NaiveDate>,
    #[serde(default)]
    pub notes: String,
}

/// Reads a task body: shape errors are 400, rules against the store 422.
fn task_fields(
    conn: &mut DbConn,
    input: TaskInput,
    country: &str,
    today: NaiveDate,
) -> AppResult<TaskFields> {
    let mut errors = Vec::new();
    let title = text_field(&mut errors, "title", &input.title, true);
    let notes = text_field(&mut errors, "notes", &input.notes, false);
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let status = input.status.unwrap_or(TaskStatus::Open);
    let mut violations = Vec::new();
    if let Some((field, message)) = check_settled_date(
        "completed_on",
        status == TaskStatus::Done,
        input.completed_on,
        today,
    ) {
        violations.push(FieldError::new(field, message));
    }
    match repo::organizations::get(conn, input.organization)? {
        None => violations.push(FieldError::new(
            "organization",
            format!("no organization has the id {}", input.organization),
        )),
        Some(org) if org.country != country => violations.push(FieldError::new(
            "organization",
            format!(
                "organization {} belongs to {}, not {country}",
                input.organization, org.country
            ),
        )),
        Some(_) => {}
    }
    if !violations.is_empty() {
        return Err(AppError::unprocessable(violations));
    }
    Ok(TaskFields {
        kind: input.kind,
        organization: input.organization,
        title,
        due_on: input.due_on,
        status,
        completed_on: input.completed_on,
        notes,
    })
}

/// The answer for a task that does not exist, or that the caller may not see.
pub fn task_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("task {id}"))
}

/// Files a task against report request `input.report_request` of the caller's countries.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    input: TaskInput,
    today: NaiveDate,
) -> AppResult<store::Task> {
    db::write_transaction(conn, |conn| {
        let request_id = input.report_request;
        let request = store::get_request(conn, request_id, &caller.work_scope())?
            .ok_or_else(|| crate::service::report_requests::request_not_found(request_id))?;
        let country = request.row.country;
        if !may_create_task(caller, &country) {
            return Err(AppError::Forbidden(format!(
                "only the constituents and the office of {country} file its tasks"
            )));
        }
        let fields = task_fields(conn, input, &country, today)?;
        let row = store::insert_task(conn, request_id, &fields, None)?;
        let what = Written {
            entity: crate::domain::access::EntityKind::Task,
            id: row.id,
            country: &country,
        };
        record(conn, caller, "create", what, None, audit::snapshot(&row))?;
        Ok(store::Task { row, country })
    })
}

/// Changes task `id` (the whole record; the report request stays), if it is still at the
/// version `if_match` names. Constituents change their own organization's tasks and do not
/// reassign them.
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    input: TaskInput,
    today: NaiveDate,
) -> AppResult<store::Task> {
    db::write_transaction(conn, |conn| {
        let current = store::get_task(conn, id, &caller.work_scope())?.ok_or_else(|| task_not_found(id))?;
        let country = current.country.clone();
        if !may_update_task(caller, &country, current.row.organization) {
            return Err(AppError::Forbidden(
                "only the assigned organization and the country's office change this task".into(),
            ));
        }
        if input.organization != current.row.organization && !caller.may_administer_country(&country) {
            return Err(AppError::Forbidden(
                "only the country's office reassigns a task".into(),
            ));
        }
        if_match.check(&etag("task", id, current.row.version))?;
        if input.report_request != current.row.report_request_id {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "report_request",
                "a task's report request does not change",
            )]));
        }
        let fields = task_fields(conn, input, &country, today)?;
        let row = store::update_task(conn, id, current.row.version, &fields)?
            .ok_or(AppError::PreconditionFailed)?;
        let what = Written {
            entity: crate::domain::access::EntityKind::Task,
            id,
            country: &country,
        };
        record(
            conn,
            caller,
            "update",
            what,
            audit::snapshot(&current.row),
            audit::snapshot(&row),
        )?;
        Ok(store::Task { row, country })
    })
}
