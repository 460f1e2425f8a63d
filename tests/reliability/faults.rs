//! Faults: `kill -9` in the middle of a large import and of a stream of writes, SIGTERM with
//! a request in flight, and (PostgreSQL only) the database going away and coming back.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::client::Client;
use crate::pg_proxy::PgProxy;
use crate::server::{bad_log_lines, postgres_admin_url, seed_demo, Database, Engine, ServerProcess};
use crate::store::{MarkerCounts, Store};
use crate::writes::{marker, missing_writes, Record, World, Writer};

/// Instruments added for the large import: every one × every member state is a row.
const GENERATED_INSTRUMENTS: usize = 120;

/// A server with many instruments, so an import of every pair is large and slow.
struct ImportBed {
    db: Database,
    server: ServerProcess,
    token: String,
    codes: Vec<String>,
    countries: Vec<String>,
}

/// The shutdown timeout the import bed's server runs with: longer than any import it drains.
const DRAIN_SECS: u64 = 120;

impl ImportBed {
    fn new(engine: Engine) -> Option<ImportBed> {
        let db = Database::create(engine)?;
        let accounts = seed_demo(&db.url);
        // Room for the whole import to drain: on PostgreSQL a debug build on two shared cores
        // takes 26 to 30 s for it, the default shutdown timeout's length.
        let drain = DRAIN_SECS.to_string();
        let server = ServerProcess::start(&db.url, &[("NORMTRACK_SHUTDOWN_TIMEOUT_SECS", &drain)], db.dir());
        let anonymous = Client::new(&server.base_url(), Duration::from_secs(60));
        let account = &accounts["admin"];
        let token = anonymous.login(&account.email, &account.password);
        let admin = anonymous.with_token(&token);
        let mut codes = Vec::new();
        for i in 1..=GENERATED_INSTRUMENTS {
            let code = format!("C{}", 1000 + i);
            admin
                .post_json(
                    "/api/v1/conventions",
                    &json!({
                        "code": code,
                        "instrument_type": "convention",
                        "title": format!("Generated Reliability Convention, 2000 (No. {})", 1000 + i),
                        "category": "technical",
                        "adopted_year": 2000,
                        "adopted_on": "2000-06-01",
                        "in_force_on": "2001-06-01",
                        "dates_source": "reliability suite",
                    }),
                )
                .expect("create an instrument")
                .expect_json(201, "create an instrument");
            codes.push(code);
        }
        let countries: Vec<String> = admin.get_ok("/api/v1/countries?per_page=500")["items"]
            .as_array()
            .expect("the countries")
            .iter()
            .map(|c| c["iso3"].as_str().expect("a country's iso3").to_string())
            .collect();
        assert!(countries.len() > 100, "too few countries: {}", countries.len());
        Some(ImportBed {
            db,
            server,
            token,
            codes,
            countries,
        })
    }

    fn rows(&self) -> i64 {
        (self.codes.len() * self.countries.len()) as i64
    }

    /// Every generated instrument × every member state, ratified, with `marker` as source.
    fn csv(&self, marker: &str) -> String {
        let mut csv =
            String::from("country,convention,status,stage,registered_on,minimum_age,source,source_date\n");
        let base = chrono::NaiveDate::from_ymd_opt(2002, 1, 1).expect("a date");
        for (i, code) in self.codes.iter().enumerate() {
            for (j, country) in self.countries.iter().enumerate() {
                let day = base + chrono::Duration::days(((i * 7 + j * 13) % 7000) as i64);
                csv.push_str(&format!("{country},{code},ratified,,{day},,{marker},2026-11\n"));
            }
        }
        csv
    }

    fn import(&self, marker: &str) -> InFlight {
        send_import(self.server.addr, &self.token, self.csv(marker))
    }
}

/// An import request on its own connection and thread.
struct InFlight {
    /// Receives once the whole request (head and body) has been written.
    sent: mpsc::Receiver<()>,
    answer: JoinHandle<Result<(u16, String), String>>,
}

