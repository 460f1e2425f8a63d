//! Writing supervisory comments: one by one (caller, body, If-Match, today) and by CSV file,
//! all or nothing, with the same rules. Administrators and the country's office write them
//! (`Caller::may_administer_country`); everyone reads them.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind};
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::fields::{body_conventions, body_country, source_date_field, text_field};
use crate::domain::reforms::check_link;
use crate::domain::supervision::{check_comment, CommentKind, Footnote, SupervisoryBody, FIRST_YEAR};
use crate::error::{AppError, AppResult, FieldError};
use crate::import::comments::{parse_file, CsvRow, ParsedFile};
use crate::import::RowError;
use crate::repo::comments::{self as store, Comment, CommentFields};
use crate::service::audit::{self, record, Written};
use crate::service::imports::{ImportError, ImportSummary, Progress};

/// The latest year a comment field may name (the schema's bound; "no later than next year"
/// is a rule relative to today).
pub const LAST_YEAR: i32 = 2200;
/// The highest ILC session number accepted.
pub const MAX_ILC_SESSION: i32 = 500;

/// A supervisory comment, as a client writes it.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    /// The NORMLEX comment id, where known.
    pub normlex_id: Option<String>,
    pub body: SupervisoryBody,
    pub kind: CommentKind,
    /// The country; on `PUT` it must stay the same.
    #[schema(example = "KHM")]
    pub country: String,
    /// The instruments it examines (any instrument code, tracked by normtrack or not).
    #[schema(example = json!(["C087"]), min_items = 1, max_items = 50)]
    pub conventions: Vec<String>,
    /// Year adopted (CEACR) or discussed (CAS); no later than next year.
    #[schema(example = 2024, minimum = 1926, maximum = 2200)]
    pub year: i32,
    #[schema(example = 113, minimum = 1, maximum = 500)]
    pub ilc_session: Option<i32>,
    #[schema(minimum = 1926, maximum = 2200)]
    pub published_year: Option<i32>,
    /// Default `unknown`.
    pub footnote: Option<Footnote>,
    /// The year a reply (report) is asked for; the generation run files a follow-up report
    /// request for it.
    #[schema(minimum = 1926, maximum = 2200)]
    pub reply_requested_for: Option<i32>,
    pub case_of_progress: Option<bool>,
    #[serde(default)]
    pub headings: String,
    #[serde(default)]
    pub observations_cited: String,
    #[serde(default)]
    pub label: String,
    /// An http(s) link to the comment.
    #[schema(
        pattern = r"^https?://[^\s\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+$",
        max_length = 2000
    )]
    pub link: Option<String>,
    #[serde(default)]
    pub notes: String,
    #[schema(min_length = 1)]
    pub source: String,
    /// The day, month or year the source speaks for.
    pub source_date: Option<String>,
}

/// What is wrong with a comment: malformed fields (400) and broken rules (422).
#[derive(Debug, Default)]
struct Problems {
    malformed: Vec<FieldError>,
    rules: Vec<FieldError>,
}

impl From<Problems> for AppError {
    fn from(p: Problems) -> Self {
        if p.malformed.is_empty() {
            AppError::unprocessable(p.rules)
        } else {
            let mut all = p.malformed;
            all.extend(p.rules);
            AppError::invalid(all)
        }
    }
}

fn year_field(errors: &mut Vec<FieldError>, field: &str, value: Option<i32>) -> Option<i32> {
    let value = value?;
    if (FIRST_YEAR..=LAST_YEAR).contains(&value) {
        Some(value)
    } else {
        errors.push(FieldError::new(
            field,
            format!("must be from {FIRST_YEAR} to {LAST_YEAR}"),
        ));
        None
    }
}

