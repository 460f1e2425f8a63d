//! `/api/v1/rbc-activities` and their progress notes: what is done under a
//! responsible-business-conduct initiative, dated and evidenced like reform milestones; a
//! complaint (a National Contact Point specific instance, say) moves filed → accepted →
//! closed. Administrators and the country's office staff write them (`service::rbc_activities`);
//! the country's constituents read them and add progress notes to those their organization
//! leads.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::IfMatch;
use super::json_body::JsonBody;
use super::paging::paged_query;
use super::{page_response, today, versioned, with_db, AppState, ParamErrors, Versioned};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::rbc_activities::{overdue, ActivityKind, ActivityStatus};
use crate::error::{AppResult, Problem};
use crate::repo::rbc_activities::{self as store, ActivityFilter};
use crate::service::rbc_activities::{self as service, activity_etag, activity_not_found, ActivityInput};

/// An activity of an initiative.
#[derive(Debug, Serialize, ToSchema)]
pub struct RbcActivity {
    pub id: i32,
    pub initiative: i32,
    /// Where it takes place; `null` only for an activity of a global initiative in no one
    /// member state.
    pub country: Option<String>,
    pub kind: ActivityKind,
    pub title: String,
    pub target_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub status: ActivityStatus,
    /// The responsible organization (of the activity's country).
    pub organization: Option<i32>,
    pub evidence_link: Option<String>,
    pub notes: String,
    /// Target day passed and not settled (completed, cancelled or closed). Derived on every read.
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RbcActivity {
    fn from_store(r: store::ActivityRow) -> RbcActivity {
        RbcActivity {
            overdue: overdue(r.target_on, r.status, today()),
            id: r.id,
            initiative: r.initiative_id,
            country: r.country,
            kind: r.kind,
            title: r.title,
            target_on: r.target_on,
            completed_on: r.completed_on,
            status: r.status,
            organization: r.organization,
            evidence_link: r.evidence_link,
            notes: r.notes,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

impl Versioned for RbcActivity {
    fn etag(&self) -> String {
        activity_etag(self.id, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/rbc-activities/{}", self.id)
    }
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// The initiative's id.
    #[param(value_type = Option<i32>)]
    pub initiative: Option<String>,
    #[param(example = "PHL")]
    pub country: Option<String>,
    #[param(value_type = Option<ActivityKind>)]
    pub kind: Option<String>,
    #[param(value_type = Option<ActivityStatus>)]
    pub status: Option<String>,
    /// The responsible organization's id.
    #[param(value_type = Option<i32>)]
    pub organization: Option<String>,
    /// `true`: only overdue activities; `false`: only those not overdue.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// Target day on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub target_from: Option<String>,
    /// Target day on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub target_until: Option<String>,
    /// Completed (a complaint: closed) on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub completed_from: Option<String>,
    /// Completed (a complaint: closed) on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub completed_until: Option<String>,
}
}

/// List the activities the caller may see (those of the countries it sees, and those of
/// global initiatives in no one country), by target day.
#[utoipa::path(
    get,
    path = "/rbc-activities",
    tag = "responsible business conduct",
    params(ActivityQuery),
    responses(
        (status = 200, description = "One page of activities", body = Page<RbcActivity>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ActivityQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = ActivityFilter {
        initiative: errors.parse_id("initiative", query.initiative.as_deref()),
        country: errors.parse_country("country", query.country.as_deref()),
        kind: errors.parse_enum::<ActivityKind>("kind", query.kind.as_deref()),
        status: errors.parse_enum::<ActivityStatus>("status", query.status.as_deref()),
        organization: errors.parse_id("organization", query.organization.as_deref()),
        overdue: errors.parse_bool("overdue", query.overdue.as_deref()),
        today: Some(today()),
        target_from: errors.parse_day("target_from", query.target_from.as_deref()),
        target_until: errors.parse_day("target_until", query.target_until.as_deref()),
        completed_from: errors.parse_day("completed_from", query.completed_from.as_deref()),
        completed_until: errors.parse_day("completed_until", query.completed_until.as_deref()),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let scope = caller.read_scope();
    let (rows, total) = with_db(&state, move |conn| Ok(store::list(conn, &filter, &scope, page)?)).await?;
    page_response(rows, total, page, |r| Ok(RbcActivity::from_store(r)))
}

/// One activity.
#[utoipa::path(
    get,
    path = "/rbc-activities/{id}",
    tag = "responsible business conduct",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The activity", body = RbcActivity, headers(("ETag" = String))),
        (status = 404, description = "No such activity, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let scope = caller.read_scope();
    let row = with_db(&state, move |conn| {
        store::get(conn, id, &scope)?.ok_or_else(|| activity_not_found(id))
    })
    .await?;
    Ok(versioned(StatusCode::OK, &RbcActivity::from_store(row)))
}

/// Record an activity of an initiative, in a country you administer.
#[utoipa::path(
    post,
    path = "/rbc-activities",
    tag = "responsible business conduct",
    request_body(content = ActivityInput, example = json!({"initiative": 1, "country": "PHL", "kind": "dialogue", "title": "Buyer-supplier dialogue on freedom of association", "target_on": "2027-03-31"})),
    responses(
        (status = 201, description = "Created", body = RbcActivity, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative, or not the caller's to see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A broken rule: a country the initiative does not apply in, a status of another kind, a completion day missing or in the future", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ActivityInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let row = with_db(&state, move |conn| service::create(conn, &caller, input, today())).await?;
    Ok(versioned(StatusCode::CREATED, &RbcActivity::from_store(row)))
}

/// Change an activity (the whole record; its initiative stays). Needs `If-Match`. A
/// complaint's status only moves forward.
#[utoipa::path(
    put,
    path = "/rbc-activities/{id}",
    tag = "responsible business conduct",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The activity's ETag")),
    request_body = ActivityInput,
    responses(
        (status = 200, description = "Changed", body = RbcActivity, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or not the caller's to see", body = Problem, content_type = "application/problem+json"),
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
    body: JsonBody<ActivityInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let row = with_db(&state, move |conn| {
        service::update(conn, &caller, id, &if_match, input, today())
    })
    .await?;
    Ok(versioned(StatusCode::OK, &RbcActivity::from_store(row)))
}

/// Delete an activity and its progress notes. Needs `If-Match`.
#[utoipa::path(
    delete,
    path = "/rbc-activities/{id}",
    tag = "responsible business conduct",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The activity's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such activity", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    with_db(&state, move |conn| service::delete(conn, &caller, id, &if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A progress note on an activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityNote {
    pub id: i32,
    pub activity: i32,
    /// `user:<id>` of the author.
    pub author: String,
    /// The author's organization, for a constituent.
    pub organization: Option<i32>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<store::NoteRow> for ActivityNote {
    fn from(n: store::NoteRow) -> Self {
        ActivityNote {
            id: n.id,
            activity: n.activity_id,
            author: n.author,
            organization: n.organization,
            body: n.body,
            created_at: n.created_at.and_utc(),
        }
    }
}

/// The progress notes of an activity, oldest first.
#[utoipa::path(
    get,
    path = "/rbc-activities/{id}/notes",
    tag = "responsible business conduct",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The notes", body = Vec<ActivityNote>),
        (status = 404, description = "No such activity, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_notes(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let scope = caller.read_scope();
    let rows = with_db(&state, move |conn| service::notes(conn, &scope, id)).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(ActivityNote::from).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActivityNote {
    #[schema(
        min_length = 1,
        example = "Second dialogue session held with the union federation."
    )]
    pub body: String,
}

/// Add a progress note: constituents to the activities their organization leads;
/// administrators and the country's office staff to any activity of the country.
#[utoipa::path(
    post,
    path = "/rbc-activities/{id}/notes",
    tag = "responsible business conduct",
    params(("id" = i32, Path)),
    request_body = NewActivityNote,
    responses(
        (status = 201, description = "Added", body = ActivityNote),
        (status = 400, description = "Empty or invalid text", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn add_note(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
    body: JsonBody<NewActivityNote>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let text = body.into_inner().body;
    let row = with_db(&state, move |conn| service::add_note(conn, &caller, id, &text)).await?;
    Ok(HttpResponse::Created().json(ActivityNote::from(row)))
}
