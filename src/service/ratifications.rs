//! Writing ratification records: one record (`PUT`) or a whole CSV file (import), with the
//! domain rules, optimistic concurrency, history and audit.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::db::{self, DbConn};
use crate::domain::access::Caller;
use crate::domain::concurrency::{ratification_etag, IfMatch};
use crate::domain::ratification::Status;
use crate::domain::ratification_rules::{self, Context, Instrument, Proposed};
use crate::error::{AppError, AppResult, FieldError};
use crate::import::ratifications::{parse_file, ParsedFile};
use crate::import::RowError;
use crate::repo;
use crate::repo::conventions::ConventionRow;
use crate::repo::ratifications::{RatificationFields, RatificationRow};
use crate::service::audit;

/// What a write did to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

fn instrument_of(row: &ConventionRow) -> Instrument {
    Instrument {
        code: row.code.clone(),
        adopted_year: row.adopted_year,
        adopted_on: row.adopted_on,
        in_force_on: row.in_force_on,
        parent: row.parent.clone(),
    }
}

fn proposed(fields: &RatificationFields) -> Proposed {
    Proposed {
        status: fields.status,
        stage: fields.stage,
        registered_on: fields.registered_on,
        in_force_on: fields.in_force_on,
        denounced_on: fields.denounced_on,
        minimum_age: fields.minimum_age,
        source_incomplete: fields.source_incomplete,
    }
}

/// Applies the rules to `fields` (whose `in_force_on` becomes the resolved date).
fn apply_rules(
    fields: &mut RatificationFields,
    instrument: &ConventionRow,
    protocols: &[String],
    status_of: &dyn Fn(&str) -> Option<Status>,
    current: Option<&RatificationRow>,
    today: NaiveDate,
) -> AppResult<Result<(), Vec<ratification_rules::Violation>>> {
    let context = Context {
        today,
        instrument: instrument_of(instrument),
        parent_status: instrument.parent.as_deref().and_then(status_of),
        ratified_protocols: protocols
            .iter()
            .filter(|p| status_of(p) == Some(Status::Ratified))
            .cloned()
            .collect(),
        current_minimum_age: current.and_then(|r| r.minimum_age),
    };
    Ok(match ratification_rules::check(&proposed(fields), &context) {
        Ok(in_force_on) => {
            fields.in_force_on = in_force_on;
            Ok(())
        }
        Err(violations) => Err(violations),
    })
}

fn audit_entry<'a>(
    actor: &'a str,
    before: Option<&RatificationRow>,
    after: &'a RatificationRow,
) -> audit::Entry<'a> {
    audit::Entry {
        actor,
        action: if before.is_some() { "update" } else { "create" },
        entity: crate::domain::access::EntityKind::Ratification,
        entity_id: format!("{}/{}", after.country, after.convention),
        country: Some(&after.country),
        before: before.and_then(audit::snapshot),
        after: audit::snapshot(after),
    }
}

fn audit_write(
    conn: &mut DbConn,
    actor: &str,
    before: Option<&RatificationRow>,
    after: &RatificationRow,
) -> AppResult<()> {
    audit::entry(conn, audit_entry(actor, before, after))
}

