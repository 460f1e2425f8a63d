//! `/api/v1/users`: account management, for administrators. Also the account shape that
//! `/auth/me` answers.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::{stored, with_db, AppState, ParamErrors};
use crate::auth::password;
use crate::db::{self, DbConn};
use crate::domain::access::{Caller, Role};
use crate::domain::pagination::Page;
use crate::domain::users::{
    check_display_name, check_password, check_scope, parse_email, OrganizationFacts, ScopeRequest,
};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::repo::{self, audit, users::UserFields, users::UserFilter};

/// An account. The password hash is never part of any answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i32,
    #[schema(example = "office.zwe@example.org")]
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// For `office`: the countries covered; for a constituent: its one country.
    pub countries: Vec<String>,
    /// For a constituent: its organization's id.
    pub organization: Option<i32>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn from_repo(user: repo::users::User) -> AppResult<User> {
        Ok(User {
            role: stored("users.role", &user.row.role)?,
            id: user.row.id,
            email: user.row.email,
            display_name: user.row.display_name,
            countries: user.countries,
            organization: user.row.organization,
            active: user.row.active,
            version: user.row.version,
            created_at: user.row.created_at.and_utc(),
            updated_at: user.row.updated_at.and_utc(),
        })
    }
}

/// The writable fields of a stored account, as they are.
pub fn fields_of(user: &repo::users::User) -> UserFields {
    UserFields {
        email: user.row.email.clone(),
        email_key: user.row.email_key.clone(),
        display_name: user.row.display_name.clone(),
        role: user.row.role.clone(),
        countries: if user.row.country.is_some() {
            Vec::new()
        } else {
            user.countries.clone()
        },
        country: user.row.country.clone(),
        organization: user.row.organization,
        active: user.row.active,
    }
}

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
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
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
    let active = match query.active.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            errors.push("active", format!("'{other}' is not one of: true, false"));
            None
        }
    };
    let page = errors.parse_page(query.page.as_deref(), query.per_page.as_deref());
    errors.finish()?;
    let filter = UserFilter {
        role: role.map(|r| r.as_str().to_string()),
        country,
        active,
    };
    let (rows, total) = with_db(&state, move |conn| Ok(repo::users::list(conn, &filter, page)?)).await?;
    let items = rows
        .into_iter()
        .map(User::from_repo)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(Page::new(items, total, page)))
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(example = "worker.zwe@example.org")]
    pub email: String,
    pub display_name: Option<String>,
    pub role: Role,
    /// For `office`: the countries covered.
    #[serde(default)]
    pub countries: Vec<String>,
    /// For `government`, `employer`, `worker`: the country.
    pub country: Option<String>,
    /// For `government`, `employer`, `worker`: an organization of that country and kind.
    pub organization: Option<i32>,
    /// At least 12 characters.
    pub password: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Reads and checks everything of an account that needs no store; the scope rules that do
/// are checked by [`check_scope_in_store`].
fn shape(
    email: &str,
    display_name: Option<&str>,
    countries: &[String],
    country: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> (String, String, String, Vec<String>, Option<String>) {
    let (email, email_key) = parse_email(email).unwrap_or_else(|e| {
        errors.push(FieldError::new("email", e));
        Default::default()
    });
    let given = display_name.is_some();
    let display_name = display_name
        .map(|n| n.trim().to_string())
        .unwrap_or_else(|| email.clone());
    // A name taken from a bad address is not a second error.
    if given || !email.is_empty() {
        if let Err(e) = check_display_name(&display_name) {
            errors.push(FieldError::new("display_name", e));
        }
    }
    let mut codes = Vec::new();
    for raw in countries {
        match crate::domain::codes::parse_iso3(raw) {
            Some(code) if !codes.contains(&code) => codes.push(code),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "countries",
                format!("'{raw}' is not an ISO 3166 alpha-3 code"),
            )),
        }
    }
    codes.sort();
    let country = country.and_then(|raw| {
        crate::domain::codes::parse_iso3(raw).or_else(|| {
            errors.push(FieldError::new(
                "country",
                format!("'{raw}' is not an ISO 3166 alpha-3 code"),
            ));
            None
        })
    });
    (email, email_key, display_name, codes, country)
}

/// Applies the role's scope rules against the store; 422 naming the fields otherwise.
pub fn check_scope_in_store(conn: &mut DbConn, role: Role, scope: &ScopeRequest) -> AppResult<()> {
    let mut known = std::collections::HashSet::new();
    for c in scope.countries.iter().chain(scope.country.iter()) {
        if repo::countries::exists(conn, c)? {
            known.insert(c.clone());
        }
    }
    let organization = match scope.organization {
        Some(id) => repo::organizations::get(conn, id)?.map(|o| OrganizationFacts {
            country: o.country,
            kind: o.kind,
        }),
        None => None,
    };
    let violations = check_scope(role, scope, |c| known.contains(c), organization.as_ref());
    if violations.is_empty() {
        Ok(())
    } else {
        Err(AppError::unprocessable(
            violations
                .into_iter()
                .map(|(f, m)| FieldError::new(f, m))
                .collect(),
        ))
    }
}

/// Creates an account (used by the API and by `normtrack users create`).
/// Writes the audit entry of a change to an account (never its password hash).
pub fn audit_user(
    conn: &mut DbConn,
    actor: &str,
    action: &str,
    id: i32,
    before: Option<&repo::users::User>,
    after: Option<&repo::users::User>,
) -> AppResult<()> {
    let snapshot = |u: &repo::users::User| User::from_repo(u.clone()).ok().and_then(|u| audit::snapshot(&u));
    let country = after.or(before).and_then(|u| u.row.country.clone());
    audit::record(
        conn,
        audit::Entry {
            actor,
            action,
            entity: "user",
            entity_id: id.to_string(),
            country: country.as_deref(),
            before: before.and_then(snapshot),
            after: after.and_then(snapshot),
        },
    )?;
    Ok(())
}

