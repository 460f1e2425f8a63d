//! `/api/v1/auth/me/reminders`: a person's reminder rules (issue 17). One digest e-mail a day
//! lists what falls due at the chosen lead times within the person's work scope.

use actix_web::{web, HttpResponse};

use super::json_body::JsonBody;
use super::{with_db, AppState};
use crate::domain::access::Caller;
use crate::domain::reminders::ReminderSettings;
use crate::error::{AppResult, Problem};

/// Your reminder rules (the defaults until you change them: 30 and 7 days before, on the
/// day, then weekly while overdue, for each kind of deadline).
#[utoipa::path(
    get,
    path = "/auth/me/reminders",
    tag = "notifications",
    responses(
        (status = 200, description = "Your rules", body = ReminderSettings)
    )
)]
pub async fn get(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let settings = with_db(&state, move |conn| crate::service::reminders::get(conn, &caller)).await?;
    Ok(HttpResponse::Ok().json(settings))
}

/// Replace your reminder rules. Turning any reminder on needs e-mail configured on the
/// server (409 otherwise); turning them all off always works.
#[utoipa::path(
    put,
    path = "/auth/me/reminders",
    tag = "notifications",
    request_body = ReminderSettings,
    responses(
        (status = 200, description = "Your rules as stored (leads sorted, repeats dropped)", body = ReminderSettings),
        (status = 400, description = "The body is not a set of rules", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail is off on this server: reminders can only be turned off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A lead is out of range, or there are too many", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ReminderSettings>,
) -> AppResult<HttpResponse> {
    let settings = body.into_inner();
    let mail_on = state.notify.mailer.is_some();
    let stored = with_db(&state, move |conn| {
        crate::service::reminders::put(conn, &caller, settings, mail_on)
    })
    .await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// A country's reminder defaults: what its government, employer and worker users get until
/// they choose their own (the built-in defaults until its office sets them).
#[utoipa::path(
    get,
    path = "/countries/{iso3}/reminder-defaults",
    tag = "notifications",
    params(("iso3" = String, Path, example = "ZWE")),
    responses(
        (status = 200, description = "The country's defaults", body = ReminderSettings),
        (status = 404, description = "No such country among those you read", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_country(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let country = super::path_country(&path.into_inner())?;
    let settings = with_db(&state, move |conn| {
        crate::service::reminders::get_country(conn, &caller, &country)
    })
    .await?;
    Ok(HttpResponse::Ok().json(settings))
}

/// Set a country's reminder defaults (administrators and the country's office). Turning any
/// reminder on needs e-mail on the server (409).
#[utoipa::path(
    put,
    path = "/countries/{iso3}/reminder-defaults",
    tag = "notifications",
    params(("iso3" = String, Path, example = "ZWE")),
    request_body = ReminderSettings,
    responses(
        (status = 200, description = "The defaults as stored", body = ReminderSettings),
        (status = 400, description = "The body is not a set of rules", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the country's office", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such country", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "E-mail is off on this server", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A lead is out of range, or there are too many", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn put_country(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody<ReminderSettings>,
) -> AppResult<HttpResponse> {
    let country = super::path_country(&path.into_inner())?;
    let settings = body.into_inner();
    let mail_on = state.notify.mailer.is_some();
    let stored = with_db(&state, move |conn| {
        crate::service::reminders::put_country(conn, &caller, &country, settings, mail_on)
    })
    .await?;
    Ok(HttpResponse::Ok().json(stored))
}