/// Creates or changes one record. A new record needs no `If-Match`; an existing one needs
/// its current `ETag`. Only administrators and the office users of the country may write.
pub fn put(
    conn: &mut DbConn,
    caller: &Caller,
    mut fields: RatificationFields,
    if_match: &IfMatch,
    today: NaiveDate,
) -> AppResult<(Outcome, RatificationRow)> {
    db::write_transaction(conn, |conn| {
        let (country, code) = (fields.country.clone(), fields.convention.clone());
        if !repo::countries::exists(conn, &country)? {
            return Err(AppError::NotFound(format!("country '{country}'")));
        }
        let instrument = repo::conventions::get(conn, &code)?
            .ok_or_else(|| AppError::NotFound(format!("instrument '{code}'")))?;
        if !caller.may_administer_country(&country) {
            return Err(AppError::Forbidden(format!(
                "you do not administer the ratifications of {country}"
            )));
        }
        let current = repo::ratifications::find(conn, &country, &code)?;
        match &current {
            Some(row) => if_match.check(&ratification_etag(&row.country, &row.convention, row.version))?,
            None => if_match.check_absent()?,
        }
        let protocols = repo::conventions::protocols_of(conn, &code)?;
        let mut related = HashMap::new();
        for other in instrument.parent.iter().chain(protocols.iter()) {
            if let Some(row) = repo::ratifications::find(conn, &country, other)? {
                related.insert(other.clone(), Some(row.status));
            }
        }
        let status_of = |c: &str| related.get(c).copied().flatten();
        if let Err(violations) = apply_rules(
            &mut fields,
            &instrument,
            &protocols,
            &status_of,
            current.as_ref(),
            today,
        )? {
            return Err(AppError::unprocessable(
                violations
                    .into_iter()
                    .map(|v| FieldError::new(v.field, v.message))
                    .collect(),
            ));
        }
        let actor = caller.actor();
        match current {
            Some(row) if RatificationFields::of(&row) == fields => Ok((Outcome::Unchanged, row)),
            Some(row) => {
                let after = repo::ratifications::update(conn, &row, &fields, &actor)?
                    .ok_or(AppError::PreconditionFailed)?;
                audit_write(conn, &actor, Some(&row), &after)?;
                Ok((Outcome::Updated, after))
            }
            None => {
                let after = repo::ratifications::insert(conn, &fields, &actor)?;
                audit_write(conn, &actor, None, &after)?;
                Ok((Outcome::Created, after))
            }
        }
    })
}

pub use super::imports::{ImportError, ImportSummary, Progress};

/// Records per page of an export: a page is read with one short query and written out
/// before the next is read, so an export's memory does not grow with the data.
pub const EXPORT_PAGE: i64 = 100;

/// Where an export continues: the (country, instrument) of the last row written.
pub type ExportKey = (String, String);

/// One page of a CSV export: the rows after `after` (all from the start when `None`) as CSV,
/// and the key to continue after, or `None` when this was the last page.
pub fn export_page(
    conn: &mut DbConn,
    filter: &repo::ratifications::RatificationFilter,
    after: Option<&ExportKey>,
) -> AppResult<(Vec<u8>, Option<ExportKey>)> {
    let rows = repo::ratifications::page_matching(conn, filter, after, EXPORT_PAGE)?;
    let next = (rows.len() as i64 == EXPORT_PAGE)
        .then(|| rows.last().map(|r| (r.country.clone(), r.convention.clone())))
        .flatten();
    let bytes =
        crate::import::ratifications::rows_csv(&rows).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((bytes, next))
}

