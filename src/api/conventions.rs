//! `/api/v1/conventions`: the fundamental and governance instruments (and the technical
//! ones the seeded records need).

use crate::api::json_body::JsonBody;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::{page_response, path_convention, stored, with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::instruments::{check_instrument, ProposedInstrument};
use crate::domain::pagination::Page;
use crate::domain::ratification::{in_force, Status, Tally};
use crate::domain::reference::{Category, InstrumentType, Principle};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::repo::{self, audit, conventions::ConventionFilter, conventions::ConventionRow};

/// A count of ratifications published elsewhere, with its date and source.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceCount {
    pub count: i32,
    /// When the count was true, as the source says.
    pub as_of: Option<String>,
    pub source: Option<String>,
}

/// An international labour instrument.
#[derive(Debug, Serialize, ToSchema)]
pub struct Convention {
    /// Instrument code: the key.
    #[schema(example = "C087")]
    pub code: String,
    pub instrument_type: InstrumentType,
    pub title: String,
    pub short_title: String,
    pub category: Category,
    /// The fundamental principle; `null` for governance and technical instruments.
    pub principle: Option<Principle>,
    /// For a protocol, the convention it belongs to.
    #[schema(example = "C029")]
    pub parent: Option<String>,
    pub adopted_year: i32,
    pub adopted_on: Option<NaiveDate>,
    /// When the instrument itself entered into force.
    pub in_force_on: Option<NaiveDate>,
    /// Where the dates come from.
    pub dates_source: String,
    /// How sure the dates are (`UNVERIFIED` marks dates from general knowledge).
    pub dates_confidence: String,
    pub normlex_id: Option<String>,
    /// The ratification count a public source gave, where one is known.
    pub reference_count: Option<ReferenceCount>,
}

