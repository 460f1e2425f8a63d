//! Dashboard tokens and calendar feed tokens: issuing and revoking them, each write audited
//! in its transaction. The secrets (JWTs) are signed by the HTTP layer and never stored.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind, Role};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::feed_tokens::FeedTokenRow;
use crate::repo::tokens::TokenRow;
use crate::service::audit;

/// A dashboard token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardToken {
    pub id: i32,
    pub name: String,
    /// The administrator who issued it.
    pub created_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Neither expired nor revoked.
    pub usable: bool,
}

impl From<TokenRow> for DashboardToken {
    fn from(t: TokenRow) -> Self {
        let now = Utc::now().naive_utc();
        DashboardToken {
            usable: t.revoked_at.is_none() && t.expires_at > now,
            id: t.id,
            name: t.name,
            created_by: t.created_by,
            created_at: t.created_at.and_utc(),
            expires_at: t.expires_at.and_utc(),
            revoked_at: t.revoked_at.map(|r| r.and_utc()),
        }
    }
}

/// A calendar feed token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedToken {
    pub id: i32,
    /// Its owner.
    pub user: i32,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Neither expired nor revoked.
    pub usable: bool,
}

impl From<FeedTokenRow> for FeedToken {
    fn from(t: FeedTokenRow) -> Self {
        let now = Utc::now().naive_utc();
        FeedToken {
            usable: t.revoked_at.is_none() && t.expires_at > now,
            id: t.id,
            user: t.user_id,
            name: t.name,
            created_at: t.created_at.and_utc(),
            expires_at: t.expires_at.and_utc(),
            revoked_at: t.revoked_at.map(|r| r.and_utc()),
        }
    }
}

/// A token's name: plain text, trimmed, not empty (`domain::fields::text_field`).
pub fn token_name(errors: &mut Vec<FieldError>, name: &str) -> String {
    crate::domain::fields::text_field(errors, "name", name, true)
}

fn audit_token<T: Serialize>(
    conn: &mut DbConn,
    caller: &Caller,
    action: &str,
    entity: EntityKind,
    id: i32,
    before: Option<T>,
    after: T,
) -> AppResult<()> {
    audit::entry(
        conn,
        audit::Entry {
            actor: &caller.actor(),
            action,
            entity,
            entity_id: id.to_string(),
            country: None,
            before: before.and_then(|b| audit::snapshot(&b)),
            after: audit::snapshot(&after),
        },
    )?;
    Ok(())
}

/// Issues a dashboard token named `name` until `expires_at` (administrators; the route says so).
pub fn issue_dashboard_token(
    conn: &mut DbConn,
    caller: &Caller,
    name: &str,
    expires_at: NaiveDateTime,
) -> AppResult<TokenRow> {
    db::write_transaction(conn, |conn| {
        let row = repo::tokens::insert(conn, name, caller.user_id(), expires_at)?;
        audit_token(
            conn,
            caller,
            "create",
            EntityKind::Token,
            row.id,
            None,
            DashboardToken::from(row.clone()),
        )?;
        Ok(row)
    })
}

/// Revokes dashboard token `id` (idempotent: a second revocation writes nothing).
pub fn revoke_dashboard_token(conn: &mut DbConn, caller: &Caller, id: i32) -> AppResult<TokenRow> {
    db::write_transaction(conn, |conn| {
        let not_found = || AppError::NotFound(format!("token {id}"));
        let before = repo::tokens::get(conn, id)?.ok_or_else(not_found)?;
        let after = repo::tokens::revoke(conn, id)?.ok_or_else(not_found)?;
        if before.revoked_at.is_none() {
            let (b, a) = (DashboardToken::from(before), DashboardToken::from(after.clone()));
            audit_token(conn, caller, "revoke", EntityKind::Token, id, Some(b), a)?;
        }
        Ok(after)
    })
}

fn feed_token_owner(caller: &Caller) -> AppResult<i32> {
    caller
        .user_id()
        .ok_or_else(|| AppError::Forbidden("feed tokens belong to people".into()))
}

/// Issues a calendar feed token of the caller's own, named `name`, until `expires_at`.
pub fn issue_feed_token(
    conn: &mut DbConn,
    caller: &Caller,
    name: &str,
    expires_at: NaiveDateTime,
) -> AppResult<FeedTokenRow> {
    let owner = feed_token_owner(caller)?;
    db::write_transaction(conn, |conn| {
        let row = repo::feed_tokens::insert(conn, owner, name, expires_at)?;
        audit_token(
            conn,
            caller,
            "create",
            EntityKind::FeedToken,
            row.id,
            None,
            FeedToken::from(row.clone()),
        )?;
        Ok(row)
    })
}

/// Revokes feed token `id`: the caller's own, or anyone's for an administrator (404 for a
/// token of somebody else's, as if it did not exist). Idempotent.
pub fn revoke_feed_token(conn: &mut DbConn, caller: &Caller, id: i32) -> AppResult<FeedTokenRow> {
    let owner = feed_token_owner(caller)?;
    let any_owner = caller.role == Role::Admin;
    db::write_transaction(conn, |conn| {
        let not_found = || AppError::NotFound(format!("feed token {id}"));
        let before = repo::feed_tokens::get(conn, id)?
            .filter(|t| any_owner || t.user_id == owner)
            .ok_or_else(not_found)?;
        let after = repo::feed_tokens::revoke(conn, id)?.ok_or_else(not_found)?;
        if before.revoked_at.is_none() {
            let (b, a) = (FeedToken::from(before), FeedToken::from(after.clone()));
            audit_token(conn, caller, "revoke", EntityKind::FeedToken, id, Some(b), a)?;
        }
        Ok(after)
    })
}

/// Audits the revocation of a feed token that [`crate::service::users::end_sessions`] revoked.
pub fn audit_feed_token_revoked(conn: &mut DbConn, actor: &str, after: &FeedTokenRow) -> AppResult<()> {
    let mut before = after.clone();
    before.revoked_at = None;
    audit::entry(
        conn,
        audit::Entry {
            actor,
            action: "revoke",
            entity: EntityKind::FeedToken,
            entity_id: after.id.to_string(),
            country: None,
            before: audit::snapshot(&FeedToken::from(before)),
            after: audit::snapshot(&FeedToken::from(after.clone())),
        },
    )?;
    Ok(())
}

/// The feed tokens of account `owner` (`None`: everyone's), if the caller may list them
/// (`Caller::may_list_feed_tokens_of`).
pub fn list_feed_tokens(
    conn: &mut DbConn,
    caller: &Caller,
    owner: Option<i32>,
) -> AppResult<Vec<FeedTokenRow>> {
    if !caller.may_list_feed_tokens_of(owner) {
        return Err(AppError::Forbidden(
            "only administrators list other people's feed tokens".into(),
        ));
    }
    Ok(repo::feed_tokens::list(conn, owner)?)
}
