//! Dashboard aggregates: counts per instrument, principle and region as at any day, the
//! countries × instruments matrix, the ratification time line, and (within the caller's
//! scope) report and milestone counts and the serious-failure list. Computed from the stored
//! records on each request; rules in `domain::dashboard`.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::domain::access::Scope;
use crate::domain::coverage::Coverage;
use crate::domain::dashboard::{serious_failure_runs, standing_on, RecordFacts, Standing};
use crate::domain::pagination::PageRequest;
use crate::domain::ratification::{Status, Tally};
use crate::domain::reference::{Category, InstrumentType, Principle, Region};
use crate::domain::reforms::{overdue as milestone_overdue, MilestoneStatus};
use crate::domain::reporting::{request_overdue, RequestStatus};
use crate::error::AppResult;
use crate::repo::{self, reforms, reporting};

/// Which countries and instruments an aggregate covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selection {
    pub region: Option<Region>,
    pub category: Option<Category>,
    pub principle: Option<Principle>,
    pub convention: Option<String>,
}

struct Country {
    iso3: String,
    name: String,
    region: Region,
}

struct Instrument {
    code: String,
    short_title: String,
    category: Category,
    principle: Option<Principle>,
    instrument_type: InstrumentType,
}

/// The selected countries and instruments, and where every pair stood on `day`.
struct World {
    countries: Vec<Country>,
    instruments: Vec<Instrument>,
    /// Every fundamental convention (protocols aside), whatever the instrument filter.
    fundamental_conventions: Vec<String>,
    /// country → instrument → standing and the date its source speaks for, for every record;
    /// absent: no record (unknown). Nested so that a lookup borrows its keys (the summary
    /// looks up every pair of the matrix, 40,000 at the full matrix, several times).
    standings: HashMap<String, HashMap<String, (Standing, Option<String>)>>,
    /// Every record as stored today: (country, instrument, status, registration date).
    records: Vec<(String, String, Status, Option<NaiveDate>)>,
}

