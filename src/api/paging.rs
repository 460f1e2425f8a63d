//! The one paging parameter block of every list: `page` and `per_page`, declared once here
//! and appended to each list's query parameters by [`paged_query!`].
//!
//! serde's `flatten` would be the usual way, but it switches `deny_unknown_fields` off, and a
//! list must refuse a parameter it does not know (a typo must not silently list everything).

/// A list's query parameters, with the paging block.
pub trait Paged {
    /// `(page, per_page)` as sent.
    fn paging(&self) -> (Option<&str>, Option<&str>);
}

/// Declares a list's query-parameter struct with the paging block appended, and its [`Paged`]
/// implementation.
macro_rules! paged_query {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($(#[$field_meta:meta])* pub $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty,)*
            /// The page to answer, from 1 (default 1).
            #[param(value_type = Option<i64>, minimum = 1)]
            pub page: Option<String>,
            /// Items per page, 1 to 500 (default 50).
            #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
            pub per_page: Option<String>,
        }

        impl $crate::api::paging::Paged for $name {
            fn paging(&self) -> (Option<&str>, Option<&str>) {
                (self.page.as_deref(), self.per_page.as_deref())
            }
        }
    };
}
pub(crate) use paged_query;
