//! Knowing that the store has changed without asking it on every request. A watching
//! connection of its own notices every commit: on SQLite `PRAGMA data_version` moves when any
//! other connection, in this process or another, commits; on PostgreSQL a trigger on the audit
//! log notifies a channel it listens on, and every write is audited in its own transaction.
//! Each change bumps an epoch; caches keyed by the epoch (dashboard answers, authenticated
//! callers) are then stale at once. Writes through this instance bump the epoch as soon as
//! they answer.
//!
//! The connection is looked through when somebody asks for the epoch, at most once per
//! [`LOOK_EVERY`] (a cheap, non-blocking look: a pragma, or reading notifications already
//! received), not by a thread polling all the time: an idle server spends no CPU on it, and a
//! busy one never serves an answer older than the last look. A thread only (re)connects the
//! watching connection, every [`RETRY`] while it has none.
//!
//! While there is no healthy watching connection, [`ChangeWatch::epoch`] is `None` and the
//! caches are bypassed: never stale, only slower.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::{ConnectionManager, DbConn};

/// The PostgreSQL channel the audit-log trigger notifies (migration `000006`).
pub const CHANNEL: &str = "normtrack_changes";
/// The longest time an asked-for epoch relies on an earlier look.
const LOOK_EVERY: Duration = Duration::from_millis(2);
/// How often the connecting thread checks for (and replaces) a lost connection.
const RETRY: Duration = Duration::from_millis(200);

#[derive(Default)]
struct Watcher {
    conn: Option<DbConn>,
    last: Option<i64>,
    looked_at: Option<Instant>,
}

#[derive(Default)]
pub struct ChangeWatch {
    epoch: AtomicU64,
    healthy: AtomicBool,
    watcher: Mutex<Watcher>,
}

impl std::fmt::Debug for ChangeWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeWatch")
            .field("epoch", &self.epoch)
            .field("healthy", &self.healthy)
            .finish()
    }
}

impl ChangeWatch {
    /// The current epoch, or `None` when changes cannot be watched (caches must not be used).
    /// Looks at the store first when the last look is older than [`LOOK_EVERY`].
    pub fn epoch(&self) -> Option<u64> {
        self.freshen();
        self.healthy
            .load(Ordering::Acquire)
            .then(|| self.epoch.load(Ordering::Acquire))
    }

    /// Something changed.
    pub fn bump(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    fn set_healthy(&self, healthy: bool) {
        self.bump();
        self.healthy.store(healthy, Ordering::Release);
    }

    /// One look through the watching connection, unless another caller is looking right now
    /// (its look serves this one too) or the last look is recent.
    fn freshen(&self) {
        let Ok(mut guard) = self.watcher.try_lock() else {
            return;
        };
        let watcher = &mut *guard;
        if watcher.looked_at.is_some_and(|t| t.elapsed() < LOOK_EVERY) {
            return;
        }
        let Some(conn) = watcher.conn.as_mut() else {
            return;
        };
        match look(conn, &mut watcher.last) {
            Ok(changed) => {
                if changed {
                    self.bump();
                }
                watcher.looked_at = Some(Instant::now());
            }
            Err(e) => {
                tracing::warn!(error = %e, "change watcher lost its connection; caches off until it is back");
                watcher.conn = None;
                self.set_healthy(false);
            }
        }
    }

    /// Starts watching the database at `database_url`. The connecting thread stops once the
    /// returned handle and all its clones are dropped.
    pub fn start(database_url: &str) -> Arc<ChangeWatch> {
        let watch = Arc::new(ChangeWatch::default());
        let weak = Arc::downgrade(&watch);
        let manager = ConnectionManager::new(database_url);
        let spawned = std::thread::Builder::new()
            .name("change-watch".into())
            .spawn(move || connect_loop(&manager, &weak));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no change watcher: dashboard and token caches are off");
        }
        watch
    }
}

/// Values kept in memory for the store epoch they were read or computed at: a lookup at any
/// other epoch misses. Bounded: past `capacity` entries it starts again empty (a value is cheap
/// to read again, and a client cannot grow memory without bound with ever-new keys).
#[derive(Debug)]
pub struct EpochMap<V> {
    entries: std::sync::Mutex<std::collections::HashMap<String, (u64, V)>>,
    capacity: usize,
}

