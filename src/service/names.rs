//! Names of the store's records in the request's language, for answers that list many.

use std::collections::HashMap;

use crate::db::DbConn;
use crate::error::AppResult;

/// Every member state's name by ISO3 code, in the request's language (English where no
/// translation is known).
pub fn countries(conn: &mut DbConn) -> AppResult<HashMap<String, String>> {
    Ok(crate::i18n::names::countries(crate::repo::countries::names(
        conn,
    )?))
}
