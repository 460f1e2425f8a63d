//! The HTTP API: one module per resource (handlers, request and response types), one route
//! table ([`configure`]), and the helpers every handler shares.

pub mod access;
pub mod answer;
pub mod audit;
pub mod auth;
pub mod body_deadline;
pub mod client;
pub mod concurrency;
pub mod conventions;
pub mod countries;
pub mod dashboard;
pub mod deadlines;
pub mod feed_tokens;
pub mod gaps;
pub mod health;
pub mod json_body;
pub mod language;
pub mod metrics;
pub mod milestones;
pub mod organizations;
pub mod paging;
pub mod problems;
pub mod programmes;
pub mod ratifications;
pub mod ratifications_csv;
pub mod rbc;
pub mod rbc_activities;
pub mod read_cache;
pub mod reminders;
pub mod report_requests;
pub mod report_schedules;
pub mod request_id;
pub mod response_cache;
pub mod routes;
pub mod sso;
pub mod streaming;
pub mod subscriptions;
pub mod supervisory_comments;
pub mod tasks;
pub mod tokens;
pub mod trade;
pub mod users;
pub mod webhooks;

use std::sync::Arc;

use actix_web::web;
use utoipa_actix_web::service_config::ServiceConfig;

use self::access::endpoint;
use crate::auth::Auth;
use crate::domain::access::{Access, ADMIN, ADMIN_OFFICE, ADMIN_OFFICE_GOVERNMENT, ANY_ROLE, PEOPLE};

use crate::db::{DbConn, Engine, Pool};
use crate::error::{AppError, AppResult, FieldError};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub engine: Engine,
    pub auth: Arc<Auth>,
    /// Computed dashboard answers, valid at one store epoch.
    pub cache: Arc<response_cache::ResponseCache>,
    /// Every read's answer, valid at one store epoch, per caller (`read_cache`).
    pub reads: Arc<read_cache::ReadCache>,
    /// The store epoch: moves with every committed write (`db::changes`).
    pub changes: Arc<crate::db::changes::ChangeWatch>,
    /// What one client may hold or spend, and the trusted proxies.
    pub limits: Arc<crate::config::Limits>,
    /// Requests in flight per client address.
    pub in_flight: Arc<client::InFlight>,
    /// The address links in answers start with (`NORMTRACK_PUBLIC_URL`), never the `Host`
    /// a request names.
    pub public_base: Arc<str>,
    /// What `GET /metrics` exposes.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Webhook URL rules and e-mail (issue 17).
    pub notify: Arc<NotifySettings>,
    /// The OpenID Connect providers people sign in with (issue 20).
    pub sso: Arc<crate::outbound::oidc::Providers>,
}

/// What the notification routes need to know of the deployment.
#[derive(Debug)]
pub struct NotifySettings {
    pub webhooks: crate::domain::webhook_urls::UrlPolicy,
    /// `None`: e-mail is off.
    pub mailer: Option<crate::outbound::mail::Mailer>,
}

