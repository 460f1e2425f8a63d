//! `/api/v1/gaps` and `/api/v1/milestones`: reform gaps and the dated milestones that close
//! them. Administrators and the country's office staff create, change and delete them;
//! the country's constituents read them and add progress notes to the milestones their
//! organization is responsible for; other countries' constituents see nothing (404).

use crate::api::json_body::JsonBody;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::today;
use super::{
    body_conventions, body_country, check_known, page_response, record, respond, stored, text_field,
};
use super::{with_db, AppState, ParamErrors, Written};
use crate::db::{self, DbConn};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::reforms::{
    check_gap, check_link, check_milestone, overdue, GapStatus, MilestoneKind, MilestoneStatus,
};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::repo::reforms::{self as store, GapFields, GapFilter, MilestoneFields, MilestoneFilter};
use crate::repo::{self, audit};

/// A documented distance between national law or practice and one or more conventions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Gap {
    pub id: i32,
    #[schema(example = "ZWE")]
    pub country: String,
    #[schema(example = json!(["C087", "C098"]))]
    pub conventions: Vec<String>,
    #[schema(example = "Public servants excluded from the right to organise")]
    pub title: String,
    pub description: String,
    /// Where the gap is documented, e.g. a supervisory body's comment and its year.
    #[schema(example = "CEACR observation, adopted 2023")]
    pub source: String,
    pub source_link: Option<String>,
    pub status: GapStatus,
    pub closed_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Gap {
    fn from_store(gap: store::Gap) -> AppResult<Gap> {
        let r = gap.row;
        Ok(Gap {
            status: stored("gaps.status", &r.status)?,
            id: r.id,
            country: r.country,
            conventions: gap.conventions,
            title: r.title,
            description: r.description,
            source: r.source,
            source_link: r.source_link,
            closed_on: r.closed_on,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

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

impl Milestone {
    fn from_store(m: store::Milestone) -> AppResult<Milestone> {
        let r = m.row;
        let status: MilestoneStatus = stored("milestones.status", &r.status)?;
        Ok(Milestone {
            overdue: overdue(r.target_on, status, today()),
            status,
            kind: stored("milestones.kind", &r.kind)?,
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

fn link_field(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    check_link(value)
        .map_err(|e| errors.push(FieldError::new(field, e)))
        .ok()?;
    Some(value.to_string())
}

// ------------------------------------------------------------------------------- gaps

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GapInput {
    /// The country; on `PUT` it must stay the same.
    #[schema(example = "ZWE")]
    pub country: String,
    /// One or more instrument codes.
    #[schema(example = json!(["C087"]))]
    #[schema(min_items = 1)]
    pub conventions: Vec<String>,
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub description: String,
    #[schema(min_length = 1, max_length = 2000)]
    pub source: String,
    pub source_link: Option<String>,
    /// Defaults to `open`. A gap closes only when its milestones are completed or cancelled.
    pub status: Option<GapStatus>,
    /// Required when `closed`, not in the future.
    pub closed_on: Option<NaiveDate>,
}

/// Reads a gap body: shape errors are 400, rules against the store 422.
fn gap_fields(conn: &mut DbConn, input: GapInput, milestones: &[MilestoneStatus]) -> AppResult<GapFields> {
    let mut errors = Vec::new();
    let country = body_country(&mut errors, &input.country);
    let conventions = body_conventions(&mut errors, &input.conventions, "a gap");
    let title = text_field(&mut errors, "title", &input.title, true, 300);
    let description = text_field(&mut errors, "description", &input.description, false, 20_000);
    let source = text_field(&mut errors, "source", &input.source, true, 2000);
    let source_link = link_field(&mut errors, "source_link", input.source_link.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let country = country.unwrap_or_default();
    let mut violations = Vec::new();
    check_known(conn, &country, &conventions, &mut violations)?;
    let status = input.status.unwrap_or(GapStatus::Open);
    for (field, message) in check_gap(status, input.closed_on, milestones, today()) {
        violations.push(FieldError::new(field, message));
    }
    if !violations.is_empty() {
        return Err(AppError::unprocessable(violations));
    }
    Ok(GapFields {
        country,
        title,
        description,
        source,
        source_link,
        status: status.as_str().into(),
        closed_on: input.closed_on,
        conventions,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GapQuery {
    #[param(example = "ZWE")]
    pub country: Option<String>,
    /// Gaps concerning this instrument.
    #[param(example = "C087")]
    pub convention: Option<String>,
    #[param(value_type = Option<GapStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
}

/// List the gaps the caller may see, by country and id.
#[utoipa::path(
    get,
    path = "/gaps",
    tag = "reforms",
    params(GapQuery),
    responses(
        (status = 200, description = "One page of gaps", body = Page<Gap>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_gaps(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<GapQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = GapFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        status: errors
            .parse_enum::<GapStatus>("status", query.status.as_deref())
            .map(|s| s.as_str().into()),
    };
    let page = errors.parse_page(query.page.as_deref(), query.per_page.as_deref());
    errors.finish()?;
    let scope = caller.read_scope();
    let (rows, total) = with_db(&state, move |conn| {
        Ok(store::list_gaps(conn, &filter, &scope, page)?)
    })
    .await?;
    page_response(rows, total, page, Gap::from_store)
}

fn gap_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("gap {id}"))
}

/// One gap.
#[utoipa::path(
    get,
    path = "/gaps/{id}",
    tag = "reforms",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The gap", body = Gap, headers(("ETag" = String))),
        (status = 404, description = "No such gap, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_gap(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let scope = caller.read_scope();
    let gap = with_db(&state, move |conn| {
        store::get_gap(conn, id, &scope)?.ok_or_else(|| gap_not_found(id))
    })
    .await?;
    let gap = Gap::from_store(gap)?;
    Ok(respond(StatusCode::OK, etag("gap", id, gap.version), None, &gap))
}

/// Record a gap of a country you administer.
#[utoipa::path(
    post,
    path = "/gaps",
    tag = "reforms",
    request_body(content = GapInput, example = json!({"country": "ZWE", "conventions": ["C087"], "title": "Public servants excluded from the right to organise", "source": "CEACR observation, adopted 2023"})),
    responses(
        (status = 201, description = "Created", body = Gap, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown country or instrument, or a broken rule", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_gap(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<GapInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let gap = with_db(&state, move |conn| {
        db::write_transaction(conn, |conn| {
            let fields = gap_fields(conn, input, &[])?;
            if !caller.may_administer_country(&fields.country) {
                return Err(AppError::Forbidden(format!(
                    "you do not administer {}",
                    fields.country
                )));
            }
            let gap = store::insert_gap(conn, &fields)?;
            record(
                conn,
                &caller,
                "create",
                Written {
                    entity: "gap",
                    id: gap.row.id,
                    country: &gap.row.country,
                },
                None,
                audit::snapshot(&gap),
            )?;
            Ok(gap)
        })
    })
    .await?;
    let id = gap.row.id;
    let gap = Gap::from_store(gap)?;
    Ok(respond(
        StatusCode::CREATED,
        etag("gap", id, gap.version),
        Some(format!("/api/v1/gaps/{id}")),
        &gap,
    ))
}

/// Change a gap (the whole record; the country stays). Needs `If-Match`.
#[utoipa::path(
    put,
    path = "/gaps/{id}",
    tag = "reforms",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The gap's ETag")),
    request_body = GapInput,
    responses(
        (status = 200, description = "Changed", body = Gap, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such gap", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A broken rule (e.g. closing with milestones still due)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_gap(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
    body: JsonBody<GapInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let gap = with_db(&state, move |conn| {
        db::write_transaction(conn, |conn| {
            let current = store::get_gap(conn, id, &caller.read_scope())?.ok_or_else(|| gap_not_found(id))?;
            if !caller.may_administer_country(&current.row.country) {
                return Err(AppError::Forbidden(format!(
                    "you do not administer {}",
                    current.row.country
                )));
            }
            if_match.check(&etag("gap", id, current.row.version))?;
            let statuses = store::milestone_statuses(conn, id)?
                .iter()
                .map(|s| stored::<MilestoneStatus>("milestones.status", s))
                .collect::<AppResult<Vec<_>>>()?;
            let fields = gap_fields(conn, input, &statuses)?;
            if fields.country != current.row.country {
                return Err(AppError::unprocessable(vec![FieldError::new(
                    "country",
                    "a gap's country does not change",
                )]));
            }
            let gap = store::update_gap(conn, id, current.row.version, &fields)?
                .ok_or(AppError::PreconditionFailed)?;
            record(
                conn,
                &caller,
                "update",
                Written {
                    entity: "gap",
                    id,
                    country: &gap.row.country,
                },
                audit::snapshot(&current),
                audit::snapshot(&gap),
            )?;
            Ok(gap)
        })
    })
    .await?;
    let gap = Gap::from_store(gap)?;
    Ok(respond(StatusCode::OK, etag("gap", id, gap.version), None, &gap))
}

/// Delete a gap that has no milestones (delete those first). Needs `If-Match`.
#[utoipa::path(
    delete,
    path = "/gaps/{id}",
    tag = "reforms",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The gap's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such gap", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The gap still has milestones", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn delete_gap(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    with_db(&state, move |conn| {
        db::write_transaction(conn, |conn| {
            let current = store::get_gap(conn, id, &caller.read_scope())?.ok_or_else(|| gap_not_found(id))?;
            if !caller.may_administer_country(&current.row.country) {
                return Err(AppError::Forbidden(format!(
                    "you do not administer {}",
                    current.row.country
                )));
            }
            if_match.check(&etag("gap", id, current.row.version))?;
            if !store::milestone_statuses(conn, id)?.is_empty() {
                return Err(AppError::Conflict(
                    "the gap still has milestones; delete them first".into(),
                ));
            }
            store::delete_gap(conn, id)?;
            record(
                conn,
                &caller,
                "delete",
                Written {
                    entity: "gap",
                    id,
                    country: &current.row.country,
                },
                audit::snapshot(&current),
                None,
            )
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

// -------------------------------------------------------------------------- milestones

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    /// The gap; on `PUT` it must stay the same.
    pub gap: i32,
    pub kind: MilestoneKind,
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    pub target_on: NaiveDate,
    /// Required when `completed`, not in the future.
    pub completed_on: Option<NaiveDate>,
    /// Defaults to `planned`.
    pub status: Option<MilestoneStatus>,
    /// An organization of the gap's country.
    pub organization: Option<i32>,
    pub evidence_link: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub notes: String,
}

fn milestone_fields(
    conn: &mut DbConn,
    input: MilestoneInput,
    gap: &store::Gap,
) -> AppResult<MilestoneFields> {
    let mut errors = Vec::new();
    let title = text_field(&mut errors, "title", &input.title, true, 300);
    let notes = text_field(&mut errors, "notes", &input.notes, false, 20_000);
    let evidence_link = link_field(&mut errors, "evidence_link", input.evidence_link.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let status = input.status.unwrap_or(MilestoneStatus::Planned);
    let mut violations: Vec<FieldError> = check_milestone(status, input.completed_on, today())
        .into_iter()
        .map(|(f, m)| FieldError::new(f, m))
        .collect();
    if let Some(id) = input.organization {
        match repo::organizations::get(conn, id)? {
            None => violations.push(FieldError::new(
                "organization",
                format!("no organization has the id {id}"),
            )),
            Some(org) if org.country != gap.row.country => violations.push(FieldError::new(
                "organization",
                format!(
                    "organization {id} belongs to {}, not {}",
                    org.country, gap.row.country
                ),
            )),
            Some(_) => {}
        }
    }
    if gap.row.status == GapStatus::Closed.as_str() && !status.is_settled() {
        violations.push(FieldError::new(
            "gap",
            "the gap is closed; reopen it before planning further steps",
        ));
    }
    if !violations.is_empty() {
        return Err(AppError::unprocessable(violations));
    }
    Ok(MilestoneFields {
        kind: input.kind.as_str().into(),
        title,
        target_on: input.target_on,
        completed_on: input.completed_on,
        status: status.as_str().into(),
        organization: input.organization,
        evidence_link,
        notes,
    })
}

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
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
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
        status: errors
            .parse_enum::<MilestoneStatus>("status", query.status.as_deref())
            .map(|s| s.as_str().into()),
        organization: errors.parse_id("organization", query.organization.as_deref()),
        overdue,
        today: Some(today()),
        target_from: errors.parse_day("target_from", query.target_from.as_deref()),
        target_until: errors.parse_day("target_until", query.target_until.as_deref()),
    };
    let page = errors.parse_page(query.page.as_deref(), query.per_page.as_deref());
    errors.finish()?;
    let scope = caller.read_scope();
    let (rows, total) = with_db(&state, move |conn| {
        Ok(store::list_milestones(conn, &filter, &scope, page)?)
    })
    .await?;
    page_response(rows, total, page, Milestone::from_store)
}

fn milestone_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("milestone {id}"))
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
    Ok(respond(
        StatusCode::OK,
        etag("milestone", id, m.version),
        None,
        &m,
    ))
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
        db::write_transaction(conn, |conn| {
            let gap = store::get_gap(conn, input.gap, &caller.read_scope())?
                .ok_or_else(|| gap_not_found(input.gap))?;
            if !caller.may_administer_country(&gap.row.country) {
                return Err(AppError::Forbidden(format!(
                    "you do not administer {}",
                    gap.row.country
                )));
            }
            let fields = milestone_fields(conn, input, &gap)?;
            let row = store::insert_milestone(conn, gap.row.id, &fields)?;
            record(
                conn,
                &caller,
                "create",
                Written {
                    entity: "milestone",
                    id: row.id,
                    country: &gap.row.country,
                },
                None,
                audit::snapshot(&row),
            )?;
            Ok(store::Milestone {
                row,
                country: gap.row.country,
            })
        })
    })
    .await?;
    let m = Milestone::from_store(m)?;
    Ok(respond(
        StatusCode::CREATED,
        etag("milestone", m.id, m.version),
        Some(format!("/api/v1/milestones/{}", m.id)),
        &m,
    ))
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
        db::write_transaction(conn, |conn| {
            let scope = caller.read_scope();
            let current = store::get_milestone(conn, id, &scope)?.ok_or_else(|| milestone_not_found(id))?;
            if !caller.may_administer_country(&current.country) {
                return Err(AppError::Forbidden(format!(
                    "you do not administer {}",
                    current.country
                )));
            }
            if_match.check(&etag("milestone", id, current.row.version))?;
            if input.gap != current.row.gap_id {
                return Err(AppError::unprocessable(vec![FieldError::new(
                    "gap",
                    "a milestone's gap does not change",
                )]));
            }
            let gap = store::get_gap(conn, current.row.gap_id, &scope)?
                .ok_or_else(|| gap_not_found(current.row.gap_id))?;
            let fields = milestone_fields(conn, input, &gap)?;
            let row = store::update_milestone(conn, id, current.row.version, &fields)?
                .ok_or(AppError::PreconditionFailed)?;
            record(
                conn,
                &caller,
                "update",
                Written {
                    entity: "milestone",
                    id,
                    country: &current.country,
                },
                audit::snapshot(&current.row),
                audit::snapshot(&row),
            )?;
            Ok(store::Milestone {
                row,
                country: current.country,
            })
        })
    })
    .await?;
    let m = Milestone::from_store(m)?;
    Ok(respond(
        StatusCode::OK,
        etag("milestone", id, m.version),
        None,
        &m,
    ))
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
        db::write_transaction(conn, |conn| {
            let current = store::get_milestone(conn, id, &caller.read_scope())?
                .ok_or_else(|| milestone_not_found(id))?;
            if !caller.may_administer_country(&current.country) {
                return Err(AppError::Forbidden(format!(
                    "you do not administer {}",
                    current.country
                )));
            }
            if_match.check(&etag("milestone", id, current.row.version))?;
            store::delete_milestone(conn, id)?;
            record(
                conn,
                &caller,
                "delete",
                Written {
                    entity: "milestone",
                    id,
                    country: &current.country,
                },
                audit::snapshot(&current.row),
                None,
            )
        })
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
    #[schema(min_length = 1, max_length = 5000)]
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
    let mut errors = Vec::new();
    let text = text_field(&mut errors, "body", &body.body, true, 5000);
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let comment = with_db(&state, move |conn| {
        db::write_transaction(conn, |conn| {
            let m = store::get_milestone(conn, id, &caller.read_scope())?
                .ok_or_else(|| milestone_not_found(id))?;
            let responsible = caller.role.is_constituent()
                && caller.organization.is_some()
                && caller.organization == m.row.organization;
            if !(caller.may_administer_country(&m.country) || responsible) {
                return Err(AppError::Forbidden(
                    "only the responsible organization and the country's office add notes to this milestone"
                        .into(),
                ));
            }
            let organization = if caller.role.is_constituent() {
                caller.organization
            } else {
                None
            };
            let row = store::insert_comment(conn, id, &caller.actor(), organization, &text)?;
            record(
                conn,
                &caller,
                "create",
                Written {
                    entity: "milestone_comment",
                    id: row.id,
                    country: &m.country,
                },
                None,
                audit::snapshot(&row),
            )?;
            Ok(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(Comment::from(comment)))
}