pub fn create_user(conn: &mut DbConn, new: NewUser, actor: &str) -> AppResult<repo::users::User> {
    let mut errors = Vec::new();
    let (email, email_key, display_name, countries, country) = shape(
        &new.email,
        new.display_name.as_deref(),
        &new.countries,
        new.country.as_deref(),
        &mut errors,
    );
    if let Err(e) = check_password(&new.password) {
        errors.push(FieldError::new("password", e));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let hash = password::hash(&new.password).map_err(AppError::Internal)?;
    db::write_transaction(conn, |conn| {
        let scope = ScopeRequest {
            countries: countries.clone(),
            country: country.clone(),
            organization: new.organization,
        };
        check_scope_in_store(conn, new.role, &scope)?;
        if repo::users::email_taken(conn, &email_key, None)? {
            return Err(AppError::Conflict(format!(
                "an account with the e-mail address {email} exists"
            )));
        }
        let fields = UserFields {
            email,
            email_key,
            display_name,
            role: new.role.as_str().to_string(),
            countries,
            country,
            organization: new.organization,
            active: new.active,
        };
        let user = repo::users::insert(conn, &fields, &hash)?;
        audit_user(conn, actor, "create", user.row.id, None, Some(&user))?;
        Ok(user)
    })
}

fn user_response(status: actix_web::http::StatusCode, user: repo::users::User) -> AppResult<HttpResponse> {
    let tag = etag("user", user.row.id, user.row.version);
    let location = format!("/api/v1/users/{}", user.row.id);
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, tag));
    if status == actix_web::http::StatusCode::CREATED {
        response.insert_header((header::LOCATION, location));
    }
    Ok(response.json(User::from_repo(user)?))
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
        (status = 422, description = "The scope does not fit the role", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewUser>,
) -> AppResult<HttpResponse> {
    let actor = caller.actor();
    let user = with_db(&state, move |conn| create_user(conn, body.into_inner(), &actor)).await?;
    user_response(actix_web::http::StatusCode::CREATED, user)
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
    user_response(actix_web::http::StatusCode::OK, user)
}

/// Changes to an account. `role`, `countries`, `country` and `organization` change
/// together: when any of them is present, the new scope is exactly what the body says.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub countries: Option<Vec<String>>,
    pub country: Option<String>,
    pub organization: Option<i32>,
    pub active: Option<bool>,
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
        (status = 422, description = "The scope does not fit the role", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    if_match: IfMatch,
    caller: Caller,
    path: web::Path<i32>,
    body: web::Json<UpdateUser>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let body = body.into_inner();
    let user = with_db(&state, move |conn| {
        db::write_transaction(conn, |conn| {
            let current =
                repo::users::get(conn, id)?.ok_or_else(|| AppError::NotFound(format!("user {id}")))?;
            if_match.check(&etag("user", id, current.row.version))?;
            let mut fields = fields_of(&current);
            let scope_changes = body.role.is_some()
                || body.countries.is_some()
                || body.country.is_some()
                || body.organization.is_some();
            let mut errors = Vec::new();
            let (email, email_key, display_name, countries, country) = shape(
                body.email.as_deref().unwrap_or(&fields.email),
                Some(body.display_name.as_deref().unwrap_or(&fields.display_name)),
                body.countries.as_deref().unwrap_or_default(),
                body.country.as_deref(),
                &mut errors,
            );
            if !errors.is_empty() {
                return Err(AppError::invalid(errors));
            }
            let role: Role = match body.role {
                Some(role) => role,
                None => stored("users.role", &fields.role)?,
            };
            if caller.user_id() == Some(id) && (role != Role::Admin || body.active == Some(false)) {
                return Err(AppError::unprocessable(vec![FieldError::new(
                    "role",
                    "administrators cannot demote or deactivate themselves",
                )]));
            }
            if scope_changes {
                let scope = ScopeRequest {
                    countries,
                    country,
                    organization: body.organization,
                };
                check_scope_in_store(conn, role, &scope)?;
                fields.role = role.as_str().to_string();
                fields.countries = scope.countries;
                fields.country = scope.country;
                fields.organization = scope.organization;
            }
            if repo::users::email_taken(conn, &email_key, Some(id))? {
                return Err(AppError::Conflict(format!(
                    "an account with the e-mail address {email} exists"
                )));
            }
            fields.email = email;
            fields.email_key = email_key;
            fields.display_name = display_name;
            if let Some(active) = body.active {
                fields.active = active;
            }
            let updated = repo::users::update(conn, id, current.row.version, &fields)?
                .ok_or(AppError::PreconditionFailed)?;
            audit_user(
                conn,
                &caller.actor(),
                "update",
                id,
                Some(&current),
                Some(&updated),
            )?;
            Ok(updated)
        })
    })
    .await?;
    user_response(actix_web::http::StatusCode::OK, user)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// At least 12 characters.
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
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
    body: web::Json<PasswordReset>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    check_password(&body.password).map_err(|e| AppError::invalid(vec![FieldError::new("password", e)]))?;
    let actor = caller.actor();
    with_db(&state, move |conn| {
        let hash = password::hash(&body.password).map_err(AppError::Internal)?;
        db::write_transaction(conn, |conn| {
            if !repo::users::set_password(conn, id, &hash)? {
                return Err(AppError::NotFound(format!("user {id}")));
            }
            audit_user(conn, &actor, "password_reset", id, None, None)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
