//! The default seed: the real member states, instruments and ratification records of
//! `seed-data/` (built from the shared reference data by `tools/build_seed_data.py`),
//! embedded in the binary. Seeding happens once: a database that has data is never seeded
//! again.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::db::{self, DbConn};
use crate::domain::codes::parse_source_date;
use crate::domain::ratification::resolve_in_force_on;
use crate::domain::reference::{Category, InstrumentType, Principle, Region};
use crate::import::ratifications::{parse_row, CsvRow};
use crate::repo::{self, conventions::ConventionRow, countries::CountryRow};

pub const COUNTRIES_CSV: &str = include_str!("../seed-data/countries.csv");
pub const CONVENTIONS_CSV: &str = include_str!("../seed-data/conventions.csv");
pub const RATIFICATIONS_CSV: &str = include_str!("../seed-data/ratifications.csv");
pub const TRADE_ARRANGEMENTS_CSV: &str = include_str!("../seed-data/trade_arrangements.csv");
pub const TRADE_EVENTS_CSV: &str = include_str!("../seed-data/trade_arrangement_events.csv");
pub const TRADE_INSTRUMENTS_CSV: &str = include_str!("../seed-data/trade_arrangement_instruments.csv");
pub const COMMENTS_CSV: &str = include_str!("../seed-data/supervisory_comments.csv");
pub const RBC_CSV: &str = include_str!("../seed-data/rbc_initiatives.csv");

/// The actor recorded in the history of seeded records.
pub const SEED_ACTOR: &str = "seed";

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("seed-data/{file}, line {line}: {message}")]
    Data {
        file: &'static str,
        line: u64,
        message: String,
    },
    #[error("database error while seeding: {0}")]
    Database(#[from] diesel::result::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded {
        countries: usize,
        conventions: usize,
        ratifications: usize,
    },
    AlreadySeeded,
}

/// Seeds an empty database in one transaction; leaves a database with data alone.
pub fn seed(conn: &mut DbConn) -> Result<SeedOutcome, SeedError> {
    let countries = read_countries()?;
    let conventions = read_conventions()?;
    let ratifications = read_ratifications()?;
    db::write_transaction(conn, |conn| {
        db::lock_for_setup(conn)?;
        if repo::meta::get(conn, repo::meta::SEEDED_AT)?.is_some() || repo::countries::count(conn)? > 0 {
            return Ok(SeedOutcome::AlreadySeeded);
        }
        for country in &countries {
            repo::countries::insert(conn, country)?;
        }
        for convention in &conventions {
            repo::conventions::insert(conn, convention)?;
        }
        let instrument_in_force: HashMap<&str, Option<NaiveDate>> = conventions
            .iter()
            .map(|c| (c.code.as_str(), c.in_force_on))
            .collect();
        for (line, fields) in &ratifications {
            let mut fields = fields.clone();
            let status = fields.status;
            let general = instrument_in_force
                .get(fields.convention.as_str())
                .copied()
                .ok_or_else(|| {
                    data_error(
                        "ratifications.csv",
                        *line,
                        format!("unknown instrument {}", fields.convention),
                    )
                })?;
            fields.in_force_on = resolve_in_force_on(
                status,
                fields.in_force_on,
                fields.registered_on,
                fields.denounced_on,
                general,
            );
            repo::ratifications::insert(conn, &fields, SEED_ACTOR)?;
        }
        let this_year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
        crate::service::reporting::ensure_schedules(conn, None, this_year).map_err(|e| {
            data_error(
                "ratifications.csv",
                0,
                format!("default reporting schedules: {e}"),
            )
        })?;
        repo::meta::insert(conn, repo::meta::SEEDED_AT, &repo::now().and_utc().to_rfc3339())?;
        Ok(SeedOutcome::Seeded {
            countries: countries.len(),
            conventions: conventions.len(),
            ratifications: ratifications.len(),
        })
    })
}

