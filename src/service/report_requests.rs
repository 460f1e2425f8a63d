//! Report requests entered by hand (follow-ups, Article 19) and changed, their status moved,
//! and the reporting schedules set: each write checked (scope, `If-Match`, rules) and audited
//! in its transaction. Generation from the cycle is `service::reporting`.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::Caller;
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::fields::{body_conventions, body_country, text_field};
use crate::domain::reporting::{
    check_settled_date, may_move_request_status, RequestKind, RequestStatus, ScheduleBasis,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::reporting::{self as store, RequestFields, ScheduleFields};
use crate::service::audit;
use crate::service::audit::{record, Written};
use crate::service::known::check_known;
use crate::service::reporting::YEARS;

/// A request entered by hand: a follow-up (out-of-cycle) report or an Article 19 report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReportRequest {
    /// `article22_follow_up` or `article19`; regular and first reports come from generation.
    pub kind: RequestKind,
    #[schema(example = "ZWE")]
    pub country: String,
    /// One or more instruments. For Article 19, the instruments of the survey, ratified or not.
    #[schema(example = json!(["C087"]))]
    #[schema(min_items = 1, max_items = 50)]
    pub conventions: Vec<String>,
    #[schema(example = 2027)]
    pub year: i32,
    pub due_on: NaiveDate,
    /// Defaults to `false` (simplified).
    #[serde(default)]
    pub detailed: bool,
    /// Required for a follow-up: what the supervisory body asked and why.
    pub reason: Option<String>,
}

/// Checks a hand-made request: shape errors are 400, rules against the store 422.
fn new_request_fields(
    conn: &mut DbConn,
    input: &NewReportRequest,
) -> AppResult<(String, Vec<String>, RequestFields)> {
    let mut errors = Vec::new();
    let country = body_country(&mut errors, &input.country);
    let conventions = body_conventions(&mut errors, &input.conventions, "a request");
    let reason = input
        .reason
        .as_deref()
        .map(|r| text_field(&mut errors, "reason", r, false))
        .filter(|r| !r.is_empty());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let country = country.unwrap_or_default();
    let mut violations = Vec::new();
    if !matches!(
        input.kind,
        RequestKind::Article22FollowUp | RequestKind::Article19
    ) {
        violations.push(FieldError::new(
            "kind",
            "regular and first reports come from generation; by hand: article22_follow_up or article19",
        ));
    }
    if input.kind == RequestKind::Article22FollowUp && reason.is_none() {
        violations.push(FieldError::new("reason", "a follow-up request needs its reason"));
    }
    if input.kind == RequestKind::Article22FollowUp && conventions.len() > 1 {
        violations.push(FieldError::new(
            "conventions",
            "a follow-up concerns one convention",
        ));
    }
    if !YEARS.contains(&input.year) {
        violations.push(FieldError::new(
            "year",
            format!(
                "{} is not between {} and {}",
                input.year,
                YEARS.start(),
                YEARS.end()
            ),
        ));
    }
    check_known(conn, &country, &conventions, &mut violations)?;
    if !violations.is_empty() {
        return Err(AppError::unprocessable(violations));
    }
    let fields = RequestFields {
        kind: input.kind,
        year: input.year,
        due_on: input.due_on,
        detailed: input.detailed,
        status: RequestStatus::Requested,
        submitted_on: None,
        reason,
    };
    Ok((country, conventions, fields))
}

pub fn may_administer(caller: &Caller, country: &str) -> AppResult<()> {
    if caller.may_administer_country(country) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("you do not administer {country}")))
    }
}

/// The parts of a request its office edits (kind, country, year and instruments stay).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequestUpdate {
    pub due_on: NaiveDate,
    pub detailed: bool,
    pub reason: Option<String>,
    pub status: RequestStatus,
    /// Required when `submitted`, not in the future.
    pub submitted_on: Option<NaiveDate>,
}

/// A status move: the country's government and office.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusMove {
    pub status: RequestStatus,
    /// Required when `submitted`, not in the future; absent otherwise.
    pub submitted_on: Option<NaiveDate>,
}

fn check_status(status: RequestStatus, submitted_on: Option<NaiveDate>, today: NaiveDate) -> AppResult<()> {
    match check_settled_date(
        "submitted_on",
        status == RequestStatus::Submitted,
        submitted_on,
        today,
    ) {
        Some((field, message)) => Err(AppError::unprocessable(vec![FieldError::new(field, message)])),
        None => Ok(()),
    }
}

/// Changes a request in one transaction: load in scope, authorize, check `If-Match`, build
/// the new fields, write, audit.
fn change_request(
    conn: &mut DbConn,
    caller: &Caller,
    if_match: &IfMatch,
    id: i32,
    authorize: impl FnOnce(&Caller, &str) -> AppResult<()>,
    build: impl FnOnce(&store::Request) -> AppResult<RequestFields>,
) -> AppResult<store::Request> {
    db::write_transaction(conn, |conn| {
        let current =
            store::get_request(conn, id, &caller.read_scope())?.ok_or_else(|| request_not_found(id))?;
        authorize(caller, &current.row.country)?;
        if_match.check(&etag("report_request", id, current.row.version))?;
        let fields = build(&current)?;
        let changed = store::update_request(conn, id, current.row.version, &fields, None)?
            .ok_or(AppError::PreconditionFailed)?;
        let what = Written {
            entity: crate::domain::access::EntityKind::ReportRequest,
            id,
            country: &current.row.country,
        };
        record(
            conn,
            caller,
            "update",
            what,
            audit::snapshot(&current),
            audit::snapshot(&changed),
        )?;
        Ok(changed)
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// 1 to 10 years.
    #[schema(example = 3, minimum = 1, maximum = 10)]
    pub cycle_years: i32,
    #[schema(example = 2028, minimum = 2000, maximum = 2100)]
    pub next_regular_year: i32,
    /// Defaults to `official`: an edit usually enters the country's official schedule.
    pub basis: Option<ScheduleBasis>,
    #[serde(default)]
    pub notes: String,
}

pub fn schedule_etag(s: &store::ScheduleRow) -> String {
    etag(
        "report_schedule",
        format!("{}-{}", s.country, s.convention),
        s.version,
    )
}

/// The answer for a report request that does not exist, or that the caller may not see.
pub fn request_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("report request {id}"))
}