impl World {
    fn load(conn: &mut DbConn, selection: &Selection, day: NaiveDate, today: NaiveDate) -> AppResult<World> {
        let (rows, _) = repo::countries::list(
            conn,
            &repo::countries::CountryFilter {
                region: selection.region,
                ..Default::default()
            },
            PageRequest {
                page: 1,
                per_page: i64::from(i32::MAX),
            },
        )?;
        let countries = rows
            .into_iter()
            .map(|c| {
                Ok(Country {
                    region: c.region,
                    name: crate::i18n::names::country(&c.iso3, &c.name),
                    iso3: c.iso3,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let mut instruments = Vec::new();
        let mut fundamental_conventions = Vec::new();
        for c in repo::conventions::all(conn)? {
            let instrument = Instrument {
                category: c.category,
                principle: c.principle,
                instrument_type: c.instrument_type,
                short_title: crate::i18n::names::short_title(&c.code, &c.short_title),
                code: c.code,
            };
            if instrument.category == Category::Fundamental
                && instrument.instrument_type == InstrumentType::Convention
            {
                fundamental_conventions.push(instrument.code.clone());
            }
            let keep = selection.category.is_none_or(|k| k == instrument.category)
                && selection
                    .principle
                    .is_none_or(|p| Some(p) == instrument.principle)
                && selection
                    .convention
                    .as_ref()
                    .is_none_or(|code| *code == instrument.code);
            if keep {
                instruments.push(instrument);
            }
        }
        let mut standings: HashMap<String, HashMap<String, (Standing, Option<String>)>> = HashMap::new();
        let mut records = Vec::new();
        for r in repo::ratifications::all_standings(conn)? {
            let facts = RecordFacts {
                status: r.status,
                registered_on: r.registered_on,
                in_force_on: r.in_force_on,
                denounced_on: r.denounced_on,
                source_date: r.source_date,
            };
            let standing = standing_on(&facts, day, today);
            // Records come by country: a new map only when the country changes.
            let of_country = match standings.get_mut(r.country.as_str()) {
                Some(of) => of,
                None => standings.entry(r.country.clone()).or_default(),
            };
            of_country.insert(r.convention.clone(), (standing, facts.source_date));
            records.push((r.country, r.convention, facts.status, r.registered_on));
        }
        Ok(World {
            countries,
            instruments,
            fundamental_conventions,
            standings,
            records,
        })
    }

    fn standing(&self, country: &str, instrument: &str) -> Option<Standing> {
        self.pair(country, instrument).map(|(standing, _)| *standing)
    }

    fn pair(&self, country: &str, instrument: &str) -> Option<&(Standing, Option<String>)> {
        self.standings.get(country).and_then(|of| of.get(instrument))
    }

    /// The counts over the pairs of these countries and instruments, with their coverage
    /// (how many are known, and how old their sources are), in one pass over the pairs.
    fn counts<'a>(
        &self,
        countries: impl Iterator<Item = &'a Country>,
        instruments: &[&Instrument],
    ) -> Counts {
        let mut pairs: usize = 0;
        let mut known = Vec::new();
        let mut dates = Vec::new();
        for country in countries {
            for instrument in instruments {
                pairs += 1;
                if let Some((
                    Standing {
                        status: Some(status),
                        in_force,
                    },
                    source_date,
                )) = self.pair(&country.iso3, &instrument.code)
                {
                    known.push((*status, *in_force));
                    dates.push(source_date.as_deref());
                }
            }
        }
        let coverage = Coverage::of(pairs, dates);
        Counts::new(Tally::count(pairs as i64, known), coverage)
    }
}

/// Counts over (country, instrument) pairs, with the share of pairs ratified.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Counts {
    #[serde(flatten)]
    pub tally: Tally,
    /// Ratified pairs over all pairs (unknown pairs count in the denominator).
    #[schema(example = 0.93)]
    pub ratification_rate: f64,
    /// How many of the pairs are known, and how old their sources are.
    pub coverage: Coverage,
}

impl Counts {
    fn new(tally: Tally, coverage: Coverage) -> Counts {
        let rate = if tally.pairs == 0 {
            0.0
        } else {
            (tally.ratified as f64 / tally.pairs as f64 * 10_000.0).round() / 10_000.0
        };
        Counts {
            tally,
            ratification_rate: rate,
            coverage,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstrumentCounts {
    #[schema(example = "C087")]
    pub convention: String,
    pub short_title: String,
    pub category: Category,
    pub principle: Option<Principle>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrincipleCounts {
    pub principle: Principle,
    /// The selected instruments of this principle.
    pub conventions: Vec<String>,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionCounts {
    pub region: Region,
    pub member_states: usize,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Countries that had ratified every fundamental convention.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllFundamental {
    /// The fundamental conventions (protocols aside).
    pub conventions: Vec<String>,
    /// Countries with every one of them ratified.
    pub countries: usize,
    /// Countries where some of them are unknown and none is known not to be ratified.
    pub countries_unknown: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportCounts {
    pub year: i32,
    /// Requests of the year.
    pub due: usize,
    pub requested: usize,
    pub in_preparation: usize,
    pub submitted: usize,
    pub overdue: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MilestoneCounts {
    pub planned: usize,
    pub in_progress: usize,
    pub completed: usize,
    pub cancelled: usize,
    pub overdue: usize,
}

/// A country that sent none of its due reports two years or more in a row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriousFailure {
    pub country: String,
    pub country_name: String,
    /// The longest run of consecutive years with a report due, not sent.
    pub years: Vec<i32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    /// The day the ratification figures describe.
    pub as_of: NaiveDate,
    /// Member states selected (by region, when filtered).
    pub member_states: usize,
    pub instruments: Vec<InstrumentCounts>,
    pub principles: Vec<PrincipleCounts>,
    pub regions: Vec<RegionCounts>,
    pub all_fundamental: AllFundamental,
    /// Report requests of `year` in the caller's scope (absent for dashboard tokens).
    pub reports: Option<ReportCounts>,
    /// Milestones in the caller's scope by status (absent for dashboard tokens).
    pub milestones: Option<MilestoneCounts>,
    /// In the caller's scope (absent for dashboard tokens).
    pub serious_failures: Option<Vec<SeriousFailure>>,
}

/// The summary as at `day`; report figures for `year`, as of `today`, in `scope`.
pub fn summary(
    conn: &mut DbConn,
    selection: &Selection,
    day: NaiveDate,
    year: i32,
    scope: &Scope,
    today: NaiveDate,
) -> AppResult<Summary> {
    let world = World::load(conn, selection, day, today)?;
    let all: Vec<&Instrument> = world.instruments.iter().collect();
    let instruments = world
        .instruments
        .iter()
        .map(|i| InstrumentCounts {
            convention: i.code.clone(),
            short_title: i.short_title.clone(),
            category: i.category,
            principle: i.principle,
            counts: world.counts(world.countries.iter(), &[i]),
        })
        .collect();
    let principles = Principle::ALL
        .iter()
        .filter_map(|p| {
            let of: Vec<&Instrument> = all.iter().copied().filter(|i| i.principle == Some(*p)).collect();
            (!of.is_empty()).then(|| PrincipleCounts {
                principle: *p,
                conventions: of.iter().map(|i| i.code.clone()).collect(),
                counts: world.counts(world.countries.iter(), &of),
            })
        })
        .collect();
    let regions = Region::ALL
        .iter()
        .filter_map(|r| {
            let members: Vec<&Country> = world.countries.iter().filter(|c| c.region == *r).collect();
            (!members.is_empty()).then(|| RegionCounts {
                region: *r,
                member_states: members.len(),
                counts: world.counts(members.iter().copied(), &all),
            })
        })
        .collect();
    let all_fundamental = all_fundamental(&world);
    let (reports, milestones, serious_failures) = match scope {
        Scope::PublicOnly => (None, None, None),
        scope => (
            Some(report_counts(conn, scope, year, today)?),
            Some(milestone_counts(conn, scope, today)?),
            Some(serious_failures(conn, scope, today)?),
        ),
    };
    Ok(Summary {
        as_of: day,
        member_states: world.countries.len(),
        instruments,
        principles,
        regions,
        all_fundamental,
        reports,
        milestones,
        serious_failures,
    })
}

fn all_fundamental(world: &World) -> AllFundamental {
    let (mut countries, mut countries_unknown) = (0, 0);
    for country in &world.countries {
        let statuses: Vec<Option<Status>> = world
            .fundamental_conventions
            .iter()
            .map(|code| world.standing(&country.iso3, code).and_then(|s| s.status))
            .collect();
        if statuses.iter().all(|s| *s == Some(Status::Ratified)) {
            countries += 1;
        } else if statuses
            .iter()
            .all(|s| matches!(s, None | Some(Status::Ratified)))
        {
            countries_unknown += 1;
        }
    }
    AllFundamental {
        conventions: world.fundamental_conventions.clone(),
        countries,
        countries_unknown,
    }
}

fn report_counts(conn: &mut DbConn, scope: &Scope, year: i32, today: NaiveDate) -> AppResult<ReportCounts> {
    let requests = reporting::all_requests(
        conn,
        &reporting::RequestFilter {
            year: Some(year),
            ..Default::default()
        },
        scope,
    )?;
    let mut counts = ReportCounts {
        year,
        due: requests.len(),
        requested: 0,
        in_preparation: 0,
        submitted: 0,
        overdue: 0,
    };
    for r in requests {
        let status = r.row.status;
        match status {
            RequestStatus::Requested => counts.requested += 1,
            RequestStatus::InPreparation => counts.in_preparation += 1,
            RequestStatus::Submitted => counts.submitted += 1,
        }
        if request_overdue(r.row.due_on, status, today) {
            counts.overdue += 1;
        }
    }
    Ok(counts)
}

fn milestone_counts(conn: &mut DbConn, scope: &Scope, today: NaiveDate) -> AppResult<MilestoneCounts> {
    let (rows, _) = reforms::list_milestones(
        conn,
        &Default::default(),
        scope,
        PageRequest {
            page: 1,
            per_page: i64::from(i32::MAX),
        },
    )?;
    let mut counts = MilestoneCounts {
        planned: 0,
        in_progress: 0,
        completed: 0,
        cancelled: 0,
        overdue: 0,
    };
    for m in rows {
        let status = m.row.status;
        match status {
            MilestoneStatus::Planned => counts.planned += 1,
            MilestoneStatus::InProgress => counts.in_progress += 1,
            MilestoneStatus::Completed => counts.completed += 1,
            MilestoneStatus::Cancelled => counts.cancelled += 1,
        }
        if milestone_overdue(m.row.target_on, status, today) {
            counts.overdue += 1;
        }
    }
    Ok(counts)
}

fn serious_failures(conn: &mut DbConn, scope: &Scope, today: NaiveDate) -> AppResult<Vec<SeriousFailure>> {
    let overdue = reporting::all_requests(
        conn,
        &reporting::RequestFilter {
            overdue: Some(true),
            today: Some(today),
            ..Default::default()
        },
        scope,
    )?;
    let mut missed: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for r in overdue {
        missed.entry(r.row.country).or_default().push(r.row.year);
    }
    let names = super::names::countries(conn)?;
    Ok(missed
        .into_iter()
        .filter_map(|(country, years)| {
            let run = serious_failure_runs(years).into_iter().next()?;
            Some(SeriousFailure {
                country_name: names.get(&country).cloned().unwrap_or_default(),
                country,
                years: run,
            })
        })
        .collect())
}

/// One row of the matrix: a country and its cells, in the order of the matrix's instruments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatrixRow {
    pub country: String,
    pub name: String,
    pub region: Region,
    pub cells: Vec<MatrixCell>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct MatrixCell {
    /// `null`: no record, or the record does not say where the pair stood that day.
    pub status: Option<Status>,
    pub in_force: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Matrix {
    pub as_of: NaiveDate,
    /// The columns.
    pub conventions: Vec<String>,
    pub countries: Vec<MatrixRow>,
}

pub fn matrix(
    conn: &mut DbConn,
    selection: &Selection,
    day: NaiveDate,
    today: NaiveDate,
) -> AppResult<Matrix> {
    let world = World::load(conn, selection, day, today)?;
    let countries = world
        .countries
        .iter()
        .map(|c| MatrixRow {
            country: c.iso3.clone(),
            name: c.name.clone(),
            region: c.region,
            cells: world
                .instruments
                .iter()
                .map(|i| {
                    let s = world.standing(&c.iso3, &i.code);
                    MatrixCell {
                        status: s.and_then(|s| s.status),
                        in_force: s.and_then(|s| s.in_force),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(Matrix {
        as_of: day,
        conventions: world.instruments.iter().map(|i| i.code.clone()).collect(),
        countries,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineYear {
    pub year: i32,
    /// Ratifications registered that year.
    pub registered: usize,
    /// Registered up to and including that year.
    pub cumulative: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstrumentTimeline {
    pub convention: String,
    pub years: Vec<TimelineYear>,
    /// Ratified or denounced records without a registration date: not on the time line.
    pub undated: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Timeline {
    pub instruments: Vec<InstrumentTimeline>,
}

/// Ratifications registered per year and cumulative, per instrument, over the selected
/// countries (denounced ones included: they were registered).
pub fn timeline(conn: &mut DbConn, selection: &Selection, today: NaiveDate) -> AppResult<Timeline> {
    let world = World::load(conn, selection, today, today)?;
    let selected: std::collections::HashSet<&str> = world.countries.iter().map(|c| c.iso3.as_str()).collect();
    let mut per: HashMap<&str, (BTreeMap<i32, usize>, usize)> = HashMap::new();
    for (country, convention, status, registered_on) in &world.records {
        if !selected.contains(country.as_str()) || !matches!(status, Status::Ratified | Status::Denounced) {
            continue;
        }
        let entry = per.entry(convention.as_str()).or_default();
        match registered_on {
            Some(day) => *entry.0.entry(day.year()).or_default() += 1,
            None => entry.1 += 1,
        }
    }
    let instruments = world
        .instruments
        .iter()
        .map(|i| {
            let (by_year, undated) = per.remove(i.code.as_str()).unwrap_or_default();
            let mut cumulative = 0;
            let years = by_year
                .into_iter()
                .map(|(year, registered)| {
                    cumulative += registered;
                    TimelineYear {
                        year,
                        registered,
                        cumulative,
                    }
                })
                .collect();
            InstrumentTimeline {
                convention: i.code.clone(),
                years,
                undated,
            }
        })
        .collect();
    Ok(Timeline { instruments })
}