impl Convention {
    fn from_row(row: ConventionRow) -> AppResult<Convention> {
        Ok(Convention {
            instrument_type: stored("conventions.instrument_type", &row.instrument_type)?,
            category: stored("conventions.category", &row.category)?,
            principle: row
                .principle
                .as_deref()
                .map(|p| stored("conventions.principle", p))
                .transpose()?,
            reference_count: row.reference_ratifications.map(|count| ReferenceCount {
                count,
                as_of: row.reference_ratifications_as_of,
                source: row.reference_ratifications_source,
            }),
            code: row.code,
            title: row.title,
            short_title: row.short_title,
            parent: row.parent,
            adopted_year: row.adopted_year,
            adopted_on: row.adopted_on,
            in_force_on: row.in_force_on,
            dates_source: row.dates_source,
            dates_confidence: row.dates_confidence,
            normlex_id: row.normlex_id,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConventionQuery {
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    #[param(value_type = Option<Principle>)]
    pub principle: Option<String>,
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
}

/// List instruments, ordered by code.
#[utoipa::path(
    get,
    path = "/conventions",
    tag = "reference data",
    params(ConventionQuery),
    responses(
        (status = 200, description = "One page of instruments", body = Page<Convention>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(state: web::Data<AppState>, query: web::Query<ConventionQuery>) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = ConventionFilter {
        category: errors.parse_enum("category", query.category.as_deref()),
        principle: errors.parse_enum("principle", query.principle.as_deref()),
    };
    let page = errors.parse_page(query.page.as_deref(), query.per_page.as_deref());
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| {
        Ok(repo::conventions::list(conn, &filter, page)?)
    })
    .await?;
    page_response(rows, total, page, Convention::from_row)
}

/// An instrument with the counts of its records.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConventionDetail {
    #[serde(flatten)]
    pub convention: Convention,
    /// Counts over all member states (`pairs`); `unknown` counts states without a record.
    pub ratifications: Tally,
}

/// One instrument, with its ratification count.
#[utoipa::path(
    get,
    path = "/conventions/{code}",
    tag = "reference data",
    params(("code" = String, Path, description = "Instrument code", example = "C182")),
    responses(
        (status = 200, description = "The instrument", body = ConventionDetail),
        (status = 404, description = "No such instrument", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let code = path_convention(&path)?;
    let today = chrono::Utc::now().date_naive();
    let (row, states, member_states) = with_db(&state, move |conn| {
        let row = repo::conventions::get(conn, &code)?
            .ok_or_else(|| AppError::NotFound(format!("instrument '{code}'")))?;
        let states = repo::conventions::record_states(conn, &code)?;
        Ok((row, states, repo::countries::count(conn)?))
    })
    .await?;
    let states = states
        .into_iter()
        .map(|(status, in_force_on, denounced_on)| {
            let status: Status = stored("ratifications.status", &status)?;
            Ok((status, in_force(status, in_force_on, denounced_on, today)))
        })
        .collect::<AppResult<Vec<_>>>()?;
    let tag = etag("convention", &row.code, row.version);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .json(ConventionDetail {
            convention: Convention::from_row(row)?,
            ratifications: Tally::count(member_states, states),
        }))
}

/// An instrument as an administrator records it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConventionInput {
    /// Required when creating; when given on `PUT` it must equal the path's code.
    #[schema(example = "C190")]
    pub code: Option<String>,
    pub instrument_type: InstrumentType,
    #[schema(example = "Violence and Harassment Convention, 2019 (No. 190)")]
    #[schema(min_length = 1)]
    pub title: String,
    /// Defaults to the title without its year and number.
    #[schema(min_length = 1)]
    pub short_title: Option<String>,
    pub category: Category,
    /// Required for fundamental instruments, absent for the others.
    pub principle: Option<Principle>,
    /// For a protocol: the convention it belongs to.
    pub parent: Option<String>,
    #[schema(example = 2019)]
    pub adopted_year: i32,
    pub adopted_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    /// Where the dates come from.
    #[schema(min_length = 1)]
    pub dates_source: String,
    #[serde(default)]
    #[schema(min_length = 1)]
    pub dates_confidence: Option<String>,
    pub normlex_id: Option<String>,
}

fn default_short_title(title: &str) -> String {
    // "Forced Labour Convention, 1930 (No. 29)" -> "Forced Labour Convention"
    let without_number = title.split(" (No.").next().unwrap_or(title);
    match without_number.rsplit_once(", ") {
        Some((head, year)) if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => head.to_string(),
        _ => without_number.trim().to_string(),
    }
}

/// Checks the body and builds the row (`version` is the caller's to set).
fn convention_row(
    conn: &mut crate::db::DbConn,
    code: String,
    input: ConventionInput,
    version: i32,
) -> AppResult<ConventionRow> {
    let mut errors = Vec::new();
    let mut text = |field: &str, value: &str, required: bool| {
        if let Err(e) = crate::domain::text::check_text(value) {
            errors.push(FieldError::new(field, e));
        }
        let value = value.trim();
        if required && value.is_empty() {
            errors.push(FieldError::new(field, "must not be empty"));
        }
        value.to_string()
    };
    let title = text("title", &input.title, true);
    let short_title = match &input.short_title {
        Some(s) => text("short_title", s, true),
        None => default_short_title(&title),
    };
    let dates_source = text("dates_source", &input.dates_source, true);
    let dates_confidence = text(
        "dates_confidence",
        input.dates_confidence.as_deref().unwrap_or("sourced"),
        true,
    );
    let normlex_id = input
        .normlex_id
        .as_deref()
        .map(|n| text("normlex_id", n, false))
        .filter(|n| !n.is_empty());
    let parent = match input.parent.as_deref() {
        None => None,
        Some(raw) => match crate::domain::codes::parse_instrument_code(raw) {
            Some(code) => Some(code),
            None => {
                errors.push(FieldError::new(
                    "parent",
                    format!("'{raw}' is not an instrument code"),
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    // `None`: no such parent; `Some(type)` otherwise.
    let parent_type = match &parent {
        Some(p) => {
            repo::conventions::get(conn, p)?.map(|row| row.instrument_type.parse::<InstrumentType>().ok())
        }
        None => None,
    };
    let proposed = ProposedInstrument {
        code: code.clone(),
        instrument_type: input.instrument_type,
        category: input.category,
        has_principle: input.principle.is_some(),
        parent: parent.clone(),
        adopted_year: input.adopted_year,
        adopted_on: input.adopted_on,
        in_force_on: input.in_force_on,
    };
    let violations = check_instrument(&proposed, parent_type, chrono::Utc::now().date_naive());
    if !violations.is_empty() {
        return Err(AppError::unprocessable(
            violations
                .into_iter()
                .map(|(f, m)| FieldError::new(f, m))
                .collect(),
        ));
    }
    Ok(ConventionRow {
        code,
        instrument_type: input.instrument_type.as_str().into(),
        title,
        short_title,
        category: input.category.as_str().into(),
        principle: input.principle.map(|p| p.as_str().into()),
        parent,
        adopted_year: input.adopted_year,
        adopted_on: input.adopted_on,
        in_force_on: input.in_force_on,
        dates_source,
        dates_confidence,
        normlex_id,
        reference_ratifications: None,
        reference_ratifications_as_of: None,
        reference_ratifications_source: None,
        version,
    })
}

fn audit_convention(
    conn: &mut crate::db::DbConn,
    actor: &str,
    before: Option<&ConventionRow>,
    after: &ConventionRow,
) -> AppResult<()> {
    let snapshot = |row: &ConventionRow| {
        Convention::from_row(row.clone())
            .ok()
            .and_then(|c| audit::snapshot(&c))
    };
    audit::record(
        conn,
        audit::Entry {
            actor,
            action: if before.is_some() { "update" } else { "create" },
            entity: "convention",
            entity_id: after.code.clone(),
            country: None,
            before: before.and_then(snapshot),
            after: snapshot(after),
        },
    )?;
    Ok(())
}

fn convention_response(status: actix_web::http::StatusCode, row: ConventionRow) -> AppResult<HttpResponse> {
    let tag = etag("convention", &row.code, row.version);
    let location = format!("/api/v1/conventions/{}", row.code);
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, tag));
    if status == actix_web::http::StatusCode::CREATED {
        response.insert_header((header::LOCATION, location));
    }
    Ok(response.json(Convention::from_row(row)?))
}

/// Add an instrument (for example a governance or technical convention beyond the seeded
/// ones), so that its ratifications can be tracked.
#[utoipa::path(
    post,
    path = "/conventions",
    tag = "reference data",
    request_body = ConventionInput,
    responses(
        (status = 201, description = "Created", body = Convention, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Inconsistent dates, category, principle or parent", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ConventionInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    // The schema (shared with PUT, where the path names the instrument) has `code` optional;
    // creating one needs it: a rule of this operation (422), not a malformed body.
    let raw = input.code.clone().ok_or_else(|| {
        AppError::unprocessable(vec![FieldError::new(
            "code",
            "needed to add an instrument, e.g. C190 or P029",
        )])
    })?;
    let code = crate::domain::codes::parse_instrument_code(&raw).ok_or_else(|| {
        AppError::invalid(vec![FieldError::new(
            "code",
            format!("'{raw}' is not an instrument code such as C190 or P029"),
        )])
    })?;
    let row = with_db(&state, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            if repo::conventions::exists(conn, &code)? {
                return Err(AppError::Conflict(format!(
                    "the instrument {code} exists; change it with PUT"
                )));
            }
            let row = convention_row(conn, code, input, 1)?;
            repo::conventions::insert(conn, &row)?;
            audit_convention(conn, &caller.actor(), None, &row)?;
            Ok(row)
        })
    })
    .await?;
    convention_response(actix_web::http::StatusCode::CREATED, row)
}

/// Change an instrument. Needs `If-Match` with its `ETag`.
#[utoipa::path(
    put,
    path = "/conventions/{code}",
    tag = "reference data",
    params(("code" = String, Path, example = "C190"), ("If-Match" = String, Header, description = "The instrument's ETag")),
    request_body = ConventionInput,
    responses(
        (status = 200, description = "Changed", body = Convention, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such instrument", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Inconsistent dates, category, principle or parent", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<String>,
    body: JsonBody<ConventionInput>,
) -> AppResult<HttpResponse> {
    let code = path_convention(&path)?;
    let input = body.into_inner();
    if let Some(raw) = &input.code {
        if crate::domain::codes::parse_instrument_code(raw).as_deref() != Some(code.as_str()) {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "code",
                "the code cannot change; it must equal the path's",
            )]));
        }
    }
    let row = with_db(&state, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            let current = repo::conventions::get(conn, &code)?
                .ok_or_else(|| AppError::NotFound(format!("instrument '{code}'")))?;
            if_match.check(&etag("convention", &code, current.version))?;
            let mut row = convention_row(conn, code.clone(), input, current.version + 1)?;
            if row.parent.as_deref() == Some(code.as_str()) {
                return Err(AppError::unprocessable(vec![FieldError::new(
                    "parent",
                    "an instrument is not its own parent",
                )]));
            }
            row.reference_ratifications = current.reference_ratifications;
            row.reference_ratifications_as_of = current.reference_ratifications_as_of.clone();
            row.reference_ratifications_source = current.reference_ratifications_source.clone();
            let updated = repo::conventions::update(conn, &row)?.ok_or(AppError::PreconditionFailed)?;
            audit_convention(conn, &caller.actor(), Some(&current), &updated)?;
            Ok(updated)
        })
    })
    .await?;
    convention_response(actix_web::http::StatusCode::OK, row)
}