impl InFlight {
    fn wait_sent(&self) {
        self.sent
            .recv_timeout(Duration::from_secs(120))
            .expect("the import request was written");
    }

    fn finish(self) -> Result<(u16, String), String> {
        self.answer.join().expect("the import thread panicked")
    }
}

fn send_import(addr: SocketAddr, token: &str, csv: String) -> InFlight {
    let (tx, sent) = mpsc::channel();
    let head = format!(
        "POST /api/v1/imports/ratifications HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        csv.len()
    );
    let answer = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(600)))
            .map_err(|e| e.to_string())?;
        stream
            .write_all(head.as_bytes())
            .map_err(|e| format!("send: {e}"))?;
        stream
            .write_all(csv.as_bytes())
            .map_err(|e| format!("send: {e}"))?;
        let _ = tx.send(());
        let mut response = Vec::new();
        let read = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text.split_whitespace().nth(1).and_then(|s| s.parse::<u16>().ok());
        match (status, read) {
            (Some(status), _) => {
                let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
                Ok((status, body.to_string()))
            }
            (None, Err(e)) => Err(format!("no answer: {e}")),
            (None, Ok(_)) => Err(format!(
                "no answer (connection closed after {} bytes)",
                response.len()
            )),
        }
    });
    InFlight { sent, answer }
}

/// Waits until the server's import transaction has begun writing; `false` when the request
/// finished first.
fn wait_for_writer(store: &mut Store, request: &InFlight, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if store.writer_active() {
            return true;
        }
        if request.answer.is_finished() {
            return false;
        }
        assert!(
            Instant::now() < deadline,
            "no write transaction began within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn assert_imported(answer: Result<(u16, String), String>, rows: i64) {
    let (status, body) = answer.unwrap_or_else(|e| panic!("the import got no answer: {e}"));
    assert_eq!(status, 200, "import: {body}");
    let summary: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("import summary is not JSON ({e}): {body}"));
    assert_eq!(summary["rows"].as_i64(), Some(rows), "import summary: {summary}");
}

fn kill_9_mid_import(engine: Engine) {
    let Some(mut bed) = ImportBed::new(engine) else {
        return;
    };
    let rows = bed.rows();
    let mut store = Store::open(&bed.db);

    // One complete import first inserts every pair; a second changes every record, and
    // shows how long such an import takes and what "all" of it is.
    let first = marker("import-first", 0);
    assert_imported(bed.import(&first).finish(), rows);
    assert_eq!(store.marker_counts(&first).records, rows);
    let second = marker("import-second", 0);
    let started = Instant::now();
    assert_imported(bed.import(&second).finish(), rows);
    let import_time = started.elapsed();
    let all = store.marker_counts(&second);
    assert_eq!(all.records, rows, "a complete import changes every record");
    eprintln!(
        "{}: a complete import changing {rows} records takes {:.2} s and leaves {all:?}",
        engine.name(),
        import_time.as_secs_f64()
    );

    // The same kind of import, killed at several points after its transaction began writing.
    let mut attempts = Vec::new();
    for (k, fraction) in [0.0, 0.3, 0.6, 0.9].into_iter().enumerate() {
        let marker = marker("import-killed", k as u64);
        let request = bed.import(&marker);
        request.wait_sent();
        let writing = wait_for_writer(&mut store, &request, import_time * 5 + Duration::from_secs(30));
        std::thread::sleep(import_time.mul_f64(fraction));
        bed.server.kill9();
        let answer = request.finish();
        bed.server.restart();
        store.assert_sqlite_intact();
        let counts = store.marker_counts(&marker);
        eprintln!(
            "attempt {k}: killed {:.0}% of an import time after the transaction began writing \
             (seen: {writing}); answer: {answer:?}; rows with its marker after restart: {counts:?}",
            fraction * 100.0
        );
        attempts.push((answer, writing, counts));
    }

    // After the restarts the server imports the same file completely.
    let last = marker("import-last", 0);
    assert_imported(bed.import(&last).finish(), rows);
    assert_eq!(
        store.marker_counts(&last),
        all,
        "a complete import after the restarts"
    );
    store.assert_sqlite_intact();

    for (k, (answer, _, counts)) in attempts.iter().enumerate() {
        assert!(
            *counts == MarkerCounts::NONE || *counts == all,
            "attempt {k}: the killed import left {counts:?}; all or nothing is {:?} or {all:?}",
            MarkerCounts::NONE
        );
        if matches!(answer, Ok((200, _))) {
            assert_eq!(
                *counts, all,
                "attempt {k} was acknowledged, so all of it must be stored"
            );
        }
    }
    let interrupted = attempts
        .iter()
        .filter(|(answer, writing, _)| *writing && answer.is_err())
        .count();
    assert!(
        interrupted > 0,
        "no attempt was killed while its transaction was writing; the import is too fast to test"
    );
    let bad = bad_log_lines(&bed.server.log_text());
    assert!(bad.is_empty(), "server log: {bad:?}");
}

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn kill_9_mid_import_leaves_all_or_nothing_on_sqlite() {
    kill_9_mid_import(Engine::Sqlite);
}

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn kill_9_mid_import_leaves_all_or_nothing_on_postgres() {
    kill_9_mid_import(Engine::Postgres);
}

