//! Writing responsible-business-conduct initiatives: administrators any, office staff those
//! of their countries (`domain::rbc::may_write_initiative`); created without `If-Match`,
//! changed with it; every write audited.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind};
use crate::domain::codes::parse_instrument_code;
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::fields::{body_countries, source_date_field, text_field};
use crate::domain::rbc::{may_write_initiative, InitiativeKind, InitiativeStatus, ISIC_SECTIONS};
use crate::domain::trade::period_of;
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::rbc::{Initiative, InitiativeFields, Links};
use crate::service::audit;

/// The most sectors, organizations, instruments or arrangements it may name.
pub const MAX_LINKS: usize = 50;

/// A responsible-business-conduct initiative, as a client writes it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InitiativeInput {
    #[schema(min_length = 1, example = "Trade for Decent Work - Philippines")]
    pub name: String,
    pub kind: InitiativeKind,
    /// The kind as the source words it.
    #[serde(default)]
    pub kind_as_given: String,
    /// Where it applies (ISO alpha-3); none for a global initiative.
    #[serde(default)]
    #[schema(example = json!(["PHL"]), max_items = 200)]
    pub countries: Vec<String>,
    /// ISIC Rev.4 sections (letters A to U).
    #[serde(default)]
    #[schema(example = json!(["C"]), max_items = 50)]
    pub sectors: Vec<String>,
    /// The sectors as the source words them.
    #[serde(default)]
    pub sectors_as_given: String,
    /// The constituents normtrack knows that take part (organization ids, of its countries).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub organizations: Vec<i32>,
    /// Other partners, as text.
    #[serde(default)]
    pub partners: String,
    #[serde(default)]
    pub funders: String,
    /// Linked instruments normtrack tracks.
    #[serde(default)]
    #[schema(example = json!(["C087", "C098"]), max_items = 50)]
    pub conventions: Vec<String>,
    /// Linked trade arrangements, by slug.
    #[serde(default)]
    #[schema(example = json!(["eu-gsp-plus-978-2012"]), max_items = 50)]
    pub arrangements: Vec<String>,
    /// The standards it names, as the source words them.
    #[serde(default)]
    pub instruments_as_given: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub starts: Option<String>,
    /// No earlier than `starts`.
    pub ends: Option<String>,
    /// As recorded; leave it out to have it follow the dates.
    pub status: Option<InitiativeStatus>,
    /// The initiative this one is a component of.
    pub parent: Option<i32>,
    #[serde(default)]
    pub notes: String,
    #[schema(min_length = 1)]
    pub source: String,
    pub source_date: Option<String>,
}

/// The answer for an initiative that does not exist or that the caller may not see.
pub fn initiative_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("initiative {id}"))
}

/// The entity tag of an initiative's version.
pub fn initiative_etag(id: i32, version: i32) -> String {
    etag("rbc_initiative", id, version)
}

/// Checks a body's shape (400) and builds the fields and links it asks for.
fn shape(input: InitiativeInput) -> AppResult<(InitiativeFields, Links)> {
    let mut errors = Vec::new();
    for (field, len, max) in [
        ("sectors", input.sectors.len(), MAX_LINKS),
        ("organizations", input.organizations.len(), MAX_LINKS),
        ("conventions", input.conventions.len(), MAX_LINKS),
        ("arrangements", input.arrangements.len(), MAX_LINKS),
    ] {
        if len > max {
            errors.push(FieldError::new(field, format!("at most {max} items")));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let countries = body_countries(&mut errors, &input.countries);
    let mut conventions = Vec::new();
    for raw in &input.conventions {
        match parse_instrument_code(raw) {
            Some(c) if !conventions.contains(&c) => conventions.push(c),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "conventions",
                format!("'{raw}' is not an instrument code"),
            )),
        }
    }
    conventions.sort();
    let mut sectors = Vec::new();
    for raw in &input.sectors {
        let ok = raw.len() == 1 && ISIC_SECTIONS.contains(raw.as_str());
        if !ok {
            errors.push(FieldError::new(
                "sectors",
                format!("'{raw}' is not an ISIC Rev.4 section (A to U)"),
            ));
        } else if !sectors.contains(raw) {
            sectors.push(raw.clone());
        }
    }
    sectors.sort();
    let mut arrangements = input.arrangements.clone();
    arrangements.sort();
    arrangements.dedup();
    let mut organizations = input.organizations.clone();
    organizations.sort_unstable();
    organizations.dedup();
    let mut text = |field: &str, value: &str, required: bool| text_field(&mut errors, field, value, required);
    let name = text("name", &input.name, true);
    let kind_as_given = text("kind_as_given", &input.kind_as_given, false);
    let sectors_as_given = text("sectors_as_given", &input.sectors_as_given, false);
    let partners = text("partners", &input.partners, false);
    let funders = text("funders", &input.funders, false);
    let instruments_as_given = text("instruments_as_given", &input.instruments_as_given, false);
    let notes = text("notes", &input.notes, false);
    let source = text("source", &input.source, true);
    let starts = source_date_field(&mut errors, "starts", input.starts.as_deref());
    let ends = source_date_field(&mut errors, "ends", input.ends.as_deref());
    let source_date = source_date_field(&mut errors, "source_date", input.source_date.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    if let (Some((from, _)), Some((_, until))) = (
        starts.as_deref().and_then(period_of),
        ends.as_deref().and_then(period_of),
    ) {
        if until < from {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "ends",
                "is before starts",
            )]));
        }
    }
    Ok((
        InitiativeFields {
            name,
            kind: input.kind,
            kind_as_given,
            sectors: sectors.join(" "),
            sectors_as_given,
            partners,
            funders,
            instruments_as_given,
            starts,
            ends,
            status: input.status,
            parent: input.parent,
            notes,
            source,
            source_date,
        },
        Links {
            countries,
            conventions,
            arrangements,
            organizations,
        },
    ))
}

