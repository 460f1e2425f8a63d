//! `/api/v1/webhooks`: endpoints that receive signed change events (issue 17). Administrators
//! register them for any countries; office staff for countries they cover. The signing secret
//! is answered once, at registration. Each endpoint's deliveries are listed with their
//! attempts, and any may be delivered again.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::json_body::JsonBody;
use super::paging::paged_query;
use super::{page_response, with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::events::EventType;
use crate::domain::pagination::Page;
use crate::error::{AppResult, Problem};
use crate::service::webhooks::{self as service, NewWebhook};

pub use crate::service::webhooks::{Delivery, Webhook};

/// The most countries or instruments one endpoint may name.
const MAX_FILTER: usize = 300;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where to post: `https` (or `http` where the deployment allows it), reachable on the
    /// public Internet (see `NORMTRACK_WEBHOOK_ALLOW_PRIVATE`).
    #[schema(example = "https://hooks.example.org/normtrack", max_length = 2048)]
    pub url: String,
    /// The events to receive, at least one.
    #[schema(min_items = 1)]
    pub events: Vec<EventType>,
    /// Only events of these countries (ISO 3166 alpha-3). Office staff must name countries
    /// they cover; absent: every country (administrators only).
    #[schema(example = json!(["ZWE"]))]
    pub countries: Option<Vec<String>>,
    /// Only events concerning these instruments; absent: every instrument.
    #[schema(example = json!(["C087", "C098"]))]
    pub conventions: Option<Vec<String>>,
    /// What the endpoint is for.
    #[schema(example = "Programme chat", max_length = 200)]
    pub description: Option<String>,
}

/// A registered endpoint with its signing secret: shown this once only.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing key (`whsec_` and base64), as the Standard Webhooks libraries take it.
    /// Store it now: it is not shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// A list of codes: a malformed code is 400 (the document's pattern), an empty or too long
/// list 422 (a rule).
fn codes(
    errors: &mut ParamErrors,
    field: &str,
    raw: Option<Vec<String>>,
    parse: fn(&str) -> Option<String>,
    what: &str,
) -> Option<Vec<String>> {
    let raw = raw?;
    if raw.is_empty() || raw.len() > MAX_FILTER {
        errors.push_rule(
            field,
            format!("name 1 to {MAX_FILTER} codes, or leave it out for all"),
        );
    }
    let mut parsed = Vec::new();
    for code in raw {
        match parse(&code) {
            Some(c) if !parsed.contains(&c) => parsed.push(c),
            Some(_) => {}
            None => errors.push(field, format!("'{code}' is not {what}")),
        }
    }
    Some(parsed)
}

/// What a webhook or a subscription follows: at least one event (sorted, repeats dropped),
/// and the countries and instruments as [`codes`] reads them.
pub(super) fn follow_filters(
    errors: &mut ParamErrors,
    events: Vec<EventType>,
    countries: Option<Vec<String>>,
    conventions: Option<Vec<String>>,
) -> (Vec<EventType>, Option<Vec<String>>, Option<Vec<String>>) {
    if events.is_empty() {
        errors.push("events", "name at least one event");
    }
    let mut events = events;
    events.sort_by_key(|e| e.as_str());
    events.dedup();
    let countries = codes(
        errors,
        "countries",
        countries,
        crate::domain::codes::parse_iso3,
        "an ISO 3166 alpha-3 country code",
    );
    let conventions = codes(
        errors,
        "conventions",
        conventions,
        crate::domain::codes::parse_instrument_code,
        "an instrument code such as C087",
    );
    (events, countries, conventions)
}

