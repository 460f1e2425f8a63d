//! A person's reminder rules (`/auth/me/reminders`, issue 17): the defaults until they change
//! them; turning reminders on needs e-mail configured on the server.

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

/// The caller's rules.
pub fn get(conn: &mut DbConn, caller: &Caller) -> AppResult<ReminderSettings> {
    let user = person(caller)?;
    Ok(read(repo::reminders::settings(conn, user)?.as_deref()))
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
        return Err(AppError::Conflict(
            "e-mail is off on this server (NORMTRACK_SMTP_URL and NORMTRACK_MAIL_FROM are not set): \
             reminders can only be turned off"
                .into(),
        ));
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
