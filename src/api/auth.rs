//! `/api/v1/auth`: log in, and who am I.

use crate::api::json_body::JsonBody;
use std::time::Instant;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::concurrency::IfMatch;
use super::users::User;
use super::versioned;
use super::{with_db, AppState};
use crate::auth::jwt::Claims;
use crate::auth::{password, PERSON_TOKEN_TTL};
use crate::domain::access::{Caller, Principal, Role};
use crate::error::{AppError, AppResult, Problem};
use crate::repo;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "office.zwe@example.org")]
    pub email: String,
    #[schema(example = "a long pass phrase")]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until the token expires.
    #[schema(example = 1800)]
    pub expires_in: i64,
}

fn login_failed() -> AppError {
    AppError::Unauthorized("the e-mail address or the password is wrong".into())
}

/// Log in with e-mail address and password; answers a short-lived bearer token. An unknown
/// address and a wrong password get the same answer. Repeated failures for one account or
/// from one address are refused with 429 and `Retry-After`.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 400, description = "The body is not a login request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong e-mail address or password (an SSO-only account takes none)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait")))
    )
)]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> AppResult<HttpResponse> {
    let LoginRequest {
        email,
        password: given,
    } = body.into_inner();
    let address = super::client::client_of(&req).to_string();
    let account = crate::domain::users::email_key(&email);
    state
        .auth
        .throttle
        .check(&account, &address, Instant::now())
        .map_err(|retry_after| AppError::TooManyRequests { retry_after })?;
    state
        .auth
        .login_rate
        .check(&account, &address)
        .map_err(|retry_after| AppError::RateLimited {
            retry_after,
            detail: format!(
                "too many logins for this account or from this address; try again in {retry_after} seconds"
            ),
        })?;
    let key = account.clone();
    let user = with_db(&state, move |conn| Ok(repo::users::by_email(conn, &key)?)).await?;
    // Verify against a dummy hash when there is no such user, or the account takes no password
    // (SSO-only), so all take as long and answer alike. At most NORMTRACK_PASSWORD_HASHING
    // hashes run at once, and no database connection is held while one runs.
    let hash = user
        .as_ref()
        .filter(|u| !u.row.sso_only && u.row.password_hash != password::NO_PASSWORD)
        .map(|u| u.row.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let mut turn = state.auth.hashing_turn().await?;
    let mut memory = turn.take_memory();
    let (matches, memory) = web::block(move || {
        let matches = password::verify_in(&given, &hash, &mut memory);
        (matches, memory)
    })
    .await?;
    turn.give_back(memory);
    drop(turn);
    let found = user.filter(|u| matches && u.row.active && !u.row.sso_only);
    let Some(user) = found else {
        state
            .auth
            .throttle
            .record_failure(&account, &address, Instant::now());
        tracing::info!(address, "failed login");
        return Err(login_failed());
    };
    state.auth.throttle.record_success(&account);
    tracing::info!(user = user.row.id, "login");
    person_token(&state, &user)
}

/// A person's access token, answered the one way for a password and a single sign-on: the
/// same lifetime, and the account's current session version (so logging out, a password
/// change or a deactivation ends it).
pub fn person_token(state: &AppState, user: &repo::users::User) -> AppResult<HttpResponse> {
    let token = issue_person_token(state, user)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(token))
}

/// The token of [`person_token`], unanswered.
pub fn issue_person_token(state: &AppState, user: &repo::users::User) -> AppResult<TokenResponse> {
    let lifetime = PERSON_TOKEN_TTL.as_secs() as i64;
    let claims = Claims::new(
        Principal::User(user.row.id),
        user.row.role,
        Utc::now().timestamp(),
        lifetime,
    )
    .with_version(user.row.token_version);
    let access_token = state
        .auth
        .keys
        .issue(&claims)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: lifetime,
    })
}

