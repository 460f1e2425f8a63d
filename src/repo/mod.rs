//! Queries, one module per aggregate. Each function takes a connection (and, once access
//! control lands, the caller's scope) and returns plain rows; rules live in `domain`.

pub mod audit;
pub mod comments;
pub mod conventions;
pub mod countries;
pub mod feed_tokens;
pub mod meta;
pub mod organizations;
pub mod programmes;
pub mod ratifications;
pub mod rbc;
pub mod rbc_activities;
pub mod reforms;
pub mod reminders;
pub mod reporting;
pub mod sso;
pub mod subscriptions;
pub mod tokens;
pub mod trade;
pub mod users;
pub mod webhooks;

use chrono::{NaiveDateTime, SubsecRound, Utc};

/// Now, in UTC, to the microsecond (what both engines store).
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A `LIKE` pattern matching `needle` anywhere, with `%`, `_` and `\` escaped (use with
/// `.escape('\\')`).
pub fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

diesel::define_sql_function! {
    /// SQL `lower()`, on both engines.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(contains_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }
}