fn kill_9_mid_write_stream(engine: Engine) {
    let Some(db) = Database::create(engine) else {
        return;
    };
    let accounts = World::accounts(&db.url);
    let mut server = ServerProcess::start(&db.url, &[], db.dir());
    let world = Arc::new(World::set_up(&server, &accounts));
    let stop = Arc::new(AtomicBool::new(false));
    let writers = ["admin", "office", "government.zwe", "worker.vnm"];
    let threads: Vec<_> = writers
        .iter()
        .map(|&name| {
            let world = Arc::clone(&world);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut writer = Writer::new(name, world.client(name).fresh(Duration::from_secs(30)));
                let mut record = Record::default();
                let mut i = 0;
                while !stop.load(Ordering::Acquire) {
                    match (name, i % 4) {
                        ("admin", 0) => writer.create_gap(&mut record, "VNM"),
                        ("admin", 1) => writer.create_milestone(&mut record, &world, "VNM", "worker.vnm"),
                        ("admin", 2) => writer.touch_ratification(&mut record, "VNM", "C098"),
                        ("office", 0) => writer.create_gap(&mut record, "ZWE"),
                        ("office", 1) => {
                            writer.create_milestone(&mut record, &world, "ZWE", "government.zwe")
                        }
                        ("office", 2) => writer.touch_ratification(&mut record, "ZWE", "C087"),
                        ("admin" | "office", _) => {
                            writer.comment(&mut record, world.milestones["employer.zwe"])
                        }
                        (constituent, _) => writer.comment(&mut record, world.milestones[constituent]),
                    }
                    i += 1;
                }
                record
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(2500));
    server.kill9();
    stop.store(true, Ordering::Release);
    let mut record = Record::default();
    for thread in threads {
        record.merge(thread.join().expect("a writer thread panicked"));
    }
    server.restart();
    Store::open(&db).assert_sqlite_intact();
    eprintln!(
        "{}: {} writes acknowledged before the kill; {} requests got no answer (in flight or after the kill)",
        engine.name(),
        record.writes.len(),
        record.transport_errors.len()
    );
    assert!(
        record.writes.len() > 10,
        "too few writes before the kill: {}",
        record.writes.len()
    );
    assert!(
        record.server_errors.is_empty(),
        "5xx answers: {:?}",
        record.server_errors
    );
    // Fresh connections: the pooled ones died with the killed server.
    let missing = missing_writes(&world.admin().fresh(Duration::from_secs(60)), &record.writes);
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes are lost after kill -9, e.g. {:?}",
        missing.len(),
        record.writes.len(),
        &missing[..missing.len().min(10)]
    );
    let bad = bad_log_lines(&server.log_text());
    assert!(bad.is_empty(), "server log: {bad:?}");
}

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn kill_9_mid_write_stream_loses_no_acknowledged_write_on_sqlite() {
    kill_9_mid_write_stream(Engine::Sqlite);
}

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn kill_9_mid_write_stream_loses_no_acknowledged_write_on_postgres() {
    kill_9_mid_write_stream(Engine::Postgres);
}

