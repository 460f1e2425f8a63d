//! Authorization in one place. Every route is registered through [`endpoint`], which takes
//! the access the route admits ([`Access`]) and
//! - wraps the route in the middleware that authenticates the bearer token, loads the caller
//!   from the store and checks the role (401 without a valid token, 403 for another role);
//! - writes the same declaration into the route's OpenAPI operation (security requirement
//!   with the roles as scopes, the roles in the description, and the 401/403 answers).
//!
//! Handlers then take a [`Caller`] and pass its scope to the repositories.

use std::future::{ready, Ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{AppService, HttpServiceFactory, Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::{from_fn, Next};
use actix_web::{guard, web, FromRequest, Handler, HttpMessage, HttpRequest, Responder};
use utoipa::openapi::path::{Operation, Paths};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa_actix_web::OpenApiFactory;

use super::{with_db, AppState};
use crate::domain::access::{Access, Caller, Principal, Role, ANY_ROLE};
use crate::error::{AppError, AppResult};
use crate::repo;

/// Name of the security scheme in the OpenAPI document.
pub const SECURITY_SCHEME: &str = "bearer";
/// Name of the calendar feed token scheme (the `token` query parameter).
pub const FEED_SECURITY_SCHEME: &str = "feed_token";

/// What the document says of a route of public data (`Access::OpenData`).
pub const PUBLIC_READ_NOTE: &str =
    "**Public read:** also without a token when the server runs with `NORMTRACK_PUBLIC_READ=true`.";

/// A route with its access declaration, ready for `ServiceConfig::service`.
pub struct Endpoint<R> {
    resource: R,
    paths: Paths,
    schemas: Vec<(String, RefOr<utoipa::openapi::schema::Schema>)>,
}

impl<R: HttpServiceFactory> HttpServiceFactory for Endpoint<R> {
    fn register(self, config: &mut AppService) {
        self.resource.register(config)
    }
}

impl<R> OpenApiFactory for Endpoint<R> {
    fn paths(&self) -> Paths {
        self.paths.clone()
    }

    fn schemas(&self, schemas: &mut Vec<(String, RefOr<utoipa::openapi::schema::Schema>)>) {
        schemas.extend(self.schemas.iter().cloned());
    }
}

/// Registers `handler` at the method and path of its `#[utoipa::path]` (`doc` is the
/// `__path_<handler>` type the macro generates), admitting `access`.
pub fn endpoint<D, F, Args>(doc: D, access: Access, handler: F) -> Endpoint<impl HttpServiceFactory>
where
    D: OpenApiFactory + utoipa::Path,
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    let methods = D::methods();
    let method = match methods.first() {
        Some(utoipa::openapi::HttpMethod::Post) => Method::POST,
        Some(utoipa::openapi::HttpMethod::Put) => Method::PUT,
        Some(utoipa::openapi::HttpMethod::Patch) => Method::PATCH,
        Some(utoipa::openapi::HttpMethod::Delete) => Method::DELETE,
        _ => Method::GET,
    };
    // HEAD is answered wherever GET is (the same answer without its body).
    let method_guard =
        guard::Any(guard::Method(method.clone())).or(guard::Method(if method == Method::GET {
            Method::HEAD
        } else {
            method
        }));
    let resource = web::resource(D::path())
        .guard(method_guard)
        .route(web::route().to(handler))
        // Inner: the body is read (within its time limit) only once access is granted.
        .wrap(from_fn(move |req, next| {
            super::body_deadline::read_within_limit(access == Access::Public, req, next)
        }))
        .wrap(from_fn(move |req, next| authorize(access, req, next)));
    // Only the OpenAPI document needs a route's description; the server's workers do not.
    if !crate::openapi::is_documenting() {
        return Endpoint {
            resource,
            paths: Paths::new(),
            schemas: Vec::new(),
        };
    }
    let mut paths = doc.paths();
    for item in paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            document_access(operation, access);
        }
    }
    let mut schemas = Vec::new();
    doc.schemas(&mut schemas);
    Endpoint {
        resource,
        paths,
        schemas,
    }
}

fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

