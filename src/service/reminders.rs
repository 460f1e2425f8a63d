//! Reminder rules (issue 17): a person's (`/auth/me/reminders`), a country's defaults set by
//! its office (`/countries/{iso3}/reminder-defaults`), and the built-in defaults, in that
//! order; turning reminders on needs e-mail configured on the server.

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind};
use crate::domain::reminders::ReminderSettings;
use crate::error::{AppError, AppResult};
use crate::repo;

fn person(caller: &Caller) -> AppResult<i32> {
    caller
        .user_id()
        .ok_or_else(|| AppError::Forbidden("reminders belong to people".into()))
}

/// Stored settings, or the defaults when none are stored or they no longer read.
pub fn read(stored: Option<&str>) -> ReminderSettings {
    stored
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

/// A person's rules: their own when they chose them, else their country's (set by its office,
/// for constituents, who belong to one country), else the defaults.
pub fn effective(own: Option<&str>, country: Option<&str>) -> ReminderSettings {
    read(own.or(country))
}

/// The caller's rules in force.
pub fn get(conn: &mut DbConn, caller: &Caller) -> AppResult<ReminderSettings> {
    let user = person(caller)?;
    let own = repo::reminders::settings(conn, user)?;
    let country = match (caller.role.is_constituent(), caller.countries.first()) {
        (true, Some(country)) => repo::reminders::country_defaults(conn, country)?,
        _ => None,
    };
    Ok(effective(own.as_deref(), country.as_deref()))
}

/// A country's defaults: what its constituents get until they choose. Read by those who read
/// the country's records.
pub fn get_country(conn: &mut DbConn, caller: &Caller, country: &str) -> AppResult<ReminderSettings> {
    if !caller.may_read_country(country) || !repo::countries::exists(conn, country)? {
        return Err(AppError::NotFound(format!("country '{country}'")));
    }
    Ok(read(repo::reminders::country_defaults(conn, country)?.as_deref()))
}

/// Sets a country's defaults: administrators and the country's office.
pub fn put_country(
    conn: &mut DbConn,
    caller: &Caller,
    country: &str,
    settings: ReminderSettings,
    mail_on: bool,
) -> AppResult<ReminderSettings> {
    if !caller.may_read_country(country) || !repo::countries::exists(conn, country)? {
        return Err(AppError::NotFound(format!("country '{country}'")));
    }
    if !caller.may_administer_country(country) {
        return Err(AppError::Forbidden(
            "a country's reminder defaults are set by its office or an administrator".into(),
        ));
    }
    let settings = settings.checked().map_err(AppError::unprocessable)?;
    if settings.sends_anything() && !mail_on {
        return Err(mail_off());
    }
    db::write_transaction(conn, |conn| {
        let before = read(repo::reminders::country_defaults(conn, country)?.as_deref());
        let text = serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
        repo::reminders::put_country_defaults(conn, country, &text)?;
        let actor = caller.actor();
        super::audit::entry(
            conn,
            super::audit::Entry {
                actor: &actor,
                action: "update",
                entity: EntityKind::ReminderDefaults,
                entity_id: country.to_string(),
                country: Some(country),
                before: super::audit::snapshot(&before),
                after: super::audit::snapshot(&settings),
            },
        )?;
        Ok(settings.clone())
    })
}

fn mail_off() -> AppError {
    AppError::Conflict(
        "e-mail is off on this server (NORMTRACK_SMTP_URL and NORMTRACK_MAIL_FROM are not set): \
         reminders can only be turned off"
            .into(),
    )
}

/// Replaces the caller's rules. `mail_on`: whether the server can send e-mail; without it,
/// rules that would send anything are refused with 409.
pub fn put(
    conn: &mut DbConn,
    caller: &Caller,
    settings: ReminderSettings,
    mail_on: bool,
) -> AppResult<ReminderSettings> {
    let user = person(caller)?;
    let settings = settings.checked().map_err(AppError::unprocessable)?;
    if settings.sends_anything() && !mail_on {
        return Err(mail_off());
    }
    db::write_transaction(conn, |conn| {
        let before = read(repo::reminders::settings(conn, user)?.as_deref());
        let text = serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
        repo::reminders::put_settings(conn, user, &text)?;
        super::audit::record_at(
            conn,
            caller,
            "reminders",
            EntityKind::User,
            user,
            None,
            super::audit::snapshot(&before),
            super::audit::snapshot(&settings),
        )?;
        Ok(settings.clone())
    })
}
