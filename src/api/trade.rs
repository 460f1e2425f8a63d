//! `/api/v1/trade-arrangements`: the trade arrangements that tie preferences or commitments
//! to ILO conventions, who they bind (dated events), what they name, and how far each member
//! is along; and `/api/v1/countries/{iso3}/commitments`, a country's commitments as at a day.
//! Public data, like ratifications.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::IfMatch;
use super::json_body::JsonBody;
use super::paging::paged_query;
use super::{
    created_or_ok, page_response, path_country, today, versioned, with_db, AppState, ParamErrors, Versioned,
};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::trade::{ArrangementKind, CommitmentType, MembershipEvent};
use crate::error::{AppError, AppResult, Problem};
use crate::repo::trade::{self as store, ArrangementFilter, ArrangementRow, EventRow, InstrumentRow};
use crate::service::arrangements::{
    self as writes, arrangement_etag, ArrangementInput, EventInput, InstrumentInput,
};
use crate::service::trade::{self as service, ComplianceTable, CountryCommitments};

/// A trade arrangement.
#[derive(Debug, Serialize, ToSchema)]
pub struct TradeArrangement {
    /// A stable key.
    #[schema(example = "eu-gsp-plus-978-2012")]
    pub slug: String,
    pub name: String,
    pub kind: ArrangementKind,
    /// The kind as the source words it (e.g. `association_agreement`).
    pub kind_as_given: String,
    pub granting_parties: String,
    pub partner_scope: String,
    pub legal_act: String,
    /// Where the labour provisions are.
    pub labour_provisions: String,
    /// The commitment, in words.
    pub commitment: String,
    pub enforcement: String,
    /// The status as the source gives it, on its date.
    pub status: String,
    pub signed_on: Option<NaiveDate>,
    pub applies_from: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub notes: String,
    pub source: String,
    /// The day, month or year the source speaks for.
    pub source_date: Option<String>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<ArrangementRow> for TradeArrangement {
    fn from(r: ArrangementRow) -> Self {
        TradeArrangement {
            slug: r.slug,
            name: r.name,
            kind: r.kind,
            kind_as_given: r.kind_as_given,
            granting_parties: r.granting_parties,
            partner_scope: r.partner_scope,
            legal_act: r.legal_act,
            labour_provisions: r.labour_provisions,
            commitment: r.commitment,
            enforcement: r.enforcement,
            status: r.status,
            signed_on: r.signed_on,
            applies_from: r.applies_from,
            expires_on: r.expires_on,
            notes: r.notes,
            source: r.source,
            source_date: r.source_date,
            version: r.version,
            updated_at: r.updated_at.and_utc(),
        }
    }
}

impl Versioned for TradeArrangement {
    fn etag(&self) -> String {
        arrangement_etag(&self.slug, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/trade-arrangements/{}", self.slug)
    }
}

impl Versioned for TradeArrangementDetail {
    fn etag(&self) -> String {
        self.arrangement.etag()
    }

    fn location(&self) -> String {
        self.arrangement.location()
    }
}

/// A dated event in a country's membership.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipEventView {
    #[schema(example = "PHL")]
    pub country: String,
    pub country_name: String,
    pub event: MembershipEvent,
    /// The event as the source words it.
    pub event_as_given: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: the precision the source gives; `null` when it
    /// gives no date.
    pub occurred_on: Option<String>,
    pub legal_act: String,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
}

impl From<EventRow> for MembershipEventView {
    fn from(e: EventRow) -> Self {
        MembershipEventView {
            country: e.country,
            country_name: e.country_name,
            event: e.event,
            event_as_given: e.event_as_given,
            occurred_on: e.occurred_on,
            legal_act: e.legal_act,
            notes: e.notes,
            source: e.source,
            source_date: e.source_date,
        }
    }
}

/// An instrument the arrangement names, in list order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArrangementInstrument {
    pub position: i32,
    pub list_ref: String,
    /// The one country it is named for, if only one.
    pub country: Option<String>,
    /// The instrument, when normtrack tracks it.
    pub convention: Option<String>,
    pub named_as: String,
    pub is_ilo: bool,
    pub commitment_type: CommitmentType,
    pub article: String,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
}

