//! Reform gaps, the milestones that close them and progress notes on those: each write
//! checked (the caller administers the country, `If-Match`, the rules of `domain::reforms`) and
//! audited in its transaction.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::Caller;
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::fields::{body_conventions, body_country, day_out_of_range, text_field};
use crate::domain::reforms::{
    check_gap, check_link, check_milestone, may_note_progress, GapStatus, MilestoneKind, MilestoneStatus,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::reforms::{self as store, GapFields, MilestoneFields};
use crate::service::audit;
use crate::service::audit::{record, Written};
use crate::service::known::check_known;

/// Refused unless the caller administers `country`.
fn administer(caller: &Caller, country: &str) -> AppResult<()> {
    if caller.may_administer_country(country) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("you do not administer {country}")))
    }
}

/// The answer for a gap that does not exist, or that the caller may not see.
pub fn gap_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("gap {id}"))
}

/// The answer for a milestone that does not exist, or that the caller may not see.
pub fn milestone_not_found(id: i32) -> AppError {
    AppError::NotFound(format!("milestone {id}"))
}

fn link_field(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    check_link(value)
        .map_err(|e| errors.push(FieldError::new(field, e)))
        .ok()?;
    Some(value.to_string())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GapInput {
    /// The country; on `PUT` it must stay the same.
    #[schema(example = "ZWE")]
    pub country: String,
    /// One or more instrument codes.
    #[schema(example = json!(["C087"]))]
    #[schema(min_items = 1, max_items = 50)]
    pub conventions: Vec<String>,
    #[schema(min_length = 1)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[schema(min_length = 1)]
    pub source: String,
    pub source_link: Option<String>,
    /// Defaults to `open`. A gap closes only when its milestones are completed or cancelled.
    pub status: Option<GapStatus>,
    /// The day the gap was identified, not in the future. Defaults to today on `POST` and
    /// to the day already recorded on `PUT`.
    pub opened_on: Option<NaiveDate>,
    /// Required when `closed`, not in the future, not before `opened_on`.
    pub closed_on: Option<NaiveDate>,
    /// The ids of the supervisory comments the gap was opened from (of the same country).
    #[serde(default)]
    pub comments: Vec<i32>,
}

/// Reads a gap body: shape errors are 400, rules against the store 422.
fn gap_fields(
    conn: &mut DbConn,
    input: GapInput,
    milestones: &[MilestoneStatus],
    recorded_opened_on: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<GapFields> {
    let mut errors = Vec::new();
    let country = body_country(&mut errors, &input.country);
    let conventions = body_conventions(&mut errors, &input.conventions, "a gap");
    let title = text_field(&mut errors, "title", &input.title, true);
    let description = text_field(&mut errors, "description", &input.description, false);
    let source = text_field(&mut errors, "source", &input.source, true);
    let source_link = link_field(&mut errors, "source_link", input.source_link.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let country = country.unwrap_or_default();
    let mut violations = Vec::new();
    check_known(conn, &country, &conventions, &mut violations)?;
    let mut comments = input.comments.clone();
    comments.sort_unstable();
    comments.dedup();
    for id in &comments {
        match crate::repo::comments::get(conn, *id)? {
            Some(c) if c.row.country == country => {}
            Some(_) => violations.push(FieldError::new(
                "comments",
                format!("comment {id} is about another country"),
            )),
            None => violations.push(FieldError::new(
                "comments",
                format!("no supervisory comment has the id {id}"),
            )),
        }
    }
    let status = input.status.unwrap_or(GapStatus::Open);
    let opened_on = input.opened_on.or(recorded_opened_on).unwrap_or(today);
    for (field, message) in check_gap(status, opened_on, input.closed_on, milestones, today) {
        violations.push(FieldError::new(field, message));
    }
    if !violations.is_empty() {
        return Err(AppError::unprocessable(violations));
    }
    Ok(GapFields {
        country,
        title,
        description,
        source,
        source_link,
        status,
        opened_on,
        closed_on: input.closed_on,
        conventions,
        comments,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    /// The gap; on `PUT` it must stay the same.
    pub gap: i32,
    pub kind: MilestoneKind,
    #[schema(min_length = 1)]
    pub title: String,
    pub target_on: NaiveDate,
    /// Required when `completed`, not in the future.
    pub completed_on: Option<NaiveDate>,
    /// Defaults to `planned`.
    pub status: Option<MilestoneStatus>,
    /// An organization of the gap's country.
    pub organization: Option<i32>,
    pub evidence_link: Option<String>,
    #[serde(default)]
    pub notes: String,
}

fn milestone_fields(
    conn: &mut DbConn,
    input: MilestoneInput,
    gap: &store::Gap,
    today: NaiveDate,
) -> AppResult<MilestoneFields> {
    let mut errors = Vec::new();
    let title = text_field(&mut errors, "title", &input.title, true);
    let notes = text_field(&mut errors, "notes", &input.notes, false);
    let evidence_link = link_field(&mut errors, "evidence_link", input.evidence_link.as_deref());
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let status = input.status.unwrap_or(MilestoneStatus::Planned);
    let mut violations: Vec<FieldError> = check_milestone(status, input.completed_on, today)
        .into_iter()
        .chain(day_out_of_range("target_on", input.target_on))
        .chain(
            input
                .completed_on
                .and_then(|day| day_out_of_range("completed_on", day)),
        )
        .map(|(f, m)| FieldError::new(f, m))
        .collect();
    if let Some(id) = input.organization {
        match repo::organizations::get(conn, id)? {
            None => violations.push(FieldError::new(
                "organization",
                format!("no organization has the id {id}"),
            )),
            Some(org) if org.country != gap.row.country => violations.push(FieldError::new(
                "organization",
                format!(
                    "organization {id} belongs to {}, not {}",
                    org.country, gap.row.country
                ),
            )),
            Some(_) => {}
        }
    }
    if gap.row.status == GapStatus::Closed && !status.is_settled() {
        violations.push(FieldError::new(
            "gap",
            "the gap is closed; reopen it before planning further steps",
        ));
    }
    if !violations.is_empty() {
        return Err(AppError::unprocessable(violations));
    }
    Ok(MilestoneFields {
        kind: input.kind,
        title,
        target_on: input.target_on,
        completed_on: input.completed_on,
        status,
        organization: input.organization,
        evidence_link,
        notes,
    })
}

/// Creates a gap of a country the caller administers.
pub fn create_gap(
    conn: &mut DbConn,
    caller: &Caller,
    input: GapInput,
    today: NaiveDate,
) -> AppResult<store::Gap> {
    db::write_transaction(conn, |conn| {
        let fields = gap_fields(conn, input, &[], None, today)?;
        administer(caller, &fields.country)?;
        let gap = store::insert_gap(conn, &fields)?;
        record(
            conn,
            caller,
            "create",
            Written {
                entity: crate::domain::access::EntityKind::Gap,
                id: gap.row.id,
                country: &gap.row.country,
            },
            None,
            audit::snapshot(&gap),
        )?;
        Ok(gap)
    })
}

/// Changes gap `id` (the whole record; the country stays), if still at the version `if_match` names.
pub fn update_gap(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    input: GapInput,
    today: NaiveDate,
) -> AppResult<store::Gap> {
    db::write_transaction(conn, |conn| {
        let current = store::get_gap(conn, id, &caller.read_scope())?.ok_or_else(|| gap_not_found(id))?;
        administer(caller, &current.row.country)?;
        if_match.check(&etag("gap", id, current.row.version))?;
        let statuses = store::milestone_statuses(conn, id)?;
        let fields = gap_fields(conn, input, &statuses, current.row.opened_on, today)?;
        if fields.country != current.row.country {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "country",
                "a gap's country does not change",
            )]));
        }
        let gap =
            store::update_gap(conn, id, current.row.version, &fields)?.ok_or(AppError::PreconditionFailed)?;
        record(
            conn,
            caller,
            "update",
            Written {
                entity: crate::domain::access::EntityKind::Gap,
                id,
                country: &gap.row.country,
            },
            audit::snapshot(&current),
            audit::snapshot(&gap),
        )?;
        Ok(gap)
    })
}

/// Deletes gap `id`, which must have no milestones left.
pub fn delete_gap(conn: &mut DbConn, caller: &Caller, id: i32, if_match: &IfMatch) -> AppResult<()> {
    db::write_transaction(conn, |conn| {
        let current = store::get_gap(conn, id, &caller.read_scope())?.ok_or_else(|| gap_not_found(id))?;
        administer(caller, &current.row.country)?;
        if_match.check(&etag("gap", id, current.row.version))?;
        if !store::milestone_statuses(conn, id)?.is_empty() {
            return Err(AppError::Conflict(
                "the gap still has milestones; delete them first".into(),
            ));
        }
        store::delete_gap(conn, id)?;
        record(
            conn,
            caller,
            "delete",
            Written {
                entity: crate::domain::access::EntityKind::Gap,
                id,
                country: &current.row.country,
            },
            audit::snapshot(&current),
            None,
        )
    })
}

/// Creates a milestone of a gap of a country the caller administers.
pub fn create_milestone(
    conn: &mut DbConn,
    caller: &Caller,
    input: MilestoneInput,
    today: NaiveDate,
) -> AppResult<store::Milestone> {
    db::write_transaction(conn, |conn| {
        let gap =
            store::get_gap(conn, input.gap, &caller.read_scope())?.ok_or_else(|| gap_not_found(input.gap))?;
        administer(caller, &gap.row.country)?;
        let fields = milestone_fields(conn, input, &gap, today)?;
        let row = store::insert_milestone(conn, gap.row.id, &fields)?;
        record(
            conn,
            caller,
            "create",
            Written {
                entity: crate::domain::access::EntityKind::Milestone,
                id: row.id,
                country: &gap.row.country,
            },
            None,
            audit::snapshot(&row),
        )?;
        Ok(store::Milestone {
            row,
            country: gap.row.country,
        })
    })
}

/// Changes milestone `id` (the whole record; the gap stays), if still at the version `if_match` names.
pub fn update_milestone(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    input: MilestoneInput,
    today: NaiveDate,
) -> AppResult<store::Milestone> {
    db::write_transaction(conn, |conn| {
        let scope = caller.read_scope();
        let current = store::get_milestone(conn, id, &scope)?.ok_or_else(|| milestone_not_found(id))?;
        administer(caller, &current.country)?;
        if_match.check(&etag("milestone", id, current.row.version))?;
        if input.gap != current.row.gap_id {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "gap",
                "a milestone's gap does not change",
            )]));
        }
        let gap = store::get_gap(conn, current.row.gap_id, &scope)?
            .ok_or_else(|| gap_not_found(current.row.gap_id))?;
        let fields = milestone_fields(conn, input, &gap, today)?;
        let row = store::update_milestone(conn, id, current.row.version, &fields)?
            .ok_or(AppError::PreconditionFailed)?;
        record(
            conn,
            caller,
            "update",
            Written {
                entity: crate::domain::access::EntityKind::Milestone,
                id,
                country: &current.country,
            },
            audit::snapshot(&current.row),
            audit::snapshot(&row),
        )?;
        Ok(store::Milestone {
            row,
            country: current.country,
        })
    })
}