/// Checks a comment (without the store) and builds what is stored.
fn check(input: CommentInput, this_year: i32) -> Result<(CommentFields, Vec<String>), Problems> {
    let mut malformed = Vec::new();
    let country = body_country(&mut malformed, &input.country);
    let conventions = body_conventions(&mut malformed, &input.conventions, "a comment");
    let normlex_id = text_field(
        &mut malformed,
        "normlex_id",
        input.normlex_id.as_deref().unwrap_or(""),
        false,
    );
    let headings = text_field(&mut malformed, "headings", &input.headings, false);
    let observations_cited = text_field(
        &mut malformed,
        "observations_cited",
        &input.observations_cited,
        false,
    );
    let label = text_field(&mut malformed, "label", &input.label, false);
    let notes = text_field(&mut malformed, "notes", &input.notes, false);
    let source = text_field(&mut malformed, "source", &input.source, true);
    // Absent is `null`; an empty string is malformed, as the schema has it (a CSV row's
    // empty cell is read as absent before it gets here).
    let link = input.link.as_deref().and_then(|l| {
        check_link(l)
            .map_err(|e| malformed.push(FieldError::new("link", e)))
            .ok()
            .map(|_| l.to_string())
    });
    let source_date = source_date_field(&mut malformed, "source_date", input.source_date.as_deref());
    let year = year_field(&mut malformed, "year", Some(input.year));
    let published_year = year_field(&mut malformed, "published_year", input.published_year);
    let reply_requested_for = year_field(&mut malformed, "reply_requested_for", input.reply_requested_for);
    if input
        .ilc_session
        .is_some_and(|s| !(1..=MAX_ILC_SESSION).contains(&s))
    {
        malformed.push(FieldError::new(
            "ilc_session",
            format!("must be from 1 to {MAX_ILC_SESSION}"),
        ));
    }
    if !malformed.is_empty() {
        return Err(Problems {
            malformed,
            rules: Vec::new(),
        });
    }
    let year = year.unwrap_or(input.year);
    let rules: Vec<FieldError> = check_comment(
        input.body,
        input.kind,
        year,
        published_year,
        reply_requested_for,
        this_year,
    )
    .into_iter()
    .map(|(field, message)| FieldError::new(field, message))
    .collect();
    if !rules.is_empty() {
        return Err(Problems {
            malformed: Vec::new(),
            rules,
        });
    }
    Ok((
        CommentFields {
            normlex_id: Some(normlex_id).filter(|n| !n.is_empty()),
            body: input.body,
            kind: input.kind,
            country: country.unwrap_or_default(),
            year,
            ilc_session: input.ilc_session,
            published_year,
            footnote: input.footnote.unwrap_or(Footnote::Unknown),
            reply_requested_for,
            case_of_progress: input.case_of_progress,
            headings,
            observations_cited,
            label,
            link,
            notes,
            source,
            source_date,
        },
        conventions,
    ))
}

/// The answer for a comment that does not exist.
pub fn comment_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("supervisory comment {id}"))
}

/// The entity tag of a comment's version.
pub fn comment_etag(id: i32, version: i32) -> String {
    etag("supervisory_comment", id, version)
}

fn administer(caller: &Caller, country: &str) -> AppResult<()> {
    if caller.may_administer_country(country) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "only administrators and the office of {country} write its supervisory comments"
        )))
    }
}

fn known_country(conn: &mut DbConn, country: &str) -> AppResult<()> {
    if crate::repo::countries::exists(conn, country)? {
        Ok(())
    } else {
        Err(AppError::unprocessable(vec![FieldError::new(
            "country",
            format!("no member state has the code '{country}'"),
        )]))
    }
}

fn audit_comment(
    conn: &mut DbConn,
    caller: &Caller,
    action: &str,
    before: Option<&Comment>,
    after: &Comment,
) -> AppResult<()> {
    record(
        conn,
        caller,
        action,
        Written {
            entity: EntityKind::SupervisoryComment,
            id: after.row.id,
            country: &after.row.country,
        },
        before.and_then(audit::snapshot),
        audit::snapshot(after),
    )
}

/// Records a comment of a country the caller administers.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    input: CommentInput,
    today: NaiveDate,
) -> AppResult<Comment> {
    let (fields, conventions) = check(input, today.year())?;
    db::write_transaction(conn, |conn| {
        known_country(conn, &fields.country)?;
        administer(caller, &fields.country)?;
        let comment = store::insert(conn, &fields, &conventions)?;
        audit_comment(conn, caller, "create", None, &comment)?;
        Ok(comment)
    })
}

/// Changes comment `id` (the whole record; its country stays), if it is still at the
/// version `if_match` names.
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    input: CommentInput,
    today: NaiveDate,
) -> AppResult<Comment> {
    let (fields, conventions) = check(input, today.year())?;
    db::write_transaction(conn, |conn| {
        let current = store::get(conn, id)?.ok_or_else(|| comment_not_found(id))?;
        administer(caller, &current.row.country)?;
        if_match.check(&comment_etag(id, current.row.version))?;
        if fields.country != current.row.country {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "country",
                "a comment's country does not change",
            )]));
        }
        let comment = store::update(conn, id, current.row.version, &fields, &conventions)?
            .ok_or(AppError::PreconditionFailed)?;
        audit_comment(conn, caller, "update", Some(&current), &comment)?;
        Ok(comment)
    })
}

/// The writable fields of a stored comment.
fn fields_of(c: &Comment) -> (CommentFields, Vec<String>) {
    let r = &c.row;
    (
        CommentFields {
            normlex_id: r.normlex_id.clone(),
            body: r.body,
            kind: r.kind,
            country: r.country.clone(),
            year: r.year,
            ilc_session: r.ilc_session,
            published_year: r.published_year,
            footnote: r.footnote,
            reply_requested_for: r.reply_requested_for,
            case_of_progress: r.case_of_progress,
            headings: r.headings.clone(),
            observations_cited: r.observations_cited.clone(),
            label: r.label.clone(),
            link: r.link.clone(),
            notes: r.notes.clone(),
            source: r.source.clone(),
            source_date: r.source_date.clone(),
        },
        c.conventions.clone(),
    )
}

