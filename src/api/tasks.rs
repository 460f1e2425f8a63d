//! `/api/v1/tasks`: the work constituents file against report requests. The country's
//! constituents create tasks and change those assigned to their own organization; its office
//! staff and administrators change all of the country's. Nobody sees another country's tasks
//! (404): tasks are read in the caller's work scope (`Caller::work_scope`).

use crate::api::json_body::JsonBody;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::paging::paged_query;
use super::today;
use super::{page_response, versioned, with_db, AppState, ParamErrors, Versioned};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::reporting::{task_overdue, TaskKind, TaskStatus};
use crate::error::{AppResult, Problem};
use crate::repo::reporting::{self as store, TaskFilter};
use crate::service::tasks::{self as service, task_not_found};

/// A piece of work toward a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Task {
    pub id: i32,
    pub report_request: i32,
    /// The report request's country.
    #[schema(example = "ZWE")]
    pub country: String,
    pub kind: TaskKind,
    /// The assignee organization (of the request's country).
    pub organization: i32,
    #[schema(example = "Draft the Article 22 regular report on C087 (2027)")]
    pub title: String,
    pub due_on: NaiveDate,
    pub status: TaskStatus,
    pub completed_on: Option<NaiveDate>,
    pub notes: String,
    /// Made by a generation run (a standard task).
    pub generated: bool,
    /// Due date passed and not done. Derived on every read.
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Task {
    fn etag(&self) -> String {
        etag("task", self.id, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/tasks/{}", self.id)
    }
}

impl Task {
    pub fn from_store(t: store::Task) -> AppResult<Task> {
        let r = t.row;
        let status = r.status;
        Ok(Task {
            overdue: task_overdue(r.due_on, status, today()),
            status,
            kind: r.kind,
            id: r.id,
            report_request: r.report_request_id,
            country: t.country,
            organization: r.organization,
            title: r.title,
            due_on: r.due_on,
            completed_on: r.completed_on,
            notes: r.notes,
            generated: r.generation_key.is_some(),
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    #[param(example = "ZWE")]
    pub country: Option<String>,
    #[param(value_type = Option<i32>)]
    pub report_request: Option<String>,
    /// The assignee organization's id.
    #[param(value_type = Option<i32>)]
    pub organization: Option<String>,
    #[param(value_type = Option<TaskKind>)]
    pub kind: Option<String>,
    #[param(value_type = Option<TaskStatus>)]
    pub status: Option<String>,
    /// `true`: only overdue tasks; `false`: only those not overdue.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    #[param(value_type = Option<NaiveDate>)]
    pub due_from: Option<String>,
    #[param(value_type = Option<NaiveDate>)]
    pub due_until: Option<String>,
}
}

/// List the tasks of the caller's countries, by due date.
#[utoipa::path(
    get,
    path = "/tasks",
    tag = "tasks",
    params(TaskQuery),
    responses(
        (status = 200, description = "One page of tasks", body = Page<Task>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<TaskQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = TaskFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        report_request: errors.parse_id("report_request", query.report_request.as_deref()),
        organization: errors.parse_id("organization", query.organization.as_deref()),
        kind: errors.parse_enum::<TaskKind>("kind", query.kind.as_deref()),
        status: errors.parse_enum::<TaskStatus>("status", query.status.as_deref()),
        overdue: errors.parse_bool("overdue", query.overdue.as_deref()),
        today: Some(today()),
        due_from: errors.parse_day("due_from", query.due_from.as_deref()),
        due_until: errors.parse_day("due_until", query.due_until.as_deref()),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let scope = caller.work_scope();
    let (rows, total) = with_db(&state, move |conn| {
        Ok(store::list_tasks(conn, &filter, &scope, page)?)
    })
    .await?;
    page_response(rows, total, page, Task::from_store)
}

/// One task.
#[utoipa::path(
    get,
    path = "/tasks/{id}",
    tag = "tasks",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The task", body = Task, headers(("ETag" = String))),
        (status = 404, description = "No such task, or not in the caller's countries", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let scope = caller.work_scope();
    let task = with_db(&state, move |conn| {
        store::get_task(conn, id, &scope)?.ok_or_else(|| task_not_found(id))
    })
    .await?;
    Ok(versioned(StatusCode::OK, &Task::from_store(task)?))
}

pub use crate::service::tasks::TaskInput;

/// File a task against a report request of your country (constituents) or of a country you
/// administer.
#[utoipa::path(
    post,
    path = "/tasks",
    tag = "tasks",
    request_body(content = TaskInput, example = json!({"report_request": 1, "kind": "consult_social_partners", "organization": 1, "title": "Tripartite meeting on the draft report", "due_on": "2027-06-15"})),
    responses(
        (status = 201, description = "Created", body = Task, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report request in the caller's countries", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An organization of another country, or a broken rule", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<TaskInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let task = with_db(&state, move |conn| service::create(conn, &caller, input, today())).await?;
    Ok(versioned(StatusCode::CREATED, &Task::from_store(task)?))
}

/// Change a task (the whole record; the report request stays). Constituents change the
/// tasks of their own organization and do not reassign them. Needs `If-Match`.
#[utoipa::path(
    put,
    path = "/tasks/{id}",
    tag = "tasks",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The task's ETag")),
    request_body = TaskInput,
    responses(
        (status = 200, description = "Changed", body = Task, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task in the caller's countries", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A broken rule", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
    body: JsonBody<TaskInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let task = with_db(&state, move |conn| {
        service::update(conn, &caller, id, &if_match, input, today())
    })
    .await?;
    Ok(versioned(StatusCode::OK, &Task::from_store(task)?))
}