/// Enters a follow-up or Article 19 request for a country the caller administers.
pub fn create(conn: &mut DbConn, caller: &Caller, input: NewReportRequest) -> AppResult<store::Request> {
    db::write_transaction(conn, |conn| {
        let (country, conventions, fields) = new_request_fields(conn, &input)?;
        may_administer(caller, &country)?;
        let request = store::insert_request(conn, &country, &fields, &conventions, None)?;
        let what = Written {
            entity: crate::domain::access::EntityKind::ReportRequest,
            id: request.row.id,
            country: &country,
        };
        record(conn, caller, "create", what, None, audit::snapshot(&request))?;
        Ok(request)
    })
}

/// Changes a request's dates, form, reason and status.
pub fn update(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    input: ReportRequestUpdate,
    today: NaiveDate,
) -> AppResult<store::Request> {
    let mut errors = Vec::new();
    let reason = input
        .reason
        .as_deref()
        .map(|r| text_field(&mut errors, "reason", r, false))
        .filter(|r| !r.is_empty());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    {
        change_request(conn, caller, if_match, id, may_administer, |current| {
            check_status(input.status, input.submitted_on, today)?;
            if current.row.kind == RequestKind::Article22FollowUp && reason.is_none() {
                return Err(AppError::unprocessable(vec![FieldError::new(
                    "reason",
                    "a follow-up request needs its reason",
                )]));
            }
            Ok(RequestFields {
                kind: current.row.kind,
                year: current.row.year,
                due_on: input.due_on,
                detailed: input.detailed,
                status: input.status,
                submitted_on: input.submitted_on,
                reason,
            })
        })
    }
}

/// Moves a request's status (the country's government and office).
pub fn move_status(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    input: StatusMove,
    today: NaiveDate,
) -> AppResult<store::Request> {
    {
        let authorize = |caller: &Caller, country: &str| {
            if may_move_request_status(caller, country) {
                Ok(())
            } else {
                Err(AppError::Forbidden(format!(
                    "only the government and the office of {country} move this request's status"
                )))
            }
        };
        change_request(conn, caller, if_match, id, authorize, |current| {
            check_status(input.status, input.submitted_on, today)?;
            Ok(RequestFields {
                kind: current.row.kind,
                year: current.row.year,
                due_on: current.row.due_on,
                detailed: current.row.detailed,
                status: input.status,
                submitted_on: input.submitted_on,
                reason: current.row.reason.clone(),
            })
        })
    }
}

/// Sets the schedule of (country, instrument): creates it (no `If-Match`) or changes it
/// (`If-Match` required). Answers the schedule and whether it was created.
pub fn put_schedule(
    conn: &mut DbConn,
    caller: &Caller,
    country: String,
    convention: String,
    if_match: &IfMatch,
    input: ScheduleInput,
) -> AppResult<(store::ScheduleRow, bool)> {
    let mut errors = Vec::new();
    if !(1..=10).contains(&input.cycle_years) {
        errors.push(FieldError::new("cycle_years", "must be between 1 and 10"));
    }
    if !YEARS.contains(&input.next_regular_year) {
        errors.push(FieldError::new(
            "next_regular_year",
            format!("must be between {} and {}", YEARS.start(), YEARS.end()),
        ));
    }
    let notes = text_field(&mut errors, "notes", &input.notes, false);
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let fields = ScheduleFields {
        cycle_years: input.cycle_years,
        next_regular_year: input.next_regular_year,
        basis: input.basis.unwrap_or(ScheduleBasis::Official),
        notes,
    };
    {
        db::write_transaction(conn, |conn| {
            if !repo::countries::exists(conn, &country)? {
                return Err(AppError::NotFound(format!("country '{country}'")));
            }
            if !repo::conventions::exists(conn, &convention)? {
                return Err(AppError::NotFound(format!("instrument '{convention}'")));
            }
            may_administer(caller, &country)?;
            let current =
                store::get_schedule(conn, &country, &convention, &crate::domain::access::Scope::Global)?;
            let (row, created) = match &current {
                None => {
                    if_match.check_absent()?;
                    (
                        store::insert_schedule(conn, &country, &convention, &fields)?,
                        true,
                    )
                }
                Some(current) => {
                    if_match.check(&schedule_etag(current))?;
                    let row = store::update_schedule(conn, current.id, current.version, &fields)?
                        .ok_or(AppError::PreconditionFailed)?;
                    (row, false)
                }
            };
            let what = Written {
                entity: crate::domain::access::EntityKind::ReportSchedule,
                id: row.id,
                country: &country,
            };
            let action = if created { "create" } else { "update" };
            record(
                conn,
                caller,
                action,
                what,
                current.as_ref().and_then(audit::snapshot),
                audit::snapshot(&row),
            )?;
            Ok((row, created))
        })
    }
}
