//! Instruments (conventions and protocols): adding and changing them, with the instrument
//! rules (`domain::instruments`), each write audited in its transaction. Administrators only
//! (the route says so).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::Caller;
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::instruments::{check_instrument, ProposedInstrument};
use crate::domain::reference::{Category, InstrumentType, Principle};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::conventions::ConventionRow;
use crate::service::audit;

/// A count of ratifications published elsewhere, with its date and source.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceCount {
    pub count: i32,
    /// When the count was true, as the source says.
    pub as_of: Option<String>,
    pub source: Option<String>,
}

/// An international labour instrument.
#[derive(Debug, Serialize, ToSchema)]
pub struct Convention {
    /// Instrument code: the key.
    #[schema(example = "C087")]
    pub code: String,
    pub instrument_type: InstrumentType,
    /// The title in the language of the answer (`title_lang`).
    pub title: String,
    pub short_title: String,
    /// The language `title` and `short_title` are in: the one asked for, or `en` where no
    /// translation exists (an instrument added through the API has none).
    pub title_lang: crate::i18n::Lang,
    pub category: Category,
    /// The fundamental principle; `null` for governance and technical instruments.
    pub principle: Option<Principle>,
    /// For a protocol, the convention it belongs to.
    #[schema(example = "C029")]
    pub parent: Option<String>,
    pub adopted_year: i32,
    pub adopted_on: Option<NaiveDate>,
    /// When the instrument itself entered into force.
    pub in_force_on: Option<NaiveDate>,
    /// Where the dates come from.
    pub dates_source: String,
    /// How sure the dates are (`UNVERIFIED` marks dates from general knowledge).
    pub dates_confidence: String,
    pub normlex_id: Option<String>,
    /// The ratification count a public source gave, where one is known.
    pub reference_count: Option<ReferenceCount>,
    /// Moves on with every change; the `ETag` carries it.
    pub version: i32,
}

impl Convention {
    pub fn from_row(row: ConventionRow) -> AppResult<Convention> {
        let (title, title_lang) = crate::i18n::names::title_in(&row.code, &row.title);
        Ok(Convention {
            instrument_type: row.instrument_type,
            category: row.category,
            principle: row.principle,
            reference_count: row.reference_ratifications.map(|count| ReferenceCount {
                count,
                as_of: row.reference_ratifications_as_of,
                source: row.reference_ratifications_source,
            }),
            title_lang,
            title,
            short_title: crate::i18n::names::short_title(&row.code, &row.short_title),
            code: row.code,
            parent: row.parent,
            adopted_year: row.adopted_year,
            adopted_on: row.adopted_on,
            in_force_on: row.in_force_on,
            dates_source: row.dates_source,
            dates_confidence: row.dates_confidence,
            normlex_id: row.normlex_id,
            version: row.version,
        })
    }
}

/// An instrument as an administrator records it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConventionInput {
    /// Required when creating; when given on `PUT` it must equal the path's code.
    #[schema(example = "C190")]
    pub code: Option<String>,
    pub instrument_type: InstrumentType,
    #[schema(example = "Violence and Harassment Convention, 2019 (No. 190)")]
    #[schema(min_length = 1)]
    pub title: String,
    /// Defaults to the title without its year and number.
    #[schema(min_length = 1)]
    pub short_title: Option<String>,
    pub category: Category,
    /// Required for fundamental instruments, absent for the others.
    pub principle: Option<Principle>,
    /// For a protocol: the convention it belongs to.
    pub parent: Option<String>,
    #[schema(example = 2019)]
    pub adopted_year: i32,
    pub adopted_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    /// Where the dates come from.
    #[schema(min_length = 1)]
    pub dates_source: String,
    #[serde(default)]
    #[schema(min_length = 1)]
    pub dates_confidence: Option<String>,
    pub normlex_id: Option<String>,
}

fn default_short_title(title: &str) -> String {
    // "Forced Labour Convention, 1930 (No. 29)" -> "Forced Labour Convention"
    let without_number = title.split(" (No.").next().unwrap_or(title);
    match without_number.rsplit_once(", ") {
        Some((head, year)) if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => head.to_string(),
        _ => without_number.trim().to_string(),
    }
}