/// A CSV cell: empty means absent.
fn present(cell: String) -> Option<String> {
    let cell = cell.trim();
    (!cell.is_empty()).then(|| cell.to_string())
}

/// A row's cells as a comment body and the id it changes; malformed cells as row errors.
fn row_input(line: u64, row: CsvRow) -> Result<(Option<i32>, CommentInput), Vec<RowError>> {
    let mut errors = Vec::new();
    let mut fail = |column: &str, message: String| {
        errors.push(RowError {
            line,
            column: column.into(),
            message,
        })
    };
    let mut number = |column: &str, raw: &str| -> Option<i32> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        raw.parse::<i32>()
            .map_err(|_| fail(column, format!("'{raw}' is not a whole number")))
            .ok()
    };
    let id = number("id", &row.id);
    let year = number("year", &row.year);
    let ilc_session = number("ilc_session", &row.ilc_session);
    let published_year = number("published_year", &row.published_year);
    let reply_requested_for = number("reply_requested_for", &row.reply_requested_for);
    let body = row
        .body
        .trim()
        .parse::<SupervisoryBody>()
        .map_err(|e| fail("body", e.to_string()))
        .ok();
    let kind = row
        .kind
        .trim()
        .parse::<CommentKind>()
        .map_err(|e| fail("kind", e.to_string()))
        .ok();
    let footnote = match row.footnote.trim() {
        "" => None,
        raw => raw
            .parse::<Footnote>()
            .map_err(|e| fail("footnote", e.to_string()))
            .ok(),
    };
    let case_of_progress = match row.case_of_progress.trim() {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        other => {
            fail(
                "case_of_progress",
                format!("'{other}' is not one of: true, false"),
            );
            None
        }
    };
    if year.is_none() && row.year.trim().is_empty() {
        fail("year", "required".into());
    }
    match (id.is_some() || row.id.trim().is_empty(), body, kind, year) {
        (true, Some(body), Some(kind), Some(year)) if errors.is_empty() => Ok((
            id,
            CommentInput {
                normlex_id: present(row.normlex_id),
                body,
                kind,
                country: row.country,
                conventions: row.conventions.split_whitespace().map(str::to_string).collect(),
                year,
                ilc_session,
                published_year,
                footnote,
                reply_requested_for,
                case_of_progress,
                headings: row.headings,
                observations_cited: row.observations_cited,
                label: row.label,
                link: present(row.link),
                notes: row.notes,
                source: row.source,
                source_date: present(row.source_date),
            },
        )),
        _ => Err(errors),
    }
}