impl<V: Clone> EpochMap<V> {
    pub fn new(capacity: usize) -> EpochMap<V> {
        EpochMap {
            entries: Default::default(),
            capacity,
        }
    }

    /// The value kept for `key` at `epoch`.
    pub fn get(&self, key: &str, epoch: u64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| *at == epoch)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&self, key: String, epoch: u64, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity && !entries.contains_key(&key) {
                entries.clear();
            }
            entries.insert(key, (epoch, value));
        }
    }

    /// How many values are kept.
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}

#[derive(QueryableByName)]
struct DataVersion {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    data_version: i64,
}

/// One look: `Ok(true)` when something changed since the last look.
fn look(conn: &mut DbConn, last: &mut Option<i64>) -> QueryResult<bool> {
    match conn {
        DbConn::Sqlite(c) => {
            let version = diesel::sql_query("PRAGMA data_version")
                .get_result::<DataVersion>(c)?
                .data_version;
            let changed = last.is_some_and(|l| l != version);
            *last = Some(version);
            Ok(changed)
        }
        DbConn::Postgres(c) => {
            let mut changed = false;
            for notification in c.notifications_iter() {
                notification?;
                changed = true;
            }
            Ok(changed)
        }
    }
}

/// A watching connection, with its first reading taken (so no change after it is missed).
fn connect(manager: &ConnectionManager, last: &mut Option<i64>) -> Option<DbConn> {
    let mut conn = manager.establish().ok()?;
    *last = None;
    match &mut conn {
        DbConn::Postgres(c) => c.batch_execute(&format!("LISTEN {CHANNEL}")).ok()?,
        DbConn::Sqlite(_) => {
            look(&mut conn, last).ok()?;
        }
    }
    Some(conn)
}

/// Keeps a watching connection: connects when there is none (at start, and after a look
/// found it lost), every [`RETRY`].
fn connect_loop(manager: &ConnectionManager, watch: &Weak<ChangeWatch>) {
    loop {
        let Some(w) = watch.upgrade() else {
            return;
        };
        let missing = w.watcher.lock().map(|g| g.conn.is_none()).unwrap_or(false);
        if missing {
            let mut last = None;
            match connect(manager, &mut last) {
                Some(conn) => {
                    if let Ok(mut watcher) = w.watcher.lock() {
                        *watcher = Watcher {
                            conn: Some(conn),
                            last,
                            looked_at: Some(Instant::now()),
                        };
                    }
                    w.set_healthy(true);
                }
                None => w.set_healthy(false),
            }
        }
        drop(w);
        std::thread::sleep(RETRY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_epoch_while_changes_are_not_watched() {
        let watch = ChangeWatch::default();
        assert_eq!(watch.epoch(), None, "caches must be bypassed");
        watch.set_healthy(true);
        let first = watch.epoch().expect("watched");
        watch.bump();
        assert_ne!(watch.epoch(), Some(first));
        watch.set_healthy(false);
        assert_eq!(watch.epoch(), None);
    }

    #[test]
    fn the_watcher_notices_a_commit_by_another_connection_on_sqlite() {
        let dir = tempfile::tempdir().expect("directory");
        let url = dir.path().join("watch.db").to_string_lossy().into_owned();
        let mut writer = ConnectionManager::new(&url).establish().expect("writer");
        writer.batch_execute("CREATE TABLE t (x INTEGER)").expect("table");
        let watch = ChangeWatch::start(&url);
        let wait_for = |what: &str, done: &dyn Fn() -> bool| {
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while !done() {
                assert!(std::time::Instant::now() < deadline, "{what}");
                std::thread::sleep(Duration::from_millis(2));
            }
        };
        wait_for("the watcher connects", &|| watch.epoch().is_some());
        let before = watch.epoch();
        writer.batch_execute("INSERT INTO t VALUES (1)").expect("insert");
        wait_for("the commit is noticed", &|| watch.epoch() != before);
    }
}
