//! Instance metadata (`app_meta`): when the database was seeded, and later, secrets shared
//! by every instance on one database.

use diesel::prelude::*;

use crate::db::schema::app_meta;
use crate::db::DbConn;

pub const SEEDED_AT: &str = "seeded_at";

pub fn get(conn: &mut DbConn, key: &str) -> QueryResult<Option<String>> {
    app_meta::table
        .find(key)
        .select(app_meta::value)
        .first::<String>(conn)
        .optional()
}

/// Sets a key that must not exist yet.
pub fn insert(conn: &mut DbConn, key: &str, value: &str) -> QueryResult<()> {
    diesel::insert_into(app_meta::table)
        .values((
            app_meta::key.eq(key),
            app_meta::value.eq(value),
            app_meta::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}
