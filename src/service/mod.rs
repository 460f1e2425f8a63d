//! Use cases that span several repositories in one transaction: they take the caller,
//! check scope and rules through `domain`, write through `repo`, and audit every write.
//! Handlers and the command line both call them.

pub mod arrangements;
pub mod audit;
pub mod comments;
pub mod conventions;
pub mod dashboard;
pub mod deadlines;
pub mod digests;
pub mod events;
pub mod imports;
pub mod known;
pub mod names;
pub mod notify;
pub mod organizations;
pub mod programmes;
pub mod progress;
pub mod ratifications;
pub mod rbc;
pub mod rbc_activities;
pub mod reforms;
pub mod reminders;
pub mod report_requests;
pub mod reporting;
pub mod sso;
pub mod subscriptions;
pub mod tasks;
pub mod tokens;
pub mod trade;
pub mod users;
pub mod webhooks;