/// What [`seed_trade_and_supervision`] stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeSeed {
    pub arrangements: usize,
    pub events: usize,
    pub instruments: usize,
    pub comments: usize,
}

/// Seeds the trade arrangements (with their events and instruments) and the supervisory
/// comments into a database that has none, in one transaction: a database seeded before
/// these tables existed gets them on its next start. `None` when they are there already.
pub fn seed_trade_and_supervision(conn: &mut DbConn) -> Result<Option<TradeSeed>, SeedError> {
    let arrangements = read_arrangements()?;
    let events = read_events()?;
    let instruments = read_instruments()?;
    let comments = read_comments()?;
    db::write_transaction(conn, |conn| {
        db::lock_for_setup(conn)?;
        if repo::trade::count(conn)? > 0 || repo::comments::count(conn)? > 0 {
            return Ok(None);
        }
        for a in &arrangements {
            repo::trade::insert(conn, a)?;
        }
        repo::trade::insert_events(conn, &events)?;
        repo::trade::insert_instruments(conn, &instruments)?;
        for (fields, conventions) in &comments {
            repo::comments::insert(conn, fields, conventions)?;
        }
        Ok(Some(TradeSeed {
            arrangements: arrangements.len(),
            events: events.len(),
            instruments: instruments.len(),
            comments: comments.len(),
        }))
    })
}

/// Seeds the responsible-business-conduct initiatives into a database that has none, in one
/// transaction. The number stored, or `None` when they are there already.
pub fn seed_rbc(conn: &mut DbConn) -> Result<Option<usize>, SeedError> {
    let rows = read_rbc()?;
    db::write_transaction(conn, |conn| {
        db::lock_for_setup(conn)?;
        if repo::rbc::count(conn)? > 0 {
            return Ok(None);
        }
        let mut ids: HashMap<String, i32> = HashMap::new();
        for (key, parent, mut fields, links) in rows.iter().cloned() {
            fields.parent = match parent {
                Some(p) => Some(*ids.get(&p).ok_or_else(|| {
                    data_error(
                        "rbc_initiatives.csv",
                        0,
                        format!("{key}: parent {p} comes later or not at all"),
                    )
                })?),
                None => None,
            };
            let stored = repo::rbc::insert(conn, &fields, &links)?;
            ids.insert(key, stored.row.id);
        }
        Ok(Some(rows.len()))
    })
}

#[derive(Deserialize)]
struct RbcCsv {
    key: String,
    parent: String,
    name: String,
    kind: String,
    kind_as_given: String,
    countries: String,
    sectors_as_given: String,
    partners: String,
    funders: String,
    conventions: String,
    arrangements: String,
    instruments_as_given: String,
    starts: String,
    ends: String,
    status: String,
    notes: String,
    source: String,
    source_date: String,
}

type RbcSeedRow = (
    String,
    Option<String>,
    crate::repo::rbc::InitiativeFields,
    crate::repo::rbc::Links,
);

fn read_rbc() -> Result<Vec<RbcSeedRow>, SeedError> {
    const FILE: &str = "rbc_initiatives.csv";
    let words = |raw: &str| raw.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    read_csv::<RbcCsv>(FILE, RBC_CSV)?
        .into_iter()
        .map(|(line, r)| {
            let fields = crate::repo::rbc::InitiativeFields {
                kind: parsed(FILE, line, &r.kind)?,
                status: text(r.status).map(|s| parsed(FILE, line, &s)).transpose()?,
                starts: source_date_of(FILE, line, r.starts)?,
                ends: source_date_of(FILE, line, r.ends)?,
                source_date: source_date_of(FILE, line, r.source_date)?,
                name: r.name,
                kind_as_given: r.kind_as_given,
                sectors: String::new(),
                sectors_as_given: r.sectors_as_given,
                partners: r.partners,
                funders: r.funders,
                instruments_as_given: r.instruments_as_given,
                parent: None,
                notes: r.notes,
                source: r.source,
            };
            let links = crate::repo::rbc::Links {
                countries: words(&r.countries),
                conventions: words(&r.conventions),
                arrangements: words(&r.arrangements),
                organizations: Vec::new(),
            };
            Ok((r.key, text(r.parent), fields, links))
        })
        .collect()
}

