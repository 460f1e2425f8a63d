//! The supervisory-comment CSV format: its columns, reading a file row by row (with line
//! numbers, through `import::read_rows`), and writing records back in the same columns, so
//! an export imports back unchanged. What the cells must hold is checked by
//! `service::comments`, the same rules as a request body.

use serde::Deserialize;

use super::{RowErrors, MAX_ROWS};

/// The columns, in the order the export writes them. `conventions` holds instrument codes
/// separated by spaces; `id` names the comment a row changes (empty: a new comment).
pub const COLUMNS: [&str; 19] = [
    "id",
    "normlex_id",
    "body",
    "kind",
    "country",
    "conventions",
    "year",
    "ilc_session",
    "published_year",
    "footnote",
    "reply_requested_for",
    "case_of_progress",
    "headings",
    "observations_cited",
    "label",
    "link",
    "notes",
    "source",
    "source_date",
];

/// The columns a file must have.
const REQUIRED: [&str; 6] = ["body", "kind", "country", "conventions", "year", "source"];

/// One data row, as text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CsvRow {
    pub id: String,
    pub normlex_id: String,
    pub body: String,
    pub kind: String,
    pub country: String,
    pub conventions: String,
    pub year: String,
    pub ilc_session: String,
    pub published_year: String,
    pub footnote: String,
    pub reply_requested_for: String,
    pub case_of_progress: String,
    pub headings: String,
    pub observations_cited: String,
    pub label: String,
    pub link: String,
    pub notes: String,
    pub source: String,
    pub source_date: String,
}

/// A comment CSV file read without the store.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub rows: Vec<(u64, CsvRow)>,
    pub errors: RowErrors,
    /// `false` when the header or the file's structure is broken.
    pub readable: bool,
}

/// Reads a file (at most [`MAX_ROWS`] rows).
pub fn parse_file(csv: &[u8]) -> ParsedFile {
    let mut errors = RowErrors::default();
    let mut rows = Vec::new();
    let readable = super::read_rows(csv, &COLUMNS, &REQUIRED, &mut errors, |line, row: CsvRow| {
        rows.push((line, row))
    });
    debug_assert!(rows.len() <= MAX_ROWS);
    ParsedFile {
        rows,
        errors,
        readable,
    }
}

/// The header row, as written.
pub fn header_csv() -> Vec<u8> {
    let mut bytes = COLUMNS.join(",").into_bytes();
    bytes.push(b'\n');
    bytes
}

/// Rows of cells (in [`COLUMNS`] order) as CSV lines, every cell spreadsheet-safe.
pub fn rows_csv(rows: &[[String; 19]]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    for cells in rows {
        writer.write_record(cells.iter().map(|c| super::spreadsheet_safe(c).into_owned()))?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
