//! What trade arrangements ask of countries, and how far along they are: a country's
//! commitments as at a day, and an arrangement's compliance table. Membership on a day is
//! `domain::trade::membership_on`; where a (country, instrument) pair stood on a day is the
//! dashboard's `domain::dashboard::standing_on` (one implementation of "as at").

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::domain::access::Caller;
use crate::domain::dashboard::{standing_on, RecordFacts};
use crate::domain::ratification::{Stage, Status};
use crate::domain::reforms::GapStatus;
use crate::domain::supervision::{CommentKind, SupervisoryBody};
use crate::domain::trade::{
    compliance, membership_on, ArrangementKind, CommitmentType, Compliance, DatedEvent, Membership, Window,
};
use crate::error::{AppError, AppResult};
use crate::repo;
use crate::repo::ratifications::RatificationRow;
use crate::repo::trade::{ArrangementRow, EventRow, InstrumentRow};

/// How many years of supervisory comments the commitments view shows, the as-at year included.
pub const COMMENT_YEARS: i32 = 5;

/// Where a (country, instrument) pair stood on the day, and what the record rests on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Standing {
    /// `null`: no record, or one that does not settle the day.
    pub status: Option<Status>,
    /// Whether the instrument bound the country that day (`null`: unknown).
    pub in_force: Option<bool>,
    /// The stage of a ratification in progress (today's record only).
    pub stage: Option<Stage>,
    /// The record's source and the date it speaks for; `null` when there is no record.
    pub source: Option<String>,
    pub source_date: Option<String>,
}

/// One instrument an arrangement names, and whether the country meets the commitment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Commitment {
    /// The instrument, when normtrack tracks it; `null` for an ILO instrument it does not.
    #[schema(example = "C087")]
    pub convention: Option<String>,
    /// The instrument as the arrangement names it.
    pub named_as: String,
    /// Where the arrangement names it (e.g. "Annex VIII Part A item 8").
    pub list_ref: String,
    pub article: String,
    pub commitment_type: CommitmentType,
    /// Whether the commitment asks for ratification, the part of it a record can show.
    pub asks_ratification: bool,
    pub standing: Standing,
    /// `met` / `unmet` judged on ratification as at the day; `unknown` when no record
    /// settles it or the commitment asks for something else. Never counted as unmet.
    pub compliance: Compliance,
}

#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct ComplianceTotals {
    pub met: usize,
    pub unmet: usize,
    pub unknown: usize,
}

impl ComplianceTotals {
    fn add(&mut self, c: Compliance) {
        match c {
            Compliance::Met => self.met += 1,
            Compliance::Unmet => self.unmet += 1,
            Compliance::Unknown => self.unknown += 1,
        }
    }
}

/// An arrangement binding the country on the day, with the ILO instruments it names.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BindingArrangement {
    #[schema(example = "eu-gsp-plus-978-2012")]
    pub slug: String,
    pub name: String,
    pub kind: ArrangementKind,
    pub membership: Membership,
    /// The date (at the precision its source gives) of the event the membership rests on.
    pub since: Option<String>,
    pub commitments: Vec<Commitment>,
    pub totals: ComplianceTotals,
}

/// An arrangement whose events for the country do not settle whether it bound it that day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnsettledArrangement {
    pub slug: String,
    pub name: String,
}

/// A supervisory comment in brief.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentBrief {
    pub id: i32,
    pub body: SupervisoryBody,
    pub kind: CommentKind,
    pub year: i32,
    pub conventions: Vec<String>,
    pub headings: String,
}

/// An open gap in brief.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GapBrief {
    pub id: i32,
    pub title: String,
    pub conventions: Vec<String>,
}

/// An overdue report request in brief.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestBrief {
    pub id: i32,
    pub year: i32,
    pub due_on: NaiveDate,
    pub conventions: Vec<String>,
}

