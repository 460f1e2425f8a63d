//! The callers of a served demo database, the writes they make, a record of every answer,
//! and the read-back that checks every acknowledged write is stored with its content.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::client::{Answer, Client};
use crate::server::{seed_demo, ServerProcess};

/// The logged-in demo callers of a server, by the local part of their address (`admin`,
/// `office`, `government.zwe`, …), the organizations of the constituents, and milestones set
/// up for each constituent to comment on.
pub struct World {
    pub clients: HashMap<String, Client>,
    /// A read-only dashboard token's client.
    pub dashboard: Client,
    /// Organization id by account (`government.zwe` → its organization).
    pub organizations: HashMap<String, i64>,
    /// A milestone each constituent's organization is responsible for.
    pub milestones: HashMap<String, i64>,
    /// A gap per country, made at set-up.
    pub gaps: HashMap<String, i64>,
}

pub const CONSTITUENTS: [&str; 6] = [
    "government.zwe",
    "employer.zwe",
    "worker.zwe",
    "government.vnm",
    "employer.vnm",
    "worker.vnm",
];

impl World {
    /// Seeds the demo accounts (before the server starts) — see [`seed_demo`].
    pub fn accounts(database_url: &str) -> HashMap<String, crate::server::Account> {
        seed_demo(database_url)
    }

    /// Logs every demo account in and sets up one gap per country and one milestone per
    /// constituent organization.
    pub fn set_up(server: &ServerProcess, accounts: &HashMap<String, crate::server::Account>) -> World {
        let anonymous = Client::new(&server.base_url(), Duration::from_secs(60));
        let mut clients = HashMap::new();
        for (name, account) in accounts {
            let token = anonymous.login(&account.email, &account.password);
            clients.insert(
                name.clone(),
                anonymous.fresh(Duration::from_secs(60)).with_token(&token),
            );
        }
        let admin = clients.get("admin").expect("the demo admin").clone();
        let issued = admin
            .post_json(
                "/api/v1/tokens",
                &json!({ "name": "reliability dashboard", "expires_in_days": 1 }),
            )
            .expect("issue a dashboard token")
            .expect_json(201, "issue a dashboard token");
        let dashboard = anonymous.fresh(Duration::from_secs(60)).with_token(
            issued["access_token"]
                .as_str()
                .expect("the dashboard token's access_token"),
        );
        let mut organizations = HashMap::new();
        for name in CONSTITUENTS {
            let me = clients
                .get(name)
                .unwrap_or_else(|| panic!("the demo account {name}"))
                .get_ok("/api/v1/auth/me");
            let org = me["user"]["organization"]
                .as_i64()
                .unwrap_or_else(|| panic!("{name} has no organization: {me}"));
            organizations.insert(name.to_string(), org);
        }
        let mut gaps = HashMap::new();
        for country in ["ZWE", "VNM"] {
            let gap = admin
                .post_json(
                    "/api/v1/gaps",
                    &gap_body(country, &format!("set-up gap of {country}")),
                )
                .expect("create a set-up gap")
                .expect_json(201, "create a set-up gap");
            gaps.insert(country.to_string(), gap["id"].as_i64().expect("gap id"));
        }
        let mut milestones = HashMap::new();
        for name in CONSTITUENTS {
            let country = country_of(name);
            let m = admin
                .post_json(
                    "/api/v1/milestones",
                    &milestone_body(
                        gaps[country],
                        organizations[name],
                        &format!("set-up milestone of {name}"),
                    ),
                )
                .expect("create a set-up milestone")
                .expect_json(201, "create a set-up milestone");
            milestones.insert(name.to_string(), m["id"].as_i64().expect("milestone id"));
        }
        World {
            clients,
            dashboard,
            organizations,
            milestones,
            gaps,
        }
    }

    pub fn client(&self, name: &str) -> &Client {
        self.clients
            .get(name)
            .unwrap_or_else(|| panic!("no demo account {name}"))
    }

    pub fn admin(&self) -> &Client {
        self.client("admin")
    }
}