impl From<InstrumentRow> for ArrangementInstrument {
    fn from(i: InstrumentRow) -> Self {
        ArrangementInstrument {
            position: i.position,
            list_ref: i.list_ref,
            country: i.country,
            convention: i.convention,
            named_as: i.named_as,
            is_ilo: i.is_ilo,
            commitment_type: i.commitment_type,
            article: i.article,
            notes: i.notes,
            source: i.source,
            source_date: i.source_date,
        }
    }
}

/// An arrangement with its membership events and the instruments it names.
#[derive(Debug, Serialize, ToSchema)]
pub struct TradeArrangementDetail {
    #[serde(flatten)]
    pub arrangement: TradeArrangement,
    pub events: Vec<MembershipEventView>,
    pub instruments: Vec<ArrangementInstrument>,
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArrangementQuery {
    #[param(value_type = Option<ArrangementKind>)]
    pub kind: Option<String>,
    /// Arrangements a country appears in.
    #[param(example = "PHL")]
    pub country: Option<String>,
    /// Arrangements naming this instrument.
    #[param(example = "C087")]
    pub convention: Option<String>,
}
}

/// List trade arrangements, by slug.
#[utoipa::path(
    get,
    path = "/trade-arrangements",
    tag = "trade",
    params(ArrangementQuery),
    responses(
        (status = 200, description = "One page of arrangements", body = Page<TradeArrangement>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ArrangementQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = ArrangementFilter {
        kind: errors.parse_enum::<ArrangementKind>("kind", query.kind.as_deref()),
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| Ok(store::list(conn, &filter, page)?)).await?;
    page_response(rows, total, page, |r| Ok(TradeArrangement::from(r)))
}

/// The slug from a path: malformed or unknown, it is not found.
fn path_slug(raw: &str) -> AppResult<String> {
    let ok = (1..=100).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then(|| raw.to_string())
        .ok_or_else(|| AppError::NotFound(format!("trade arrangement '{raw}'")))
}

/// One arrangement with its membership events (in date order; undated last) and the
/// instruments it names (in list order).
#[utoipa::path(
    get,
    path = "/trade-arrangements/{slug}",
    tag = "trade",
    params(("slug" = String, Path, example = "eu-gsp-plus-978-2012")),
    responses(
        (status = 200, description = "The arrangement", body = TradeArrangementDetail),
        (status = 404, description = "No such arrangement", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let slug = path_slug(&path)?;
    let detail = with_db(&state, move |conn| {
        let arrangement = store::get(conn, &slug)?
            .ok_or_else(|| AppError::NotFound(format!("trade arrangement '{slug}'")))?;
        let events = store::events(conn, &slug, None)?;
        let instruments = store::instruments(conn, &slug)?;
        Ok(TradeArrangementDetail {
            arrangement: arrangement.into(),
            events: events.into_iter().map(Into::into).collect(),
            instruments: instruments.into_iter().map(Into::into).collect(),
        })
    })
    .await?;
    Ok(versioned(StatusCode::OK, &detail))
}

/// Record an arrangement (administrators): creates it under `slug` (201, no `If-Match`) or
/// changes it (200, `If-Match` required). Its events and instruments are added apart.
#[utoipa::path(
    put,
    path = "/trade-arrangements/{slug}",
    tag = "trade",
    params(
        ("slug" = String, Path, example = "eu-gsp-plus-978-2012"),
        ("If-Match" = Option<String>, Header, description = "The arrangement's ETag; required to change an existing one")
    ),
    request_body(content = ArrangementInput, example = json!({"name": "UK Developing Countries Trading Scheme (DCTS)", "kind": "unilateral_preference_scheme", "granting_parties": "UK", "applies_from": "2023-06-19", "source": "https://www.legislation.gov.uk/uksi/2023/561", "source_date": "2023-05-22"})),
    responses(
        (status = 200, description = "Changed", body = TradeArrangement, headers(("ETag" = String))),
        (status = 201, description = "Created", body = TradeArrangement, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A malformed slug", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`expires_on` before `applies_from`, or a day outside 1900-2200", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<String>,
    body: JsonBody<ArrangementInput>,
) -> AppResult<HttpResponse> {
    let slug = path_slug(&path)?;
    let input = body.into_inner();
    let (row, created) = with_db(&state, move |conn| {
        writes::put(conn, &caller, &slug, &if_match, input)
    })
    .await?;
    Ok(versioned(created_or_ok(created), &TradeArrangement::from(row)))
}

/// Add a dated membership event to an arrangement (administrators).
#[utoipa::path(
    post,
    path = "/trade-arrangements/{slug}/events",
    tag = "trade",
    params(("slug" = String, Path, example = "eu-gsp-plus-978-2012")),
    request_body(content = EventInput, example = json!({"country": "PHL", "event": "entered", "occurred_on": "2014-12-25", "source": "Commission Delegated Regulation (EU) No 1386/2014"})),
    responses(
        (status = 201, description = "Added", body = MembershipEventView),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such arrangement", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A country outside the ILO's membership without its name", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn add_event(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody<EventInput>,
) -> AppResult<HttpResponse> {
    let slug = path_slug(&path)?;
    let input = body.into_inner();
    let event = with_db(&state, move |conn| writes::add_event(conn, &caller, &slug, input)).await?;
    Ok(HttpResponse::Created().json(MembershipEventView::from(event)))
}

/// Add an instrument at the end of an arrangement's list (administrators).
#[utoipa::path(
    post,
    path = "/trade-arrangements/{slug}/instruments",
    tag = "trade",
    params(("slug" = String, Path, example = "eu-gsp-plus-978-2012")),
    request_body(content = InstrumentInput, example = json!({"convention": "C155", "named_as": "Occupational Safety and Health Convention, 1981 (No. 155)", "commitment_type": "consider_ratification", "source": "agreement text"})),
    responses(
        (status = 201, description = "Added", body = ArrangementInstrument),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such arrangement", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An instrument normtrack does not track given as `convention`", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn add_instrument(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: JsonBody<InstrumentInput>,
) -> AppResult<HttpResponse> {
    let slug = path_slug(&path)?;
    let input = body.into_inner();
    let instrument = with_db(&state, move |conn| {
        writes::add_instrument(conn, &caller, &slug, input)
    })
    .await?;
    Ok(HttpResponse::Created().json(ArrangementInstrument::from(instrument)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// The day to answer for (default: today).
    #[param(value_type = Option<NaiveDate>)]
    pub as_of: Option<String>,
}

/// Each member of the arrangement on the day × each ILO instrument it names: met, unmet or
/// unknown (judged on ratification as at the day, by the dashboard's rules), with totals.
/// Countries whose membership that day no source settles are listed apart.
#[utoipa::path(
    get,
    path = "/trade-arrangements/{slug}/compliance",
    tag = "trade",
    params(("slug" = String, Path, example = "eu-gsp-plus-978-2012"), AsOfQuery),
    responses(
        (status = 200, description = "The compliance table", body = ComplianceTable),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such arrangement", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`as_of` is after today or before 1919", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn compliance(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> AppResult<HttpResponse> {
    let slug = path_slug(&path)?;
    let mut errors = ParamErrors::default();
    let day = errors.parse_as_of(query.as_of.as_deref());
    errors.finish()?;
    let today = today();
    let table = with_db(&state, move |conn| {
        service::compliance_table(conn, &slug, day, today)
    })
    .await?;
    Ok(HttpResponse::Ok().json(table))
}

/// What the country's trade arrangements ask of it on the day and how far along it is: every
/// arrangement binding it then, each ILO instrument it names with the commitment type, the
/// country's standing (with the record's source and date) and whether the commitment is met;
/// beside it the comments of the last five years, and (for callers who may see them) the
/// open gaps and overdue report requests on those instruments.
#[utoipa::path(
    get,
    path = "/countries/{iso3}/commitments",
    tag = "trade",
    params(("iso3" = String, Path, example = "PHL"), AsOfQuery),
    responses(
        (status = 200, description = "The commitments", body = CountryCommitments),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such member state", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`as_of` is after today or before 1919", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn commitments(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    query: web::Query<AsOfQuery>,
) -> AppResult<HttpResponse> {
    let iso3 = path_country(&path)?;
    let mut errors = ParamErrors::default();
    let day = errors.parse_as_of(query.as_of.as_deref());
    errors.finish()?;
    let today = today();
    let answer = with_db(&state, move |conn| {
        service::country_commitments(conn, &caller, &iso3, day, today)
    })
    .await?;
    Ok(HttpResponse::Ok().json(answer))
}
