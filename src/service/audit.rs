//! The one audit path: every write records who did what to which record of which country,
//! with its state before and after, in the write's own transaction (`repo::audit` stores it).
//! Services call [`record`] for one record a caller wrote, [`entry`] / [`entries`] for writes
//! of several records at once or by the system; nothing else calls `repo::audit` to write.
//! Every write passes through here, so here it is announced too (`events`).

use crate::error::AppResult;
pub use crate::repo::audit::{snapshot, Entry};

/// The record a write touched: its kind, id and country.
pub struct Written<'a> {
    pub entity: crate::domain::access::EntityKind,
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
    record_at(
        conn,
        caller,
        action,
        what.entity,
        what.id,
        Some(what.country),
        before,
        after,
    )
}

/// Audits a write by `caller` of a record that may belong to no one country (a global
/// initiative, its activities in no one country, a programme), in the write's transaction.
#[allow(clippy::too_many_arguments)]
pub fn record_at(
    conn: &mut crate::db::DbConn,
    caller: &crate::domain::access::Caller,
    action: &str,
    entity: crate::domain::access::EntityKind,
    id: i32,
    country: Option<&str>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<()> {
    let actor = caller.actor();
    entry(
        conn,
        crate::repo::audit::Entry {
            actor: &actor,
            action,
            entity,
            entity_id: id.to_string(),
            country,
            before,
            after,
        },
    )
}

/// Audits one prepared entry, in the write's transaction.
pub fn entry(conn: &mut crate::db::DbConn, entry: Entry<'_>) -> AppResult<()> {
    super::events::announce(conn, std::slice::from_ref(&entry))?;
    crate::repo::audit::record(conn, entry)?;
    Ok(())
}

/// Audits many entries (imports, generation runs), several hundred per statement.
pub fn entries(conn: &mut crate::db::DbConn, entries: Vec<Entry<'_>>) -> AppResult<()> {
    super::events::announce(conn, &entries)?;
    crate::repo::audit::record_many(conn, entries)?;
    Ok(())
}
