//! Writing trade arrangements (administrators only): the arrangement itself (created without
//! `If-Match`, changed with it), and the membership events and named instruments added to
//! it. Each write moves the arrangement's version and is audited.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind, Role};
use crate::domain::codes::parse_instrument_code;
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::fields::{body_country, source_date_field, text_field};
use crate::domain::trade::{ArrangementKind, CommitmentType, MembershipEvent};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::trade::{
    ArrangementFields, ArrangementRow, EventRow, InstrumentRow, NewEvent, NewInstrument,
};
use crate::service::audit;

/// A trade arrangement, as an administrator writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrangementInput {
    #[schema(min_length = 1, example = "EU GSP+ (special incentive arrangement)")]
    pub name: String,
    pub kind: ArrangementKind,
    /// The kind as the source words it.
    #[serde(default)]
    pub kind_as_given: String,
    #[schema(min_length = 1, example = "EU")]
    pub granting_parties: String,
    #[serde(default)]
    pub partner_scope: String,
    #[serde(default)]
    pub legal_act: String,
    /// Where the labour provisions are.
    #[serde(default)]
    pub labour_provisions: String,
    /// The commitment, in words.
    #[serde(default)]
    pub commitment: String,
    #[serde(default)]
    pub enforcement: String,
    /// The status as the source gives it.
    #[serde(default)]
    pub status: String,
    pub signed_on: Option<NaiveDate>,
    pub applies_from: Option<NaiveDate>,
    /// No earlier than `applies_from`.
    pub expires_on: Option<NaiveDate>,
    #[serde(default)]
    pub notes: String,
    #[schema(min_length = 1)]
    pub source: String,
    /// The day, month or year the source speaks for.
    pub source_date: Option<String>,
}

/// A membership event to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// ISO alpha-3; countries outside the ILO's membership are accepted with their name.
    #[schema(example = "PHL")]
    pub country: String,
    /// Needed when the country is not an ILO member state (whose name is known).
    pub country_name: Option<String>,
    pub event: MembershipEvent,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the precision the source gives.
    #[schema(example = "2014-12-25")]
    pub occurred_on: Option<String>,
    #[serde(default)]
    pub legal_act: String,
    #[serde(default)]
    pub notes: String,
    #[schema(min_length = 1)]
    pub source: String,
    pub source_date: Option<String>,
}

/// An instrument to add at the end of the arrangement's list.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentInput {
    /// The instrument, when normtrack tracks it.
    #[schema(example = "C087")]
    pub convention: Option<String>,
    /// The instrument as the arrangement names it.
    #[schema(min_length = 1)]
    pub named_as: String,
    /// Default: whether `convention` is given.
    pub is_ilo: Option<bool>,
    pub commitment_type: CommitmentType,
    #[serde(default)]
    pub list_ref: String,
    #[serde(default)]
    pub article: String,
    /// The one country it is named for, if only one.
    pub country: Option<String>,
    #[serde(default)]
    pub notes: String,
    #[schema(min_length = 1)]
    pub source: String,
    pub source_date: Option<String>,
}

/// The years an arrangement's dates may fall in (both engines store them).
pub const FIRST_DAY_YEAR: i32 = 1900;
pub const LAST_DAY_YEAR: i32 = 2200;

fn administer(caller: &Caller) -> AppResult<()> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only administrators write trade arrangements".into(),
        ))
    }
}

/// The answer for an arrangement that does not exist.
pub fn arrangement_not_found(slug: &str) -> AppError {
    AppError::NotFound(format!("trade arrangement '{slug}'"))
}

/// The entity tag of an arrangement's version.
pub fn arrangement_etag(slug: &str, version: i32) -> String {
    etag("trade_arrangement", slug, version)
}

