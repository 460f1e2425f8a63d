//! The ratification CSV: the columns of `seed-data/ratifications.csv`, which the import
//! (`POST /api/v1/imports/ratifications`) takes and the export writes.
//!
//! | column | content |
//! | --- | --- |
//! | `country` | ISO 3166 alpha-3 code |
//! | `convention` | instrument code (`C087`, `P029`) |
//! | `status` | `not_ratified`, `in_progress`, `ratified`, `denounced` |
//! | `stage` | while `in_progress` |
//! | `registered_on`, `in_force_on`, `denounced_on` | `YYYY-MM-DD` or empty |
//! | `minimum_age` | C138 declaration, whole number |
//! | `notes` | free text |
//! | `source` | where the record comes from (required) |
//! | `source_date` | the date the source speaks for: `YYYY-MM-DD`, `YYYY-MM` or `YYYY` |
//! | `source_incomplete` | `true` when the source gives no registration date (or no C138 age); empty means `false` |

use chrono::NaiveDate;
use serde::Deserialize;

use super::{RowError, RowErrors};
use crate::domain::codes::{parse_instrument_code, parse_iso3, parse_source_date};
use crate::domain::fields::text_field;
use crate::domain::ratification::{Stage, Status};
use crate::repo::ratifications::RatificationFields;

pub const COLUMNS: [&str; 12] = [
    "country",
    "convention",
    "status",
    "stage",
    "registered_on",
    "in_force_on",
    "denounced_on",
    "minimum_age",
    "notes",
    "source",
    "source_date",
    "source_incomplete",
];

/// One row as read, every field text.
#[derive(Debug, Clone, Deserialize)]
pub struct CsvRow {
    pub country: String,
    pub convention: String,
    pub status: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub registered_on: String,
    #[serde(default)]
    pub in_force_on: String,
    #[serde(default)]
    pub denounced_on: String,
    #[serde(default)]
    pub minimum_age: String,
    #[serde(default)]
    pub notes: String,
    pub source: String,
    #[serde(default)]
    pub source_date: String,
    #[serde(default)]
    pub source_incomplete: String,
}

/// Reads the shape of one row (codes, enums, dates, numbers); the rules that relate fields
/// to each other and to the stored data are the domain's. Every bad field is reported.
pub fn parse_row(row: &CsvRow, line: u64) -> Result<RatificationFields, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut fail = |column: &str, message: String| {
        errors.push(RowError {
            line,
            column: column.to_string(),
            message,
        })
    };

    let country = parse_iso3(&row.country);
    if country.is_none() {
        fail(
            "country",
            format!("'{}' is not an ISO 3166 alpha-3 code", row.country),
        );
    }
    let convention = parse_instrument_code(&row.convention);
    if convention.is_none() {
        fail(
            "convention",
            format!(
                "'{}' is not an instrument code such as C087 or P029",
                row.convention
            ),
        );
    }
    let status = row
        .status
        .trim()
        .parse::<Status>()
        .map_err(|e| fail("status", e.to_string()))
        .ok();
    let stage = optional(&row.stage)
        .map(|s| s.parse::<Stage>())
        .transpose()
        .map_err(|e| fail("stage", e.to_string()))
        .ok()
        .flatten();
    let mut date = |column: &str, raw: &str| -> Option<NaiveDate> {
        let raw = optional(raw)?;
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map_err(|_| fail(column, format!("'{raw}' is not a date of the form YYYY-MM-DD")))
            .ok()
    };
    let registered_on = date("registered_on", &row.registered_on);
    let in_force_on = date("in_force_on", &row.in_force_on);
    let denounced_on = date("denounced_on", &row.denounced_on);
    let minimum_age = optional(&row.minimum_age).and_then(|raw| {
        raw.parse::<i32>()
            .map_err(|_| fail("minimum_age", format!("'{raw}' is not a whole number")))
            .ok()
    });
    // The same rules as a body's text (control characters, lengths by column name).
    let mut text_errors = Vec::new();
    let source = text_field(&mut text_errors, "source", &row.source, false);
    let notes = text_field(&mut text_errors, "notes", &row.notes, false);
    for e in text_errors {
        fail(&e.field, e.message);
    }
    if source.is_empty() {
        fail("source", "every record needs its source".to_string());
    }
    let source_date = optional(&row.source_date)
        .map(parse_source_date)
        .transpose()
        .map_err(|e| fail("source_date", e))
        .ok()
        .flatten();

    let source_incomplete = match row.source_incomplete.trim() {
        "" | "false" => false,
        "true" => true,
        other => {
            fail(
                "source_incomplete",
                format!("'{other}' is not one of: true, false"),
            );
            false
        }
    };

    match (country, convention, status) {
        (Some(country), Some(convention), Some(status)) if errors.is_empty() => Ok(RatificationFields {
            country,
            convention,
            status,
            stage,
            registered_on,
            in_force_on,
            denounced_on,
            minimum_age,
            notes,
            source,
            source_date,
            source_incomplete,
        }),
        _ => Err(errors),
    }
}