/// The answers any operation may give besides its own: 400 for a malformed parameter or body,
/// 408, 413 and 415 for a body that is too slow, too large or not of the documented type
/// ([`super::body_deadline`]), and 503 while the database is unreachable (every operation but
/// the liveness probe reads it).
fn document_common_responses(operation: &mut Operation) {
    let has_body = operation.request_body.is_some();
    let has_parameters = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let responses = &mut operation.responses.responses;
    if has_body || has_parameters {
        responses
            .entry("400".into())
            .or_insert_with(|| problem_response("A parameter or the body is malformed"));
    }
    if has_body {
        responses
            .entry("408".into())
            .or_insert_with(|| problem_response("The body did not arrive within the time limit"));
        responses
            .entry("413".into())
            .or_insert_with(|| problem_response("The body is larger than this operation accepts"));
        responses
            .entry("415".into())
            .or_insert_with(|| problem_response("The body is not of the documented media type"));
    }
    if operation.operation_id.as_deref() != Some("healthz") {
        responses.entry("503".into()).or_insert_with(|| {
            problem_response("The database is unavailable; retry after the Retry-After seconds")
        });
    }
}

fn document_access(operation: &mut Operation, access: Access) {
    document_common_responses(operation);
    let note = match access {
        Access::Public => "**Access:** public, no token needed.".to_string(),
        Access::Roles(_) | Access::Feed(_) | Access::OpenData => {
            let roles = match access {
                Access::Roles(roles) | Access::Feed(roles) => roles,
                _ => ANY_ROLE,
            };
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            let mut security = vec![SecurityRequirement::new(SECURITY_SCHEME, names.clone())];
            if matches!(access, Access::Feed(_)) {
                security.push(SecurityRequirement::new(FEED_SECURITY_SCHEME, names.clone()));
            }
            operation.security = Some(security);
            let responses = &mut operation.responses.responses;
            responses
                .entry("401".into())
                .or_insert_with(|| problem_response("No valid bearer token"));
            responses
                .entry("403".into())
                .or_insert_with(|| problem_response("The caller's role or country may not do this"));
            let roles = format!("**Roles:** {}.", names.join(", "));
            if access == Access::OpenData {
                operation
                    .responses
                    .responses
                    .entry("429".into())
                    .or_insert_with(|| {
                        problem_response(
                            "Too many requests from this client; wait for the Retry-After seconds",
                        )
                    });
                format!("{roles} {PUBLIC_READ_NOTE}")
            } else {
                roles
            }
        }
    };
    operation.description = Some(match operation.description.take() {
        Some(existing) if !existing.is_empty() => format!("{existing}\n\n{note}"),
        _ => note,
    });
}

/// The middleware every route runs behind.
async fn authorize(
    access: Access,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (roles, feed) = match access {
        Access::Public => return Ok(next.call(req).await?.map_into_boxed_body()),
        Access::Roles(roles) => (roles, false),
        Access::Feed(roles) => (roles, true),
        Access::OpenData => (ANY_ROLE, false),
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("application state missing".into()))?;
    if access == Access::OpenData && !req.headers().contains_key(header::AUTHORIZATION) {
        if let Some(per_minute) = state.limits.public_read_per_minute {
            // The public read: anyone without a token reads public data, within an allowance.
            let client = super::client::client_of(&req);
            state
                .auth
                .public_rate
                .check(per_minute, client)
                .map_err(|retry_after| AppError::RateLimited {
                    retry_after,
                    detail: format!(
                        "too many reads without a token from this address; try again in {retry_after} seconds, or sign in"
                    ),
                })?;
            let caller = Caller::public();
            req.extensions_mut().insert(caller.clone());
            return super::read_cache::read(&state, &caller, req, next).await;
        }
    }
    let (token, in_query) = match feed_token(feed, &req) {
        Some(token) => (token, true),
        None => (bearer_token(req.headers())?, false),
    };
    let caller = authenticate(&state, token).await?;
    if in_query && !matches!(caller.principal, Principal::FeedToken(_)) {
        // A session or dashboard token in a URL would end up in logs and calendar apps.
        return Err(AppError::Unauthorized(
            "the token parameter takes a calendar feed token only; send other tokens as a bearer header"
                .into(),
        )
        .into());
    }
    if matches!(caller.principal, Principal::FeedToken(_)) && !feed {
        return Err(
            AppError::Unauthorized("a calendar feed token opens the calendar feed only".into()).into(),
        );
    }
    if !roles.contains(&caller.role) {
        return Err(AppError::Forbidden(format!("the {} role may not do this", caller.role)).into());
    }
    req.extensions_mut().insert(caller.clone());
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !writes {
        // Reads are answered from memory while nothing was written (`read_cache`).
        return super::read_cache::read(&state, &caller, req, next).await;
    }
    let response = next.call(req).await;
    // Whatever the write did is committed by now: caches of this instance move on at once
    // (other instances hear of it through `db::changes`).
    state.changes.bump();
    Ok(response?.map_into_boxed_body())
}

