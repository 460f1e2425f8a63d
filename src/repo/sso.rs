//! Sign-ins begun at an identity provider, kept until their callback (issue 20).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{sso_identities, sso_logins};
use crate::db::DbConn;

pub fn insert(
    conn: &mut DbConn,
    state: &str,
    provider: &str,
    nonce: &str,
    pkce_verifier: &str,
    browser: &str,
) -> QueryResult<()> {
    diesel::insert_into(sso_logins::table)
        .values((
            sso_logins::browser.eq(browser),
            sso_logins::state.eq(state),
            sso_logins::provider.eq(provider),
            sso_logins::nonce.eq(nonce),
            sso_logins::pkce_verifier.eq(pkce_verifier),
            sso_logins::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The sign-in of `state` at `provider` begun after `since` by `browser` and not yet taken:
/// its (nonce, PKCE verifier).
pub fn pending(
    conn: &mut DbConn,
    state: &str,
    provider: &str,
    browser: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<(String, String)>> {
    sso_logins::table
        .filter(sso_logins::state.eq(state))
        .filter(sso_logins::browser.eq(browser))
        .filter(sso_logins::provider.eq(provider))
        .filter(sso_logins::used_at.is_null())
        .filter(sso_logins::created_at.gt(since))
        .select((sso_logins::nonce, sso_logins::pkce_verifier))
        .first(conn)
        .optional()
}

/// Takes the sign-in of `state` at `provider` begun after `since` by `browser` and not yet taken: answers
/// its (nonce, PKCE verifier) and marks it taken, in the caller's transaction.
pub fn take(
    conn: &mut DbConn,
    state: &str,
    provider: &str,
    browser: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<(String, String)>> {
    let found = pending(conn, state, provider, browser, since)?;
    if found.is_some() {
        let taken = diesel::update(
            sso_logins::table
                .filter(sso_logins::state.eq(state))
                .filter(sso_logins::used_at.is_null()),
        )
        .set(sso_logins::used_at.eq(Some(super::now())))
        .execute(conn)?;
        if taken != 1 {
            return Ok(None);
        }
    }
    Ok(found)
}

/// Forgets sign-ins begun before `before` (they can no longer be finished).
pub fn forget_before(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sso_logins::table.filter(sso_logins::created_at.lt(before))).execute(conn)
}

/// How many sign-ins were begun after `since`.
pub fn begun_since(conn: &mut DbConn, since: NaiveDateTime) -> QueryResult<i64> {
    sso_logins::table
        .filter(sso_logins::created_at.gt(since))
        .count()
        .get_result(conn)
}

/// The subject account `user_id` signed in with at `provider`, if it has.
pub fn linked_subject(conn: &mut DbConn, provider: &str, user_id: i32) -> QueryResult<Option<String>> {
    sso_identities::table
        .filter(sso_identities::provider.eq(provider))
        .filter(sso_identities::user_id.eq(user_id))
        .select(sso_identities::subject)
        .first(conn)
        .optional()
}

/// Links account `user_id` to `subject` at `provider` unless it is linked there already;
/// whether it is linked to `subject` (false: to another). Two first sign-ins racing on
/// PostgreSQL: the second's insert is a unique violation (a 409).
pub fn link(conn: &mut DbConn, provider: &str, user_id: i32, subject: &str) -> QueryResult<bool> {
    if let Some(linked) = linked_subject(conn, provider, user_id)? {
        return Ok(linked == subject);
    }
    diesel::insert_into(sso_identities::table)
        .values((
            sso_identities::provider.eq(provider),
            sso_identities::user_id.eq(user_id),
            sso_identities::subject.eq(subject),
            sso_identities::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Forgets the identities account `user_id` signed in with (its address changed).
pub fn unlink_all(conn: &mut DbConn, user_id: i32) -> QueryResult<usize> {
    diesel::delete(sso_identities::table.filter(sso_identities::user_id.eq(user_id))).execute(conn)
}
