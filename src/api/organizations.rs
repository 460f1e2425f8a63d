//! `/api/v1/organizations`: the government, employer and worker organizations of each
//! country. Readable by every role (they are public reference data); created and renamed by
//! administrators and by the office users covering the country.

use crate::api::json_body::JsonBody;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::{page_response, stored, with_db, AppState, ParamErrors};
use crate::db;
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::reference::OrganizationKind;
use crate::domain::text::check_text;
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::repo::{self, audit, organizations::OrganizationFilter, organizations::OrganizationRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: i32,
    #[schema(example = "ZWE")]
    pub country: String,
    pub kind: OrganizationKind,
    pub name: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organization {
    fn from_row(row: OrganizationRow) -> AppResult<Organization> {
        Ok(Organization {
            kind: stored("organizations.kind", &row.kind)?,
            id: row.id,
            country: row.country,
            name: row.name,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }

    fn etag(&self) -> String {
        etag("org", self.id, self.version)
    }
}

fn audit_organization(
    conn: &mut crate::db::DbConn,
    actor: &str,
    before: Option<&OrganizationRow>,
    after: &OrganizationRow,
) -> AppResult<()> {
    let snapshot = |row: &OrganizationRow| {
        Organization::from_row(row.clone())
            .ok()
            .and_then(|o| audit::snapshot(&o))
    };
    audit::record(
        conn,
        audit::Entry {
            actor,
            action: if before.is_some() { "update" } else { "create" },
            entity: "organization",
            entity_id: after.id.to_string(),
            country: Some(&after.country),
            before: before.and_then(snapshot),
            after: snapshot(after),
        },
    )?;
    Ok(())
}

fn respond(status: actix_web::http::StatusCode, row: OrganizationRow) -> AppResult<HttpResponse> {
    let org = Organization::from_row(row)?;
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, org.etag()));
    if status == actix_web::http::StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/organizations/{}", org.id)));
    }
    Ok(response.json(org))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationQuery {
    #[param(example = "ZWE")]
    pub country: Option<String>,
    #[param(value_type = Option<OrganizationKind>)]
    pub kind: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
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
        kind: errors
            .parse_enum::<OrganizationKind>("kind", query.kind.as_deref())
            .map(|k| k.as_str().to_string()),
    };
    let page = errors.parse_page(query.page.as_deref(), query.per_page.as_deref());
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
    respond(actix_web::http::StatusCode::OK, row)
}

fn check_name(name: &str) -> AppResult<String> {
    check_text(name).map_err(|e| AppError::invalid(vec![FieldError::new("name", e)]))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 300 {
        return Err(AppError::invalid(vec![FieldError::new(
            "name",
            "must be 1 to 300 characters",
        )]));
    }
    Ok(name.to_string())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    #[schema(example = "ZWE")]
    pub country: String,
    pub kind: OrganizationKind,
    #[schema(example = "Ministry of Public Service, Labour and Social Welfare")]
    #[schema(min_length = 1, max_length = 300)]
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
    let country = crate::domain::codes::parse_iso3(&body.country).ok_or_else(|| {
        AppError::invalid(vec![FieldError::new(
            "country",
            format!("'{}' is not an ISO 3166 alpha-3 code", body.country),
        )])
    })?;
    let name = check_name(&body.name)?;
    if !caller.may_administer_country(&country) {
        return Err(AppError::Forbidden(format!("you do not administer {country}")));
    }
    let kind = body.kind.as_str();
    let row = with_db(&state, move |conn| {
        db::write_transaction(conn, |conn| {
            if !repo::countries::exists(conn, &country)? {
                return Err(AppError::unprocessable(vec![FieldError::new(
                    "country",
                    format!("no member state has the code '{country}'"),
                )]));
            }
            if repo::organizations::name_taken(conn, &country, kind, &name, None)? {
                return Err(AppError::Conflict(format!(
                    "{country} already has a {kind} organization named '{name}'"
                )));
            }
            let row = repo::organizations::insert(conn, &country, kind, &name)?;
            audit_organization(conn, &caller.actor(), None, &row)?;
            Ok(row)
        })
    })
    .await?;
    respond(actix_web::http::StatusCode::CREATED, row)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    #[schema(min_length = 1, max_length = 300)]
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
    let name = check_name(&body.name)?;
    let row = with_db(&state, move |conn| {
        db::write_transaction(conn, |conn| {
            let current = repo::organizations::get(conn, id)?
                .ok_or_else(|| AppError::NotFound(format!("organization {id}")))?;
            if !caller.may_administer_country(&current.country) {
                return Err(AppError::Forbidden(format!(
                    "you do not administer {}",
                    current.country
                )));
            }
            if_match.check(&etag("org", id, current.version))?;
            if repo::organizations::name_taken(conn, &current.country, &current.kind, &name, Some(id))? {
                return Err(AppError::Conflict(format!(
                    "{} already has a {} organization named '{name}'",
                    current.country, current.kind
                )));
            }
            let row = repo::organizations::rename(conn, id, current.version, &name)?
                .ok_or(AppError::PreconditionFailed)?;
            audit_organization(conn, &caller.actor(), Some(&current), &row)?;
            Ok(row)
        })
    })
    .await?;
    respond(actix_web::http::StatusCode::OK, row)
}