/// `government.zwe` → `ZWE`.
pub fn country_of(account: &str) -> &'static str {
    if account.ends_with(".vnm") {
        "VNM"
    } else {
        "ZWE"
    }
}

pub fn gap_body(country: &str, marker: &str) -> Value {
    json!({
        "country": country,
        "conventions": ["C087"],
        "title": marker,
        "description": format!("written by the reliability suite: {marker}"),
        "source": "reliability suite",
    })
}

pub fn milestone_body(gap: i64, organization: i64, marker: &str) -> Value {
    json!({
        "gap": gap,
        "kind": "draft_prepared",
        "title": marker,
        "target_on": "2030-03-31",
        "organization": organization,
    })
}

/// A unique text to find a write by.
pub fn marker(who: &str, seq: u64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("rel-{who}-{seq}-{nanos}")
}

/// A write the server acknowledged with a 2xx answer.
#[derive(Debug, Clone)]
pub enum Written {
    Gap {
        id: i64,
        marker: String,
    },
    Milestone {
        id: i64,
        marker: String,
    },
    Comment {
        milestone: i64,
        id: i64,
        marker: String,
    },
    Ratification {
        country: String,
        convention: String,
        marker: String,
    },
}

/// Every answer (and every failure to get one) of a set of calls.
#[derive(Debug, Default)]
pub struct Record {
    pub requests: u64,
    pub statuses: BTreeMap<u16, u64>,
    /// Statuses by call (`POST /api/v1/gaps` → 201 → count).
    pub by_call: BTreeMap<String, BTreeMap<u16, u64>>,
    /// The first few 4xx answers of each (call, status), for the report.
    pub samples: BTreeMap<(String, u16), String>,
    pub latencies: Vec<Duration>,
    /// Requests that got no answer at all.
    pub transport_errors: Vec<String>,
    /// 5xx answers, with what was asked.
    pub server_errors: Vec<String>,
    /// Answers that mention "database is locked".
    pub locked: Vec<String>,
    pub writes: Vec<Written>,
}

impl Record {
    /// Notes one call; returns the answer when there is one.
    pub fn note(&mut self, what: &str, result: Result<Answer, String>) -> Option<Answer> {
        self.requests += 1;
        match result {
            Ok(answer) => {
                *self.statuses.entry(answer.status).or_default() += 1;
                *self
                    .by_call
                    .entry(what.to_string())
                    .or_default()
                    .entry(answer.status)
                    .or_default() += 1;
                if answer.status >= 400 {
                    self.samples
                        .entry((what.to_string(), answer.status))
                        .or_insert_with(|| truncate(&answer.body));
                }
                self.latencies.push(answer.elapsed);
                if answer.status >= 500 {
                    self.server_errors
                        .push(format!("{what}: {} {}", answer.status, truncate(&answer.body)));
                }
                if answer.body.to_lowercase().contains("database is locked") {
                    self.locked.push(format!("{what}: {}", truncate(&answer.body)));
                }
                Some(answer)
            }
            Err(e) => {
                self.transport_errors.push(format!("{what}: {e}"));
                None
            }
        }
    }

    pub fn merge(&mut self, other: Record) {
        self.requests += other.requests;
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
        for (call, statuses) in other.by_call {
            let mine = self.by_call.entry(call).or_default();
            for (status, n) in statuses {
                *mine.entry(status).or_default() += n;
            }
        }
        for (key, sample) in other.samples {
            self.samples.entry(key).or_insert(sample);
        }
        self.latencies.extend(other.latencies);
        self.transport_errors.extend(other.transport_errors);
        self.server_errors.extend(other.server_errors);
        self.locked.extend(other.locked);
        self.writes.extend(other.writes);
    }

    /// The `p`-th percentile latency (0 < p ≤ 100), in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
    }

    pub fn count_2xx(&self) -> u64 {
        self.statuses
            .iter()
            .filter(|(s, _)| (200..300).contains(*s))
            .map(|(_, n)| n)
            .sum()
    }
}

