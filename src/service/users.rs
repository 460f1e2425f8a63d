//! Accounts: creating and changing them with the role's scope rules, in one transaction with
//! their audit entry (never the password hash). Used by the API, the CLI and the demo seed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::password;
use crate::db::{self, DbConn};
use crate::domain::access::{Caller, Role};
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::users::{
    check_display_name, check_password, check_scope, parse_email, OrganizationFacts, ScopeRequest,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo::{self, users::UserFields};
use crate::service::audit;

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
    /// Signs in through single sign-on only: no password is accepted.
    pub sso_only: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl User {
    pub fn from_repo(user: repo::users::User) -> AppResult<User> {
        Ok(User {
            role: user.row.role,
            id: user.row.id,
            email: user.row.email,
            display_name: user.row.display_name,
            countries: user.countries,
            organization: user.row.organization,
            active: user.row.active,
            sso_only: user.row.sso_only,
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
        role: user.row.role,
        countries: if user.row.country.is_some() {
            Vec::new()
        } else {
            user.countries.clone()
        },
        country: user.row.country.clone(),
        organization: user.row.organization,
        active: user.row.active,
        sso_only: user.row.sso_only,
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(example = "worker.zwe@example.org")]
    pub email: String,
    #[schema(min_length = 1)]
    pub display_name: Option<String>,
    pub role: Role,
    /// For `office`: the countries covered.
    #[serde(default)]
    pub countries: Vec<String>,
    /// For `government`, `employer`, `worker`: the country.
    pub country: Option<String>,
    /// For `government`, `employer`, `worker`: an organization of that country and kind.
    pub organization: Option<i32>,
    /// At least 12 characters; needed unless `sso_only` is true, and then not given.
    #[schema(min_length = 12, max_length = 256)]
    pub password: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// Signs in through single sign-on only (the organization's identity provider): the
    /// account has no password.
    #[serde(default)]
    pub sso_only: bool,
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
    audit::entry(
        conn,
        audit::Entry {
            actor,
            action,
            entity: crate::domain::access::EntityKind::User,
            entity_id: id.to_string(),
            country: country.as_deref(),
            before: before.and_then(snapshot),
            after: after.and_then(snapshot),
        },
    )?;
    Ok(())
}

/// Why an account's credentials end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The person logged out: their access tokens end; calendar feeds keep working.
    Logout,
    /// A password change or reset, or a deactivation: access tokens and calendar feed tokens
    /// end, and reactivating the account does not bring them back.
    Credentials,
}

/// Ends the sessions of account `id` inside the caller's transaction: every access token
/// issued before now is refused on every instance (the write is audited, which tells the
/// other instances' caches through `db::changes`), and for [`SessionEnd::Credentials`] every
/// live feed token is revoked (each audited).
pub fn end_sessions(conn: &mut DbConn, actor: &str, id: i32, end: SessionEnd) -> AppResult<()> {
    if !repo::users::end_sessions(conn, id)? {
        return Err(AppError::NotFound(format!("user {id}")));
    }
    if end == SessionEnd::Credentials {
        for token in repo::feed_tokens::revoke_all_of(conn, id)? {
            crate::service::tokens::audit_feed_token_revoked(conn, actor, &token)?;
        }
    }
    Ok(())
}

/// What a person may change of their own account.
#[derive(Debug, Clone)]
pub struct OwnChange {
    pub display_name: Option<String>,
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}

impl OwnChange {
    /// The change's own rules, before anything is read: a name and a password as the policy
    /// wants them (400), and a new password only with the current one (422).
    pub fn check(&self) -> AppResult<()> {
        let mut errors = Vec::new();
        if let Some(name) = &self.display_name {
            if let Err(e) = check_display_name(name) {
                errors.push(FieldError::new("display_name", e));
            }
        }
        if let Some(Err(e)) = self.new_password.as_deref().map(check_password) {
            errors.push(FieldError::new("new_password", e));
        }
        if !errors.is_empty() {
            return Err(AppError::invalid(errors));
        }
        if self.new_password.is_some() && self.current_password.is_none() {
            // Well-formed, but one field needs the other: a rule, not a syntax error.
            return Err(AppError::unprocessable(vec![FieldError::new(
                "current_password",
                "needed to set a new password",
            )]));
        }
        Ok(())
    }
}

/// A person changes their display name or password (with the current one), if their account
/// is still at the version `if_match` names. A new password ends every session and feed.
pub fn change_own(
    conn: &mut DbConn,
    caller: &Caller,
    if_match: &IfMatch,
    change: OwnChange,
) -> AppResult<repo::users::User> {
    change.check()?;
    let id = caller
        .user_id()
        .ok_or_else(|| AppError::Forbidden("a dashboard token has no account to change".into()))?;
    let new_hash = change
        .new_password
        .as_deref()
        .map(password::hash)
        .transpose()
        .map_err(AppError::Internal)?;
    db::write_transaction(conn, |conn| {
        let user = repo::users::get(conn, id)?.ok_or_else(|| AppError::NotFound("your account".into()))?;
        if_match.check(&etag("user", id, user.row.version))?;
        if user.row.sso_only && new_hash.is_some() {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "new_password",
                crate::domain::users::SSO_ONLY,
            )]));
        }
        if let (Some(current), Some(_)) = (&change.current_password, &new_hash) {
            if !password::verify(current, &user.row.password_hash) {
                return Err(AppError::unprocessable(vec![FieldError::new(
                    "current_password",
                    "is wrong",
                )]));
            }
        }
        let mut fields = fields_of(&user);
        if let Some(name) = &change.display_name {
            fields.display_name = name.trim().to_string();
        }
        let mut updated =
            repo::users::update(conn, id, user.row.version, &fields)?.ok_or(AppError::PreconditionFailed)?;
        if let Some(hash) = &new_hash {
            repo::users::set_password(conn, id, hash)?;
            end_sessions(conn, &caller.actor(), id, SessionEnd::Credentials)?;
            updated = repo::users::get(conn, id)?.ok_or_else(|| AppError::NotFound("your account".into()))?;
        }
        audit_user(conn, &caller.actor(), "update", id, Some(&user), Some(&updated))?;
        Ok(updated)
    })
}