/// Whether a new connection is refused, or accepted and then closed without an answer.
fn not_served(addr: SocketAddr) -> Result<String, String> {
    let mut stream = match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
        Err(e) => return Ok(format!("refused ({e})")),
        Ok(stream) => stream,
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
    let _ = stream
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes());
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    if response.is_empty() {
        Ok("accepted by the kernel, never answered".into())
    } else {
        Err(String::from_utf8_lossy(&response).into_owned())
    }
}

fn sigterm_drains(engine: Engine) {
    let Some(mut bed) = ImportBed::new(engine) else {
        return;
    };
    let rows = bed.rows();
    let mut store = Store::open(&bed.db);
    let started = Instant::now();
    assert_imported(bed.import(&marker("import-first", 0)).finish(), rows);
    let import_time = started.elapsed();

    let marker = marker("import-drained", 0);
    let request = bed.import(&marker);
    request.wait_sent();
    let writing = wait_for_writer(&mut store, &request, import_time * 5 + Duration::from_secs(30));
    assert!(writing, "the import finished before SIGTERM could be sent");
    let stopping = Instant::now();
    bed.server.sigterm();
    std::thread::sleep(Duration::from_millis(300));
    let during = not_served(bed.server.addr);
    let answer = request.finish();
    let answered_after = stopping.elapsed();
    // The shutdown timeout (DRAIN_SECS) bounds the drain; the import itself takes less.
    let bound = Duration::from_secs(DRAIN_SECS) + import_time * 2;
    let exit = bed.server.wait_exit(bound);
    let exited_after = stopping.elapsed();
    let after = not_served(bed.server.addr);
    eprintln!(
        "{}: SIGTERM during an import of {rows} rows: answered after {:.2} s, exited ({exit:?}) after {:.2} s; \
         a new connection while draining: {during:?}; after exit: {after:?}",
        engine.name(),
        answered_after.as_secs_f64(),
        exited_after.as_secs_f64()
    );
    assert_imported(answer, rows);
    let status = exit.unwrap_or_else(|| panic!("the server did not exit within {bound:?} of SIGTERM"));
    assert!(status.success(), "exit status after SIGTERM: {status}");
    during.unwrap_or_else(|answer| panic!("a new connection was served while draining: {answer}"));
    let after = after.unwrap_or_else(|answer| panic!("a connection was served after exit: {answer}"));
    assert!(after.starts_with("refused"), "after exit: {after}");
    assert_eq!(
        store.marker_counts(&marker).records,
        rows,
        "the drained import is stored"
    );
    store.assert_sqlite_intact();
    let log = bed.server.log_text();
    assert!(
        log.contains("normtrack stopped"),
        "no clean stop in the log:\n{log}"
    );
    let bad = bad_log_lines(&log);
    assert!(bad.is_empty(), "server log: {bad:?}");
}

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn sigterm_drains_in_flight_import_and_exits_zero_on_sqlite() {
    sigterm_drains(Engine::Sqlite);
}

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn sigterm_drains_in_flight_import_and_exits_zero_on_postgres() {
    sigterm_drains(Engine::Postgres);
}

/// A ratification CSV (the export) with every row's source set to `marker`. Protocol rows
/// are left out: the seeded P029 records do not all pass the import's rules again.
fn with_source(csv: &str, marker: &str) -> String {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("the export's header").clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("a {name} column in the export"))
    };
    let (source, convention) = (column("source"), column("convention"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).expect("write the header");
    for record in reader.records() {
        let record = record.expect("an export row");
        if record.get(convention).is_some_and(|c| c.starts_with('P')) {
            continue;
        }
        let row: Vec<&str> = record
            .iter()
            .enumerate()
            .map(|(i, field)| if i == source { marker } else { field })
            .collect();
        writer.write_record(&row).expect("write a row");
    }
    String::from_utf8(writer.into_inner().expect("the CSV")).expect("UTF-8 CSV")
}