fn truncate(text: &str) -> String {
    text.chars().take(300).collect()
}

/// The writes each caller may make, as one step of a loop.
pub struct Writer {
    pub name: String,
    pub client: Client,
    seq: u64,
    /// Gaps this writer made, by country (for its milestones).
    own_gaps: HashMap<String, Vec<i64>>,
}

impl Writer {
    pub fn new(name: &str, client: Client) -> Writer {
        Writer {
            name: name.to_string(),
            client,
            seq: 0,
            own_gaps: HashMap::new(),
        }
    }

    fn next_marker(&mut self) -> String {
        self.seq += 1;
        marker(&self.name, self.seq)
    }

    pub fn create_gap(&mut self, record: &mut Record, country: &str) {
        let marker = self.next_marker();
        let answer = record.note(
            "POST /api/v1/gaps",
            self.client.post_json("/api/v1/gaps", &gap_body(country, &marker)),
        );
        if let Some(answer) = answer.filter(Answer::is_success) {
            let id = answer.json()["id"].as_i64().expect("the created gap's id");
            self.own_gaps.entry(country.to_string()).or_default().push(id);
            record.writes.push(Written::Gap { id, marker });
        }
    }

    /// A milestone on a gap this writer made (or the set-up gap of the country).
    pub fn create_milestone(&mut self, record: &mut Record, world: &World, country: &str, responsible: &str) {
        let gap = self
            .own_gaps
            .get(country)
            .and_then(|g| g.last().copied())
            .unwrap_or(world.gaps[country]);
        let marker = self.next_marker();
        let body = milestone_body(gap, world.organizations[responsible], &marker);
        let answer = record.note(
            "POST /api/v1/milestones",
            self.client.post_json("/api/v1/milestones", &body),
        );
        if let Some(answer) = answer.filter(Answer::is_success) {
            let id = answer.json()["id"].as_i64().expect("the created milestone's id");
            record.writes.push(Written::Milestone { id, marker });
        }
    }

    pub fn comment(&mut self, record: &mut Record, milestone: i64) {
        let marker = self.next_marker();
        let path = format!("/api/v1/milestones/{milestone}/comments");
        let answer = record.note(
            "POST /api/v1/milestones/{id}/comments",
            self.client.post_json(&path, &json!({ "body": marker })),
        );
        if let Some(answer) = answer.filter(Answer::is_success) {
            let id = answer.json()["id"].as_i64().expect("the created comment's id");
            record.writes.push(Written::Comment {
                milestone,
                id,
                marker,
            });
        }
    }

    /// Reads a ratification record and writes it back with a new source, with `If-Match`.
    pub fn touch_ratification(&mut self, record: &mut Record, country: &str, convention: &str) {
        let path = format!("/api/v1/ratifications/{country}/{convention}");
        let Some(current) = record.note("GET /api/v1/ratifications/{iso3}/{code}", self.client.get(&path))
        else {
            return;
        };
        if current.status != 200 {
            return;
        }
        let etag = current
            .header("etag")
            .expect("a ratification record's ETag")
            .to_string();
        let marker = self.next_marker();
        let body = ratification_input(&current.json(), &marker);
        let answer = record.note(
            "PUT /api/v1/ratifications/{iso3}/{code}",
            self.client.put_json(&path, &etag, &body),
        );
        if answer.is_some_and(|a| a.is_success()) {
            record.writes.push(Written::Ratification {
                country: country.to_string(),
                convention: convention.to_string(),
                marker,
            });
        }
    }
}

/// The input that records `record` again with `source` changed to `marker`.
pub fn ratification_input(record: &Value, marker: &str) -> Value {
    json!({
        "status": record["status"],
        "stage": record["stage"],
        "registered_on": record["registered_on"],
        "in_force_on": record["in_force_on"],
        "denounced_on": record["denounced_on"],
        "notes": record["notes"],
        "source": marker,
        "source_date": record["source_date"],
        // Not part of the answer: a record without its registration date came from a source
        // that gives none.
        "source_incomplete": record["source_incomplete"]
            .as_bool()
            .unwrap_or(record["registered_on"].is_null() && record["status"] != "not_ratified"),
        "declarations": { "minimum_age": record["declarations"]["minimum_age"] },
    })
}

