//! Webhook endpoints (issue 17): registered by administrators (any countries) and by office
//! staff (for countries they cover); each has its own signing secret, shown once; its
//! deliveries are logged and may be delivered again on request.

use std::net::ToSocketAddrs;

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, snapshot};
use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind};
use crate::domain::events::EventType;
use crate::domain::pagination::PageRequest;
use crate::domain::webhook_signature::Secret;
use crate::domain::webhook_urls::{check_addresses, check_form, UrlPolicy};
use crate::error::{AppError, AppResult, FieldError};
use crate::repo::webhooks::{self as store, split, DeliveryRow, WebhookRow};

/// A webhook endpoint as shown (its secret never is, after registration).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i32,
    #[schema(example = "https://hooks.example.org/normtrack")]
    pub url: String,
    pub events: Vec<EventType>,
    /// The countries it follows; absent: every country.
    #[schema(example = json!(["ZWE"]))]
    pub countries: Option<Vec<String>>,
    /// The instruments it follows; absent: every instrument.
    #[schema(example = json!(["C087"]))]
    pub conventions: Option<Vec<String>>,
    pub description: String,
    /// Who registered it (`user:<id>`, `cli`).
    pub created_by: String,
    pub created_at: NaiveDateTime,
    /// False once removed: it receives nothing more; its log is kept.
    pub active: bool,
    pub removed_at: Option<NaiveDateTime>,
}

impl From<&WebhookRow> for Webhook {
    fn from(row: &WebhookRow) -> Self {
        Webhook {
            id: row.id,
            url: row.url.clone(),
            events: crate::repo::webhooks::event_types(&row.events),
            countries: row.countries.as_deref().map(split),
            conventions: row.conventions.as_deref().map(split),
            description: row.description.clone(),
            created_by: row.created_by.clone(),
            created_at: row.created_at,
            active: row.active,
            removed_at: row.removed_at,
        }
    }
}

/// One delivery of one event to one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i32,
    /// The `webhook-id` header: the same on every attempt.
    #[schema(example = "msg_41_3")]
    pub message_id: String,
    #[schema(example = "ratification.changed")]
    pub event_type: String,
    /// `pending` (waiting for its next attempt), `delivered`, `failed` (retried for 24 hours
    /// without success) or `cancelled` (its endpoint was removed).
    #[schema(example = "delivered")]
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<NaiveDateTime>,
    /// The receiver's last HTTP status.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

impl Delivery {
    fn of(row: DeliveryRow, event_type: String) -> Delivery {
        Delivery {
            id: row.id,
            message_id: row.message_id,
            event_type,
            next_attempt_at: (row.status == "pending").then_some(row.next_attempt_at),
            status: row.status,
            attempts: row.attempts,
            last_status: row.last_status,
            last_error: row.last_error,
            created_at: row.created_at,
            last_attempt_at: row.last_attempt_at,
            delivered_at: row.delivered_at,
        }
    }
}

/// What to register.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub events: Vec<EventType>,
    pub countries: Option<Vec<String>>,
    pub conventions: Option<Vec<String>>,
    pub description: String,
}

fn not_found(id: i32) -> AppError {
    AppError::NotFound(format!("no webhook has the id {id}"))
}

fn visible(caller: &Caller, row: &WebhookRow) -> bool {
    let countries = row.countries.as_deref().map(split);
    caller.may_manage_webhook(countries.as_deref())
}

/// The endpoint `id`, when the caller may manage it (404 otherwise: others' endpoints are not
/// revealed).
fn find(conn: &mut DbConn, caller: &Caller, id: i32) -> AppResult<WebhookRow> {
    store::get(conn, id)?
        .filter(|row| visible(caller, row))
        .ok_or_else(|| not_found(id))
}

/// Checks the URL's form and every address its host resolves to (it is checked again at each
/// delivery, when the connection is made).
pub fn check_url(raw: &str, policy: UrlPolicy) -> Result<url::Url, FieldError> {
    let refused =
        |refusal: crate::domain::webhook_urls::UrlRefusal| FieldError::new("url", refusal.to_string());
    let url = check_form(raw, policy).map_err(refused)?;
    if let Some(url::Host::Domain(host)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        let addresses: Vec<std::net::IpAddr> = (host, port)
            .to_socket_addrs()
            .map(|found| found.map(|a| a.ip()).collect())
            .unwrap_or_default();
        check_addresses(&addresses, policy).map_err(refused)?;
    }
    Ok(url)
}

/// The most active endpoints one person (or the command line) may have registered.
pub const MAX_WEBHOOKS_PER_REGISTRAR: i64 = 100;

