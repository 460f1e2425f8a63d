//! `/api/v1/audit`: the log of every write, for administrators and office staff. A caller sees
//! the entries of exactly the records it could read through their own endpoints
//! (`Caller::audit_visibility`): office staff see no accounts or tokens, and tasks only of
//! their countries.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paging::paged_query;
use super::{with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::pagination::{Cursor, CursorError, Page, MAX_OFFSET_DEPTH, MAX_PAGE};
use crate::error::{AppResult, Problem};
use crate::repo::audit::{self, AuditFilter};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i32,
    pub at: DateTime<Utc>,
    /// `user:<id>`, `token:<id>`, `cli` or `seed`.
    pub actor: String,
    /// `create`, `update`, `revoke`, `password_reset`.
    pub action: String,
    /// `ratification`, `user`, `organization`, `token`, `convention`.
    pub entity: String,
    /// The entity's key (`VNM/C098` for a ratification).
    pub entity_id: String,
    pub country: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    #[param(example = "ratification")]
    pub entity: Option<String>,
    #[param(example = "VNM/C098")]
    pub entity_id: Option<String>,
    pub country: Option<String>,
    #[param(example = "user:1")]
    pub actor: Option<String>,
    /// From this instant (RFC 3339) or day (`YYYY-MM-DD`), inclusive.
    #[param(schema_with = day_or_instant)]
    pub from: Option<String>,
    /// Until this instant or day, exclusive.
    #[param(schema_with = day_or_instant)]
    pub until: Option<String>,
    /// The `next_cursor` of the previous page: reads the next page by key, at the same cost
    /// however deep it is (instead of `page`, which skips entries one by one).
    #[param(pattern = r"^[0-9]{1,7}\.-?[0-9]{1,19}\.[0-9]{1,10}$", example = "2.1796000000123456.4210")]
    pub cursor: Option<String>,
}
}

/// The schema of a parameter that is a day or an instant.
fn day_or_instant() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    let string = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    OneOfBuilder::new()
        .item(string(KnownFormat::Date))
        .item(string(KnownFormat::DateTime))
        .build()
        .into()
}

fn parse_instant(errors: &mut ParamErrors, field: &str, raw: Option<&str>) -> Option<NaiveDateTime> {
    let raw = raw?.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc).naive_utc());
    }
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    errors.push(
        field,
        format!("'{raw}' is not an RFC 3339 instant or a YYYY-MM-DD date"),
    );
    None
}

/// The audit log, newest first. Pages by number reach 10,000 entries deep; `next_cursor`
/// reads on from any page, at the same cost however deep.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of entries", body = Page<AuditEntry>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A page more than 10,000 entries deep asked by number (follow `next_cursor`), or a cursor no list answered", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = AuditFilter {
        entity: errors.text("entity", query.entity.clone()),
        entity_id: errors.text("entity_id", query.entity_id.clone()),
        country: errors.parse_country("country", query.country.as_deref()),
        actor: errors.text("actor", query.actor.clone()),
        from: parse_instant(&mut errors, "from", query.from.as_deref()),
        until: parse_instant(&mut errors, "until", query.until.as_deref()),
    };
    let mut page = errors.parse_page(&*query);
    let cursor = match query.cursor.as_deref().map(Cursor::parse) {
        None => None,
        Some(Err(CursorError::Malformed)) => {
            errors.push("cursor", "is not a cursor (pass `next_cursor` back as it came)");
            None
        }
        Some(Err(CursorError::Unknown)) => {
            errors.push_rule(
                "cursor",
                "is not a cursor this list answered (pass `next_cursor` back as it came)",
            );
            None
        }
        Some(Ok(_)) if query.page.is_some() => {
            errors.push_rule("cursor", "give either `page` or `cursor`, not both".to_string());
            None
        }
        Some(Ok(cursor)) => {
            page.page = cursor.page;
            Some(cursor)
        }
    };
    if query.cursor.is_none() && !page.within_offset_depth() {
        errors.push_rule(
            "page",
            format!(
                "the log is read by page number only within its newest {MAX_OFFSET_DEPTH} entries; \
                 further on, follow `next_cursor`"
            ),
        );
    }
    errors.finish()?;
    let visibility = caller.audit_visibility();
    let (rows, total, more) = with_db(&state, move |conn| {
        Ok(audit::list(conn, &filter, &visibility, page, cursor.as_ref())?)
    })
    .await?;
    let next_cursor = match rows.last() {
        Some(last) if more => Some(
            Cursor {
                page: page.page.saturating_add(1).min(MAX_PAGE),
                at: last.at,
                id: last.id,
            }
            .encode(),
        ),
        _ => None,
    };
    let parse = |raw: Option<String>| raw.and_then(|s| serde_json::from_str(&s).ok());
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at.and_utc(),
            actor: r.actor,
            action: r.action,
            entity: r.entity.as_str().to_string(),
            entity_id: r.entity_id,
            country: r.country,
            before: parse(r.before_json),
            after: parse(r.after_json),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page {
        next_cursor,
        ..Page::new(items, total, page)
    }))
}