/// Checks the body and builds the row (`version` is the caller's to set).
pub fn convention_row(
    conn: &mut crate::db::DbConn,
    code: String,
    input: ConventionInput,
    version: i32,
) -> AppResult<ConventionRow> {
    let mut errors = Vec::new();
    let mut text = |field: &str, value: &str, required: bool| {
        crate::domain::fields::text_field(&mut errors, field, value, required)
    };
    let title = text("title", &input.title, true);
    let short_title = match &input.short_title {
        Some(s) => text("short_title", s, true),
        None => default_short_title(&title),
    };
    let dates_source = text("dates_source", &input.dates_source, true);
    let dates_confidence = text(
        "dates_confidence",
        input.dates_confidence.as_deref().unwrap_or("sourced"),
        true,
    );
    let normlex_id = input
        .normlex_id
        .as_deref()
        .map(|n| text("normlex_id", n, false))
        .filter(|n| !n.is_empty());
    let parent = match input.parent.as_deref() {
        None => None,
        Some(raw) => match crate::domain::codes::parse_instrument_code(raw) {
            Some(code) => Some(code),
            None => {
                errors.push(FieldError::new(
                    "parent",
                    format!("'{raw}' is not an instrument code"),
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    // `None`: no such parent; `Some(type)` otherwise.
    let parent_type = match &parent {
        Some(p) => repo::conventions::get(conn, p)?.map(|row| Some(row.instrument_type)),
        None => None,
    };
    let proposed = ProposedInstrument {
        code: code.clone(),
        instrument_type: input.instrument_type,
        category: input.category,
        has_principle: input.principle.is_some(),
        parent: parent.clone(),
        adopted_year: input.adopted_year,
        adopted_on: input.adopted_on,
        in_force_on: input.in_force_on,
    };
    let violations = check_instrument(&proposed, parent_type, chrono::Utc::now().date_naive());
    if !violations.is_empty() {
        return Err(AppError::unprocessable(
            violations
                .into_iter()
                .map(|(f, m)| FieldError::new(f, m))
                .collect(),
        ));
    }
    Ok(ConventionRow {
        code,
        instrument_type: input.instrument_type,
        title,
        short_title,
        category: input.category,
        principle: input.principle,
        parent,
        adopted_year: input.adopted_year,
        adopted_on: input.adopted_on,
        in_force_on: input.in_force_on,
        dates_source,
        dates_confidence,
        normlex_id,
        reference_ratifications: None,
        reference_ratifications_as_of: None,
        reference_ratifications_source: None,
        version,
    })
}

fn audit_convention(
    conn: &mut crate::db::DbConn,
    caller: &Caller,
    before: Option<&ConventionRow>,
    after: &ConventionRow,
) -> AppResult<()> {
    // The audit keeps the English titles, whatever language the change was asked in.
    let snapshot = |row: &ConventionRow| {
        crate::i18n::in_english(|| Convention::from_row(row.clone()))
            .ok()
            .and_then(|c| audit::snapshot(&c))
    };
    audit::entry(
        conn,
        audit::Entry {
            actor: &caller.actor(),
            action: if before.is_some() { "update" } else { "create" },
            entity: crate::domain::access::EntityKind::Convention,
            entity_id: after.code.clone(),
            country: None,
            before: before.and_then(snapshot),
            after: snapshot(after),
        },
    )?;
    Ok(())
}

/// Adds the instrument the body names. The schema (shared with PUT, where the path names the
/// instrument) has `code` optional; creating one needs it: a rule of this operation (422),
/// not a malformed body (400).
pub fn create(conn: &mut DbConn, caller: &Caller, input: ConventionInput) -> AppResult<ConventionRow> {
    let raw = input.code.clone().ok_or_else(|| {
        AppError::unprocessable(vec![FieldError::new(
            "code",
            "needed to add an instrument, e.g. C190 or P029",
        )])
    })?;
    let code = crate::domain::codes::parse_instrument_code(&raw).ok_or_else(|| {
        AppError::invalid(vec![FieldError::new(
            "code",
            format!("'{raw}' is not an instrument code such as C190 or P029"),
        )])
    })?;
    db::write_transaction(conn, |conn| {
        if repo::conventions::exists(conn, &code)? {
            return Err(AppError::Conflict(format!(
                "the instrument {code} exists; change it with PUT"
            )));
        }
        let row = convention_row(conn, code, input, 1)?;
        repo::conventions::insert(conn, &row)?;
        audit_convention(conn, caller, None, &row)?;
        Ok(row)
    })
}

/// Changes instrument `code`, if it is still at the version `if_match` names. The reference
/// counts it carries from its sources are kept.
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    code: String,
    if_match: &IfMatch,
    input: ConventionInput,
) -> AppResult<ConventionRow> {
    if !crate::domain::instruments::body_code_keeps(input.code.as_deref(), &code) {
        return Err(AppError::unprocessable(vec![FieldError::new(
            "code",
            "the code cannot change; it must equal the path's",
        )]));
    }
    db::write_transaction(conn, |conn| {
        let current = repo::conventions::get(conn, &code)?
            .ok_or_else(|| AppError::NotFound(format!("instrument '{code}'")))?;
        if_match.check(&etag("convention", &code, current.version))?;
        let mut row = convention_row(conn, code.clone(), input, current.version + 1)?;
        if row.parent.as_deref() == Some(code.as_str()) {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "parent",
                "an instrument is not its own parent",
            )]));
        }
        row.reference_ratifications = current.reference_ratifications;
        row.reference_ratifications_as_of = current.reference_ratifications_as_of.clone();
        row.reference_ratifications_source = current.reference_ratifications_source.clone();
        let updated = repo::conventions::update(conn, &row)?.ok_or(AppError::PreconditionFailed)?;
        audit_convention(conn, caller, Some(&current), &updated)?;
        Ok(updated)
    })
}
