//! The typed storage boundary: every enum of `domain/` is a `Text` column, converted by diesel
//! on both engines (and on the `MultiBackend` that [`super::DbConn`] dispatches through).
//! Repository rows therefore hold enums, never strings; a stored value that no write path
//! produces fails the query as a deserialization error (a 500 with its column's value in the
//! log), not somewhere later in a handler.
//!
//! The enums carry `#[derive(AsExpression, FromSqlRow)]` from `domain::text_enum!`; the
//! conversions themselves live here, one line per enum.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

use super::MultiBackend;
use crate::domain::access::{EntityKind, Role};
use crate::domain::deadlines::DeadlineKind;
use crate::domain::ratification::{Stage, Status};
use crate::domain::rbc::{InitiativeKind, InitiativeStatus};
use crate::domain::rbc_activities::{ActivityKind, ActivityStatus};
use crate::domain::reference::{Category, InstrumentType, OrganizationKind, Principle, Region};
use crate::domain::reforms::{GapStatus, MilestoneKind, MilestoneStatus};
use crate::domain::reporting::{RequestKind, RequestStatus, ScheduleBasis, TaskKind, TaskStatus};
use crate::domain::supervision::{CommentKind, Footnote, SupervisoryBody};
use crate::domain::trade::{ArrangementKind, CommitmentType, MembershipEvent};

/// Parses stored text into its enum; the error names the value, for the log.
fn parse<T: std::str::FromStr<Err = crate::domain::UnknownValue>>(raw: &str) -> deserialize::Result<T> {
    raw.parse::<T>()
        .map_err(|e| format!("unexpected stored value: {e}").into())
}

macro_rules! stored_as_text {
    ($($name:ty),+ $(,)?) => {$(
        impl FromSql<Text, Sqlite> for $name {
            fn from_sql(bytes: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
                parse(&text)
            }
        }

        impl FromSql<Text, Pg> for $name {
            fn from_sql(bytes: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                parse(&text)
            }
        }

        impl FromSql<Text, MultiBackend> for $name {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<$name, Text>()
            }
        }

        impl ToSql<Text, Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                <str as ToSql<Text, Sqlite>>::to_sql(self.as_str(), out)
            }
        }

        impl ToSql<Text, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <str as ToSql<Text, Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl ToSql<Text, MultiBackend> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }
    )+};
}

stored_as_text!(
    Role,
    EntityKind,
    DeadlineKind,
    Status,
    Stage,
    Region,
    Category,
    Principle,
    InstrumentType,
    OrganizationKind,
    GapStatus,
    MilestoneKind,
    MilestoneStatus,
    RequestKind,
    RequestStatus,
    TaskKind,
    TaskStatus,
    ScheduleBasis,
    ArrangementKind,
    MembershipEvent,
    CommitmentType,
    SupervisoryBody,
    CommentKind,
    Footnote,
    InitiativeKind,
    InitiativeStatus,
    ActivityKind,
    ActivityStatus,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_stored_text_is_a_deserialization_error_naming_the_value() {
        let err = parse::<Status>("ratifed").unwrap_err();
        assert!(err.to_string().contains("ratifed"), "{err}");
        assert_eq!(parse::<Status>("ratified").unwrap(), Status::Ratified);
    }
}
