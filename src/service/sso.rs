//! Single sign-on (issue 20): a sign-in begun at a provider is kept (state, nonce, PKCE
//! verifier) until its callback, which any instance may take, once, within 10 minutes. The
//! verified address names the normtrack account; no account is made unless the provider has
//! auto-provisioning on, and then only as a `viewer`: roles and countries stay normtrack's to
//! grant. Every sign-in is audited with its provider.

use chrono::Duration;

use crate::config::SsoProvider;
use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind, Role};
use crate::error::{AppError, AppResult};
use crate::outbound::oidc::Identity;
use crate::repo;

/// How long a begun sign-in may take.
pub const SIGN_IN_WITHIN: Duration = Duration::minutes(10);

/// At most this many sign-ins begun in the last 10 minutes, on all instances (some 20 MB of
/// rows): beyond it the store is being filled from many addresses, not used (each address,
/// or IPv6 /64, may begin 60 a minute).
pub const MAX_UNDER_WAY: i64 = 100_000;

/// What the browser that begins a sign-in keeps (in a cookie) and its callback brings back:
/// a sign-in is taken only by the browser that began it, so nobody can finish their own
/// sign-in in someone else's browser (login CSRF).
pub fn browser_binding() -> String {
    crate::auth::random_hex(16)
}