/// Imports a comment CSV file, all or nothing: a row with an `id` changes that comment, one
/// without adds a comment; a row equal to the stored comment counts as unchanged (so an
/// export imports back unchanged). Any bad row rejects the whole file, every bad line named.
pub fn import(
    conn: &mut DbConn,
    caller: &Caller,
    csv: &[u8],
    dry_run: bool,
    today: NaiveDate,
    progress: Progress<'_>,
) -> Result<ImportSummary, ImportError> {
    let ParsedFile {
        rows,
        mut errors,
        readable,
    } = parse_file(csv);
    if !readable {
        return Err(ImportError::Rows(errors));
    }
    let total = rows.len();
    let result = db::write_transaction(conn, |conn| -> Result<ImportSummary, ImportError> {
        let countries: HashSet<String> = crate::repo::countries::codes(conn)?.into_iter().collect();
        let mut seen: HashMap<i32, u64> = HashMap::new();
        let mut summary = ImportSummary {
            dry_run,
            rows: total,
            ..Default::default()
        };
        for (i, (line, row)) in rows.into_iter().enumerate() {
            if i % 1000 == 0 {
                progress("checked", i, total);
            }
            let (id, input) = match row_input(line, row) {
                Ok(parsed) => parsed,
                Err(row_errors) => {
                    row_errors.into_iter().for_each(|e| errors.push(e));
                    continue;
                }
            };
            let mut fail = |column: &str, message: String| {
                errors.push(RowError {
                    line,
                    column: column.into(),
                    message,
                })
            };
            let (fields, conventions) = match check(input, today.year()) {
                Ok(checked) => checked,
                Err(problems) => {
                    for e in problems.malformed.into_iter().chain(problems.rules) {
                        fail(&e.field, e.message);
                    }
                    continue;
                }
            };
            if !countries.contains(&fields.country) {
                fail(
                    "country",
                    format!("no member state has the code '{}'", fields.country),
                );
                continue;
            }
            if !caller.may_administer_country(&fields.country) {
                fail(
                    "country",
                    format!("{} is outside the countries you administer", fields.country),
                );
                continue;
            }
            match id {
                None => {
                    summary.inserted += 1;
                    if !dry_run {
                        let comment = store::insert(conn, &fields, &conventions)?;
                        audit_comment(conn, caller, "create", None, &comment)?;
                    }
                }
                Some(id) => {
                    if let Some(first) = seen.insert(id, line) {
                        fail("id", format!("comment {id} appears already on line {first}"));
                        continue;
                    }
                    let Some(current) = store::get(conn, id)? else {
                        fail("id", format!("no comment has the id {id}"));
                        continue;
                    };
                    if current.row.country != fields.country {
                        fail("country", "a comment's country does not change".into());
                        continue;
                    }
                    if fields_of(&current) == (fields.clone(), conventions.clone()) {
                        summary.unchanged += 1;
                        continue;
                    }
                    summary.updated += 1;
                    if !dry_run {
                        let comment = store::update(conn, id, current.row.version, &fields, &conventions)?
                            .ok_or_else(|| AppError::Conflict(format!("comment {id} changed meanwhile")))?;
                        audit_comment(conn, caller, "update", Some(&current), &comment)?;
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Rows(std::mem::take(&mut errors)));
        }
        progress("checked", total, total);
        Ok(summary)
    });
    result
}

/// One page of the CSV export (comments after id `after`, in id order): the bytes, and the
/// id to continue after, if there is more.
pub fn export_page(
    conn: &mut DbConn,
    filter: &store::CommentFilter,
    after: Option<i32>,
) -> AppResult<(Vec<u8>, Option<i32>)> {
    const PAGE: i64 = 200;
    let comments = store::page_after(conn, filter, after, PAGE)?;
    let next = (comments.len() as i64 == PAGE)
        .then(|| comments.last().map(|c| c.row.id))
        .flatten();
    let rows: Vec<[String; 19]> = comments.iter().map(cells).collect();
    let bytes = crate::import::comments::rows_csv(&rows).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((bytes, next))
}

fn cells(c: &Comment) -> [String; 19] {
    let r = &c.row;
    let number = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    [
        r.id.to_string(),
        r.normlex_id.clone().unwrap_or_default(),
        r.body.to_string(),
        r.kind.to_string(),
        r.country.clone(),
        c.conventions.join(" "),
        r.year.to_string(),
        number(r.ilc_session),
        number(r.published_year),
        r.footnote.to_string(),
        number(r.reply_requested_for),
        r.case_of_progress.map(|b| b.to_string()).unwrap_or_default(),
        r.headings.clone(),
        r.observations_cited.clone(),
        r.label.clone(),
        r.link.clone().unwrap_or_default(),
        r.notes.clone(),
        r.source.clone(),
        r.source_date.clone().unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CommentInput {
        CommentInput {
            normlex_id: None,
            body: SupervisoryBody::Ceacr,
            kind: CommentKind::Observation,
            country: "khm".into(),
            conventions: vec!["c87".into(), "C087".into(), "C150".into()],
            year: 2024,
            ilc_session: Some(113),
            published_year: Some(2025),
            footnote: None,
            reply_requested_for: Some(2026),
            case_of_progress: None,
            headings: "  Art. 2  ".into(),
            observations_cited: String::new(),
            label: String::new(),
            link: None,
            notes: String::new(),
            source: "NORMLEX".into(),
            source_date: Some("2025".into()),
        }
    }

    #[test]
    fn a_comment_is_normalised_and_may_name_instruments_normtrack_does_not_track() {
        let (fields, conventions) = check(input(), 2026).unwrap();
        assert_eq!(fields.country, "KHM");
        assert_eq!(conventions, ["C087", "C150"]);
        assert_eq!(fields.headings, "Art. 2");
        assert_eq!(fields.footnote, Footnote::Unknown);
        assert_eq!(fields.link, None);
    }

    #[test]
    fn malformed_fields_are_told_apart_from_broken_rules() {
        let problems = check(
            CommentInput {
                year: 1800,
                ilc_session: Some(0),
                ..input()
            },
            2026,
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.malformed.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["year", "ilc_session"]);
        let problems = check(
            CommentInput {
                body: SupervisoryBody::Cas,
                ..input()
            },
            2026,
        )
        .unwrap_err();
        assert!(problems.malformed.is_empty());
        assert_eq!(problems.rules[0].field, "kind");
        // Next year is the latest a comment can be from.
        assert_eq!(
            check(
                CommentInput {
                    year: 2028,
                    published_year: None,
                    ..input()
                },
                2026
            )
            .unwrap_err()
            .rules[0]
                .field,
            "year"
        );
    }
}