fn text(raw: String) -> Option<String> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| raw.to_string())
}

fn date_of(file: &'static str, line: u64, raw: &str) -> Result<Option<NaiveDate>, SeedError> {
    match raw.trim() {
        "" => Ok(None),
        raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| data_error(file, line, format!("'{raw}' is not a date"))),
    }
}

fn parsed<T: std::str::FromStr<Err = crate::domain::UnknownValue>>(
    file: &'static str,
    line: u64,
    raw: &str,
) -> Result<T, SeedError> {
    raw.parse::<T>()
        .map_err(|e| data_error(file, line, e.to_string()))
}

fn source_date_of(file: &'static str, line: u64, raw: String) -> Result<Option<String>, SeedError> {
    text(raw)
        .map(|d| parse_source_date(&d).map_err(|e| data_error(file, line, e)))
        .transpose()
}

#[derive(Deserialize)]
struct ArrangementCsv {
    slug: String,
    name: String,
    kind: String,
    kind_as_given: String,
    granting_parties: String,
    partner_scope: String,
    legal_act: String,
    labour_provisions: String,
    commitment: String,
    enforcement: String,
    status: String,
    signed_on: String,
    applies_from: String,
    expires_on: String,
    notes: String,
    source: String,
    source_date: String,
}

fn read_arrangements() -> Result<Vec<crate::repo::trade::ArrangementRow>, SeedError> {
    const FILE: &str = "trade_arrangements.csv";
    let now = repo::now();
    read_csv::<ArrangementCsv>(FILE, TRADE_ARRANGEMENTS_CSV)?
        .into_iter()
        .map(|(line, r)| {
            Ok(crate::repo::trade::ArrangementRow {
                kind: parsed(FILE, line, &r.kind)?,
                signed_on: date_of(FILE, line, &r.signed_on)?,
                applies_from: date_of(FILE, line, &r.applies_from)?,
                expires_on: date_of(FILE, line, &r.expires_on)?,
                source_date: source_date_of(FILE, line, r.source_date)?,
                slug: r.slug,
                name: r.name,
                kind_as_given: r.kind_as_given,
                granting_parties: r.granting_parties,
                partner_scope: r.partner_scope,
                legal_act: r.legal_act,
                labour_provisions: r.labour_provisions,
                commitment: r.commitment,
                enforcement: r.enforcement,
                status: r.status,
                notes: r.notes,
                source: r.source,
                version: 1,
                created_at: now,
                updated_at: now,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct EventCsv {
    arrangement: String,
    country: String,
    country_name: String,
    event: String,
    event_as_given: String,
    occurred_on: String,
    legal_act: String,
    notes: String,
    source: String,
    source_date: String,
}

fn read_events() -> Result<Vec<crate::repo::trade::NewEvent>, SeedError> {
    const FILE: &str = "trade_arrangement_events.csv";
    read_csv::<EventCsv>(FILE, TRADE_EVENTS_CSV)?
        .into_iter()
        .map(|(line, r)| {
            Ok(crate::repo::trade::NewEvent {
                event: parsed(FILE, line, &r.event)?,
                // The same shapes as a source date: a year, a month or a day.
                occurred_on: source_date_of(FILE, line, r.occurred_on)?,
                source_date: source_date_of(FILE, line, r.source_date)?,
                arrangement: r.arrangement,
                country: r.country,
                country_name: r.country_name,
                event_as_given: r.event_as_given,
                legal_act: r.legal_act,
                notes: r.notes,
                source: r.source,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct InstrumentCsv {
    arrangement: String,
    position: i32,
    list_ref: String,
    country: String,
    convention: String,
    named_as: String,
    is_ilo: bool,
    commitment_type: String,
    article: String,
    notes: String,
    source: String,
    source_date: String,
}

fn read_instruments() -> Result<Vec<crate::repo::trade::NewInstrument>, SeedError> {
    const FILE: &str = "trade_arrangement_instruments.csv";
    read_csv::<InstrumentCsv>(FILE, TRADE_INSTRUMENTS_CSV)?
        .into_iter()
        .map(|(line, r)| {
            Ok(crate::repo::trade::NewInstrument {
                commitment_type: parsed(FILE, line, &r.commitment_type)?,
                source_date: source_date_of(FILE, line, r.source_date)?,
                arrangement: r.arrangement,
                position: r.position,
                list_ref: r.list_ref,
                country: text(r.country),
                convention: text(r.convention),
                named_as: r.named_as,
                is_ilo: r.is_ilo,
                article: r.article,
                notes: r.notes,
                source: r.source,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct CommentCsv {
    normlex_id: String,
    body: String,
    kind: String,
    country: String,
    conventions: String,
    year: i32,
    ilc_session: Option<i32>,
    published_year: Option<i32>,
    footnote: String,
    reply_requested_for: Option<i32>,
    case_of_progress: Option<bool>,
    headings: String,
    observations_cited: String,
    label: String,
    link: String,
    notes: String,
    source: String,
    source_date: String,
}

fn read_comments() -> Result<Vec<(crate::repo::comments::CommentFields, Vec<String>)>, SeedError> {
    const FILE: &str = "supervisory_comments.csv";
    read_csv::<CommentCsv>(FILE, COMMENTS_CSV)?
        .into_iter()
        .map(|(line, r)| {
            let conventions = r
                .conventions
                .split_whitespace()
                .map(|c| {
                    crate::domain::codes::parse_instrument_code(c)
                        .ok_or_else(|| data_error(FILE, line, format!("'{c}' is not an instrument code")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let fields = crate::repo::comments::CommentFields {
                body: parsed(FILE, line, &r.body)?,
                kind: parsed(FILE, line, &r.kind)?,
                footnote: parsed(FILE, line, &r.footnote)?,
                source_date: source_date_of(FILE, line, r.source_date)?,
                normlex_id: text(r.normlex_id),
                country: r.country,
                year: r.year,
                ilc_session: r.ilc_session,
                published_year: r.published_year,
                reply_requested_for: r.reply_requested_for,
                case_of_progress: r.case_of_progress,
                headings: r.headings,
                observations_cited: r.observations_cited,
                label: r.label,
                link: text(r.link),
                notes: r.notes,
                source: r.source,
            };
            Ok((fields, conventions))
        })
        .collect()
}

fn data_error(file: &'static str, line: u64, message: impl Into<String>) -> SeedError {
    SeedError::Data {
        file,
        line,
        message: message.into(),
    }
}

/// Reads an embedded CSV into rows of `T`, each with its line number.
fn read_csv<T: for<'de> Deserialize<'de>>(
    file: &'static str,
    text: &str,
) -> Result<Vec<(u64, T)>, SeedError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.deserialize::<T>() {
        let row = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            data_error(file, line, e.to_string())
        })?;
        // Header is line 1; the first data row line 2.
        rows.push((rows.len() as u64 + 2, row));
    }
    Ok(rows)
}

#[derive(Deserialize)]
struct CountryCsv {
    iso3: String,
    iso2: String,
    un_m49: String,
    name: String,
    region: String,
    region_basis: String,
    source: String,
}

fn read_countries() -> Result<Vec<CountryRow>, SeedError> {
    const FILE: &str = "countries.csv";
    read_csv::<CountryCsv>(FILE, COUNTRIES_CSV)?
        .into_iter()
        .map(|(line, c)| {
            let region = c
                .region
                .parse::<Region>()
                .map_err(|e| data_error(FILE, line, e.to_string()))?;
            Ok(CountryRow {
                iso3: c.iso3,
                iso2: c.iso2,
                un_m49: c.un_m49,
                name: c.name,
                region,
                region_basis: c.region_basis,
                member_since: None,
                source: c.source,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct ConventionCsv {
    code: String,
    instrument_type: String,
    title: String,
    short_title: String,
    category: String,
    principle: String,
    parent: String,
    adopted_year: i32,
    adopted_on: String,
    in_force_on: String,
    dates_source: String,
    dates_confidence: String,
    normlex_id: String,
    reference_ratifications: String,
    reference_ratifications_as_of: String,
    reference_ratifications_source: String,
}

fn read_conventions() -> Result<Vec<ConventionRow>, SeedError> {
    const FILE: &str = "conventions.csv";
    let non_empty = |s: String| (!s.trim().is_empty()).then_some(s);
    read_csv::<ConventionCsv>(FILE, CONVENTIONS_CSV)?
        .into_iter()
        .map(|(line, c)| {
            let bad = |e: String| data_error(FILE, line, e);
            let date = |s: &str| -> Result<Option<NaiveDate>, SeedError> {
                non_empty(s.to_string())
                    .map(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| bad(format!("{s}: {e}"))))
                    .transpose()
            };
            let instrument_type = c
                .instrument_type
                .parse::<InstrumentType>()
                .map_err(|e| bad(e.to_string()))?;
            let category = c.category.parse::<Category>().map_err(|e| bad(e.to_string()))?;
            let principle = non_empty(c.principle)
                .map(|p| p.parse::<Principle>())
                .transpose()
                .map_err(|e| bad(e.to_string()))?;
            let reference_ratifications = non_empty(c.reference_ratifications)
                .map(|n| {
                    n.parse::<i32>()
                        .map_err(|e| bad(format!("reference_ratifications: {e}")))
                })
                .transpose()?;
            Ok(ConventionRow {
                adopted_on: date(&c.adopted_on)?,
                in_force_on: date(&c.in_force_on)?,
                code: c.code,
                instrument_type,
                title: c.title,
                short_title: c.short_title,
                category,
                principle,
                parent: non_empty(c.parent),
                adopted_year: c.adopted_year,
                dates_source: c.dates_source,
                dates_confidence: c.dates_confidence,
                normlex_id: non_empty(c.normlex_id),
                reference_ratifications,
                reference_ratifications_as_of: non_empty(c.reference_ratifications_as_of),
                reference_ratifications_source: non_empty(c.reference_ratifications_source),
                version: 1,
            })
        })
        .collect()
}

fn read_ratifications() -> Result<Vec<(u64, crate::repo::ratifications::RatificationFields)>, SeedError> {
    const FILE: &str = "ratifications.csv";
    read_csv::<CsvRow>(FILE, RATIFICATIONS_CSV)?
        .into_iter()
        .map(|(line, row)| {
            parse_row(&row, line)
                .map(|fields| (line, fields))
                .map_err(|errors| {
                    data_error(
                        FILE,
                        line,
                        errors
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_seed_files_parse() {
        assert_eq!(read_countries().unwrap().len(), 187);
        let conventions = read_conventions().unwrap();
        assert_eq!(conventions.len(), 17);
        assert_eq!(
            conventions
                .iter()
                .filter(|c| c.category == Category::Fundamental)
                .count(),
            11
        );
        assert_eq!(
            conventions
                .iter()
                .filter(|c| c.category == Category::Governance)
                .count(),
            4
        );
        let p029 = conventions.iter().find(|c| c.code == "P029").unwrap();
        assert_eq!(p029.parent.as_deref(), Some("C029"));
        assert_eq!(read_ratifications().unwrap().len(), 1054);
    }

    #[test]
    fn every_seeded_record_carries_a_source() {
        for (_, fields) in read_ratifications().unwrap() {
            assert!(
                !fields.source.is_empty(),
                "{} {}",
                fields.country,
                fields.convention
            );
        }
    }
}