/// What the store must hold for the links (422 otherwise).
fn check_links(
    conn: &mut DbConn,
    fields: &InitiativeFields,
    links: &Links,
    own: Option<i32>,
) -> AppResult<()> {
    let mut violations = Vec::new();
    for c in &links.countries {
        if !repo::countries::exists(conn, c)? {
            violations.push(FieldError::new(
                "countries",
                format!("no member state has the code '{c}'"),
            ));
        }
    }
    for c in &links.conventions {
        if !repo::conventions::exists(conn, c)? {
            violations.push(FieldError::new(
                "conventions",
                format!("no instrument has the code '{c}'"),
            ));
        }
    }
    for a in &links.arrangements {
        if repo::trade::get(conn, a)?.is_none() {
            violations.push(FieldError::new(
                "arrangements",
                format!("no trade arrangement has the slug '{a}'"),
            ));
        }
    }
    for id in &links.organizations {
        match repo::organizations::get(conn, *id)? {
            Some(o) if links.countries.contains(&o.country) => {}
            Some(o) => violations.push(FieldError::new(
                "organizations",
                format!(
                    "organization {id} is of {}, not of the initiative's countries",
                    o.country
                ),
            )),
            None => violations.push(FieldError::new(
                "organizations",
                format!("no organization has the id {id}"),
            )),
        }
    }
    if let Some(parent) = fields.parent {
        if Some(parent) == own
            || repo::rbc::get(conn, parent, &crate::domain::access::Scope::Global)?.is_none()
        {
            violations.push(FieldError::new(
                "parent",
                format!("{parent} is not another initiative"),
            ));
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(AppError::unprocessable(violations))
    }
}

fn may_write(caller: &Caller, countries: &[String]) -> AppResult<()> {
    if may_write_initiative(caller, countries) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "administrators write any initiative; office staff those of their countries only".into(),
        ))
    }
}

fn audit_initiative(
    conn: &mut DbConn,
    caller: &Caller,
    action: &str,
    before: Option<&Initiative>,
    after: &Initiative,
) -> AppResult<()> {
    audit::record_at(
        conn,
        caller,
        action,
        EntityKind::RbcInitiative,
        after.row.id,
        after.links.countries.first().map(String::as_str),
        before.and_then(audit::snapshot),
        audit::snapshot(after),
    )
}

/// An initiative's countries may change only as far as its activities allow: each activity
/// must stay within them (one in no one country only while the initiative stays global), or
/// it would be read by people of countries it was never about (422).
fn keeps_its_activities(conn: &mut DbConn, id: i32, countries: &[String]) -> AppResult<()> {
    let outside: Vec<String> = repo::rbc_activities::countries_of(conn, id)?
        .into_iter()
        .filter(|c| match c {
            Some(c) => !countries.is_empty() && !countries.contains(c),
            None => !countries.is_empty(),
        })
        .map(|c| c.unwrap_or_else(|| "no one country".into()))
        .collect();
    if outside.is_empty() {
        Ok(())
    } else {
        Err(AppError::unprocessable(vec![FieldError::new(
            "countries",
            format!(
                "the initiative has activities in {}; move or delete them first",
                outside.join(", ")
            ),
        )]))
    }
}

/// Records an initiative.
pub fn create(conn: &mut DbConn, caller: &Caller, input: InitiativeInput) -> AppResult<Initiative> {
    let (fields, links) = shape(input)?;
    may_write(caller, &links.countries)?;
    db::write_transaction(conn, |conn| {
        check_links(conn, &fields, &links, None)?;
        let initiative = repo::rbc::insert(conn, &fields, &links)?;
        audit_initiative(conn, caller, "create", None, &initiative)?;
        Ok(initiative)
    })
}

/// Changes initiative `id` (the whole record), if it is still at the version `if_match`
/// names. The caller must be allowed to write it before and after the change.
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    input: InitiativeInput,
) -> AppResult<Initiative> {
    let (fields, links) = shape(input)?;
    db::write_transaction(conn, |conn| {
        let current =
            repo::rbc::get(conn, id, &caller.read_scope())?.ok_or_else(|| initiative_not_found(id))?;
        may_write(caller, &current.links.countries)?;
        may_write(caller, &links.countries)?;
        if_match.check(&initiative_etag(id, current.row.version))?;
        check_links(conn, &fields, &links, Some(id))?;
        keeps_its_activities(conn, id, &links.countries)?;
        let initiative = repo::rbc::update(conn, id, current.row.version, &fields, &links)?
            .ok_or(AppError::PreconditionFailed)?;
        audit_initiative(conn, caller, "update", Some(&current), &initiative)?;
        Ok(initiative)
    })
}
