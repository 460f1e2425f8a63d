//! Rules a body's codes break against the store: the country and instruments it names must
//! exist.

use crate::db::DbConn;
use crate::error::{AppResult, FieldError};

/// The rules a body's country and instruments break against the store: each must exist.
pub fn check_known(
    conn: &mut DbConn,
    country: &str,
    conventions: &[String],
    violations: &mut Vec<FieldError>,
) -> AppResult<()> {
    if !crate::repo::countries::exists(conn, country)? {
        violations.push(FieldError::new(
            "country",
            format!("no member state has the code '{country}'"),
        ));
    }
    for code in conventions {
        if !crate::repo::conventions::exists(conn, code)? {
            violations.push(FieldError::new(
                "conventions",
                format!("no instrument has the code '{code}'"),
            ));
        }
    }
    Ok(())
}