/// Deletes milestone `id` and its progress notes.
pub fn delete_milestone(conn: &mut DbConn, caller: &Caller, id: i32, if_match: &IfMatch) -> AppResult<()> {
    db::write_transaction(conn, |conn| {
        let current =
            store::get_milestone(conn, id, &caller.read_scope())?.ok_or_else(|| milestone_not_found(id))?;
        administer(caller, &current.country)?;
        if_match.check(&etag("milestone", id, current.row.version))?;
        store::delete_milestone(conn, id)?;
        record(
            conn,
            caller,
            "delete",
            Written {
                entity: crate::domain::access::EntityKind::Milestone,
                id,
                country: &current.country,
            },
            audit::snapshot(&current.row),
            None,
        )
    })
}

/// Adds a progress note to milestone `id` (`domain::reforms::may_note_progress`).
pub fn create_comment(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    text: &str,
) -> AppResult<store::CommentRow> {
    let mut errors = Vec::new();
    let text = text_field(&mut errors, "body", text, true);
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    db::write_transaction(conn, |conn| {
        let m =
            store::get_milestone(conn, id, &caller.read_scope())?.ok_or_else(|| milestone_not_found(id))?;
        if !may_note_progress(caller, &m.country, m.row.organization) {
            return Err(AppError::Forbidden(
                "only the responsible organization and the country's office add notes to this milestone"
                    .into(),
            ));
        }
        let organization = if caller.role.is_constituent() {
            caller.organization
        } else {
            None
        };
        let row = store::insert_comment(conn, id, &caller.actor(), organization, &text)?;
        record(
            conn,
            caller,
            "create",
            Written {
                entity: crate::domain::access::EntityKind::MilestoneComment,
                id: row.id,
                country: &m.country,
            },
            None,
            audit::snapshot(&row),
        )?;
        Ok(row)
    })
}
