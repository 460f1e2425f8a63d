//! `/api/v1/tokens`: read-only dashboard tokens (role `viewer`), for administrators.

use crate::api::json_body::JsonBody;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{with_db, AppState};
use crate::auth::jwt::Claims;
use crate::auth::DASHBOARD_TOKEN_MAX_DAYS;
use crate::domain::access::{Caller, Principal, Role};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::repo;

pub use crate::service::tokens::{token_name, DashboardToken};

/// List dashboard tokens (their secrets are never shown again).
#[utoipa::path(
    get,
    path = "/tokens",
    tag = "tokens",
    responses((status = 200, description = "Every dashboard token", body = Vec<DashboardToken>))
)]
pub async fn list(state: web::Data<AppState>, _caller: Caller) -> AppResult<HttpResponse> {
    let rows = with_db(&state, |conn| Ok(repo::tokens::list(conn)?)).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(DashboardToken::from).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. the dashboard's name.
    #[schema(example = "Programme results dashboard")]
    #[schema(min_length = 1)]
    pub name: String,
    /// Days until it expires: 1 to 366.
    #[schema(example = 90)]
    #[schema(minimum = 1, maximum = 366)]
    pub expires_in_days: i64,
}

/// A new dashboard token with its secret: shown this once only.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    #[serde(flatten)]
    pub token: DashboardToken,
    /// The bearer token. Store it now: it is not kept and cannot be shown again.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
}

/// Issue a named read-only token for a dashboard, valid up to a year.
#[utoipa::path(
    post,
    path = "/tokens",
    tag = "tokens",
    request_body = NewToken,
    responses(
        (status = 201, description = "Issued; the secret is in `access_token`", body = IssuedToken),
        (status = 400, description = "Invalid name or lifetime", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewToken>,
) -> AppResult<HttpResponse> {
    let NewToken {
        name,
        expires_in_days,
    } = body.into_inner();
    let mut errors = Vec::new();
    let name = token_name(&mut errors, &name);
    if !(1..=DASHBOARD_TOKEN_MAX_DAYS).contains(&expires_in_days) {
        errors.push(FieldError::new(
            "expires_in_days",
            format!("must be from 1 to {DASHBOARD_TOKEN_MAX_DAYS}"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let expires_at = repo::now() + Duration::days(expires_in_days);
    let created_by = caller.user_id();
    let row = with_db(&state, move |conn| {
        crate::service::tokens::issue_dashboard_token(conn, &caller, &name, expires_at)
    })
    .await?;
    let now = Utc::now().timestamp();
    let lifetime = expires_at.and_utc().timestamp() - now;
    let claims = Claims::new(Principal::DashboardToken(row.id), Role::Viewer, now, lifetime);
    let access_token = state
        .auth
        .keys
        .issue(&claims)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tracing::info!(token = row.id, by = ?created_by, "dashboard token issued");
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::LOCATION, format!("/api/v1/tokens/{}", row.id)))
        .json(IssuedToken {
            token: row.into(),
            access_token,
            token_type: "Bearer".into(),
        }))
}

/// Revoke a dashboard token: it stops working at once. Revoking twice is harmless.
#[utoipa::path(
    delete,
    path = "/tokens/{id}",
    tag = "tokens",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "Revoked", body = DashboardToken),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let by = caller.user_id();
    let row = with_db(&state, move |conn| {
        crate::service::tokens::revoke_dashboard_token(conn, &caller, id)
    })
    .await?;
    tracing::info!(token = id, by = ?by, "dashboard token revoked");
    Ok(HttpResponse::Ok().json(DashboardToken::from(row)))
}