/// Logs a person out everywhere: their access tokens stop working at once.
pub fn logout(conn: &mut DbConn, caller: &Caller) -> AppResult<()> {
    let id = caller
        .user_id()
        .ok_or_else(|| AppError::Forbidden("only a person's session can be logged out".into()))?;
    db::write_transaction(conn, |conn| {
        end_sessions(conn, &caller.actor(), id, SessionEnd::Logout)?;
        audit_user(conn, &caller.actor(), "logout", id, None, None)
    })
}

/// Refused unless the caller may manage accounts (`Caller::may_manage_accounts`).
fn manage_accounts(caller: &Caller) -> AppResult<()> {
    if caller.may_manage_accounts() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only an administrator manages accounts".into(),
        ))
    }
}

/// Creates an account (used by the API, `normtrack users create` and the demo seed).
pub fn create_user(conn: &mut DbConn, caller: &Caller, new: NewUser) -> AppResult<repo::users::User> {
    manage_accounts(caller)?;
    let actor = &caller.actor();
    let mut errors = Vec::new();
    let (email, email_key, display_name, countries, country) = shape(
        &new.email,
        new.display_name.as_deref(),
        &new.countries,
        new.country.as_deref(),
        &mut errors,
    );
    if let Some(Err(e)) = new.password.as_deref().map(check_password) {
        errors.push(FieldError::new("password", e));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    if let Some(why) = crate::domain::users::password_wanted(new.sso_only, new.password.is_some()) {
        return Err(AppError::unprocessable(vec![FieldError::new("password", why)]));
    }
    // An SSO-only account keeps no hash: no password can match it.
    let hash = match &new.password {
        Some(given) => password::hash(given).map_err(AppError::Internal)?,
        None => password::NO_PASSWORD.to_string(),
    };
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
            role: new.role,
            countries,
            country,
            organization: new.organization,
            active: new.active,
            sso_only: new.sso_only,
        };
        let user = repo::users::insert(conn, &fields, &hash)?;
        audit_user(conn, actor, "create", user.row.id, None, Some(&user))?;
        Ok(user)
    })
}