/// `postgres://user@host:port/name` → (`postgres://user@`, `host:port`, `/name`).
fn split_host(url: &str) -> (&str, &str, &str) {
    let start = url
        .find('@')
        .map(|i| i + 1)
        .unwrap_or_else(|| url.find("://").map(|i| i + 3).expect("a URL with a scheme"));
    let end = url[start..].find('/').map(|i| start + i).unwrap_or(url.len());
    (&url[..start], &url[start..end], &url[end..])
}

/// How long a request may take while the database is down: the pool's wait (set to 2 s
/// below) and a margin.
const DB_TIMEOUT_SECS: u64 = 2;
const OUTAGE_BOUND: Duration = Duration::from_secs(DB_TIMEOUT_SECS + 3);

#[test]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
fn postgres_outage_answers_503_and_recovers_without_restart() {
    let Some(db) = Database::create(Engine::Postgres) else {
        return;
    };
    let accounts = seed_demo(&db.url);
    let admin_url = postgres_admin_url();
    let (_, upstream, _) = split_host(&admin_url);
    let upstream = upstream
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .unwrap_or_else(|| panic!("resolve {upstream}"));
    let proxy = PgProxy::start(upstream);
    let (prefix, _, rest) = split_host(&db.url);
    let proxied = format!("{prefix}{}{rest}", proxy.addr);
    let timeout = DB_TIMEOUT_SECS.to_string();
    let server = ServerProcess::start(&proxied, &[("NORMTRACK_DB_TIMEOUT_SECS", &timeout)], db.dir());
    let anonymous = Client::new(&server.base_url(), Duration::from_secs(30));
    let account = &accounts["admin"];
    let token = anonymous.login(&account.email, &account.password);
    let admin = anonymous.with_token(&token);
    admin.get_ok("/api/v1/ratifications?country=ZWE");
    anonymous.get_ok("/readyz");

    // Callers busy while the database goes away and comes back: some requests lose their
    // connection in the middle of a query. Each must answer 2xx or 503, in bounded time.
    let busy = Arc::new(AtomicBool::new(true));
    let hammers: Vec<_> = [
        "/api/v1/ratifications?per_page=500",
        "/api/v1/audit?per_page=200",
        "/api/v1/dashboard/matrix",
    ]
    .into_iter()
    .map(|path| {
        let client = admin.fresh(Duration::from_secs(30));
        let busy = Arc::clone(&busy);
        std::thread::spawn(move || {
            let mut record = Record::default();
            let mut slow = Vec::new();
            while busy.load(Ordering::Acquire) {
                if let Some(answer) = record.note(path, client.get(path)) {
                    if answer.elapsed > OUTAGE_BOUND {
                        slow.push(format!("{path}: {} after {:?}", answer.status, answer.elapsed));
                    }
                    if answer.status == 503 {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            }
            (record, slow)
        })
    })
    .collect();
    std::thread::sleep(Duration::from_millis(500));

    // And an import whose transaction is writing when the connection is cut.
    let import_marker = marker("import-cut", 0);
    let export = admin
        .get("/api/v1/ratifications.csv")
        .expect("the CSV export")
        .body;
    let import = send_import(server.addr, &token, with_source(&export, &import_marker));
    import.wait_sent();
    let mut store = Store::open(&db);
    let import_cut = wait_for_writer(&mut store, &import, Duration::from_secs(60));

    proxy.go_down();
    let gap = crate::writes::gap_body("ZWE", "written while the database is down");
    let login = json!({ "email": account.email, "password": account.password });
    let requests: Vec<(&str, &str, Option<serde_json::Value>, &Client)> = vec![
        ("GET", "/readyz", None, &anonymous),
        ("GET", "/api/v1/ratifications?country=ZWE", None, &admin),
        ("GET", "/api/v1/gaps", None, &admin),
        ("GET", "/api/v1/dashboard/summary", None, &admin),
        ("POST", "/api/v1/gaps", Some(gap.clone()), &admin),
        ("POST", "/api/v1/auth/login", Some(login), &anonymous),
    ];
    for (method, path, body, client) in requests {
        let answer = client
            .send(
                method,
                path,
                &[],
                body.map(|b| ("application/json", b.to_string().into_bytes())),
            )
            .unwrap_or_else(|e| panic!("while the database is down, {method} {path} got no answer: {e}"));
        eprintln!(
            "database down: {method} {path} → {} in {:.2} s",
            answer.status,
            answer.elapsed.as_secs_f64()
        );
        assert_eq!(
            answer.status, 503,
            "{method} {path} while the database is down: {}",
            answer.body
        );
        assert_eq!(answer.header("content-type"), Some("application/problem+json"));
        assert!(
            answer.header("retry-after").is_some(),
            "{method} {path}: no Retry-After"
        );
        assert!(
            answer.elapsed <= OUTAGE_BOUND,
            "{method} {path} took {:?} (bound {OUTAGE_BOUND:?})",
            answer.elapsed
        );
    }
    let (import_status, import_body) = import
        .finish()
        .unwrap_or_else(|e| panic!("the import cut off from the database got no answer: {e}"));
    eprintln!(
        "import cut off from the database (cut while writing: {import_cut}): {import_status} {import_body}"
    );
    assert!(
        import_status == 503 || (import_status == 200 && !import_cut),
        "an import that lost its database connection: {import_status} {import_body}"
    );
    assert_eq!(
        anonymous
            .get("/healthz")
            .expect("liveness while the database is down")
            .status,
        200,
        "liveness does not depend on the database"
    );

    proxy.come_back();
    let back = Instant::now();
    loop {
        let answer = admin.get("/api/v1/ratifications?country=ZWE").expect("an answer");
        if answer.status == 200 {
            break;
        }
        assert_eq!(answer.status, 503, "while reconnecting: {}", answer.body);
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "not serving again 15 s after the database came back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "database back: serving again after {:.2} s",
        back.elapsed().as_secs_f64()
    );
    anonymous.get_ok("/readyz");
    std::thread::sleep(Duration::from_millis(500));
    busy.store(false, Ordering::Release);
    let mut record = Record::default();
    let mut slow = Vec::new();
    for hammer in hammers {
        let (r, s) = hammer.join().expect("a busy caller panicked");
        record.merge(r);
        slow.extend(s);
    }
    eprintln!(
        "busy callers during the outage: {} requests, statuses {:?}",
        record.requests, record.statuses
    );
    assert!(
        record.transport_errors.is_empty(),
        "no answer: {:?}",
        record.transport_errors
    );
    let unexpected: Vec<_> = record
        .statuses
        .keys()
        .filter(|s| **s != 200 && **s != 503)
        .collect();
    assert!(
        unexpected.is_empty(),
        "answers other than 200 and 503 during the outage: {:?}, e.g. {:?}",
        record.statuses,
        record.samples
    );
    assert!(
        record.statuses.contains_key(&503),
        "the busy callers never saw the outage"
    );
    assert!(slow.is_empty(), "answers slower than {OUTAGE_BOUND:?}: {slow:?}");
    let counts = store.marker_counts(&import_marker);
    if import_status == 200 {
        assert!(counts.records > 0, "an acknowledged import is stored");
    } else {
        assert_eq!(counts, MarkerCounts::NONE, "nothing of the cut import is stored");
    }
    admin
        .post_json("/api/v1/gaps", &gap)
        .expect("a write after the database came back")
        .expect_json(201, "a write after the database came back");
    let log = server.log_text();
    assert!(!log.contains("internal error"), "a 500 was logged:\n{log}");
    let bad = bad_log_lines(&log);
    assert!(bad.is_empty(), "server log: {bad:?}");
}