/// Register a webhook endpoint. Deliveries are signed following the Standard Webhooks
/// convention (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retried with
/// exponential backoff for 24 hours, and logged at `/webhooks/{id}/deliveries`.
#[utoipa::path(
    post,
    path = "/webhooks",
    tag = "notifications",
    request_body = WebhookInput,
    responses(
        (status = 201, description = "Registered; the signing secret is in `secret`, shown this once", body = RegisteredWebhook),
        (status = 400, description = "The body is not a registration", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Office staff naming a country they do not cover, or no countries", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You have 100 active webhooks already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The URL is refused (scheme, credentials, an internal address, a host that does not resolve), or a country or instrument is unknown", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<WebhookInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let mut errors = ParamErrors::default();
    let (events, countries, conventions) =
        follow_filters(&mut errors, input.events, input.countries, input.conventions);
    let description = input.description.unwrap_or_default().trim().to_string();
    if description.chars().count() > 200 {
        errors.push("description", "at most 200 characters");
    } else if description.chars().any(char::is_control) {
        errors.push_rule("description", "one line, without control characters");
    }
    if input.url.chars().count() > crate::domain::webhook_urls::MAX_URL_LEN {
        errors.push("url", "at most 2048 characters");
    }
    errors.finish()?;
    let policy = state.notify.webhooks;
    let raw = input.url;
    // The host is resolved on a blocking thread that holds no database connection.
    let url = web::block(move || service::check_url(&raw, policy))
        .await
        .map_err(|e| crate::error::AppError::Internal(e.to_string()))?
        .map_err(|e| crate::error::AppError::unprocessable(vec![e]))?;
    let new = NewWebhook {
        events,
        countries,
        conventions,
        description,
    };
    let (webhook, secret) = with_db(&state, move |conn| service::register(conn, &caller, url, new)).await?;
    tracing::info!(webhook = webhook.id, "webhook registered");
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", webhook.id)))
        .json(RegisteredWebhook { webhook, secret }))
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WebhookQuery {}
}

/// The webhook endpoints you manage (administrators: all; office staff: those of their
/// countries), removed ones included.
#[utoipa::path(
    get,
    path = "/webhooks",
    tag = "notifications",
    params(WebhookQuery),
    responses(
        (status = 200, description = "One page of endpoints", body = Page<Webhook>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<WebhookQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| service::list(conn, &caller, page)).await?;
    page_response(rows, total, page, Ok)
}

/// One webhook endpoint.
#[utoipa::path(
    get,
    path = "/webhooks/{id}",
    tag = "notifications",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The endpoint", body = Webhook),
        (status = 404, description = "No endpoint of yours has this id", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let webhook = with_db(&state, move |conn| service::get(conn, &caller, id)).await?;
    Ok(HttpResponse::Ok().json(webhook))
}

/// Remove a webhook endpoint: it receives nothing more, its waiting deliveries are
/// cancelled, and its log is kept. Removing twice is harmless.
#[utoipa::path(
    delete,
    path = "/webhooks/{id}",
    tag = "notifications",
    params(("id" = i32, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No endpoint of yours has this id", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn remove(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    with_db(&state, move |conn| service::remove(conn, &caller, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {}
}

/// An endpoint's delivery log, newest first: each event sent to it, its attempts, its
/// status and its last error.
#[utoipa::path(
    get,
    path = "/webhooks/{id}/deliveries",
    tag = "notifications",
    params(("id" = i32, Path), DeliveryQuery),
    responses(
        (status = 200, description = "One page of deliveries", body = Page<Delivery>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No endpoint of yours has this id", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
    query: web::Query<DeliveryQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let mut errors = ParamErrors::default();
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| service::deliveries(conn, &caller, id, page)).await?;
    page_response(rows, total, page, Ok)
}

/// Deliver one delivery again, now, with the same `webhook-id` (receivers drop repeats);
/// its 24 hours of retries start again.
#[utoipa::path(
    post,
    path = "/webhooks/{id}/deliveries/{delivery}/redeliver",
    tag = "notifications",
    params(("id" = i32, Path), ("delivery" = i32, Path)),
    responses(
        (status = 202, description = "Queued for delivery", body = Delivery),
        (status = 404, description = "No such endpoint of yours, or no such delivery of it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint was removed, the delivery cancelled, or it is being attempted at this moment", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn redeliver(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(i32, i32)>,
) -> AppResult<HttpResponse> {
    let (id, delivery) = path.into_inner();
    let queued = with_db(&state, move |conn| {
        service::redeliver(conn, &caller, id, delivery)
    })
    .await?;
    Ok(HttpResponse::Accepted().json(queued))
}
