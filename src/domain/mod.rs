//! Domain types and rules, free of HTTP and SQL; unit-tested on their own.

pub mod access;
pub mod codes;
pub mod concurrency;
pub mod coverage;
pub mod dashboard;
pub mod deadlines;
pub mod delivery_backoff;
pub mod events;
pub mod fields;
pub mod instruments;
pub mod pagination;
pub mod programmes;
pub mod ratification;
pub mod ratification_rules;
pub mod rbc;
pub mod rbc_activities;
pub mod reference;
pub mod reforms;
pub mod reminders;
pub mod reporting;
pub mod sso;
pub mod supervision;
pub mod text;
pub mod trade;
pub mod users;
pub mod webhook_signature;
pub mod webhook_urls;

/// Declares an enum stored as text: `as_str`, `FromStr` (with the list of allowed values in
/// the error), `ALL`, serde and OpenAPI schema, all from one list of variants. It is marked as
/// a diesel `Text` expression; its conversions live in `db::text_enums`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[derive(diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The allowed values, comma-separated, for error messages.
            pub fn allowed() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::domain::UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(crate::domain::UnknownValue {
                        value: s.to_string(),
                        allowed: Self::allowed(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

/// A text value that is not one of an enum's allowed values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not one of: {allowed}")]
pub struct UnknownValue {
    pub value: String,
    pub allowed: String,
}
