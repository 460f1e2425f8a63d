//! `/api/v1/organizations`: the government, employer and worker organizations of each
//! country. Readable by every role (they are public reference data); created and renamed by
//! administrators and by the office users covering the country.

use crate::api::json_body::JsonBody;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::concurrency::IfMatch;
use super::paging::paged_query;
use super::{page_response, with_db, AppState, ParamErrors};
use super::{versioned, Versioned};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::reference::OrganizationKind;
use crate::error::{AppError, AppResult, Problem};
use crate::repo::{self, organizations::OrganizationFilter};
use crate::service::organizations as service;

pub use crate::service::organizations::Organization;

impl Versioned for Organization {
    fn etag(&self) -> String {
        Organization::etag(self)
    }

    fn location(&self) -> String {
        format!("/api/v1/organizations/{}", self.id)
    }
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    #[param(example = "ZWE")]
    pub country: Option<String>,
    #[param(value_type = Option<OrganizationKind>)]
    pub kind: Option<String>,
}
}

/// List organizations, by country, kind and name.
#[utoipa::path(
    get,
    path = "/organizations",
    tag = "reference data",
    params(OrganizationQuery),
    responses(
        (status = 200, description = "One page of organizations", body = Page<Organization>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<OrganizationQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = OrganizationFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        kind: errors.parse_enum::<OrganizationKind>("kind", query.kind.as_deref()),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| {
        Ok(repo::organizations::list(conn, &filter, page)?)
    })
    .await?;
    page_response(rows, total, page, Organization::from_row)
}

/// One organization.
#[utoipa::path(
    get,
    path = "/organizations/{id}",
    tag = "reference data",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The organization", body = Organization, headers(("ETag" = String))),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let row = with_db(&state, move |conn| {
        repo::organizations::get(conn, id)?.ok_or_else(|| AppError::NotFound(format!("organization {id}")))
    })
    .await?;
    Ok(versioned(
        actix_web::http::StatusCode::OK,
        &Organization::from_row(row)?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    #[schema(example = "ZWE")]
    pub country: String,
    pub kind: OrganizationKind,
    #[schema(example = "Ministry of Public Service, Labour and Social Welfare")]
    #[schema(min_length = 1)]
    pub name: String,
}

/// Create an organization of a country you administer.
#[utoipa::path(
    post,
    path = "/organizations",
    tag = "reference data",
    request_body = NewOrganization,
    responses(
        (status = 201, description = "Created", body = Organization, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The country already has an organization of this kind and name", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such country", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewOrganization>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let new = service::NewOrganization {
        country: body.country,
        kind: body.kind,
        name: body.name,
    };
    let row = with_db(&state, move |conn| service::create(conn, &caller, new)).await?;
    Ok(versioned(
        actix_web::http::StatusCode::CREATED,
        &Organization::from_row(row)?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    #[schema(min_length = 1)]
    pub name: String,
}

/// Rename an organization of a country you administer. Needs `If-Match`. Country and kind
/// do not change (accounts depend on them): create a new organization instead.
#[utoipa::path(
    patch,
    path = "/organizations/{id}",
    tag = "reference data",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The organization's ETag")),
    request_body = UpdateOrganization,
    responses(
        (status = 200, description = "Updated", body = Organization, headers(("ETag" = String))),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    if_match: IfMatch,
    caller: Caller,
    path: web::Path<i32>,
    body: JsonBody<UpdateOrganization>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let name = body.into_inner().name;
    let row = with_db(&state, move |conn| {
        service::rename(conn, &caller, id, &if_match, &name)
    })
    .await?;
    Ok(versioned(
        actix_web::http::StatusCode::OK,
        &Organization::from_row(row)?,
    ))
}
