//! `/api/v1/users`: account management, for administrators. Also the account shape that
//! `/auth/me` answers.

use crate::api::json_body::JsonBody;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::paging::paged_query;
use super::{page_response, versioned, with_db, AppState, ParamErrors, Versioned};
use crate::domain::access::{Caller, Role};
use crate::domain::pagination::Page;
use crate::error::{AppError, AppResult, Problem};
use crate::repo::{self, users::UserFilter};
pub use crate::service::users::{NewUser, UpdateUser, User};

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    #[param(value_type = Option<Role>)]
    pub role: Option<String>,
    /// Users of this country (constituents) or covering it (office).
    pub country: Option<String>,
    #[param(value_type = Option<bool>)]
    pub active: Option<String>,
}
}

/// List accounts, by id.
#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    params(UserQuery),
    responses(
        (status = 200, description = "One page of accounts", body = Page<User>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Caller,
    query: web::Query<UserQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let role: Option<Role> = errors.parse_enum("role", query.role.as_deref());
    let country = errors.parse_country("country", query.country.as_deref());
    let active = errors.parse_bool("active", query.active.as_deref());
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let filter = UserFilter {
        role,
        country,
        active,
    };
    let (rows, total) = with_db(&state, move |conn| Ok(repo::users::list(conn, &filter, page)?)).await?;
    page_response(rows, total, page, User::from_repo)
}

impl Versioned for User {
    fn etag(&self) -> String {
        etag("user", self.id, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/users/{}", self.id)
    }
}

/// Create an account. The role decides the scope it must carry: `office` covers
/// `countries`; `government`, `employer` and `worker` name one `country` and an
/// `organization` of that country and kind; `admin` and `viewer` carry none.
#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = User, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field (e-mail, password shorter than 12 characters, codes)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail address is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The scope does not fit the role, or a password is missing (or given for an SSO-only account)", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewUser>,
) -> AppResult<HttpResponse> {
    let turn = state.auth.hashing_turn().await?;
    let user = with_db(&state, move |conn| {
        crate::service::users::create_user(conn, &caller, body.into_inner())
    })
    .await?;
    drop(turn);
    Ok(versioned(
        actix_web::http::StatusCode::CREATED,
        &User::from_repo(user)?,
    ))
}

/// One account.
#[utoipa::path(
    get,
    path = "/users/{id}",
    tag = "users",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The account", body = User, headers(("ETag" = String))),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    _caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let user = with_db(&state, move |conn| {
        repo::users::get(conn, id)?.ok_or_else(|| AppError::NotFound(format!("user {id}")))
    })
    .await?;
    Ok(versioned(
        actix_web::http::StatusCode::OK,
        &User::from_repo(user)?,
    ))
}

/// Change an account's role, scope, name or active flag. Deactivating an account stops its
/// tokens at once. Needs `If-Match`.
#[utoipa::path(
    patch,
    path = "/users/{id}",
    tag = "users",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The account's ETag")),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "Updated", body = User, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail address is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The scope does not fit the role, or an administrator's own account demoted, deactivated or made SSO-only", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    if_match: IfMatch,
    caller: Caller,
    path: web::Path<i32>,
    body: JsonBody<UpdateUser>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let body = body.into_inner();
    let user = with_db(&state, move |conn| {
        crate::service::users::update_user(conn, &caller, id, &if_match, body)
    })
    .await?;
    Ok(versioned(
        actix_web::http::StatusCode::OK,
        &User::from_repo(user)?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// At least 12 characters.
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
}

/// Set a new password for an account.
#[utoipa::path(
    post,
    path = "/users/{id}/password",
    tag = "users",
    params(("id" = i32, Path)),
    request_body = PasswordReset,
    responses(
        (status = 204, description = "Password set"),
        (status = 400, description = "Password too short or too long", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account signs in through single sign-on only (turn `sso_only` off first)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Your own account: change your password with PATCH /auth/me", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
    body: JsonBody<PasswordReset>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let turn = state.auth.hashing_turn().await?;
    with_db(&state, move |conn| {
        crate::service::users::reset_password(conn, &caller, id, &body.password)
    })
    .await?;
    drop(turn);
    Ok(HttpResponse::NoContent().finish())
}
