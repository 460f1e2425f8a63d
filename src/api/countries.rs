//! `/api/v1/countries`: ILO member states, and one country's fundamental-convention record.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paging::paged_query;
use super::{page_response, path_country, with_db, AppState, ParamErrors};
use crate::domain::access::{Caller, Scope};
use crate::domain::coverage::{is_stale, Coverage, STALE_YEARS};
use crate::domain::pagination::{Page, PageRequest, MAX_PER_PAGE};
use crate::domain::ratification::{in_force, Status, Tally};
use crate::domain::reference::{Category, Principle, Region};
use crate::domain::reforms::{overdue, MilestoneStatus};
use crate::error::{AppError, AppResult, Problem};
use crate::i18n::Lang;
use crate::repo::{self, countries::CountryFilter, countries::CountryRow};

/// An ILO member state.
#[derive(Debug, Serialize, ToSchema)]
pub struct Country {
    /// ISO 3166-1 alpha-3 code: the key.
    #[schema(example = "VNM")]
    pub iso3: String,
    #[schema(example = "VN")]
    pub iso2: String,
    /// UN M49 numeric code.
    #[schema(example = "704")]
    pub un_m49: String,
    /// The name in the language of the answer (`name_lang`): English as in ISO 3166, French
    /// and Spanish as in Unicode CLDR.
    #[schema(example = "Viet Nam")]
    pub name: String,
    /// The language `name` is in: the one asked for, or `en` where no translation exists.
    pub name_lang: Lang,
    pub region: Region,
    /// The region's name as the ILO writes it.
    #[schema(example = "Asia and the Pacific")]
    pub region_name: String,
    /// How the region was assigned (the reference data's rule).
    pub region_basis: String,
    /// Date of ILO membership; `null` where the reference data does not give it.
    pub member_since: Option<NaiveDate>,
    /// Where the row comes from.
    pub source: String,
}

impl Country {
    fn from_row(row: CountryRow) -> AppResult<Country> {
        let region: Region = row.region;
        let (name, name_lang) = crate::i18n::names::country_in(&row.iso3, &row.name);
        Ok(Country {
            iso3: row.iso3,
            iso2: row.iso2,
            un_m49: row.un_m49,
            name,
            name_lang,
            region,
            region_name: region.display_name().to_string(),
            region_basis: row.region_basis,
            member_since: row.member_since,
            source: row.source,
        })
    }
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CountryQuery {
    /// ILO region.
    #[param(value_type = Option<Region>)]
    pub region: Option<String>,
    /// Part of the English name (case-insensitive), or an exact ISO alpha-3 or alpha-2 code.
    #[param(example = "viet")]
    pub q: Option<String>,
}
}

/// List member states, ordered by ISO alpha-3 code.
#[utoipa::path(
    get,
    path = "/countries",
    tag = "reference data",
    params(CountryQuery),
    responses(
        (status = 200, description = "One page of countries", body = Page<Country>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(state: web::Data<AppState>, query: web::Query<CountryQuery>) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let mut errors = ParamErrors::default();
    let filter = CountryFilter {
        region: errors.parse_enum("region", query.region.as_deref()),
        q: errors.text("q", query.q.clone()),
    };
    let page = errors.parse_page(&query);
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| {
        Ok(repo::countries::list(conn, &filter, page)?)
    })
    .await?;
    page_response(rows, total, page, Country::from_row)
}

/// Where a country stands with one fundamental instrument.
#[derive(Debug, Serialize, ToSchema)]
pub struct InstrumentStanding {
    #[schema(example = "C087")]
    pub convention: String,
    pub short_title: String,
    pub principle: Option<Principle>,
    /// `null` when there is no record: the status is unknown, not "not ratified".
    pub status: Option<Status>,
    /// `null` when unknown.
    pub in_force: Option<bool>,
    pub registered_on: Option<NaiveDate>,
    /// The date the record's source speaks for.
    pub source_date: Option<String>,
}

/// The country's record on the fundamental instruments.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundamentalSummary {
    /// Counts over the fundamental instruments (`pairs` is their number).
    pub counts: Tally,
    /// How many of them are known, and how old their sources are.
    pub coverage: Coverage,
    pub instruments: Vec<InstrumentStanding>,
}

/// A record of the country whose source is old or undated.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgedRecord {
    #[schema(example = "C105")]
    pub convention: String,
    /// `null`: the source gives no date.
    pub source_date: Option<String>,
}

/// How old the country's records are (every instrument, not only the fundamental ones).
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordAge {
    /// Records whose source speaks for a day more than this many years ago are listed.
    pub years: u32,
    /// Those records, by instrument code.
    pub older: Vec<AgedRecord>,
    /// Records whose source gives no date.
    pub undated: Vec<AgedRecord>,
}

/// A member state with its fundamental-convention record.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountryDetail {
    #[serde(flatten)]
    pub country: Country,
    pub fundamental: FundamentalSummary,
    /// Which of the country's records are older than five years, or undated.
    pub record_age: RecordAge,
    /// The country's open reform gaps and overdue milestones, for callers who may see them
    /// (administrators, office staff, the country's constituents); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reforms: Option<CountryReforms>,
}