fn fields(input: ArrangementInput) -> AppResult<ArrangementFields> {
    let mut errors = Vec::new();
    let mut text = |field: &str, value: &str, required: bool| text_field(&mut errors, field, value, required);
    let name = text("name", &input.name, true);
    let kind_as_given = text("kind_as_given", &input.kind_as_given, false);
    let granting_parties = text("granting_parties", &input.granting_parties, true);
    let partner_scope = text("partner_scope", &input.partner_scope, false);
    let legal_act = text("legal_act", &input.legal_act, false);
    let labour_provisions = text("labour_provisions", &input.labour_provisions, false);
    let commitment = text("commitment", &input.commitment, false);
    let enforcement = text("enforcement", &input.enforcement, false);
    let status = text("status", &input.status, false);
    let notes = text("notes", &input.notes, false);
    let source = text("source", &input.source, true);
    let source_date = source_date_field(&mut errors, "source_date", input.source_date.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    // A rule, not a shape: the schema's `date` format admits any year.
    let mut out_of_range = Vec::new();
    for (field, day) in [
        ("signed_on", input.signed_on),
        ("applies_from", input.applies_from),
        ("expires_on", input.expires_on),
    ] {
        if day.is_some_and(|d| !(FIRST_DAY_YEAR..=LAST_DAY_YEAR).contains(&d.year())) {
            out_of_range.push(FieldError::new(
                field,
                format!("must be a day from {FIRST_DAY_YEAR} to {LAST_DAY_YEAR}"),
            ));
        }
    }
    if !out_of_range.is_empty() {
        return Err(AppError::unprocessable(out_of_range));
    }
    if let (Some(from), Some(until)) = (input.applies_from, input.expires_on) {
        if until < from {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "expires_on",
                "is before applies_from",
            )]));
        }
    }
    Ok(ArrangementFields {
        name,
        kind: input.kind,
        kind_as_given,
        granting_parties,
        partner_scope,
        legal_act,
        labour_provisions,
        commitment,
        enforcement,
        status,
        signed_on: input.signed_on,
        applies_from: input.applies_from,
        expires_on: input.expires_on,
        notes,
        source,
        source_date,
    })
}

fn audit_arrangement(
    conn: &mut DbConn,
    caller: &Caller,
    action: &str,
    country: Option<&str>,
    before: Option<&ArrangementRow>,
    after: serde_json::Value,
    slug: &str,
) -> AppResult<()> {
    audit::entry(
        conn,
        audit::Entry {
            actor: &caller.actor(),
            action,
            entity: EntityKind::TradeArrangement,
            entity_id: slug.to_string(),
            country,
            before: before.and_then(audit::snapshot),
            after: Some(after),
        },
    )
}

/// Creates arrangement `slug` (no `If-Match`) or changes it (with its current `ETag`).
/// `true` when it was created.
pub fn put(
    conn: &mut DbConn,
    caller: &Caller,
    slug: &str,
    if_match: &IfMatch,
    input: ArrangementInput,
) -> AppResult<(ArrangementRow, bool)> {
    administer(caller)?;
    let fields = fields(input)?;
    db::write_transaction(conn, |conn| match repo::trade::get(conn, slug)? {
        None => {
            if_match.check_absent()?;
            let row = repo::trade::create(conn, slug, &fields)?;
            audit_arrangement(conn, caller, "create", None, None, audit_value(&row), slug)?;
            Ok((row, true))
        }
        Some(current) => {
            if_match.check(&arrangement_etag(slug, current.version))?;
            let row = repo::trade::touch(conn, slug, current.version, Some(&fields))?
                .ok_or(AppError::PreconditionFailed)?;
            audit_arrangement(
                conn,
                caller,
                "update",
                None,
                Some(&current),
                audit_value(&row),
                slug,
            )?;
            Ok((row, false))
        }
    })
}

fn audit_value<T: serde::Serialize>(value: &T) -> serde_json::Value {
    audit::snapshot(value).unwrap_or(serde_json::Value::Null)
}

