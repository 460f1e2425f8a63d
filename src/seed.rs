//! The default seed: the real member states, instruments and ratification records of
//! `seed-data/` (built from the shared reference data by `tools/build_seed_data.py`),
//! embedded in the binary. Seeding happens once: a database that has data is never seeded
//! again.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::db::{self, DbConn};
use crate::domain::ratification::resolve_in_force_on;
use crate::domain::reference::{Category, InstrumentType, Principle, Region};
use crate::import::ratifications::{parse_row, CsvRow};
use crate::repo::{self, conventions::ConventionRow, countries::CountryRow};

pub const COUNTRIES_CSV: &str = include_str!("../seed-data/countries.csv");
pub const CONVENTIONS_CSV: &str = include_str!("../seed-data/conventions.csv");
pub const RATIFICATIONS_CSV: &str = include_str!("../seed-data/ratifications.csv");

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
        assert_eq!(read_ratifications().unwrap().len(), 544);
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
