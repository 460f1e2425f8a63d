//! `/api/v1/auth/me/subscriptions`: a person follows changes by e-mail (issue 17), in the
//! daily digest or at once. Integrations follow them by webhook (`/webhooks`).

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::json_body::JsonBody;
use super::{with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::events::EventType;
use crate::error::{AppResult, Problem};
use crate::service::subscriptions::{self as service, NewFollow};

pub use crate::service::subscriptions::Subscription;

/// How a change reaches you.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailDelivery {
    /// In the daily digest.
    Digest,
    /// An e-mail at once (within a pass of the notification worker).
    Immediate,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    /// What to follow, at least one. `report_request.status_changed` needs `countries`
    /// whose report requests you read (unless you read every country's).
    #[schema(min_items = 1)]
    pub events: Vec<EventType>,
    /// Only changes of these countries; absent: every country.
    #[schema(example = json!(["ZWE"]))]
    pub countries: Option<Vec<String>>,
    /// Only changes concerning these instruments; absent: every instrument.
    #[schema(example = json!(["C087"]))]
    pub conventions: Option<Vec<String>>,
    /// Default `digest`.
    pub delivery: Option<MailDelivery>,
}

/// The changes you follow by e-mail.
#[utoipa::path(
    get,
    path = "/auth/me/subscriptions",
    tag = "notifications",
    responses((status = 200, description = "Your subscriptions", body = Vec<Subscription>))
)]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let rows = with_db(&state, move |conn| service::list(conn, &caller)).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// Follow changes by e-mail: ratification changes, new supervisory comments, report
/// requests' status changes, by country and instrument. Needs e-mail on the server (409).
#[utoipa::path(
    post,
    path = "/auth/me/subscriptions",
    tag = "notifications",
    request_body = SubscriptionInput,
    responses(
        (status = 201, description = "Following", body = Subscription),
        (status = 400, description = "The body is not a subscription", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Report requests of countries whose report requests you do not read", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail is off on this server, or you have 25 subscriptions already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown country or instrument, or an empty list", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<SubscriptionInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let mut errors = ParamErrors::default();
    let (events, countries, conventions) =
        super::webhooks::follow_filters(&mut errors, input.events, input.countries, input.conventions);
    errors.finish()?;
    let new = NewFollow {
        events,
        countries,
        conventions,
        immediate: input.delivery == Some(MailDelivery::Immediate),
    };
    let mail_on = state.notify.mailer.is_some();
    let created = with_db(&state, move |conn| service::create(conn, &caller, new, mail_on)).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/auth/me/subscriptions/{}", created.id),
        ))
        .json(created))
}

/// Stop following; changes already waiting are still mailed.
#[utoipa::path(
    delete,
    path = "/auth/me/subscriptions/{id}",
    tag = "notifications",
    params(("id" = i32, Path)),
    responses(
        (status = 204, description = "No longer following"),
        (status = 404, description = "You have no such subscription", body = Problem, content_type = "application/problem+json")
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