/// Imports a ratification CSV file: all or nothing, in one transaction. Every bad row is
/// reported with its line, column and reason, and then nothing changes. A dry run checks
/// only. Each change writes its history row and an audit entry.
pub fn import(
    conn: &mut DbConn,
    caller: &Caller,
    csv: &[u8],
    dry_run: bool,
    today: NaiveDate,
    progress: Progress<'_>,
) -> Result<ImportSummary, ImportError> {
    let ParsedFile {
        rows: parsed,
        mut errors,
        readable,
        total,
    } = parse_file(csv);
    if !readable {
        return Err(ImportError::Rows(errors));
    }
    let actor = caller.actor();
    let result = db::write_transaction(conn, |conn| -> Result<ImportSummary, ImportError> {
        let instruments: HashMap<String, ConventionRow> = repo::conventions::all(conn)?
            .into_iter()
            .map(|c| (c.code.clone(), c))
            .collect();
        let mut protocols: HashMap<String, Vec<String>> = HashMap::new();
        for c in instruments.values() {
            if let Some(parent) = &c.parent {
                protocols.entry(parent.clone()).or_default().push(c.code.clone());
            }
        }
        let countries: HashSet<String> = repo::countries::codes(conn)?.into_iter().collect();
        let touched: Vec<String> = {
            let set: HashSet<&String> = parsed
                .iter()
                .map(|(_, f)| &f.country)
                .filter(|c| countries.contains(*c))
                .collect();
            set.into_iter().cloned().collect()
        };
        let existing: HashMap<(String, String), RatificationRow> =
            repo::ratifications::all_for(conn, Some(&touched))?
                .into_iter()
                .map(|r| ((r.country.clone(), r.convention.clone()), r))
                .collect();

        // The state the file leaves behind: stored records overlaid with the file's rows.
        let mut first_line: HashMap<(String, String), u64> = HashMap::new();
        let mut effective: HashMap<(String, String), Option<Status>> = existing
            .iter()
            .map(|(k, r)| (k.clone(), Some(r.status)))
            .collect();
        for (line, fields) in &parsed {
            let key = (fields.country.clone(), fields.convention.clone());
            if let Some(first) = first_line.get(&key) {
                errors.push(RowError {
                    line: *line,
                    column: "convention".into(),
                    message: format!("{} {} appears already on line {first}", key.0, key.1),
                });
                continue;
            }
            first_line.insert(key.clone(), *line);
            effective.insert(key, Some(fields.status));
        }

        let mut changes = Vec::new();
        let mut unchanged = 0;
        for (i, (line, fields)) in parsed.iter().enumerate() {
            if i % 1000 == 0 {
                progress("validated", i, total);
            }
            if first_line.get(&(fields.country.clone(), fields.convention.clone())) != Some(line) {
                continue;
            }
            let mut fail = |column: &str, message: String| {
                errors.push(RowError {
                    line: *line,
                    column: column.into(),
                    message,
                })
            };
            if !countries.contains(&fields.country) {
                fail(
                    "country",
                    format!("no member state has the code '{}'", fields.country),
                );
                continue;
            }
            let Some(instrument) = instruments.get(&fields.convention) else {
                fail(
                    "convention",
                    format!("no instrument has the code '{}'", fields.convention),
                );
                continue;
            };
            if !caller.may_administer_country(&fields.country) {
                fail(
                    "country",
                    format!("{} is outside the countries you administer", fields.country),
                );
                continue;
            }
            let current = existing.get(&(fields.country.clone(), fields.convention.clone()));
            let mut fields = fields.clone();
            let country = fields.country.clone();
            let status_of = |code: &str| {
                effective
                    .get(&(country.clone(), code.to_string()))
                    .copied()
                    .flatten()
            };
            let no_protocols = Vec::new();
            let instrument_protocols = protocols.get(&fields.convention).unwrap_or(&no_protocols);
            // A row that matches the stored record changes nothing and is not re-checked,
            // so an export imports back unchanged.
            let as_stored = current.is_some_and(|row| {
                let mut candidate = fields.clone();
                candidate.in_force_on = candidate.in_force_on.or(row.in_force_on);
                RatificationFields::of(row) == candidate
            });
            if as_stored {
                unchanged += 1;
                continue;
            }
            match apply_rules(
                &mut fields,
                instrument,
                instrument_protocols,
                &status_of,
                current,
                today,
            )? {
                Err(violations) => {
                    for v in violations {
                        fail(v.field, v.message);
                    }
                }
                Ok(()) if current.is_some_and(|row| RatificationFields::of(row) == fields) => unchanged += 1,
                Ok(()) => changes.push((current.cloned(), fields)),
            }
        }
        progress("validated", total, total);
        if !errors.is_empty() {
            return Err(ImportError::Rows(std::mem::take(&mut errors)));
        }
        let inserted = changes.iter().filter(|(current, _)| current.is_none()).count();
        let summary = ImportSummary {
            dry_run,
            rows: total,
            inserted,
            updated: changes.len() - inserted,
            unchanged,
        };
        if dry_run {
            return Ok(summary);
        }
        let count = changes.len();
        let (inserts, updates): (Vec<_>, Vec<_>) =
            changes.into_iter().partition(|(current, _)| current.is_none());
        let new_fields: Vec<RatificationFields> = inserts.into_iter().map(|(_, fields)| fields).collect();
        let mut written: Vec<(Option<RatificationRow>, RatificationRow)> = Vec::with_capacity(count);
        for chunk in new_fields.chunks(1000) {
            progress("written", written.len(), count);
            let rows = repo::ratifications::insert_many(conn, chunk, &actor)?;
            written.extend(rows.into_iter().map(|row| (None, row)));
        }
        for (current, fields) in updates {
            if written.len() % 1000 == 0 {
                progress("written", written.len(), count);
            }
            let current = current.ok_or_else(|| AppError::Internal("an update without its record".into()))?;
            let after = repo::ratifications::update(conn, &current, &fields, &actor)?
                .ok_or_else(|| AppError::Internal("a record changed during the import".into()))?;
            written.push((Some(current), after));
        }
        let entries = written
            .iter()
            .map(|(before, after)| audit_entry(&actor, before.as_ref(), after))
            .collect();
        audit::entries(conn, entries)?;
        progress("written", count, count);
        Ok(summary)
    });
    if !errors.is_empty() {
        return Err(ImportError::Rows(errors));
    }
    result
}