/// What a country's trade arrangements ask of it on a day, and how far along it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CountryCommitments {
    #[schema(example = "PHL")]
    pub country: String,
    pub country_name: String,
    pub as_of: NaiveDate,
    pub arrangements: Vec<BindingArrangement>,
    /// Arrangements the country appears in whose membership that day no source settles.
    pub membership_unknown: Vec<UnsettledArrangement>,
    /// Over every commitment of every binding arrangement.
    pub totals: ComplianceTotals,
    /// Comments of the last five years (to the as-at year) on the instruments named.
    pub comments: Vec<CommentBrief>,
    /// Open gaps on those instruments; `null` when the caller may not see the country's
    /// reforms.
    pub open_gaps: Option<Vec<GapBrief>>,
    /// Report requests on those instruments overdue on the day; `null` when the caller may
    /// not see the country's reporting.
    pub overdue_report_requests: Option<Vec<RequestBrief>>,
}

fn window(a: &ArrangementRow) -> Window {
    Window {
        applies_from: a.applies_from,
        expires_on: a.expires_on,
    }
}

fn dated(events: &[EventRow]) -> Vec<DatedEvent> {
    events
        .iter()
        .map(|e| DatedEvent {
            event: e.event,
            occurred_on: e.occurred_on.clone(),
        })
        .collect()
}

/// Membership on `day` and the date of the last event on or before it that it rests on.
fn membership(a: &ArrangementRow, events: &[EventRow], day: NaiveDate) -> (Membership, Option<String>) {
    let state = membership_on(&dated(events), window(a), day);
    // The start of the run of binding events the day falls in (an entry, not a later
    // listing that only confirms it).
    let mut dated: Vec<(NaiveDate, NaiveDate, &str, Option<Membership>)> = events
        .iter()
        .filter_map(|e| {
            let on = e.occurred_on.as_deref()?;
            let (start, end) = crate::domain::trade::period_of(on)?;
            Some((start, end, on, e.event.leaves()))
        })
        .filter(|(_, end, _, _)| *end <= day)
        .collect();
    // The order membership_on reads them in.
    dated.sort_by_key(|(start, end, _, _)| (*start, *end));
    let mut since = None;
    for (_, _, on, leaves) in dated {
        match leaves {
            Some(m) if m.binds() => {
                since.get_or_insert(on.to_string());
            }
            Some(_) => since = None,
            None => {}
        }
    }
    let since = if state.binds() { since } else { None };
    (state, since)
}

/// Where the pair stood on `day`, from its record (if any).
fn standing(record: Option<&RatificationRow>, day: NaiveDate, today: NaiveDate) -> Standing {
    match record {
        None => Standing {
            status: None,
            in_force: None,
            stage: None,
            source: None,
            source_date: None,
        },
        Some(r) => {
            let s = standing_on(
                &RecordFacts {
                    status: r.status,
                    registered_on: r.registered_on,
                    in_force_on: r.in_force_on,
                    denounced_on: r.denounced_on,
                    source_date: r.source_date.clone(),
                },
                day,
                today,
            );
            Standing {
                status: s.status,
                in_force: s.in_force,
                stage: if day >= today { r.stage } else { None },
                source: Some(r.source.clone()),
                source_date: r.source_date.clone(),
            }
        }
    }
}

/// The ILO instruments an arrangement names that apply to `country` (those named for
/// another country only are left out).
fn ilo_instruments_for<'a>(instruments: &'a [InstrumentRow], country: &str) -> Vec<&'a InstrumentRow> {
    instruments
        .iter()
        .filter(|i| i.is_ilo && i.country.as_deref().is_none_or(|c| c == country))
        .collect()
}

fn commitment(
    i: &InstrumentRow,
    records: &HashMap<String, RatificationRow>,
    day: NaiveDate,
    today: NaiveDate,
) -> Commitment {
    let record = i.convention.as_ref().and_then(|code| records.get(code));
    let standing = standing(record, day, today);
    Commitment {
        convention: i.convention.clone(),
        named_as: i.named_as.clone(),
        list_ref: i.list_ref.clone(),
        article: i.article.clone(),
        commitment_type: i.commitment_type,
        asks_ratification: i.commitment_type.asks_ratification(),
        compliance: compliance(i.commitment_type, standing.status),
        standing,
    }
}

