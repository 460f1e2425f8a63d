//! `/api/v1/rbc-initiatives`: responsible-business-conduct initiatives — international
//! instruments, national focal and contact points, projects and their country components,
//! due-diligence and market-access laws — where they apply and what they are tied to.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::IfMatch;
use super::json_body::JsonBody;
use super::paging::paged_query;
use super::{page_response, today, versioned, with_db, AppState, ParamErrors, Versioned};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::rbc::{status_on, InitiativeKind, InitiativeStatus};
use crate::error::{AppResult, Problem};
use crate::repo::rbc::{self as store, InitiativeFilter};
use crate::service::rbc::{self as service, initiative_etag, initiative_not_found, InitiativeInput};

/// A responsible-business-conduct initiative.
#[derive(Debug, Serialize, ToSchema)]
pub struct RbcInitiative {
    pub id: i32,
    pub name: String,
    pub kind: InitiativeKind,
    pub kind_as_given: String,
    /// Where it applies; empty for a global initiative.
    pub countries: Vec<String>,
    /// ISIC Rev.4 sections.
    pub sectors: Vec<String>,
    pub sectors_as_given: String,
    /// The constituents normtrack knows that take part.
    pub organizations: Vec<i32>,
    pub partners: String,
    pub funders: String,
    pub conventions: Vec<String>,
    pub arrangements: Vec<String>,
    pub instruments_as_given: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub starts: Option<String>,
    pub ends: Option<String>,
    /// As recorded, else from the dates as of today; `null` when neither says.
    pub status: Option<InitiativeStatus>,
    /// Whether `status` was recorded (rather than read from the dates).
    pub status_recorded: bool,
    pub parent: Option<i32>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl RbcInitiative {
    fn from_store(i: store::Initiative) -> RbcInitiative {
        let r = i.row;
        RbcInitiative {
            status: status_on(r.status, r.starts.as_deref(), r.ends.as_deref(), today()),
            status_recorded: r.status.is_some(),
            id: r.id,
            name: r.name,
            kind: r.kind,
            kind_as_given: r.kind_as_given,
            countries: i.links.countries,
            sectors: r.sectors.split_whitespace().map(str::to_string).collect(),
            sectors_as_given: r.sectors_as_given,
            organizations: i.links.organizations,
            partners: r.partners,
            funders: r.funders,
            conventions: i.links.conventions,
            arrangements: i.links.arrangements,
            instruments_as_given: r.instruments_as_given,
            starts: r.starts,
            ends: r.ends,
            parent: r.parent,
            notes: r.notes,
            source: r.source,
            source_date: r.source_date,
            version: r.version,
            updated_at: r.updated_at.and_utc(),
        }
    }
}

impl Versioned for RbcInitiative {
    fn etag(&self) -> String {
        initiative_etag(self.id, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/rbc-initiatives/{}", self.id)
    }
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InitiativeQuery {
    /// Initiatives that apply in this country.
    #[param(example = "PHL")]
    pub country: Option<String>,
    #[param(value_type = Option<InitiativeKind>)]
    pub kind: Option<String>,
    /// Initiatives tied to this instrument.
    #[param(example = "C087")]
    pub convention: Option<String>,
    /// Initiatives tied to this trade arrangement (its slug).
    #[param(example = "eu-gsp-plus-978-2012")]
    pub arrangement: Option<String>,
    /// The status as shown today: recorded, or read from the dates (initiatives whose dates
    /// do not settle it match no status).
    #[param(value_type = Option<InitiativeStatus>)]
    pub status: Option<String>,
}
}

/// List the initiatives the caller may see (global ones, and those of the countries it
/// sees), by id.
#[utoipa::path(
    get,
    path = "/rbc-initiatives",
    tag = "responsible business conduct",
    params(InitiativeQuery),
    responses(
        (status = 200, description = "One page of initiatives", body = Page<RbcInitiative>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<InitiativeQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = InitiativeFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        kind: errors.parse_enum::<InitiativeKind>("kind", query.kind.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        arrangement: errors.text("arrangement", query.arrangement.clone()),
        status: errors
            .parse_enum::<InitiativeStatus>("status", query.status.as_deref())
            .map(|s| (s, today())),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let scope = caller.read_scope();
    let (rows, total) = with_db(&state, move |conn| Ok(store::list(conn, &filter, &scope, page)?)).await?;
    page_response(rows, total, page, |i| Ok(RbcInitiative::from_store(i)))
}

/// One initiative.
#[utoipa::path(
    get,
    path = "/rbc-initiatives/{id}",
    tag = "responsible business conduct",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The initiative", body = RbcInitiative, headers(("ETag" = String))),
        (status = 404, description = "No such initiative, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let scope = caller.read_scope();
    let initiative = with_db(&state, move |conn| {
        store::get(conn, id, &scope)?.ok_or_else(|| initiative_not_found(id))
    })
    .await?;
    Ok(versioned(StatusCode::OK, &RbcInitiative::from_store(initiative)))
}

/// Record an initiative: administrators any; office staff one whose every country they
/// cover (never a global one).
#[utoipa::path(
    post,
    path = "/rbc-initiatives",
    tag = "responsible business conduct",
    request_body(content = InitiativeInput, example = json!({"name": "Trade for Decent Work - Philippines", "kind": "project_or_country_component", "countries": ["PHL"], "sectors_as_given": "garments; coconuts; sardines", "conventions": ["C087", "C098"], "arrangements": ["eu-gsp-plus-978-2012"], "source": "https://www.ilo.org/manila/projects/WCMS_769851/lang--en/index.htm"})),
    responses(
        (status = 201, description = "Created", body = RbcInitiative, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown country, instrument, arrangement, organization or parent; `ends` before `starts`", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<InitiativeInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let initiative = with_db(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(versioned(
        StatusCode::CREATED,
        &RbcInitiative::from_store(initiative),
    ))
}

/// Change an initiative (the whole record). Needs `If-Match`.
#[utoipa::path(
    put,
    path = "/rbc-initiatives/{id}",
    tag = "responsible business conduct",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The initiative's ETag")),
    request_body = InitiativeInput,
    responses(
        (status = 200, description = "Changed", body = RbcInitiative, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such initiative, or not the caller's to see", body = Problem, content_type = "application/problem+json"),
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
    body: JsonBody<InitiativeInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let initiative = with_db(&state, move |conn| {
        service::update(conn, &caller, id, &if_match, input)
    })
    .await?;
    Ok(versioned(StatusCode::OK, &RbcInitiative::from_store(initiative)))
}
