//! The HTTP API: one module per resource (handlers, request and response types), one route
//! table ([`configure`]), and the helpers every handler shares.

pub mod access;
pub mod audit;
pub mod auth;
pub mod concurrency;
pub mod conventions;
pub mod countries;
pub mod health;
pub mod organizations;
pub mod problems;
pub mod ratifications;
pub mod reforms;
pub mod routes;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use actix_web::web;
use utoipa_actix_web::service_config::ServiceConfig;

use self::access::endpoint;
use crate::auth::Auth;
use crate::domain::access::{Access, ADMIN, ADMIN_OFFICE, ANY_ROLE, PEOPLE};

use crate::db::{DbConn, Engine, Pool};
use crate::error::{AppError, AppResult, FieldError};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub engine: Engine,
    pub auth: Arc<Auth>,
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
    web::block(move || {
        let _entered = span.enter();
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// The route table, shared by the server and the OpenAPI generator. Each route states the
/// access it admits; `access::endpoint` enforces it and writes it into the OpenAPI document.
pub fn configure(cfg: &mut ServiceConfig) {
    use Access::{Public, Roles};
    use {
        audit as au, conventions as cv, countries as co, organizations as og, ratifications as ra,
        reforms as rf,
    };
    cfg.service(endpoint(health::__path_healthz, Public, health::healthz))
        .service(endpoint(health::__path_readyz, Public, health::readyz))
        .service(
            utoipa_actix_web::scope("/api/v1")
                .service(endpoint(auth::__path_login, Public, auth::login))
                .service(endpoint(auth::__path_me, Roles(ANY_ROLE), auth::me))
                .service(endpoint(auth::__path_update_me, Roles(PEOPLE), auth::update_me))
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
                .service(endpoint(co::__path_list, Roles(ANY_ROLE), co::list))
                .service(endpoint(co::__path_get, Roles(ANY_ROLE), co::get))
                .service(endpoint(cv::__path_list, Roles(ANY_ROLE), cv::list))
                .service(endpoint(cv::__path_get, Roles(ANY_ROLE), cv::get))
                .service(endpoint(cv::__path_create, Roles(ADMIN), cv::create))
                .service(endpoint(cv::__path_update, Roles(ADMIN), cv::update))
                .service(endpoint(ra::__path_list, Roles(ANY_ROLE), ra::list))
                .service(endpoint(ra::__path_export_csv, Roles(ANY_ROLE), ra::export_csv))
                .service(endpoint(ra::__path_get, Roles(ANY_ROLE), ra::get))
                .service(endpoint(ra::__path_put, Roles(ADMIN_OFFICE), ra::put))
                .service(endpoint(ra::__path_history, Roles(ANY_ROLE), ra::history))
                .service(endpoint(ra::__path_import, Roles(ADMIN_OFFICE), ra::import))
                .service(endpoint(au::__path_list, Roles(ADMIN_OFFICE), au::list))
                .service(endpoint(rf::__path_list_gaps, Roles(PEOPLE), rf::list_gaps))
                .service(endpoint(rf::__path_get_gap, Roles(PEOPLE), rf::get_gap))
                .service(endpoint(
                    rf::__path_create_gap,
                    Roles(ADMIN_OFFICE),
                    rf::create_gap,
                ))
                .service(endpoint(
                    rf::__path_update_gap,
                    Roles(ADMIN_OFFICE),
                    rf::update_gap,
                ))
                .service(endpoint(
                    rf::__path_delete_gap,
                    Roles(ADMIN_OFFICE),
                    rf::delete_gap,
                ))
                .service(endpoint(
                    rf::__path_list_milestones,
                    Roles(PEOPLE),
                    rf::list_milestones,
                ))
                .service(endpoint(
                    rf::__path_get_milestone,
                    Roles(PEOPLE),
                    rf::get_milestone,
                ))
                .service(endpoint(
                    rf::__path_create_milestone,
                    Roles(ADMIN_OFFICE),
                    rf::create_milestone,
                ))
                .service(endpoint(
                    rf::__path_update_milestone,
                    Roles(ADMIN_OFFICE),
                    rf::update_milestone,
                ))
                .service(endpoint(
                    rf::__path_delete_milestone,
                    Roles(ADMIN_OFFICE),
                    rf::delete_milestone,
                ))
                .service(endpoint(
                    rf::__path_list_comments,
                    Roles(PEOPLE),
                    rf::list_comments,
                ))
                .service(endpoint(
                    rf::__path_create_comment,
                    Roles(PEOPLE),
                    rf::create_comment,
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

/// Collects the errors of one request's parameters, so the answer names every bad one.
#[derive(Debug, Default)]
pub struct ParamErrors(Vec<FieldError>);

impl ParamErrors {
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
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

    /// Checks an optional free-text parameter; empty means absent.
    pub fn text(&mut self, field: &str, raw: Option<String>) -> Option<String> {
        let raw = raw.filter(|s| !s.trim().is_empty())?;
        crate::domain::text::check_text(&raw)
            .map_err(|e| self.push(field, e))
            .ok()?;
        Some(raw)
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

    /// Parses `page` and `per_page`.
    pub fn parse_page(
        &mut self,
        page: Option<&str>,
        per_page: Option<&str>,
    ) -> crate::domain::pagination::PageRequest {
        crate::domain::pagination::PageRequest::parse(page, per_page).unwrap_or_else(|errors| {
            for e in errors {
                self.push(e.field, e.message);
            }
            Default::default()
        })
    }

    /// `Ok` when every parameter was good, else a 400 naming each bad one.
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid(self.0))
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

/// Parses text stored by this application back into its enum; a failure means the
/// database holds something no write path produces.
pub fn stored<T: std::str::FromStr>(column: &str, raw: &str) -> AppResult<T> {
    raw.parse::<T>()
        .map_err(|_| AppError::Internal(format!("unexpected stored value {raw:?} in {column}")))
}
