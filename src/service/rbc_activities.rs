//! Activities of responsible-business-conduct initiatives and their progress notes: each
//! write checked (`domain::rbc_activities`: who writes, the statuses and the complaint life
//! cycle; the initiative's countries and organizations), `If-Match` on changes, audited in
//! its transaction.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind, Scope};
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::fields::{body_country, text_field};
use crate::domain::rbc_activities::{
    check_activity, may_note_activity, may_write_activity, ActivityKind, ActivityStatus,
};
use crate::domain::reforms::check_link;
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::rbc_activities::{self as store, ActivityFields, ActivityRow, NoteRow};
use crate::service::audit;
use crate::service::rbc::initiative_not_found;

/// An activity of an initiative, as a client writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// The initiative; on `PUT` it must stay the same.
    pub initiative: i32,
    /// Where it takes place: one of the initiative's countries (the only one, when it has
    /// one, is taken when this is left out); for a global initiative any member state, or
    /// none.
    #[schema(example = "PHL")]
    pub country: Option<String>,
    pub kind: ActivityKind,
    #[schema(min_length = 1, example = "Buyer-supplier dialogue on freedom of association")]
    pub title: String,
    /// Within the years 1900 to 2200.
    pub target_on: NaiveDate,
    /// Required when `completed` (or, a complaint, `closed`), not in the future.
    pub completed_on: Option<NaiveDate>,
    /// Defaults to `planned` (`filed` for a complaint) on creation, and to the status it has
    /// on a change. A complaint moves filed → accepted → closed; an activity's kind does not
    /// change into or out of `complaint`.
    pub status: Option<ActivityStatus>,
    /// The responsible organization (of the activity's country).
    pub organization: Option<i32>,
    pub evidence_link: Option<String>,
    #[serde(default)]
    pub notes: String,
}

/// The answer for an activity that does not exist or that the caller may not see.
pub fn activity_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("activity {id}"))
}

/// The entity tag of an activity's version.
pub fn activity_etag(id: i32, version: i32) -> String {
    etag("rbc_activity", id, version)
}

fn may_write(caller: &Caller, country: Option<&str>) -> AppResult<()> {
    if may_write_activity(caller, country) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "administrators write any activity; office staff those in their countries".into(),
        ))
    }
}