fn records_of(
    conn: &mut DbConn,
    countries: &[String],
) -> AppResult<HashMap<(String, String), RatificationRow>> {
    Ok(repo::ratifications::all_for(conn, Some(countries))?
        .into_iter()
        .map(|r| ((r.country.clone(), r.convention.clone()), r))
        .collect())
}

/// A country's commitments on `day` (`today` for the "as at" rules).
pub fn country_commitments(
    conn: &mut DbConn,
    caller: &Caller,
    country: &str,
    day: NaiveDate,
    today: NaiveDate,
) -> AppResult<CountryCommitments> {
    let names = super::names::countries(conn)?;
    let country_name = names
        .get(country)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("country '{country}'")))?;
    let records: HashMap<String, RatificationRow> = records_of(conn, &[country.to_string()])?
        .into_iter()
        .map(|((_, code), r)| (code, r))
        .collect();
    let mut arrangements = Vec::new();
    let mut membership_unknown = Vec::new();
    let mut totals = ComplianceTotals::default();
    let mut named: Vec<String> = Vec::new();
    for a in repo::trade::for_country(conn, country)? {
        let events = repo::trade::events(conn, &a.slug, Some(country))?;
        let (state, since) = membership(&a, &events, day);
        match state {
            Membership::Unknown => membership_unknown.push(UnsettledArrangement {
                slug: a.slug,
                name: a.name,
            }),
            Membership::NotMember => {}
            Membership::Member | Membership::PartlyWithdrawn => {
                let instruments = repo::trade::instruments(conn, &a.slug)?;
                let mut own = ComplianceTotals::default();
                let commitments: Vec<Commitment> = ilo_instruments_for(&instruments, country)
                    .into_iter()
                    .map(|i| commitment(i, &records, day, today))
                    .collect();
                for c in &commitments {
                    own.add(c.compliance);
                    totals.add(c.compliance);
                    if let Some(code) = &c.convention {
                        if !named.contains(code) {
                            named.push(code.clone());
                        }
                    }
                }
                arrangements.push(BindingArrangement {
                    slug: a.slug,
                    name: a.name,
                    kind: a.kind,
                    membership: state,
                    since,
                    commitments,
                    totals: own,
                });
            }
        }
    }
    named.sort();
    let concerns = |codes: &[String]| codes.iter().any(|c| named.contains(c));
    let comments = repo::comments::all(
        conn,
        &repo::comments::CommentFilter {
            country: Some(country.to_string()),
            year_from: Some(day.year() - COMMENT_YEARS + 1),
            year_to: Some(day.year()),
            ..Default::default()
        },
    )?
    .into_iter()
    .filter(|c| concerns(&c.conventions))
    .map(|c| CommentBrief {
        id: c.row.id,
        body: c.row.body,
        kind: c.row.kind,
        year: c.row.year,
        conventions: c.conventions,
        headings: c.row.headings,
    })
    .collect();
    let sees = caller.may_read_country(country);
    let open_gaps = if sees {
        let scope = caller.read_scope();
        let (gaps, _) = repo::reforms::list_gaps(
            conn,
            &repo::reforms::GapFilter {
                country: Some(country.to_string()),
                status: Some(GapStatus::Open),
                ..Default::default()
            },
            &scope,
            crate::domain::pagination::PageRequest {
                page: 1,
                per_page: i64::from(i32::MAX),
            },
        )?;
        Some(
            gaps.into_iter()
                .filter(|g| concerns(&g.conventions))
                .map(|g| GapBrief {
                    id: g.row.id,
                    title: g.row.title,
                    conventions: g.conventions,
                })
                .collect(),
        )
    } else {
        None
    };
    let overdue_report_requests = if sees {
        let requests = repo::reporting::all_requests(
            conn,
            &repo::reporting::RequestFilter {
                country: Some(country.to_string()),
                overdue: Some(true),
                today: Some(day),
                ..Default::default()
            },
            &caller.read_scope(),
        )?;
        Some(
            requests
                .into_iter()
                .filter(|r| concerns(&r.conventions))
                .map(|r| RequestBrief {
                    id: r.row.id,
                    year: r.row.year,
                    due_on: r.row.due_on,
                    conventions: r.conventions,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(CountryCommitments {
        country: country.to_string(),
        country_name,
        as_of: day,
        arrangements,
        membership_unknown,
        totals,
        comments,
        open_gaps,
        overdue_report_requests,
    })
}

/// One ILO instrument an arrangement names, a column of the compliance table.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedInstrument {
    pub convention: Option<String>,
    pub named_as: String,
    pub commitment_type: CommitmentType,
    /// The one country it is named for, if it is named for one only.
    pub country: Option<String>,
}

/// One cell: a member and an instrument.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceCell {
    pub convention: Option<String>,
    pub status: Option<Status>,
    pub compliance: Compliance,
}

/// One member on the day, with a cell per column of `instruments` (in the same order);
/// `null` where the instrument is named for another country only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceRow {
    pub country: String,
    pub country_name: String,
    pub membership: Membership,
    pub cells: Vec<Option<ComplianceCell>>,
    pub totals: ComplianceTotals,
}