/// The header row of the CSV, as written.
pub fn header_csv() -> Vec<u8> {
    let mut bytes = COLUMNS.join(",").into_bytes();
    bytes.push(b'\n');
    bytes
}

/// Records as CSV rows in the import's columns (no header). Every cell is made
/// spreadsheet-safe ([`super::spreadsheet_safe`]); the import takes the guard off again.
pub fn rows_csv(rows: &[crate::repo::ratifications::RatificationRow]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for r in rows {
        let cells = [
            r.country.as_str(),
            r.convention.as_str(),
            r.status.as_str(),
            r.stage.map(Stage::as_str).unwrap_or(""),
            &date(r.registered_on),
            &date(r.in_force_on),
            &date(r.denounced_on),
            &r.minimum_age.map(|a| a.to_string()).unwrap_or_default(),
            r.notes.as_str(),
            r.source.as_str(),
            r.source_date.as_deref().unwrap_or(""),
            if r.source_incomplete { "true" } else { "false" },
        ];
        writer.write_record(cells.iter().map(|c| super::spreadsheet_safe(c).into_owned()))?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Records as a whole CSV file with its header row.
pub fn write_csv(rows: &[crate::repo::ratifications::RatificationRow]) -> Result<String, csv::Error> {
    let mut bytes = header_csv();
    bytes.extend(rows_csv(rows)?);
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn optional(raw: &str) -> Option<&str> {
    let s = raw.trim();
    (!s.is_empty()).then_some(s)
}

pub use super::{MAX_FIELD_CHARS, MAX_ROWS};

/// The columns a ratification file must have.
const REQUIRED: [&str; 4] = ["country", "convention", "status", "source"];

/// A ratification CSV file read without the store.
#[derive(Debug, Default)]
pub struct ParsedFile {
    /// The rows whose fields are well-formed, with their lines.
    pub rows: Vec<(u64, RatificationFields)>,
    /// Bad rows (or header) with their line, column and reason (at most
    /// [`crate::import::MAX_REPORTED_ERRORS`] kept; all counted).
    pub errors: RowErrors,
    /// `false` when the header or the CSV structure is broken: nothing else is worth checking.
    pub readable: bool,
    /// Data rows read.
    pub total: usize,
}

/// Reads a ratification CSV file: every row's fields, or the bad rows with their line, column
/// and reason (the header's problems on line 1). Rows are read and checked one at a time, so
/// memory holds the file and its good rows, never a copy of every bad one.
pub fn parse_file(csv: &[u8]) -> ParsedFile {
    let mut errors = RowErrors::default();
    let mut rows = Vec::new();
    let mut total = 0;
    let mut row_errors = RowErrors::default();
    let readable = super::read_rows(csv, &COLUMNS, &REQUIRED, &mut errors, |line, row: CsvRow| {
        total += 1;
        match parse_row(&row, line) {
            Ok(fields) => rows.push((line, fields)),
            Err(bad) => bad.into_iter().for_each(|e| row_errors.push(e)),
        }
    });
    if !errors.is_empty() {
        // Broken structure: the rows read so far are not worth reporting on their own.
        for e in row_errors.into_sorted() {
            errors.push(e);
        }
        return ParsedFile {
            errors,
            readable: false,
            total,
            ..Default::default()
        };
    }
    ParsedFile {
        rows,
        errors: row_errors,
        readable,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, registered_on: &str) -> CsvRow {
        CsvRow {
            country: "vnm".into(),
            convention: "C98".into(),
            status: status.into(),
            stage: String::new(),
            registered_on: registered_on.into(),
            in_force_on: String::new(),
            denounced_on: String::new(),
            minimum_age: String::new(),
            notes: " note ".into(),
            source: "ILO news".into(),
            source_date: "2019-07".into(),
            source_incomplete: String::new(),
        }
    }

    #[test]
    fn reads_a_valid_row_and_normalises_codes() {
        let fields = parse_row(&row("ratified", "2019-07-05"), 2).unwrap();
        assert_eq!(fields.country, "VNM");
        assert_eq!(fields.convention, "C098");
        assert_eq!(fields.registered_on, NaiveDate::from_ymd_opt(2019, 7, 5));
        assert_eq!(fields.notes, "note");
        assert_eq!(fields.source_date.as_deref(), Some("2019-07"));
    }

    #[test]
    fn reports_every_bad_field_with_its_line() {
        let mut bad = row("done", "2019-02-30");
        bad.source = " ".into();
        let errors = parse_row(&bad, 7).unwrap_err();
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["status", "registered_on", "source"]);
        assert!(errors.iter().all(|e| e.line == 7));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::{parse_file, COLUMNS};

    /// Field values: well-formed ones mixed with junk (quotes, separators, control characters,
    /// non-ASCII, very long text).
    fn field() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just("ZWE".to_string()),
            Just("C087".to_string()),
            Just("ratified".to_string()),
            Just("in_progress".to_string()),
            Just("2019-07-05".to_string()),
            Just("2019-02-30".to_string()),
            Just("true".to_string()),
            Just("15".to_string()),
            "[a-zA-Z0-9 ,;\"'\\-_./]{0,24}",
            any::<String>(),
            "\\PC{0,400}",
        ]
    }

    /// A header naming the required columns and some others, in any order.
    fn header() -> impl Strategy<Value = Vec<String>> {
        proptest::sample::subsequence(COLUMNS.to_vec(), 0..=COLUMNS.len())
            .prop_map(|extra| {
                let mut names: Vec<String> = ["country", "convention", "status", "source"]
                    .iter()
                    .map(|c| c.to_string())
                    .collect();
                for c in extra {
                    if !names.iter().any(|n| n == c) {
                        names.push(c.to_string());
                    }
                }
                names
            })
            .prop_shuffle()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic_and_every_error_names_a_line(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let parsed = parse_file(&bytes);
            for e in &parsed.errors.sorted() {
                prop_assert!(e.line >= 1, "{e:?}");
                prop_assert!(!e.message.is_empty());
            }
            prop_assert!(parsed.readable || parsed.rows.is_empty());
        }

        #[test]
        fn every_row_is_accepted_or_rejected_with_its_line(
            names in header(),
            rows in proptest::collection::vec(proptest::collection::vec(field(), 12), 0..12),
        ) {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(&names).unwrap();
            for row in &rows {
                writer.write_record(row.iter().take(names.len())).unwrap();
            }
            let bytes = writer.into_inner().unwrap();
            let parsed = parse_file(&bytes);
            prop_assert!(parsed.readable, "{:?}", parsed.errors);
            // Every data row is either accepted or rejected (with at least one error), under
            // the line it starts on (a quoted field may span lines), never both.
            let accepted: std::collections::BTreeSet<u64> = parsed.rows.iter().map(|(line, _)| *line).collect();
            for e in &parsed.errors.sorted() {
                prop_assert!(e.line >= 2, "{e:?} is not a data line");
                prop_assert!(!accepted.contains(&e.line), "line {} both accepted and rejected", e.line);
            }
            prop_assert!(accepted.iter().all(|line| *line >= 2));
            let rejected: std::collections::BTreeSet<u64> = parsed.errors.sorted().iter().map(|e| e.line).collect();
            prop_assert_eq!(parsed.rows.len() + rejected.len(), rows.len());
        }
    }
}
