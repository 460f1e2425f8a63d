//! The OpenAPI document, generated from the route table and the handlers' annotations.
//! Committed as `openapi/openapi.json`; `normtrack openapi` regenerates it and a test fails
//! when the two differ.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

mod languages;
mod webhooks;
mod wire_rules;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "normtrack",
        description = "Ratification and reporting tracker for the ILO Fundamental Conventions.\n\n\
            Errors are RFC 9457 problem details (`application/problem+json`). Lists take `page` \
            and `per_page` (default 50, at most 500) and answer `{items, total, page, per_page}`. \
            A (country, instrument) pair without a ratification record is unknown, not \"not ratified\"."
    ),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "reference data", description = "Member states and instruments"),
        (name = "ratifications", description = "Ratification records, with their sources"),
        (name = "auth", description = "Log in; who am I"),
        (name = "users", description = "Accounts (administrators)"),
        (name = "tokens", description = "Read-only dashboard tokens (administrators)"),
        (name = "audit", description = "The log of every write"),
        (name = "reforms", description = "Gaps between law or practice and the conventions, and the milestones that close them"),
        (name = "reporting", description = "Report requests of the ILO supervisory bodies, the per-(country, instrument) reporting schedule, and their generation"),
        (name = "tasks", description = "Work the tripartite constituents file against report requests"),
        (name = "dashboards", description = "Aggregates for dashboards: counts, the countries × instruments matrix, the time line, as at any day"),
        (name = "deadlines", description = "One time line of what is due, as JSON and as an iCalendar feed, and the feed tokens that open it"),
        (name = "trade", description = "Trade arrangements tied to ILO conventions (preference schemes, trade agreements), who they bind on a day, and what each country still owes under them"),
        (name = "responsible business conduct", description = "Initiatives that promote responsible business conduct (international instruments, national focal and contact points, projects, due-diligence and market-access laws), their activities and progress notes"),
        (name = "programmes", description = "Programmes (a named set of countries and a period) and their four-area progress report: Ratifications, Reforms, Responsible Business Conduct, Reporting"),
        (name = "supervision", description = "Comments of the ILO supervisory bodies (CEACR observations and direct requests, Conference Committee cases)"),
        (name = "notifications", description = "Webhook endpoints that receive signed change events (see `webhooks`), their delivery logs, and each person's e-mail reminder rules")
    ),
    components(schemas(
        Problem,
        FieldError,
        webhooks::WebhookEvent,
        webhooks::RatificationChangedData,
        webhooks::SupervisoryCommentCreatedData,
        webhooks::ReportRequestStatusChangedData
    )),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

/// The bearer-token scheme every protected operation refers to, so Swagger UI's Authorize
/// button works.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            crate::api::access::SECURITY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A token from POST /api/v1/auth/login (people) or POST /api/v1/tokens (dashboards). \
                         The scopes listed on an operation are the roles it admits.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            crate::api::access::FEED_SECURITY_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "A read-only calendar feed token from POST /api/v1/feed-tokens, for calendar clients that \
                 cannot send headers. It opens GET /api/v1/deadlines.ics only.",
            ))),
        );
    }
}

thread_local! {
    /// Whether routes registered on this thread describe themselves (see [`is_documenting`]).
    static DOCUMENTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the routes being registered are for [`document`]. Only then does each route
/// describe itself (`api::access::endpoint`): every server worker registers the same routes,
/// and describing them there too cost each worker about 17 MB of transient allocations that
/// stayed in its allocator arena (issue 19's memory target).
pub fn is_documenting() -> bool {
    DOCUMENTING.with(std::cell::Cell::get)
}

/// The whole document: the base above plus every route of [`crate::api::configure`].
pub fn document() -> utoipa::openapi::OpenApi {
    struct Documenting;
    impl Drop for Documenting {
        fn drop(&mut self) {
            DOCUMENTING.with(|d| d.set(false));
        }
    }
    DOCUMENTING.with(|d| d.set(true));
    let _documenting = Documenting;
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::configure)
        .split_for_parts();
    let mut doc = constrained(doc);
    // After `constrained`: utoipa reads back only `x-` extensions, so the section is added last.
    doc.extensions
        .get_or_insert_with(Default::default)
        .insert("webhooks".into(), webhooks::section());
    doc
}

/// The document with [`wire_rules`] applied (through its JSON form, which utoipa reads back).
fn constrained(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut json) = serde_json::to_value(&doc) else {
        return doc;
    };
    wire_rules::apply(&mut json);
    languages::apply(&mut json);
    serde_json::from_value(json).unwrap_or(doc)
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_wire_rules_reach_the_served_document() {
        let doc = serde_json::to_value(super::document()).unwrap_or_default();
        let audit = &doc["paths"]["/api/v1/audit"]["get"]["parameters"];
        let country = audit
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "country"))
            .cloned()
            .unwrap_or_default();
        assert!(
            country["schema"]["pattern"].is_string(),
            "the rules were not applied (did utoipa fail to read the document back?)"
        );
    }

    #[test]
    fn the_documented_cursor_is_the_one_the_audit_log_reads() {
        let doc = serde_json::to_value(super::document()).unwrap_or_default();
        let cursor = doc["paths"]["/api/v1/audit"]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "cursor"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(
            cursor["schema"]["pattern"],
            crate::domain::pagination::CURSOR_PATTERN,
            "src/api/audit.rs states the pattern of domain::pagination::CURSOR_PATTERN"
        );
    }
}