/// Every item of a paged list, read as `client`.
fn all_items(client: &Client, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let separator = if path.contains('?') { '&' } else { '?' };
    for page in 1.. {
        let body = client.get_ok(&format!("{path}{separator}per_page=500&page={page}"));
        let batch = body["items"].as_array().cloned().unwrap_or_default();
        let total = body["total"].as_u64().unwrap_or(0) as usize;
        items.extend(batch.iter().cloned());
        if batch.is_empty() || items.len() >= total {
            break;
        }
    }
    items
}

/// Reads every acknowledged write back as `admin`; returns the ones missing or changed.
pub fn missing_writes(admin: &Client, writes: &[Written]) -> Vec<String> {
    let started = Instant::now();
    let mut missing = Vec::new();
    let by_id = |path: &str, field: &str| -> HashMap<i64, String> {
        all_items(admin, path)
            .into_iter()
            .filter_map(|item| Some((item["id"].as_i64()?, item[field].as_str()?.to_string())))
            .collect()
    };
    // Two acknowledged creations answered with the same id: one of them is not what was stored.
    let mut ids: HashMap<(&str, i64), Vec<&str>> = HashMap::new();
    for write in writes {
        match write {
            Written::Gap { id, marker } => ids.entry(("gap", *id)).or_default().push(marker),
            Written::Milestone { id, marker } => ids.entry(("milestone", *id)).or_default().push(marker),
            Written::Comment { id, marker, .. } => ids.entry(("comment", *id)).or_default().push(marker),
            Written::Ratification { .. } => {}
        }
    }
    for ((kind, id), markers) in &ids {
        if markers.len() > 1 {
            missing.push(format!(
                "{} creations of a {kind} were all answered with id {id}: {markers:?}",
                markers.len()
            ));
        }
    }
    let gaps = by_id("/api/v1/gaps", "title");
    let milestones = by_id("/api/v1/milestones", "title");
    let mut comments: HashMap<i64, HashMap<i64, String>> = HashMap::new();
    let mut histories: HashMap<(String, String), String> = HashMap::new();
    for write in writes {
        match write {
            Written::Gap { id, marker } => {
                if gaps.get(id) != Some(marker) {
                    missing.push(format!("gap {id} '{marker}': stored {:?}", gaps.get(id)));
                }
            }
            Written::Milestone { id, marker } => {
                if milestones.get(id) != Some(marker) {
                    missing.push(format!(
                        "milestone {id} '{marker}': stored {:?}",
                        milestones.get(id)
                    ));
                }
            }
            Written::Comment {
                milestone,
                id,
                marker,
            } => {
                let notes = comments.entry(*milestone).or_insert_with(|| {
                    admin
                        .get_ok(&format!("/api/v1/milestones/{milestone}/comments"))
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|c| Some((c["id"].as_i64()?, c["body"].as_str()?.to_string())))
                        .collect()
                });
                if notes.get(id) != Some(marker) {
                    missing.push(format!(
                        "comment {id} on milestone {milestone} '{marker}': stored {:?}",
                        notes.get(id)
                    ));
                }
            }
            Written::Ratification {
                country,
                convention,
                marker,
            } => {
                let history = histories
                    .entry((country.clone(), convention.clone()))
                    .or_insert_with(|| {
                        Value::Array(all_items(
                            admin,
                            &format!("/api/v1/ratifications/{country}/{convention}/history"),
                        ))
                        .to_string()
                    });
                if !history.contains(&format!("\"{marker}\"")) {
                    missing.push(format!(
                        "ratification {country}/{convention}: no change with source '{marker}' in its history"
                    ));
                }
            }
        }
    }
    eprintln!(
        "verified {} acknowledged writes in {:.1} s ({} missing)",
        writes.len(),
        started.elapsed().as_secs_f64(),
        missing.len()
    );
    missing
}
