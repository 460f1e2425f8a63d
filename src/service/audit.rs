//! The one audit path of the services: every write records who did what to which record of
//! which country, with its state before and after, in the write's own transaction
//! (`repo::audit` stores it).

use crate::error::AppResult;

/// The record a write touched: its kind, id and country.
pub struct Written<'a> {
    pub entity: &'static str,
    pub id: i32,
    pub country: &'a str,
}

/// Audits a write of `what` by `caller`, in the write's transaction.
pub fn record(
    conn: &mut crate::db::DbConn,
    caller: &crate::domain::access::Caller,
    action: &str,
    what: Written<'_>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<()> {
    let actor = caller.actor();
    crate::repo::audit::record(
        conn,
        crate::repo::audit::Entry {
            actor: &actor,
            action,
            entity: what.entity,
            entity_id: what.id.to_string(),
            country: Some(what.country),
            before,
            after,
        },
    )?;
    Ok(())
}
