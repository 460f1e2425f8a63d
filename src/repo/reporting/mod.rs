//! The reporting repository, one file per aggregate: schedules, report requests (with their
//! instruments) and tasks. Every read takes a scope, so a query cannot forget the country
//! filter.

pub mod requests;
pub mod schedules;
pub mod tasks;

pub use requests::*;
pub use schedules::*;
pub use tasks::*;
