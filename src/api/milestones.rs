//! `/api/v1/milestones` and their progress notes: the dated steps that close a gap.
//! Administrators and the country's office staff create, change and delete them
//! (`service::reforms`); the country's constituents read them and add progress notes to the
//! milestones their organization is responsible for; other countries' constituents see
//! nothing (404).

use crate::api::json_body::JsonBody;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::paging::paged_query;
use super::today;
use super::{page_response, versioned, Versioned};
use super::{with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::reforms::{overdue, MilestoneKind, MilestoneStatus};
use crate::error::{AppResult, Problem};
use crate::repo::reforms::{self as store, MilestoneFilter};
use crate::service::reforms::{self as service, milestone_not_found};

/// A dated step toward closing a gap.
#[derive(Debug, Serialize, ToSchema)]
pub struct Milestone {
    pub id: i32,
    pub gap: i32,
    /// The gap's country.
    pub country: String,
    pub kind: MilestoneKind,
    #[schema(example = "Draft amendment to the Labour Act submitted to Parliament")]
    pub title: String,
    pub target_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub status: MilestoneStatus,
    /// The responsible organization (of the gap's country).
    pub organization: Option<i32>,
    pub evidence_link: Option<String>,
    pub notes: String,
    /// Target date passed, neither completed nor cancelled. Derived on every read.
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Milestone {
    fn etag(&self) -> String {
        etag("milestone", self.id, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/milestones/{}", self.id)
    }
}

impl Milestone {
    fn from_store(m: store::Milestone) -> AppResult<Milestone> {
        let r = m.row;
        let status = r.status;
        Ok(Milestone {
            overdue: overdue(r.target_on, status, today()),
            status,
            kind: r.kind,
            id: r.id,
            gap: r.gap_id,
            country: m.country,
            title: r.title,
            target_on: r.target_on,
            completed_on: r.completed_on,
            organization: r.organization,
            evidence_link: r.evidence_link,
            notes: r.notes,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

// -------------------------------------------------------------------------- milestones

pub use crate::service::reforms::MilestoneInput;

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MilestoneQuery {
    #[param(value_type = Option<i32>)]
    pub gap: Option<String>,
    #[param(example = "ZWE")]
    pub country: Option<String>,
    /// Milestones of gaps concerning this instrument.
    pub convention: Option<String>,
    #[param(value_type = Option<MilestoneStatus>)]
    pub status: Option<String>,
    /// The responsible organization's id.
    #[param(value_type = Option<i32>)]
    pub organization: Option<String>,
    /// `true`: only overdue milestones; `false`: only those not overdue.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// Target date on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub target_from: Option<String>,
    /// Target date on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub target_until: Option<String>,
    /// Completed on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub completed_from: Option<String>,
    /// Completed on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub completed_until: Option<String>,
}
}

/// List the milestones the caller may see, by target date.
#[utoipa::path(
    get,
    path = "/milestones",
    tag = "reforms",
    params(MilestoneQuery),
    responses(
        (status = 200, description = "One page of milestones", body = Page<Milestone>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_milestones(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<MilestoneQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let overdue = errors.parse_bool("overdue", query.overdue.as_deref());
    let filter = MilestoneFilter {
        gap: errors.parse_id("gap", query.gap.as_deref()),
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        status: errors.parse_enum::<MilestoneStatus>("status", query.status.as_deref()),
        organization: errors.parse_id("organization", query.organization.as_deref()),
        overdue,
        today: Some(today()),
        target_from: errors.parse_day("target_from", query.target_from.as_deref()),
        target_until: errors.parse_day("target_until", query.target_until.as_deref()),
        completed_from: errors.parse_day("completed_from", query.completed_from.as_deref()),
        completed_until: errors.parse_day("completed_until", query.completed_until.as_deref()),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let scope = caller.read_scope();
    let (rows, total) = with_db(&state, move |conn| {
        Ok(store::list_milestones(conn, &filter, &scope, page)?)
    })
    .await?;
    page_response(rows, total, page, Milestone::from_store)
}

/// One milestone.
#[utoipa::path(
    get,
    path = "/milestones/{id}",
    tag = "reforms",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The milestone", body = Milestone, headers(("ETag" = String))),
        (status = 404, description = "No such milestone, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let scope = caller.read_scope();
    let m = with_db(&state, move |conn| {
        store::get_milestone(conn, id, &scope)?.ok_or_else(|| milestone_not_found(id))
    })
    .await?;
    let m = Milestone::from_store(m)?;
    Ok(versioned(StatusCode::OK, &m))
}

/// Plan a step toward closing a gap of a country you administer.
#[utoipa::path(
    post,
    path = "/milestones",
    tag = "reforms",
    request_body(content = MilestoneInput, example = json!({"gap": 1, "kind": "submitted_to_parliament", "title": "Labour Act amendment tabled", "target_on": "2027-03-31", "organization": 1})),
    responses(
        (status = 201, description = "Created", body = Milestone, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such gap", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A broken rule", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<MilestoneInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let m = with_db(&state, move |conn| {
        service::create_milestone(conn, &caller, input, today())
    })
    .await?;
    let m = Milestone::from_store(m)?;
    Ok(versioned(StatusCode::CREATED, &m))
}

/// Change a milestone (the whole record; the gap stays). Needs `If-Match`.
#[utoipa::path(
    put,
    path = "/milestones/{id}",
    tag = "reforms",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The milestone's ETag")),
    request_body = MilestoneInput,
    responses(
        (status = 200, description = "Changed", body = Milestone, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such milestone", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A broken rule", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
    body: JsonBody<MilestoneInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let m = with_db(&state, move |conn| {
        service::update_milestone(conn, &caller, id, &if_match, input, today())
    })
    .await?;
    let m = Milestone::from_store(m)?;
    Ok(versioned(StatusCode::OK, &m))
}

/// Delete a milestone and its progress notes. Needs `If-Match`.
#[utoipa::path(
    delete,
    path = "/milestones/{id}",
    tag = "reforms",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The milestone's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such milestone", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn delete_milestone(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    with_db(&state, move |conn| {
        service::delete_milestone(conn, &caller, id, &if_match)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

// ----------------------------------------------------------------------------- comments

/// A progress note on a milestone.
#[derive(Debug, Serialize, ToSchema)]
pub struct Comment {
    pub id: i32,
    pub milestone: i32,
    /// `user:<id>` of the author.
    pub author: String,
    /// The author's organization, for a constituent.
    pub organization: Option<i32>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<store::CommentRow> for Comment {
    fn from(c: store::CommentRow) -> Self {
        Comment {
            id: c.id,
            milestone: c.milestone_id,
            author: c.author,
            organization: c.organization,
            body: c.body,
            created_at: c.created_at.and_utc(),
        }
    }
}

/// The progress notes of a milestone, oldest first.
#[utoipa::path(
    get,
    path = "/milestones/{id}/comments",
    tag = "reforms",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The notes", body = Vec<Comment>),
        (status = 404, description = "No such milestone, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_comments(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let scope = caller.read_scope();
    let rows = with_db(&state, move |conn| {
        store::get_milestone(conn, id, &scope)?.ok_or_else(|| milestone_not_found(id))?;
        Ok(store::comments(conn, id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Comment::from).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    #[schema(example = "Draft shared with the social partners on 3 November.")]
    #[schema(min_length = 1)]
    pub body: String,
}

/// Add a progress note. Constituents may note progress on milestones their organization is
/// responsible for; administrators and the country's office staff on any of its milestones.
#[utoipa::path(
    post,
    path = "/milestones/{id}/comments",
    tag = "reforms",
    params(("id" = i32, Path)),
    request_body = NewComment,
    responses(
        (status = 201, description = "Added", body = Comment),
        (status = 400, description = "Empty or invalid text", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such milestone, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_comment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
    body: JsonBody<NewComment>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let text = body.into_inner().body;
    let comment = with_db(&state, move |conn| {
        service::create_comment(conn, &caller, id, &text)
    })
    .await?;
    Ok(HttpResponse::Created().json(Comment::from(comment)))
}