/// Registers an endpoint at `url` (checked with [`check_url`] before, without holding a
/// database connection while its host is resolved); answers it with its secret (shown this
/// once).
pub fn register(
    conn: &mut DbConn,
    caller: &Caller,
    url: url::Url,
    new: NewWebhook,
) -> AppResult<(Webhook, String)> {
    if !caller.may_manage_webhook(new.countries.as_deref()) {
        return Err(AppError::Forbidden(
            "office staff register webhooks for countries they cover, named in `countries`".into(),
        ));
    }
    let secret = Secret::generate().show();
    db::write_transaction(conn, |conn| {
        if store::active_of(conn, &caller.actor())? >= MAX_WEBHOOKS_PER_REGISTRAR {
            return Err(AppError::Conflict(format!(
                "you have {MAX_WEBHOOKS_PER_REGISTRAR} active webhooks, the most one may have; remove one first"
            )));
        }
        let mut violations = Vec::new();
        for country in new.countries.iter().flatten() {
            if !crate::repo::countries::exists(conn, country)? {
                violations.push(FieldError::new(
                    "countries",
                    format!("no member state has the code '{country}'"),
                ));
            }
        }
        for code in new.conventions.iter().flatten() {
            if !crate::repo::conventions::exists(conn, code)? {
                violations.push(FieldError::new(
                    "conventions",
                    format!("no instrument has the code '{code}'"),
                ));
            }
        }
        if !violations.is_empty() {
            return Err(AppError::unprocessable(violations));
        }
        let actor = caller.actor();
        let events: Vec<&str> = new.events.iter().map(|e| e.as_str()).collect();
        let row = store::insert(
            conn,
            store::NewWebhook {
                url: url.as_str(),
                events: events.join(","),
                countries: new.countries.as_ref().map(|c| c.join(",")),
                conventions: new.conventions.as_ref().map(|c| c.join(",")),
                description: &new.description,
                secret: &secret,
                created_by: &actor,
            },
        )?;
        let shown = Webhook::from(&row);
        audit_write(conn, caller, "create", &row, None, snapshot(&shown))?;
        Ok((shown, secret.clone()))
    })
}

fn audit_write(
    conn: &mut DbConn,
    caller: &Caller,
    action: &str,
    row: &WebhookRow,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<()> {
    let countries = row.countries.as_deref().map(split).unwrap_or_default();
    let country = (countries.len() == 1).then(|| countries[0].as_str());
    audit::record_at(
        conn,
        caller,
        action,
        EntityKind::Webhook,
        row.id,
        country,
        before,
        after,
    )
}

/// The endpoints the caller may manage, oldest first.
pub fn list(conn: &mut DbConn, caller: &Caller, page: PageRequest) -> AppResult<(Vec<Webhook>, i64)> {
    let rows: Vec<Webhook> = store::all(conn)?
        .iter()
        .filter(|row| visible(caller, row))
        .map(Webhook::from)
        .collect();
    let total = rows.len() as i64;
    let items = rows
        .into_iter()
        .skip(page.offset() as usize)
        .take(page.per_page as usize)
        .collect();
    Ok((items, total))
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: i32) -> AppResult<Webhook> {
    Ok(Webhook::from(&find(conn, caller, id)?))
}

/// Stops an endpoint: nothing more is sent to it and its waiting deliveries are cancelled.
pub fn remove(conn: &mut DbConn, caller: &Caller, id: i32) -> AppResult<()> {
    db::write_transaction(conn, |conn| {
        let row = find(conn, caller, id)?;
        if !row.active {
            return Ok(());
        }
        store::remove(conn, id)?;
        let after = store::get(conn, id)?.ok_or_else(|| not_found(id))?;
        audit_write(
            conn,
            caller,
            "remove",
            &after,
            snapshot(&Webhook::from(&row)),
            snapshot(&Webhook::from(&after)),
        )
    })
}

/// An endpoint's deliveries, newest first.
pub fn deliveries(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    page: PageRequest,
) -> AppResult<(Vec<Delivery>, i64)> {
    find(conn, caller, id)?;
    let (rows, total) = store::deliveries(conn, id, page.offset(), page.per_page)?;
    Ok((
        rows.into_iter()
            .map(|(row, kind)| Delivery::of(row, kind))
            .collect(),
        total,
    ))
}

/// Delivers one delivery again, now, with the same `webhook-id` (receivers drop repeats);
/// its attempts and the 24 hours of retries start again.
pub fn redeliver(conn: &mut DbConn, caller: &Caller, id: i32, delivery: i32) -> AppResult<Delivery> {
    db::write_transaction(conn, |conn| {
        let row = find(conn, caller, id)?;
        if !row.active {
            return Err(AppError::Conflict(
                "this webhook was removed; nothing is sent to it".into(),
            ));
        }
        let missing = || AppError::NotFound(format!("webhook {id} has no delivery {delivery}"));
        let (before, event_type) = store::delivery(conn, delivery)?
            .filter(|(d, _)| d.webhook_id == id)
            .ok_or_else(missing)?;
        if before.status == "cancelled" {
            return Err(AppError::Conflict("this delivery was cancelled".into()));
        }
        if !store::requeue(conn, delivery, crate::repo::now())? {
            return Err(AppError::Conflict(
                "this delivery is being attempted at this moment; ask again when it is done".into(),
            ));
        }
        let (after, _) = store::delivery(conn, delivery)?.ok_or_else(missing)?;
        let shown = Delivery::of(after, event_type.clone());
        audit_write(
            conn,
            caller,
            "redeliver",
            &row,
            snapshot(&Delivery::of(before, event_type)),
            snapshot(&shown),
        )?;
        Ok(shown)
    })
}