/// What a country office opens first: the open gaps with their next step, and how many
/// milestones are overdue.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountryReforms {
    pub open_gaps: Vec<OpenGap>,
    pub overdue_milestones: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpenGap {
    pub id: i32,
    pub title: String,
    pub conventions: Vec<String>,
    /// The earliest milestone that is neither completed nor cancelled.
    pub next_milestone: Option<NextMilestone>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NextMilestone {
    pub id: i32,
    pub title: String,
    pub target_on: NaiveDate,
    pub status: MilestoneStatus,
    pub overdue: bool,
}

/// The reforms summary of a country (the caller's scope is checked by the caller).
fn country_reforms(conn: &mut crate::db::DbConn, iso3: &str, today: NaiveDate) -> AppResult<CountryReforms> {
    use crate::repo::reforms::{self as store, GapFilter, MilestoneFilter};
    let scope = Scope::Global;
    let all = PageRequest {
        page: 1,
        per_page: MAX_PER_PAGE,
    };
    let open = GapFilter {
        country: Some(iso3.to_string()),
        convention: None,
        status: Some(crate::domain::reforms::GapStatus::Open),
        ..Default::default()
    };
    let (gaps, _) = store::list_gaps(conn, &open, &scope, all)?;
    let mut open_gaps = Vec::with_capacity(gaps.len());
    for gap in gaps {
        let pending = MilestoneFilter {
            gap: Some(gap.row.id),
            ..Default::default()
        };
        let (milestones, _) = store::list_milestones(conn, &pending, &scope, all)?;
        let mut next = None;
        for m in milestones {
            let status = m.row.status;
            if !status.is_settled() {
                next = Some(NextMilestone {
                    id: m.row.id,
                    title: m.row.title,
                    target_on: m.row.target_on,
                    status,
                    overdue: overdue(m.row.target_on, status, today),
                });
                break;
            }
        }
        open_gaps.push(OpenGap {
            id: gap.row.id,
            title: gap.row.title,
            conventions: gap.conventions,
            next_milestone: next,
        });
    }
    let late = MilestoneFilter {
        country: Some(iso3.to_string()),
        overdue: Some(true),
        today: Some(today),
        ..Default::default()
    };
    let (_, overdue_milestones) =
        store::list_milestones(conn, &late, &scope, PageRequest { page: 1, per_page: 1 })?;
    Ok(CountryReforms {
        open_gaps,
        overdue_milestones,
    })
}

/// One member state, with a summary of its fundamental-convention ratifications.
#[utoipa::path(
    get,
    path = "/countries/{iso3}",
    tag = "reference data",
    params(("iso3" = String, Path, description = "ISO 3166-1 alpha-3 code", example = "ZWE")),
    responses(
        (status = 200, description = "The country", body = CountryDetail),
        (status = 404, description = "No such member state", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let iso3 = path_country(&path)?;
    let sees_reforms = caller.may_read_country(&iso3);
    let today = chrono::Utc::now().date_naive();
    let detail = with_db(&state, move |conn| {
        let row = repo::countries::get(conn, &iso3)?
            .ok_or_else(|| AppError::NotFound(format!("country '{iso3}'")))?;
        let records = repo::ratifications::for_country(conn, &iso3)?;
        let fundamental = repo::conventions::all_of(conn, Category::Fundamental)?;
        let mut instruments = Vec::with_capacity(fundamental.len());
        let mut states = Vec::new();
        for convention in fundamental {
            let record = records.iter().find(|r| r.convention == convention.code);
            let (status, in_force_now) = match record {
                Some(r) => {
                    let status = r.status;
                    let now = in_force(status, r.in_force_on, r.denounced_on, today);
                    states.push((status, now));
                    (Some(status), now)
                }
                None => (None, None),
            };
            instruments.push(InstrumentStanding {
                principle: convention.principle,
                short_title: crate::i18n::names::short_title(&convention.code, &convention.short_title),
                convention: convention.code,
                status,
                in_force: in_force_now,
                registered_on: record.and_then(|r| r.registered_on),
                source_date: record.and_then(|r| r.source_date.clone()),
            });
        }
        let counts = Tally::count(instruments.len() as i64, states);
        let coverage = Coverage::of(
            instruments.len(),
            instruments
                .iter()
                .filter(|i| i.status.is_some())
                .map(|i| i.source_date.as_deref()),
        );
        let mut record_age = RecordAge {
            years: STALE_YEARS,
            older: Vec::new(),
            undated: Vec::new(),
        };
        for r in &records {
            let aged = AgedRecord {
                convention: r.convention.clone(),
                source_date: r.source_date.clone(),
            };
            // Undated as `Coverage` has it: no date it can read.
            match r
                .source_date
                .as_deref()
                .filter(|d| crate::domain::trade::period_of(d).is_some())
            {
                None => record_age.undated.push(aged),
                Some(date) if is_stale(date, today) => record_age.older.push(aged),
                Some(_) => {}
            }
        }
        Ok(CountryDetail {
            country: Country::from_row(row)?,
            fundamental: FundamentalSummary {
                counts,
                coverage,
                instruments,
            },
            record_age,
            reforms: if sees_reforms {
                Some(country_reforms(conn, &iso3, today)?)
            } else {
                None
            },
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(detail))
}