/// Reads a body: shape errors are 400; rules against the store and the previous status 422.
fn fields(
    conn: &mut DbConn,
    caller: &Caller,
    input: ActivityInput,
    previous: Option<(ActivityKind, ActivityStatus)>,
    today: NaiveDate,
) -> AppResult<ActivityFields> {
    let mut errors = Vec::new();
    let title = text_field(&mut errors, "title", &input.title, true);
    let notes = text_field(&mut errors, "notes", &input.notes, false);
    let country = input
        .country
        .as_deref()
        .and_then(|raw| body_country(&mut errors, raw));
    let evidence_link = match input.evidence_link.as_deref().map(str::trim) {
        None => None,
        Some(link) => match check_link(link) {
            Ok(()) => Some(link.to_string()),
            Err(e) => {
                errors.push(FieldError::new("evidence_link", e));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let initiative = repo::rbc::get(conn, input.initiative, &caller.read_scope())?
        .ok_or_else(|| initiative_not_found(input.initiative))?;
    let countries = &initiative.links.countries;
    let country = match (country, countries.as_slice()) {
        (None, [only]) => Some(only.clone()),
        (country, _) => country,
    };
    let mut violations = Vec::new();
    match &country {
        None if !countries.is_empty() => violations.push(FieldError::new(
            "country",
            format!(
                "the initiative applies in {}: name one of them",
                countries.join(", ")
            ),
        )),
        Some(c) if !countries.is_empty() && !countries.contains(c) => violations.push(FieldError::new(
            "country",
            format!("the initiative applies in {}, not {c}", countries.join(", ")),
        )),
        Some(c) if !repo::countries::exists(conn, c)? => violations.push(FieldError::new(
            "country",
            format!("no member state has the code '{c}'"),
        )),
        _ => {}
    }
    // Left out: as it stands (on a change), or the kind's first status (on creation).
    let status = input
        .status
        .or(previous.map(|(_, status)| status))
        .unwrap_or(input.kind.first_status());
    for (field, message) in check_activity(
        input.kind,
        status,
        previous,
        input.target_on,
        input.completed_on,
        today,
    ) {
        violations.push(FieldError::new(field, message));
    }
    if let Some(id) = input.organization {
        match (repo::organizations::get(conn, id)?, &country) {
            (None, _) => violations.push(FieldError::new(
                "organization",
                format!("no organization has the id {id}"),
            )),
            (Some(org), Some(c)) if &org.country == c => {}
            (Some(org), _) => violations.push(FieldError::new(
                "organization",
                format!(
                    "organization {id} is of {}, not of the activity's country",
                    org.country
                ),
            )),
        }
    }
    if !violations.is_empty() {
        return Err(AppError::unprocessable(violations));
    }
    Ok(ActivityFields {
        initiative_id: initiative.row.id,
        country,
        kind: input.kind,
        title,
        target_on: input.target_on,
        completed_on: input.completed_on,
        status,
        organization: input.organization,
        evidence_link,
        notes,
    })
}

fn audit_activity(
    conn: &mut DbConn,
    caller: &Caller,
    action: &str,
    country: Option<&str>,
    id: i32,
    before: Option<&ActivityRow>,
    after: Option<&ActivityRow>,
) -> AppResult<()> {
    audit::record_at(
        conn,
        caller,
        action,
        EntityKind::RbcActivity,
        id,
        country,
        before.and_then(audit::snapshot),
        after.and_then(audit::snapshot),
    )
}

/// Records an activity of an initiative the caller sees, in a country it administers.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    input: ActivityInput,
    today: NaiveDate,
) -> AppResult<ActivityRow> {
    db::write_transaction(conn, |conn| {
        let fields = fields(conn, caller, input, None, today)?;
        may_write(caller, fields.country.as_deref())?;
        let row = store::insert(conn, &fields)?;
        audit_activity(
            conn,
            caller,
            "create",
            row.country.as_deref(),
            row.id,
            None,
            Some(&row),
        )?;
        Ok(row)
    })
}

/// Changes activity `id` (the whole record; its initiative stays), if still at the version
/// `if_match` names. The caller must be allowed to write it before and after the change.
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    input: ActivityInput,
    today: NaiveDate,
) -> AppResult<ActivityRow> {
    db::write_transaction(conn, |conn| {
        let current = store::get(conn, id, &caller.read_scope())?.ok_or_else(|| activity_not_found(id))?;
        may_write(caller, current.country.as_deref())?;
        if_match.check(&activity_etag(id, current.version))?;
        if input.initiative != current.initiative_id {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "initiative",
                "an activity's initiative does not change",
            )]));
        }
        let fields = fields(conn, caller, input, Some((current.kind, current.status)), today)?;
        may_write(caller, fields.country.as_deref())?;
        let row = store::update(conn, id, current.version, &fields)?.ok_or(AppError::PreconditionFailed)?;
        audit_activity(
            conn,
            caller,
            "update",
            row.country.as_deref(),
            id,
            Some(&current),
            Some(&row),
        )?;
        Ok(row)
    })
}

/// Deletes activity `id` and its progress notes.
pub fn delete(conn: &mut DbConn, caller: &Caller, id: i32, if_match: &IfMatch) -> AppResult<()> {
    db::write_transaction(conn, |conn| {
        let current = store::get(conn, id, &caller.read_scope())?.ok_or_else(|| activity_not_found(id))?;
        may_write(caller, current.country.as_deref())?;
        if_match.check(&activity_etag(id, current.version))?;
        store::delete(conn, id)?;
        audit_activity(
            conn,
            caller,
            "delete",
            current.country.as_deref(),
            id,
            Some(&current),
            None,
        )
    })
}

/// The progress notes of an activity the caller sees, oldest first.
pub fn notes(conn: &mut DbConn, scope: &Scope, id: i32) -> AppResult<Vec<NoteRow>> {
    store::get(conn, id, scope)?.ok_or_else(|| activity_not_found(id))?;
    Ok(store::notes(conn, id)?)
}

/// Adds a progress note to activity `id` (`domain::rbc_activities::may_note_activity`).
pub fn add_note(conn: &mut DbConn, caller: &Caller, id: i32, text: &str) -> AppResult<NoteRow> {
    let mut errors = Vec::new();
    let text = text_field(&mut errors, "body", text, true);
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    db::write_transaction(conn, |conn| {
        let activity = store::get(conn, id, &caller.read_scope())?.ok_or_else(|| activity_not_found(id))?;
        if !may_note_activity(caller, activity.country.as_deref(), activity.organization) {
            return Err(AppError::Forbidden(
                "only the responsible organization and the country's office add notes to this activity"
                    .into(),
            ));
        }
        let organization = if caller.role.is_constituent() {
            caller.organization
        } else {
            None
        };
        let row = store::insert_note(conn, id, &caller.actor(), organization, &text)?;
        audit::record_at(
            conn,
            caller,
            "create",
            EntityKind::RbcActivityNote,
            row.id,
            activity.country.as_deref(),
            None,
            audit::snapshot(&row),
        )?;
        Ok(row)
    })
}