/// Changes to an account. `role`, `countries`, `country` and `organization` change
/// together: when any of them is present, the new scope is exactly what the body says.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub email: Option<String>,
    #[schema(min_length = 1)]
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub countries: Option<Vec<String>>,
    pub country: Option<String>,
    pub organization: Option<i32>,
    pub active: Option<bool>,
    /// Single sign-on only: turning it on drops the account's password and ends its sessions
    /// (its person signs in again through their provider); turning it off gives no password
    /// back: an administrator sets one (`POST /users/{id}/password`).
    pub sso_only: Option<bool>,
}

/// Applies a change to account `id` (If-Match checked against its current version).
pub fn update_user(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    body: UpdateUser,
) -> AppResult<repo::users::User> {
    manage_accounts(caller)?;
    db::write_transaction(conn, |conn| {
        let current = repo::users::get(conn, id)?.ok_or_else(|| AppError::NotFound(format!("user {id}")))?;
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
            None => fields.role,
        };
        if caller.user_id() == Some(id) && (role != Role::Admin || body.active == Some(false)) {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "role",
                "administrators cannot demote or deactivate themselves",
            )]));
        }
        if caller.user_id() == Some(id) && body.sso_only == Some(true) && !current.row.sso_only {
            // As with demotion: a provider that is down or misconfigured would lock them out.
            return Err(AppError::unprocessable(vec![FieldError::new(
                "sso_only",
                "administrators cannot make their own account SSO-only; another administrator can",
            )]));
        }
        if scope_changes {
            let scope = ScopeRequest {
                countries,
                country,
                organization: body.organization,
            };
            check_scope_in_store(conn, role, &scope)?;
            fields.role = role;
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
        if let Some(sso_only) = body.sso_only {
            fields.sso_only = sso_only;
        }
        let mut updated = repo::users::update(conn, id, current.row.version, &fields)?
            .ok_or(AppError::PreconditionFailed)?;
        if !current.row.sso_only && updated.row.sso_only {
            // The password is dropped (turning SSO-only off later brings none back), and the
            // sessions begun with it end; calendar feeds keep working.
            repo::users::set_password(conn, id, password::NO_PASSWORD)?;
            end_sessions(conn, &caller.actor(), id, SessionEnd::Logout)?;
            updated = repo::users::get(conn, id)?.ok_or_else(|| AppError::NotFound(format!("user {id}")))?;
        }
        if current.row.active && !updated.row.active {
            end_sessions(conn, &caller.actor(), id, SessionEnd::Credentials)?;
        }
        if !crate::domain::sso::same_address(&current.row.email, &updated.row.email) {
            // A new address: whoever a provider vouches for under it signs in (and is linked).
            repo::sso::unlink_all(conn, id)?;
        }
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
}

/// Sets a new password for account `id`.
/// Not for the caller's own account: that takes the current password (`PATCH /auth/me`), so
/// a stolen session cannot lock its administrator out.
pub fn reset_password(conn: &mut DbConn, caller: &Caller, id: i32, new_password: &str) -> AppResult<()> {
    manage_accounts(caller)?;
    check_password(new_password).map_err(|e| AppError::invalid(vec![FieldError::new("password", e)]))?;
    if caller.user_id() == Some(id) {
        return Err(AppError::unprocessable(vec![FieldError::new(
            "id",
            "this is your own account: change your password with PATCH /auth/me and your current password",
        )]));
    }
    let actor = &caller.actor();
    let hash = password::hash(new_password).map_err(AppError::Internal)?;
    db::write_transaction(conn, |conn| {
        let account = repo::users::get(conn, id)?.ok_or_else(|| AppError::NotFound(format!("user {id}")))?;
        if account.row.sso_only {
            return Err(AppError::Conflict(format!(
                "user {id} signs in through single sign-on only; turn sso_only off first"
            )));
        }
        if !repo::users::set_password(conn, id, &hash)? {
            return Err(AppError::NotFound(format!("user {id}")));
        }
        end_sessions(conn, actor, id, SessionEnd::Credentials)?;
        audit_user(conn, actor, "password_reset", id, None, None)
    })
}
