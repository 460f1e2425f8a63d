//! `/api/v1/feed-tokens`: a person's read-only calendar feed tokens. Calendar applications
//! cannot send bearer headers, so the feed URL carries one of these; it opens
//! `GET /api/v1/deadlines.ics` only, in its owner's scope as the store has it at each request,
//! and stops working at once when revoked (or when its owner is deactivated).

use crate::api::json_body::JsonBody;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::tokens::token_name;
use super::{with_db, AppState};
use crate::auth::jwt::Claims;
use crate::domain::access::{Caller, Principal};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::repo;

/// Longest lifetime of a feed token.
pub const FEED_TOKEN_MAX_DAYS: i64 = 5 * 366;

pub use crate::service::tokens::FeedToken;

fn owner(caller: &Caller) -> AppResult<i32> {
    caller
        .user_id()
        .ok_or_else(|| AppError::Forbidden("feed tokens belong to people".into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedTokenQuery {
    /// Administrators: this person's tokens (`all`: everyone's). Others may name only
    /// themselves.
    #[param(example = "all", pattern = r"^(all|[1-9][0-9]{0,8})$")]
    pub user: Option<String>,
}

/// Your calendar feed tokens (their secrets are never shown again); administrators list
/// anyone's with `user`.
#[utoipa::path(
    get,
    path = "/feed-tokens",
    tag = "deadlines",
    params(FeedTokenQuery),
    responses(
        (status = 200, description = "The feed tokens", body = Vec<FeedToken>),
        (status = 400, description = "`user` is not an id or `all`", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<FeedTokenQuery>,
) -> AppResult<HttpResponse> {
    let me = owner(&caller)?;
    let mut errors = super::ParamErrors::default();
    let wanted = match query.into_inner().user.as_deref() {
        None => Some(me),
        Some("all") => None,
        Some(raw) => {
            let id = (raw.len() <= 9 && !raw.starts_with('0') && raw.bytes().all(|b| b.is_ascii_digit()))
                .then(|| raw.parse::<i32>().ok())
                .flatten();
            if id.is_none() {
                errors.push("user", "must be an account id or 'all'");
            }
            Some(id.unwrap_or(me))
        }
    };
    errors.finish()?;
    let rows = with_db(&state, move |conn| {
        crate::service::tokens::list_feed_tokens(conn, &caller, wanted)
    })
    .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(FeedToken::from).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeedToken {
    /// Where the feed is subscribed, e.g. "Office calendar".
    #[schema(example = "Office calendar")]
    #[schema(min_length = 1)]
    pub name: String,
    /// Days until it expires: 1 to 1830; default 366.
    #[schema(example = 366)]
    #[schema(minimum = 1, maximum = 1830)]
    pub expires_in_days: Option<i64>,
}

/// A new feed token with its secret and the feed URL: shown this once only.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedFeedToken {
    #[serde(flatten)]
    pub token: FeedToken,
    /// The secret. Store it now: it is not kept and cannot be shown again.
    pub feed_token: String,
    /// The path to subscribe to (prefix it with this server's address).
    #[schema(example = "/api/v1/deadlines.ics?token=eyJ...")]
    pub feed_url: String,
}

/// Issue a read-only calendar feed token for your own deadlines.
#[utoipa::path(
    post,
    path = "/feed-tokens",
    tag = "deadlines",
    request_body = NewFeedToken,
    responses(
        (status = 201, description = "Issued; the secret is in `feed_token`, the URL in `feed_url`", body = IssuedFeedToken),
        (status = 400, description = "Invalid name or lifetime", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewFeedToken>,
) -> AppResult<HttpResponse> {
    let user = owner(&caller)?;
    let input = body.into_inner();
    let mut errors = Vec::new();
    let name = token_name(&mut errors, &input.name);
    let days = input.expires_in_days.unwrap_or(366);
    if !(1..=FEED_TOKEN_MAX_DAYS).contains(&days) {
        errors.push(FieldError::new(
            "expires_in_days",
            format!("must be from 1 to {FEED_TOKEN_MAX_DAYS}"),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let expires_at = repo::now() + Duration::days(days);
    let role = caller.role;
    let row = with_db(&state, move |conn| {
        crate::service::tokens::issue_feed_token(conn, &caller, &name, expires_at)
    })
    .await?;
    let now = Utc::now().timestamp();
    let lifetime = expires_at.and_utc().timestamp() - now;
    let claims = Claims::new(Principal::FeedToken(row.id), role, now, lifetime);
    let secret = state
        .auth
        .keys
        .issue(&claims)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    tracing::info!(feed_token = row.id, user, "feed token issued");
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(IssuedFeedToken {
            token: row.into(),
            feed_url: format!("/api/v1/deadlines.ics?token={secret}"),
            feed_token: secret,
        }))
}

/// Revoke one of your feed tokens (administrators: anyone's): the feed answers 401 at once.
/// Revoking twice is harmless.
#[utoipa::path(
    delete,
    path = "/feed-tokens/{id}",
    tag = "deadlines",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "Revoked", body = FeedToken),
        (status = 404, description = "No such token of yours", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let user = owner(&caller)?;
    let row = with_db(&state, move |conn| {
        crate::service::tokens::revoke_feed_token(conn, &caller, id)
    })
    .await?;
    tracing::info!(feed_token = id, user, "feed token revoked");
    Ok(HttpResponse::Ok().json(FeedToken::from(row)))
}