/// What is stored of a browser binding: its SHA-256.
fn browser_digest(binding: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(binding.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Keeps a begun sign-in until its callback.
pub fn begin(
    conn: &mut DbConn,
    provider: &str,
    state: &str,
    nonce: &str,
    pkce_verifier: &str,
    browser: &str,
) -> AppResult<()> {
    let browser = browser_digest(browser);
    db::write_transaction(conn, |conn| {
        repo::sso::forget_before(conn, repo::now() - SIGN_IN_WITHIN * 6)?;
        if repo::sso::begun_since(conn, repo::now() - SIGN_IN_WITHIN)? >= MAX_UNDER_WAY {
            return Err(AppError::Unavailable(
                "too many sign-ins are under way; try again in a few minutes".into(),
            ));
        }
        repo::sso::insert(conn, state, provider, nonce, pkce_verifier, &browser)?;
        Ok(())
    })
}

/// Takes the sign-in `state` names (once): its (nonce, PKCE verifier). A state that was never
/// given, was already used, is older than 10 minutes, belongs to another provider or was
/// begun by another browser (`browser`: the binding its cookie brings) is refused (400): a
/// forged, replayed or planted callback. A state nobody gave is refused by a read alone:
/// forged callbacks take no write lock.
pub fn take(conn: &mut DbConn, provider: &str, state: &str, browser: &str) -> AppResult<(String, String)> {
    let unknown = || {
        AppError::bad_request(
            "this sign-in is unknown, expired, already used or was begun in another browser; start again from the sign-in button",
        )
    };
    let browser = browser_digest(browser);
    let since = repo::now() - SIGN_IN_WITHIN;
    if repo::sso::pending(conn, state, provider, &browser, since)?.is_none() {
        return Err(unknown());
    }
    db::write_transaction(conn, |conn| {
        repo::sso::take(conn, state, provider, &browser, since)?.ok_or_else(unknown)
    })
}

/// The account a verified identity signs in to (made when the provider auto-provisions): the
/// address must be vouched for, in the provider's domains when it lists them, the account's
/// very own (letter case aside), and the account active and not linked to another identity
/// at the provider (its first sign-in there links it). A refusal that concerns an existing
/// account is audited on that account, with the provider and why: it is part of the
/// account's history. An address no account has is only logged: a stranger is no record.
pub fn sign_in(
    conn: &mut DbConn,
    provider: &SsoProvider,
    identity: &Identity,
) -> AppResult<repo::users::User> {
    let refused = |why: &str| AppError::Forbidden(format!("sign-in with {} refused: {why}", provider.name));
    let key = identity.email.as_deref().map(crate::domain::users::email_key);
    let found = match &key {
        Some(key) => repo::users::by_email(conn, key)?,
        None => None,
    };
    // Found by its folded key, the account must have the very address (letter case aside):
    // a similar address is another mailbox, and its account is not touched, not even audited.
    let vouched = identity.email.as_deref().unwrap_or("");
    let similar = found
        .as_ref()
        .is_some_and(|u| !crate::domain::sso::same_address(&u.row.email, vouched));
    let existing = found.filter(|_| !similar);
    let Some(email) = identity.email.as_deref().filter(|_| identity.email_verified) else {
        tracing::info!(
            provider = provider.key,
            "SSO sign-in refused: no verified e-mail address"
        );
        if let Some(user) = &existing {
            audit_sign_in(conn, provider, identity, user, Some("unverified_email"))?;
        }
        return Err(refused(
            "the provider does not vouch for an e-mail address (email_verified)",
        ));
    };
    if !crate::domain::sso::domain_allowed(email, &provider.email_domains) {
        tracing::info!(
            provider = provider.key,
            "SSO sign-in refused: an address outside the provider's domains"
        );
        if let Some(user) = &existing {
            audit_sign_in(conn, provider, identity, user, Some("foreign_domain"))?;
        }
        return Err(refused("the provider may not vouch for addresses of this domain"));
    }
    let user = match existing {
        Some(user) => user,
        None if similar => {
            tracing::info!(
                provider = provider.key,
                "SSO sign-in refused: an account has a similar, not the same, address"
            );
            return Err(refused(
                "no normtrack account has this very address (one has a similar one); ask an administrator",
            ));
        }
        None if provider.auto_provision => {
            let new = crate::service::users::NewUser {
                email: email.to_string(),
                display_name: None,
                role: Role::Viewer,
                countries: Vec::new(),
                country: None,
                organization: None,
                // The account signs in through its provider: it has no password.
                password: None,
                active: true,
                sso_only: true,
            };
            let made = crate::service::users::create_user(conn, &Caller::cli(), new)?;
            tracing::info!(
                provider = provider.key,
                user = made.row.id,
                "account made at first sign-in"
            );
            made
        }
        None => {
            tracing::info!(
                provider = provider.key,
                "SSO sign-in refused: no account has the address"
            );
            return Err(refused(
                "no normtrack account has this address; ask an administrator for one",
            ));
        }
    };
    if !user.row.active {
        audit_sign_in(conn, provider, identity, &user, Some("deactivated"))?;
        return Err(refused("the account is deactivated"));
    }
    match repo::sso::linked_subject(conn, &provider.key, user.row.id)? {
        Some(subject) if subject != identity.subject => {
            audit_sign_in(conn, provider, identity, &user, Some("another_subject"))?;
            return Err(refused(crate::domain::sso::ANOTHER_SUBJECT));
        }
        _ => {}
    }
    audit_sign_in(conn, provider, identity, &user, None)?;
    Ok(user)
}

/// Audits a sign-in to `user` through `provider` (`sso_sign_in`), or its refusal
/// (`sso_sign_in_refused`, with why), as the account's own act.
fn audit_sign_in(
    conn: &mut DbConn,
    provider: &SsoProvider,
    identity: &Identity,
    user: &repo::users::User,
    refused: Option<&str>,
) -> AppResult<()> {
    let actor = Caller {
        principal: crate::domain::access::Principal::User(user.row.id),
        role: user.row.role,
        countries: user.countries.clone(),
        organization: user.row.organization,
    };
    let mut after = serde_json::json!({"provider": provider.key, "subject": identity.subject});
    if let Some(why) = refused {
        after["refused"] = serde_json::Value::from(why);
    }
    let action = if refused.is_some() {
        "sso_sign_in_refused"
    } else {
        "sso_sign_in"
    };
    db::write_transaction(conn, |conn| {
        // The first sign-in at a provider links the account to that identity (checked again
        // here: another may have linked it since).
        if refused.is_none() && !repo::sso::link(conn, &provider.key, user.row.id, &identity.subject)? {
            return Err(AppError::Forbidden(format!(
                "sign-in with {} refused: {}",
                provider.name,
                crate::domain::sso::ANOTHER_SUBJECT
            )));
        }
        super::audit::record_at(
            conn,
            &actor,
            action,
            EntityKind::User,
            user.row.id,
            None,
            None,
            Some(after.clone()),
        )
    })
}
