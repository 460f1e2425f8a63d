//! What every all-or-nothing CSV import answers: its summary, or the bad rows (each with
//! its line and column), mapped once to a 422.

use crate::error::{AppError, FieldError};
use crate::import::{RowError, RowErrors};

/// Reports progress of a long import (the command line prints it): stage, done, total.
pub type Progress<'a> = &'a mut dyn FnMut(&str, usize, usize);

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub dry_run: bool,
    /// Data rows in the file.
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has bad rows; nothing was changed.
    #[error("{} error(s) in the file; nothing was imported", .0.total())]
    Rows(RowErrors),
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::App(e.into())
    }
}

impl From<ImportError> for AppError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::App(e) => e,
            ImportError::Rows(rows) => {
                let (total, omitted) = (rows.total(), rows.omitted());
                let kept = rows.into_sorted();
                let more = if omitted > 0 {
                    format!("; the first {} are listed, {omitted} more are not", kept.len())
                } else {
                    String::new()
                };
                AppError::Unprocessable {
                    detail: format!(
                        "{total} error(s) in the file; nothing was imported (lines: {}){more}",
                        lines(&kept)
                    ),
                    errors: kept
                        .into_iter()
                        .map(|r| FieldError {
                            field: r.column,
                            message: r.message,
                            line: Some(r.line),
                        })
                        .collect(),
                }
            }
        }
    }
}

fn lines(rows: &[RowError]) -> String {
    let mut lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    lines.dedup();
    let shown: Vec<String> = lines.iter().take(20).map(u64::to_string).collect();
    if lines.len() > 20 {
        format!("{}, …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