/// Runs blocking database work on actix's blocking thread pool (never on the async
/// workers), inside the caller's tracing span.
pub async fn with_db<T, F>(state: &AppState, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = state.pool.clone();
    let span = tracing::Span::current();
    // The request's language goes along: names and titles are chosen in it.
    let language = crate::i18n::current();
    web::block(move || {
        let _entered = span.enter();
        crate::i18n::sync_scope(language, || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
    })
    .await?
}

/// The route table, shared by the server and the OpenAPI generator. Each route states the
/// access it admits; `access::endpoint` enforces it and writes it into the OpenAPI document.
pub fn configure(cfg: &mut ServiceConfig) {
    use Access::{Feed, OpenData, Public, Roles};
    use {
        audit as au, conventions as cv, countries as co, gaps as gp, milestones as ms, organizations as og,
        programmes as pg, ratifications as ra, ratifications_csv as rc, rbc as rb, rbc_activities as ra2,
        report_requests as rp, report_schedules as rs, supervisory_comments as sc, trade as tr,
    };
    cfg.service(endpoint(health::__path_healthz, Public, health::healthz))
        .service(endpoint(health::__path_readyz, Public, health::readyz))
        .service(endpoint(metrics::__path_metrics, Roles(ADMIN), metrics::metrics))
        .service(
            utoipa_actix_web::scope("/api/v1")
                .service(endpoint(auth::__path_login, Public, auth::login))
                .service(endpoint(sso::__path_providers, Public, sso::providers))
                .service(endpoint(sso::__path_start, Public, sso::start))
                .service(endpoint(sso::__path_callback, Public, sso::callback))
                .service(endpoint(auth::__path_me, Roles(ANY_ROLE), auth::me))
                .service(endpoint(auth::__path_logout, Roles(ANY_ROLE), auth::logout))
                .service(endpoint(auth::__path_update_me, Roles(ANY_ROLE), auth::update_me))
                .service(endpoint(users::__path_list, Roles(ADMIN), users::list))
                .service(endpoint(users::__path_create, Roles(ADMIN), users::create))
                .service(endpoint(users::__path_get, Roles(ADMIN), users::get))
                .service(endpoint(users::__path_update, Roles(ADMIN), users::update))
                .service(endpoint(
                    users::__path_reset_password,
                    Roles(ADMIN),
                    users::reset_password,
                ))
                .service(endpoint(tokens::__path_list, Roles(ADMIN), tokens::list))
                .service(endpoint(tokens::__path_create, Roles(ADMIN), tokens::create))
                .service(endpoint(tokens::__path_revoke, Roles(ADMIN), tokens::revoke))
                .service(endpoint(og::__path_list, Roles(ANY_ROLE), og::list))
                .service(endpoint(og::__path_get, Roles(ANY_ROLE), og::get))
                .service(endpoint(og::__path_create, Roles(ADMIN_OFFICE), og::create))
                .service(endpoint(og::__path_update, Roles(ADMIN_OFFICE), og::update))
                .service(endpoint(co::__path_list, OpenData, co::list))
                .service(endpoint(co::__path_get, OpenData, co::get))
                .service(endpoint(tr::__path_commitments, OpenData, tr::commitments))
                .service(endpoint(tr::__path_list, OpenData, tr::list))
                .service(endpoint(tr::__path_get, OpenData, tr::get))
                .service(endpoint(tr::__path_compliance, OpenData, tr::compliance))
                .service(endpoint(tr::__path_put, Roles(ADMIN), tr::put))
                .service(endpoint(tr::__path_add_event, Roles(ADMIN), tr::add_event))
                .service(endpoint(
                    tr::__path_add_instrument,
                    Roles(ADMIN),
                    tr::add_instrument,
                ))
                .service(endpoint(rb::__path_list, Roles(ANY_ROLE), rb::list))
                .service(endpoint(rb::__path_get, Roles(ANY_ROLE), rb::get))
                .service(endpoint(rb::__path_create, Roles(ADMIN_OFFICE), rb::create))
                .service(endpoint(rb::__path_update, Roles(ADMIN_OFFICE), rb::update))
                .service(endpoint(ra2::__path_list, Roles(PEOPLE), ra2::list))
                .service(endpoint(ra2::__path_get, Roles(PEOPLE), ra2::get))
                .service(endpoint(ra2::__path_create, Roles(ADMIN_OFFICE), ra2::create))
                .service(endpoint(ra2::__path_update, Roles(ADMIN_OFFICE), ra2::update))
                .service(endpoint(ra2::__path_delete, Roles(ADMIN_OFFICE), ra2::delete))
                .service(endpoint(ra2::__path_list_notes, Roles(PEOPLE), ra2::list_notes))
                .service(endpoint(ra2::__path_add_note, Roles(PEOPLE), ra2::add_note))
                .service(endpoint(pg::__path_list, Roles(PEOPLE), pg::list))
                .service(endpoint(pg::__path_get, Roles(PEOPLE), pg::get))
                .service(endpoint(pg::__path_create, Roles(ADMIN), pg::create))
                .service(endpoint(pg::__path_update, Roles(ADMIN), pg::update))
                .service(endpoint(pg::__path_delete, Roles(ADMIN), pg::delete))
                .service(endpoint(pg::__path_progress, Roles(PEOPLE), pg::progress))
                .service(endpoint(pg::__path_progress_csv, Roles(PEOPLE), pg::progress_csv))
                .service(endpoint(sc::__path_list, OpenData, sc::list))
                .service(endpoint(sc::__path_export_csv, OpenData, sc::export_csv))
                .service(endpoint(sc::__path_get, OpenData, sc::get))
                .service(endpoint(sc::__path_create, Roles(ADMIN_OFFICE), sc::create))
                .service(endpoint(sc::__path_update, Roles(ADMIN_OFFICE), sc::update))
                .service(endpoint(sc::__path_import, Roles(ADMIN_OFFICE), sc::import))
                .service(endpoint(cv::__path_list, OpenData, cv::list))
                .service(endpoint(cv::__path_get, OpenData, cv::get))
                .service(endpoint(cv::__path_create, Roles(ADMIN), cv::create))
                .service(endpoint(cv::__path_update, Roles(ADMIN), cv::update))
                .service(endpoint(ra::__path_list, OpenData, ra::list))
                .service(endpoint(rc::__path_export_csv, OpenData, rc::export_csv))
                .service(endpoint(ra::__path_get, OpenData, ra::get))
                .service(endpoint(ra::__path_put, Roles(ADMIN_OFFICE), ra::put))
                .service(endpoint(ra::__path_history, Roles(ANY_ROLE), ra::history))
                .service(endpoint(rc::__path_import, Roles(ADMIN_OFFICE), rc::import))
                .service(endpoint(au::__path_list, Roles(ADMIN_OFFICE), au::list))
                .service(endpoint(gp::__path_list_gaps, Roles(PEOPLE), gp::list_gaps))
                .service(endpoint(gp::__path_get_gap, Roles(PEOPLE), gp::get_gap))
                .service(endpoint(
                    gp::__path_create_gap,
                    Roles(ADMIN_OFFICE),
                    gp::create_gap,
                ))
                .service(endpoint(
                    gp::__path_update_gap,
                    Roles(ADMIN_OFFICE),
                    gp::update_gap,
                ))
                .service(endpoint(
                    gp::__path_delete_gap,
                    Roles(ADMIN_OFFICE),
                    gp::delete_gap,
                ))
                .service(endpoint(
                    ms::__path_list_milestones,
                    Roles(PEOPLE),
                    ms::list_milestones,
                ))
                .service(endpoint(
                    ms::__path_get_milestone,
                    Roles(PEOPLE),
                    ms::get_milestone,
                ))
                .service(endpoint(
                    ms::__path_create_milestone,
                    Roles(ADMIN_OFFICE),
                    ms::create_milestone,
                ))
                .service(endpoint(
                    ms::__path_update_milestone,
                    Roles(ADMIN_OFFICE),
                    ms::update_milestone,
                ))
                .service(endpoint(
                    ms::__path_delete_milestone,
                    Roles(ADMIN_OFFICE),
                    ms::delete_milestone,
                ))
                .service(endpoint(
                    ms::__path_list_comments,
                    Roles(PEOPLE),
                    ms::list_comments,
                ))
                .service(endpoint(
                    ms::__path_create_comment,
                    Roles(PEOPLE),
                    ms::create_comment,
                ))
                .service(endpoint(rp::__path_list, Roles(PEOPLE), rp::list))
                .service(endpoint(rp::__path_generate, Roles(ADMIN), rp::generate))
                .service(endpoint(rp::__path_get, Roles(PEOPLE), rp::get))
                .service(endpoint(rp::__path_create, Roles(ADMIN_OFFICE), rp::create))
                .service(endpoint(rp::__path_update, Roles(ADMIN_OFFICE), rp::update))
                .service(endpoint(
                    rp::__path_move_status,
                    Roles(ADMIN_OFFICE_GOVERNMENT),
                    rp::move_status,
                ))
                .service(endpoint(
                    rs::__path_list_schedules,
                    Roles(PEOPLE),
                    rs::list_schedules,
                ))
                .service(endpoint(rs::__path_get_schedule, Roles(PEOPLE), rs::get_schedule))
                .service(endpoint(
                    rs::__path_put_schedule,
                    Roles(ADMIN_OFFICE),
                    rs::put_schedule,
                ))
                .service(endpoint(tasks::__path_list, Roles(PEOPLE), tasks::list))
                .service(endpoint(tasks::__path_get, Roles(PEOPLE), tasks::get))
                .service(endpoint(tasks::__path_create, Roles(PEOPLE), tasks::create))
                .service(endpoint(tasks::__path_update, Roles(PEOPLE), tasks::update))
                .service(endpoint(deadlines::__path_list, Roles(PEOPLE), deadlines::list))
                .service(endpoint(deadlines::__path_feed, Feed(PEOPLE), deadlines::feed))
                .service(endpoint(
                    feed_tokens::__path_list,
                    Roles(PEOPLE),
                    feed_tokens::list,
                ))
                .service(endpoint(
                    feed_tokens::__path_create,
                    Roles(PEOPLE),
                    feed_tokens::create,
                ))
                .service(endpoint(
                    feed_tokens::__path_revoke,
                    Roles(PEOPLE),
                    feed_tokens::revoke,
                ))
                .service(endpoint(reminders::__path_get, Roles(PEOPLE), reminders::get))
                .service(endpoint(reminders::__path_put, Roles(PEOPLE), reminders::put))
                .service(endpoint(
                    reminders::__path_get_country,
                    Roles(PEOPLE),
                    reminders::get_country,
                ))
                .service(endpoint(
                    reminders::__path_put_country,
                    Roles(ADMIN_OFFICE),
                    reminders::put_country,
                ))
                .service(endpoint(
                    subscriptions::__path_list,
                    Roles(PEOPLE),
                    subscriptions::list,
                ))
                .service(endpoint(
                    subscriptions::__path_create,
                    Roles(PEOPLE),
                    subscriptions::create,
                ))
                .service(endpoint(
                    subscriptions::__path_remove,
                    Roles(PEOPLE),
                    subscriptions::remove,
                ))
                .service(endpoint(
                    webhooks::__path_list,
                    Roles(ADMIN_OFFICE),
                    webhooks::list,
                ))
                .service(endpoint(
                    webhooks::__path_create,
                    Roles(ADMIN_OFFICE),
                    webhooks::create,
                ))
                .service(endpoint(webhooks::__path_get, Roles(ADMIN_OFFICE), webhooks::get))
                .service(endpoint(
                    webhooks::__path_remove,
                    Roles(ADMIN_OFFICE),
                    webhooks::remove,
                ))
                .service(endpoint(
                    webhooks::__path_deliveries,
                    Roles(ADMIN_OFFICE),
                    webhooks::deliveries,
                ))
                .service(endpoint(
                    webhooks::__path_redeliver,
                    Roles(ADMIN_OFFICE),
                    webhooks::redeliver,
                ))
                .service(endpoint(dashboard::__path_summary, OpenData, dashboard::summary))
                .service(endpoint(dashboard::__path_matrix, OpenData, dashboard::matrix))
                .service(endpoint(
                    dashboard::__path_timeline,
                    OpenData,
                    dashboard::timeline,
                )),
        );
}

/// Answers one page of a list, turning each stored row into its API shape.
pub fn page_response<R, T: serde::Serialize>(
    rows: Vec<R>,
    total: i64,
    page: crate::domain::pagination::PageRequest,
    to_item: impl FnMut(R) -> AppResult<T>,
) -> AppResult<actix_web::HttpResponse> {
    let items = rows.into_iter().map(to_item).collect::<AppResult<Vec<_>>>()?;
    Ok(actix_web::HttpResponse::Ok().json(crate::domain::pagination::Page::new(items, total, page)))
}

/// Today (UTC), the day every date rule of a request is judged against.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Collects the errors of one request's parameters, so the answer names every bad one.
#[derive(Debug, Default)]
pub struct ParamErrors {
    malformed: Vec<FieldError>,
    rules: Vec<FieldError>,
}

impl ParamErrors {
    /// A parameter that is malformed (the OpenAPI schema refuses it too): 400.
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.malformed.push(FieldError::new(field, message));
    }

    /// A well-formed parameter that breaks a rule no schema can state (relative to today, to
    /// another parameter, or to what is stored): 422 when nothing is malformed.
    pub fn push_rule(&mut self, field: &str, message: impl Into<String>) {
        self.rules.push(FieldError::new(field, message));
    }

    /// Parses an optional enum-valued parameter.
    pub fn parse_enum<T>(&mut self, field: &str, raw: Option<&str>) -> Option<T>
    where
        T: std::str::FromStr<Err = crate::domain::UnknownValue>,
    {
        let raw = raw?.trim();
        raw.parse::<T>().map_err(|e| self.push(field, e.to_string())).ok()
    }

    /// Parses an optional country code parameter.
    pub fn parse_country(&mut self, field: &str, raw: Option<&str>) -> Option<String> {
        let raw = raw?;
        crate::domain::codes::parse_iso3(raw).or_else(|| {
            self.push(field, format!("'{raw}' is not an ISO 3166 alpha-3 country code"));
            None
        })
    }

    /// Parses an optional instrument code parameter.
    pub fn parse_convention(&mut self, field: &str, raw: Option<&str>) -> Option<String> {
        let raw = raw?;
        crate::domain::codes::parse_instrument_code(raw).or_else(|| {
            self.push(
                field,
                format!("'{raw}' is not an instrument code such as C087 or P029"),
            );
            None
        })
    }

    /// Checks an optional free-text parameter (at most
    /// [`crate::domain::text::MAX_FILTER_CHARS`] characters); empty means absent.
    pub fn text(&mut self, field: &str, raw: Option<String>) -> Option<String> {
        let raw = raw?;
        crate::domain::text::check_filter(&raw)
            .map_err(|e| self.push(field, e))
            .ok()?;
        Some(raw).filter(|s| !s.trim().is_empty())
    }

    /// Parses an optional `true` / `false` parameter.
    pub fn parse_bool(&mut self, field: &str, raw: Option<&str>) -> Option<bool> {
        match raw? {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                self.push(field, format!("'{other}' is not one of: true, false"));
                None
            }
        }
    }

    /// Parses an optional positive id.
    pub fn parse_id(&mut self, field: &str, raw: Option<&str>) -> Option<i32> {
        let raw = raw?;
        raw.trim().parse::<i32>().ok().filter(|n| *n > 0).or_else(|| {
            self.push(field, format!("'{raw}' is not an id"));
            None
        })
    }

    /// Parses an optional year, 1919 (the first conventions) to 2200.
    pub fn parse_year(&mut self, field: &str, raw: Option<&str>) -> Option<i32> {
        let raw = raw?;
        raw.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1919..=2200).contains(y))
            .or_else(|| {
                self.push(field, format!("'{raw}' is not a year"));
                None
            })
    }

    /// Parses an optional `YYYY-MM-DD` date.
    pub fn parse_day(&mut self, field: &str, raw: Option<&str>) -> Option<chrono::NaiveDate> {
        let raw = raw?;
        // Four-digit years only: chrono also reads signed and longer years, which no engine's
        // date type holds.
        chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .ok()
            .filter(|day| (1..=9999).contains(&chrono::Datelike::year(day)))
            .or_else(|| {
                self.push(field, format!("'{raw}' is not a date of the form YYYY-MM-DD"));
                None
            })
    }

    /// Parses `page` and `per_page`.
    pub fn parse_page(&mut self, query: &impl paging::Paged) -> crate::domain::pagination::PageRequest {
        let (page, per_page) = query.paging();
        crate::domain::pagination::PageRequest::parse(page, per_page).unwrap_or_else(|errors| {
            for e in errors {
                self.push(e.field, e.message);
            }
            Default::default()
        })
    }

    /// `as_of`: a day from 1919 (the first conventions) to today; today when absent. A day
    /// outside that range breaks a rule relative to today (422).
    pub fn parse_as_of(&mut self, raw: Option<&str>) -> chrono::NaiveDate {
        use chrono::Datelike;
        let today = today();
        match self.parse_day("as_of", raw) {
            Some(day) if day > today => {
                self.push_rule("as_of", format!("{day} is in the future"));
                today
            }
            Some(day) if day.year() < 1919 => {
                self.push_rule("as_of", format!("{day} is before the first conventions (1919)"));
                today
            }
            Some(day) => day,
            None => today,
        }
    }

    /// `Ok` when every parameter was good, else a 400 naming each bad one.
    pub fn finish(self) -> AppResult<()> {
        if !self.malformed.is_empty() {
            let mut all = self.malformed;
            all.extend(self.rules);
            Err(AppError::invalid(all))
        } else if !self.rules.is_empty() {
            Err(AppError::unprocessable(self.rules))
        } else {
            Ok(())
        }
    }
}

/// A country code from a path: malformed or unknown, it is not found.
pub fn path_country(raw: &str) -> AppResult<String> {
    crate::domain::codes::parse_iso3(raw).ok_or_else(|| AppError::NotFound(format!("country '{raw}'")))
}

/// An instrument code from a path: malformed or unknown, it is not found.
pub fn path_convention(raw: &str) -> AppResult<String> {
    crate::domain::codes::parse_instrument_code(raw)
        .ok_or_else(|| AppError::NotFound(format!("instrument '{raw}'")))
}

pub use answer::{created_or_ok, versioned, Versioned};

pub use crate::domain::fields::{body_conventions, body_country, text_field};
pub use crate::service::audit::{record, Written};

pub use crate::service::known::check_known;