/// Log out: every access token of your account stops working at once, on every instance
/// (calendar feed tokens keep working; revoke them at `/feed-tokens`). Log in again for a new
/// token.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    responses((status = 204, description = "Logged out; the token used is refused from now on"))
)]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    with_db(&state, move |conn| crate::service::users::logout(conn, &caller)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller: a person's account, or a dashboard token.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `user` or `dashboard_token`.
    pub kind: String,
    pub role: Role,
    /// The account, for a person.
    pub user: Option<User>,
    /// The token's name and expiry, for a dashboard token.
    pub token_name: Option<String>,
    pub token_expires_at: Option<DateTime<Utc>>,
}

/// Only a person's account has a version (a dashboard token's answer carries no `ETag`).
impl super::Versioned for Me {
    fn etag(&self) -> String {
        self.user.as_ref().map(super::Versioned::etag).unwrap_or_default()
    }

    fn location(&self) -> String {
        "/api/v1/auth/me".into()
    }
}

/// Who the bearer token speaks for.
#[utoipa::path(
    get,
    path = "/auth/me",
    tag = "auth",
    responses((status = 200, description = "The caller", body = Me, headers(("ETag" = String, description = "Version of the account"))))
)]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    match caller.principal {
        Principal::User(id) => {
            let user = with_db(&state, move |conn| {
                repo::users::get(conn, id)?.ok_or_else(|| AppError::NotFound("your account".into()))
            })
            .await?;
            let me = Me {
                kind: "user".into(),
                role: caller.role,
                user: Some(User::from_repo(user)?),
                token_name: None,
                token_expires_at: None,
            };
            Ok(versioned(actix_web::http::StatusCode::OK, &me))
        }
        Principal::Cli => Err(AppError::Forbidden("the command line has no account".into())),
        // `/auth/me` is not a route of public data: refused before the handler.
        Principal::Public => Err(AppError::Unauthorized("no token was sent".into())),
        // Refused before the handler: a feed token opens the calendar feed only.
        Principal::FeedToken(_) => Err(AppError::Unauthorized(
            "a calendar feed token opens the calendar feed only".into(),
        )),
        Principal::DashboardToken(id) => {
            let token = with_db(&state, move |conn| {
                repo::tokens::get(conn, id)?.ok_or_else(|| AppError::NotFound("this token".into()))
            })
            .await?;
            Ok(HttpResponse::Ok().json(Me {
                kind: "dashboard_token".into(),
                role: caller.role,
                user: None,
                token_name: Some(token.name),
                token_expires_at: Some(token.expires_at.and_utc()),
            }))
        }
    }
}

/// What a person may change of their own account: the display name and the password. Any
/// other field (role, country, organization, e-mail) is refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    #[schema(min_length = 1)]
    pub display_name: Option<String>,
    /// Needed to set a new password.
    pub current_password: Option<String>,
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: Option<String>,
}

/// Change your display name or password. Needs `If-Match` with the `ETag` of `GET /auth/me`.
#[utoipa::path(
    patch,
    path = "/auth/me",
    tag = "auth",
    request_body = UpdateMe,
    params(("If-Match" = String, Header, description = "ETag of GET /auth/me")),
    responses(
        (status = 200, description = "The updated account", body = User),
        (status = 400, description = "Invalid field, or a field you may not change", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A new password without the current one, or with a wrong one", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_me(
    state: web::Data<AppState>,
    if_match: IfMatch,
    caller: Caller,
    body: JsonBody<UpdateMe>,
) -> AppResult<HttpResponse> {
    caller
        .user_id()
        .ok_or_else(|| AppError::Forbidden("a dashboard token has no account to change".into()))?;
    let body = body.into_inner();
    let change = crate::service::users::OwnChange {
        display_name: body.display_name,
        current_password: body.current_password,
        new_password: body.new_password,
    };
    change.check()?;
    let turn = match change.new_password {
        Some(_) => Some(state.auth.hashing_turn().await?),
        None => None,
    };
    let user = with_db(&state, move |conn| {
        crate::service::users::change_own(conn, &caller, &if_match, change)
    })
    .await?;
    drop(turn);
    Ok(versioned(
        actix_web::http::StatusCode::OK,
        &User::from_repo(user)?,
    ))
}