/// A country that appears in the arrangement but whose membership that day is unknown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnsettledMember {
    pub country: String,
    pub country_name: String,
}

/// Each member of an arrangement on a day × each ILO instrument it names.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceTable {
    pub slug: String,
    pub name: String,
    pub as_of: NaiveDate,
    pub instruments: Vec<NamedInstrument>,
    pub members: Vec<ComplianceRow>,
    pub membership_unknown: Vec<UnsettledMember>,
    pub totals: ComplianceTotals,
}

/// The compliance table of arrangement `slug` on `day`.
pub fn compliance_table(
    conn: &mut DbConn,
    slug: &str,
    day: NaiveDate,
    today: NaiveDate,
) -> AppResult<ComplianceTable> {
    let a = repo::trade::get(conn, slug)?
        .ok_or_else(|| AppError::NotFound(format!("trade arrangement '{slug}'")))?;
    let instruments = repo::trade::instruments(conn, slug)?;
    let events = repo::trade::events(conn, slug, None)?;
    let mut by_country: Vec<(String, String, Vec<EventRow>)> = Vec::new();
    for e in events {
        match by_country.iter_mut().find(|(c, _, _)| *c == e.country) {
            Some((_, _, list)) => list.push(e),
            None => by_country.push((e.country.clone(), e.country_name.clone(), vec![e])),
        }
    }
    by_country.sort_by(|a, b| a.0.cmp(&b.0));
    let names = super::names::countries(conn)?;
    let countries: Vec<String> = by_country.iter().map(|(c, _, _)| c.clone()).collect();
    let records = records_of(conn, &countries)?;
    let mut members = Vec::new();
    let mut membership_unknown = Vec::new();
    let mut totals = ComplianceTotals::default();
    for (country, given_name, events) in by_country {
        let country_name = names.get(&country).cloned().unwrap_or(given_name);
        let (state, _) = membership(&a, &events, day);
        if state == Membership::Unknown {
            membership_unknown.push(UnsettledMember {
                country,
                country_name,
            });
            continue;
        }
        if !state.binds() {
            continue;
        }
        let mut own = ComplianceTotals::default();
        let cells = instruments
            .iter()
            .filter(|i| i.is_ilo)
            .map(|i| {
                if i.country.as_deref().is_some_and(|c| c != country) {
                    return None;
                }
                let record = i
                    .convention
                    .as_ref()
                    .and_then(|code| records.get(&(country.clone(), code.clone())));
                let standing = standing(record, day, today);
                let c = compliance(i.commitment_type, standing.status);
                own.add(c);
                totals.add(c);
                Some(ComplianceCell {
                    convention: i.convention.clone(),
                    status: standing.status,
                    compliance: c,
                })
            })
            .collect();
        members.push(ComplianceRow {
            country,
            country_name,
            membership: state,
            cells,
            totals: own,
        });
    }
    Ok(ComplianceTable {
        slug: a.slug,
        name: a.name,
        as_of: day,
        instruments: instruments
            .iter()
            .filter(|i| i.is_ilo)
            .map(|i| NamedInstrument {
                convention: i.convention.clone(),
                named_as: i.named_as.clone(),
                commitment_type: i.commitment_type,
                country: i.country.clone(),
            })
            .collect(),
        members,
        membership_unknown,
        totals,
    })
}
