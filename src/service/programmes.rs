//! Programmes: a named set of countries and a period, kept by administrators, read by those
//! who see one of its countries (`domain::programmes::may_read_programme`). Every write is
//! audited; changes need `If-Match`.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind, Role};
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::fields::{body_countries, text_field};
use crate::domain::pagination::PageRequest;
use crate::domain::programmes::{check_period, may_read_programme, visible_countries};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::programmes::{Programme, ProgrammeFields};
use crate::service::audit;

/// A programme, as an administrator writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    #[schema(min_length = 1, example = "Trade for Decent Work")]
    pub name: String,
    /// The member states it works in (ISO alpha-3).
    #[schema(example = json!(["BGD", "PHL", "VNM"]), min_items = 1, max_items = 200)]
    pub countries: Vec<String>,
    #[schema(example = "2019-01-01")]
    pub starts_on: NaiveDate,
    /// No earlier than `starts_on`.
    #[schema(example = "2027-12-31")]
    pub ends_on: NaiveDate,
    #[serde(default)]
    pub notes: String,
}

/// The answer for a programme that does not exist or that the caller may not see.
pub fn programme_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("programme {id}"))
}

/// The entity tag of a programme's version.
pub fn programme_etag(id: i32, version: i32) -> String {
    etag("programme", id, version)
}

fn keep(caller: &Caller) -> AppResult<()> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "programmes are kept by administrators".into(),
        ))
    }
}

fn shape(conn: &mut DbConn, input: ProgrammeInput) -> AppResult<(ProgrammeFields, Vec<String>)> {
    let mut errors = Vec::new();
    let name = text_field(&mut errors, "name", &input.name, true);
    let notes = text_field(&mut errors, "notes", &input.notes, false);
    let countries = body_countries(&mut errors, &input.countries);
    if input.countries.is_empty() {
        errors.push(FieldError::new(
            "countries",
            "a programme works in at least one country",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let mut violations: Vec<FieldError> =
        check_period("starts_on", input.starts_on, "ends_on", input.ends_on)
            .into_iter()
            .map(|(f, m)| FieldError::new(f, m))
            .collect();
    for c in &countries {
        if !repo::countries::exists(conn, c)? {
            violations.push(FieldError::new(
                "countries",
                format!("no member state has the code '{c}'"),
            ));
        }
    }
    if !violations.is_empty() {
        return Err(AppError::unprocessable(violations));
    }
    Ok((
        ProgrammeFields {
            name,
            starts_on: input.starts_on,
            ends_on: input.ends_on,
            notes,
        },
        countries,
    ))
}

fn audit_programme(
    conn: &mut DbConn,
    caller: &Caller,
    action: &str,
    id: i32,
    before: Option<&Programme>,
    after: Option<&Programme>,
) -> AppResult<()> {
    audit::record_at(
        conn,
        caller,
        action,
        EntityKind::Programme,
        id,
        None,
        before.and_then(audit::snapshot),
        after.and_then(audit::snapshot),
    )
}

/// A programme as the caller may see it: only the countries of its scope.
pub fn seen_by(caller: &Caller, mut programme: Programme) -> Programme {
    programme.countries = visible_countries(caller, &programme.countries);
    programme
}

/// One page of the programmes the caller may see, by id, and their total.
pub fn list(conn: &mut DbConn, caller: &Caller, page: PageRequest) -> AppResult<(Vec<Programme>, i64)> {
    let visible: Vec<Programme> = repo::programmes::all(conn)?
        .into_iter()
        .filter(|p| may_read_programme(caller, &p.countries))
        .collect();
    let total = visible.len() as i64;
    let window = page.window(visible.len());
    let rows = visible
        .into_iter()
        .skip(window.start)
        .take(window.len())
        .map(|p| seen_by(caller, p))
        .collect();
    Ok((rows, total))
}

/// Programme `id`, if the caller may see it (with the countries of its scope only).
pub fn get(conn: &mut DbConn, caller: &Caller, id: i32) -> AppResult<Programme> {
    repo::programmes::get(conn, id)?
        .filter(|p| may_read_programme(caller, &p.countries))
        .map(|p| seen_by(caller, p))
        .ok_or_else(|| programme_not_found(id))
}

/// Records a programme.
pub fn create(conn: &mut DbConn, caller: &Caller, input: ProgrammeInput) -> AppResult<Programme> {
    keep(caller)?;
    db::write_transaction(conn, |conn| {
        let (fields, countries) = shape(conn, input)?;
        let programme = repo::programmes::insert(conn, &fields, &countries)?;
        audit_programme(conn, caller, "create", programme.row.id, None, Some(&programme))?;
        Ok(programme)
    })
}

/// Changes programme `id` (the whole record), if still at the version `if_match` names.
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    input: ProgrammeInput,
) -> AppResult<Programme> {
    keep(caller)?;
    db::write_transaction(conn, |conn| {
        let current = repo::programmes::get(conn, id)?.ok_or_else(|| programme_not_found(id))?;
        if_match.check(&programme_etag(id, current.row.version))?;
        let (fields, countries) = shape(conn, input)?;
        let programme = repo::programmes::update(conn, id, current.row.version, &fields, &countries)?
            .ok_or(AppError::PreconditionFailed)?;
        audit_programme(conn, caller, "update", id, Some(&current), Some(&programme))?;
        Ok(programme)
    })
}

/// Deletes programme `id` (its records of progress are the other records; nothing else goes).
pub fn delete(conn: &mut DbConn, caller: &Caller, id: i32, if_match: &IfMatch) -> AppResult<()> {
    keep(caller)?;
    db::write_transaction(conn, |conn| {
        let current = repo::programmes::get(conn, id)?.ok_or_else(|| programme_not_found(id))?;
        if_match.check(&programme_etag(id, current.row.version))?;
        repo::programmes::delete(conn, id)?;
        audit_programme(conn, caller, "delete", id, Some(&current), None)
    })
}