fn unauthorized() -> AppError {
    AppError::Unauthorized(
        "a valid bearer token is required (it may be missing, malformed, expired or revoked)".into(),
    )
}

/// On a feed route without an `Authorization` header: the `token` query parameter.
fn feed_token(feed: bool, req: &ServiceRequest) -> Option<String> {
    if !feed || req.headers().contains_key(header::AUTHORIZATION) {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct TokenParam {
        token: Option<String>,
    }
    web::Query::<TokenParam>::from_query(req.query_string())
        .ok()?
        .into_inner()
        .token
        .filter(|t| !t.trim().is_empty())
}

fn bearer_token(headers: &header::HeaderMap) -> AppResult<String> {
    let mut values = headers.get_all(header::AUTHORIZATION);
    let value = values.next().ok_or_else(unauthorized)?;
    if values.next().is_some() {
        return Err(AppError::bad_request("more than one Authorization header"));
    }
    let value = value.to_str().map_err(|_| unauthorized())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(unauthorized());
    }
    Ok(token.trim().to_string())
}

/// Checks the token and loads the caller as the store knows it now: a deactivated user or
/// a revoked dashboard token is refused at once, and a changed role or scope applies at once.
pub async fn authenticate(state: &AppState, token: String) -> AppResult<Caller> {
    // A token seen at this store epoch was verified then; only its expiry is checked again.
    let epoch = state.changes.epoch();
    if let Some(epoch) = epoch {
        let cached = state.auth.callers.get(&token, epoch, repo::now());
        state.metrics.cache_lookup("callers", cached.is_some());
        if let Some(caller) = cached {
            return Ok(caller);
        }
    }
    let claims = state.auth.keys.verify(&token).map_err(|e| {
        tracing::debug!(error = %e, "token refused");
        unauthorized()
    })?;
    let principal = claims.principal().ok_or_else(unauthorized)?;
    let version = claims.ver;
    let (caller, stored_expiry) = with_db(state, move |conn| read_caller(conn, principal, version)).await?;
    if let (Some(epoch), Some(token_expiry)) = (epoch, chrono::DateTime::from_timestamp(claims.exp, 0)) {
        let token_expiry = token_expiry.naive_utc();
        let valid_until = stored_expiry.map_or(token_expiry, |stored| stored.min(token_expiry));
        state.auth.callers.put(token, epoch, caller.clone(), valid_until);
    }
    Ok(caller)
}

/// The caller a token's principal stands for, as the store has it now, and the stored expiry
/// of a dashboard or feed token.
fn read_caller(
    conn: &mut crate::db::DbConn,
    principal: Principal,
    token_version: i32,
) -> AppResult<(Caller, Option<chrono::NaiveDateTime>)> {
    match principal {
        Principal::User(id) => {
            // A token issued before the account's sessions ended is refused.
            let user = repo::users::get(conn, id)?
                .filter(|u| u.row.active && u.row.token_version == token_version)
                .ok_or_else(unauthorized)?;
            let role = user.row.role;
            let caller = Caller {
                principal,
                role,
                countries: user.countries,
                organization: user.row.organization,
            };
            Ok((caller, None))
        }
        Principal::Cli | Principal::Public => Err(unauthorized()),
        Principal::FeedToken(id) => {
            let now = repo::now();
            let token = repo::feed_tokens::get(conn, id)?
                .filter(|t| t.revoked_at.is_none() && t.expires_at > now)
                .ok_or_else(unauthorized)?;
            let user = repo::users::get(conn, token.user_id)?
                .filter(|u| u.row.active)
                .ok_or_else(unauthorized)?;
            let role = user.row.role;
            let caller = Caller {
                principal,
                role,
                countries: user.countries,
                organization: user.row.organization,
            };
            Ok((caller, Some(token.expires_at)))
        }
        Principal::DashboardToken(id) => {
            let now = repo::now();
            let token = repo::tokens::get(conn, id)?
                .filter(|t| t.revoked_at.is_none() && t.expires_at > now)
                .ok_or_else(unauthorized)?;
            let caller = Caller {
                principal,
                role: Role::Viewer,
                countries: Vec::new(),
                organization: None,
            };
            Ok((caller, Some(token.expires_at)))
        }
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Caller, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(req.extensions().get::<Caller>().cloned().ok_or_else(unauthorized))
    }
}