/// Adds a membership event to arrangement `slug`.
pub fn add_event(conn: &mut DbConn, caller: &Caller, slug: &str, input: EventInput) -> AppResult<EventRow> {
    administer(caller)?;
    let mut errors = Vec::new();
    let country = body_country(&mut errors, &input.country);
    let country_name = text_field(
        &mut errors,
        "country_name",
        input.country_name.as_deref().unwrap_or(""),
        false,
    );
    let legal_act = text_field(&mut errors, "legal_act", &input.legal_act, false);
    let notes = text_field(&mut errors, "notes", &input.notes, false);
    let source = text_field(&mut errors, "source", &input.source, true);
    let occurred_on = source_date_field(&mut errors, "occurred_on", input.occurred_on.as_deref());
    let source_date = source_date_field(&mut errors, "source_date", input.source_date.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let country = country.unwrap_or_default();
    db::write_transaction(conn, |conn| {
        repo::trade::get(conn, slug)?.ok_or_else(|| arrangement_not_found(slug))?;
        let known = repo::countries::names(conn)?.get(&country).cloned();
        let country_name = match (known, country_name.is_empty()) {
            (Some(name), true) => name,
            (_, false) => country_name.clone(),
            (None, true) => {
                return Err(AppError::unprocessable(vec![FieldError::new(
                    "country_name",
                    format!("{country} is not an ILO member state; give its name"),
                )]))
            }
        };
        let event = repo::trade::add_event(
            conn,
            &NewEvent {
                arrangement: slug.to_string(),
                country: country.clone(),
                country_name,
                event: input.event,
                event_as_given: String::new(),
                occurred_on: occurred_on.clone(),
                legal_act: legal_act.clone(),
                notes: notes.clone(),
                source: source.clone(),
                source_date: source_date.clone(),
            },
        )?;
        repo::trade::bump(conn, slug)?;
        audit_arrangement(
            conn,
            caller,
            "add_event",
            Some(&country),
            None,
            audit_value(&event),
            slug,
        )?;
        Ok(event)
    })
}

/// Adds a named instrument at the end of arrangement `slug`'s list.
pub fn add_instrument(
    conn: &mut DbConn,
    caller: &Caller,
    slug: &str,
    input: InstrumentInput,
) -> AppResult<InstrumentRow> {
    administer(caller)?;
    let mut errors = Vec::new();
    let convention = input.convention.as_deref().and_then(|raw| {
        parse_instrument_code(raw).or_else(|| {
            errors.push(FieldError::new(
                "convention",
                format!("'{raw}' is not an instrument code"),
            ));
            None
        })
    });
    let country = input
        .country
        .as_deref()
        .and_then(|raw| body_country(&mut errors, raw));
    let named_as = text_field(&mut errors, "named_as", &input.named_as, true);
    let list_ref = text_field(&mut errors, "list_ref", &input.list_ref, false);
    let article = text_field(&mut errors, "article", &input.article, false);
    let notes = text_field(&mut errors, "notes", &input.notes, false);
    let source = text_field(&mut errors, "source", &input.source, true);
    let source_date = source_date_field(&mut errors, "source_date", input.source_date.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    db::write_transaction(conn, |conn| {
        repo::trade::get(conn, slug)?.ok_or_else(|| arrangement_not_found(slug))?;
        if let Some(code) = &convention {
            if !repo::conventions::exists(conn, code)? {
                return Err(AppError::unprocessable(vec![FieldError::new(
                    "convention",
                    format!("normtrack does not track {code}; name it in named_as and leave convention out"),
                )]));
            }
        }
        let position = repo::trade::next_position(conn, slug)?;
        let instrument = repo::trade::add_instrument(
            conn,
            &NewInstrument {
                arrangement: slug.to_string(),
                position,
                list_ref: list_ref.clone(),
                country: country.clone(),
                is_ilo: input.is_ilo.unwrap_or(convention.is_some()),
                convention: convention.clone(),
                named_as: named_as.clone(),
                commitment_type: input.commitment_type,
                article: article.clone(),
                notes: notes.clone(),
                source: source.clone(),
                source_date: source_date.clone(),
            },
        )?;
        repo::trade::bump(conn, slug)?;
        audit_arrangement(
            conn,
            caller,
            "add_instrument",
            None,
            None,
            audit_value(&instrument),
            slug,
        )?;
        Ok(instrument)
    })
}
