//! `GET /api/v1/deadlines` and `GET /api/v1/deadlines.ics`: one time line of what is due in
//! the caller's countries (report requests, tasks, milestone targets), as JSON and as an
//! iCalendar feed (RFC 5545) that a calendar application subscribes to with a feed token.

use crate::i18n::catalogue::text;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use icalendar::{Calendar, Component, Event, EventLike, Property};
use serde::Deserialize;
use utoipa::IntoParams;

use super::paging::paged_query;
use super::today;
use super::{with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::deadlines::{Deadline, DeadlineKind};
use crate::domain::pagination::Page;
use crate::domain::reporting::deadline_window;
use crate::error::{AppResult, Problem};
use crate::service::deadlines::{collect, DeadlineFilter};

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    #[param(example = "ZWE")]
    pub country: Option<String>,
    /// Tasks assigned to this organization, milestones it is responsible for, and the report
    /// requests of its country.
    #[param(value_type = Option<i32>)]
    pub organization: Option<String>,
    #[param(value_type = Option<DeadlineKind>)]
    pub kind: Option<String>,
    /// First day of the window; default today.
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Last day of the window; default twelve months after `from`. At most five years.
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
}
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    #[param(example = "ZWE")]
    pub country: Option<String>,
    #[param(value_type = Option<i32>)]
    pub organization: Option<String>,
    #[param(value_type = Option<DeadlineKind>)]
    pub kind: Option<String>,
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
    /// A feed token (from `POST /api/v1/feed-tokens`), for clients that cannot send an
    /// `Authorization` header.
    pub token: Option<String>,
}

fn filter(
    errors: &mut ParamErrors,
    country: Option<&str>,
    organization: Option<&str>,
    kind: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> DeadlineFilter {
    let mut filter = DeadlineFilter {
        country: errors.parse_country("country", country),
        organization: errors.parse_id("organization", organization),
        kind: errors.parse_enum::<DeadlineKind>("kind", kind),
        ..Default::default()
    };
    let from = errors.parse_day("from", from);
    let to = errors.parse_day("to", to);
    match deadline_window(from, to, today()) {
        Ok((from, to)) => {
            filter.from = Some(from);
            filter.to = Some(to);
        }
        Err((field, message)) => errors.push_rule(field, message),
    }
    filter
}

/// The caller's deadlines in a window (default: the next twelve months), by day: report
/// requests, tasks and milestone target dates of the caller's countries (administrators: all),
/// settled ones included with their status.
#[utoipa::path(
    get,
    path = "/deadlines",
    tag = "deadlines",
    params(DeadlineQuery),
    responses(
        (status = 200, description = "One page of the time line", body = Page<Deadline>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The window is inverted or too long, or the organization does not exist", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DeadlineQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let mut errors = ParamErrors::default();
    let filter = filter(
        &mut errors,
        q.country.as_deref(),
        q.organization.as_deref(),
        q.kind.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
    );
    let page = errors.parse_page(&q);
    errors.finish()?;
    let scope = caller.work_scope();
    let items = with_db(&state, move |conn| collect(conn, &scope, &filter, today())).await?;
    let total = items.len() as i64;
    let start = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let rows: Vec<Deadline> = items
        .into_iter()
        .skip(start)
        .take(usize::try_from(page.per_page).unwrap_or(0))
        .collect();
    super::page_response(rows, total, page, Ok)
}

/// The same time line as an iCalendar feed: one all-day event per deadline, with a stable UID,
/// a summary naming the country and the instruments, and a link to the resource. Subscribe
/// with `?token=<feed token>`; a bearer token works as well.
#[utoipa::path(
    get,
    path = "/deadlines.ics",
    tag = "deadlines",
    params(FeedQuery),
    responses(
        (status = 200, description = "An iCalendar (RFC 5545) feed", content_type = "text/calendar", body = String),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The window is inverted or too long, or the organization does not exist", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn feed(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<FeedQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let mut errors = ParamErrors::default();
    let filter = filter(
        &mut errors,
        q.country.as_deref(),
        q.organization.as_deref(),
        q.kind.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
    );
    errors.finish()?;
    let scope = caller.work_scope();
    let items = with_db(&state, move |conn| collect(conn, &scope, &filter, today())).await?;
    // Links come from the configured public address, never from the request's Host header.
    let base = state.public_base.to_string();
    let body = calendar(&items, &base).to_string();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/calendar; charset=utf-8"))
        .insert_header((header::CONTENT_DISPOSITION, "inline; filename=\"deadlines.ics\""))
        .body(body))
}

/// Text as an iCalendar TEXT value may hold it (RFC 5545 3.3.11): every line break (CRLF, a
/// lone CR or LF) becomes one `\n` for the library to escape, and every other control
/// character but the tab is dropped, so no parser, strict or lenient, sees a line of the
/// client's making.
pub fn calendar_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => '\n',
            c => c,
        })
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// The feed: all-day events (DTEND the next day, RFC 5545 3.6.1), UIDs that do not depend on
/// the address the feed was fetched through.
fn calendar(items: &[Deadline], base: &str) -> Calendar {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//normtrack//deadlines//EN"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        .name(&text("feed.name", &[]));
    let stamp = Utc::now();
    for item in items {
        let status = if item.overdue {
            text("feed.overdue", &[("status", &item.status)])
        } else {
            item.status.clone()
        };
        let link = format!("{base}{}", item.link);
        let next_day = item.due_on.succ_opt().unwrap_or(item.due_on);
        let event = Event::new()
            .uid(&item.uid())
            .timestamp(stamp)
            .starts(item.due_on)
            .ends(next_day)
            .summary(&calendar_text(&item.summary()))
            .description(&calendar_text(&format!(
                "{}: {}\n{}\n{link}",
                item.kind.as_str(),
                item.title,
                text("feed.status", &[("status", &status)])
            )))
            .url(&link)
            .done();
        calendar.push(event);
    }
    calendar.done()
}
