//! Knowing that the store has changed without asking it on every request. A watcher thread
//! with its own connection notices every commit: on SQLite it polls `PRAGMA data_version`
//! (which moves when any other connection, in this process or another, commits); on
//! PostgreSQL it listens on a channel that a trigger on the audit log notifies, and every
//! write is audited in its own transaction. Each change bumps an epoch; caches keyed by the
//! epoch (dashboard answers, authenticated callers) are then stale at once. Writes through
//! this instance bump the epoch as soon as they answer.
//!
//! While the watcher has no healthy connection, [`ChangeWatch::epoch`] is `None` and the
//! caches are bypassed: never stale, only slower.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::{ConnectionManager, DbConn};

/// The PostgreSQL channel the audit-log trigger notifies (migration `000006`).
pub const CHANNEL: &str = "normtrack_changes";
/// How often the watcher looks.
const POLL: Duration = Duration::from_millis(2);
/// How long it waits before reconnecting after an error.
const RETRY: Duration = Duration::from_millis(200);

#[derive(Debug, Default)]
pub struct ChangeWatch {
    epoch: AtomicU64,
    healthy: AtomicBool,
}

impl ChangeWatch {
    /// The current epoch, or `None` when changes cannot be watched (caches must not be used).
    pub fn epoch(&self) -> Option<u64> {
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

    /// Starts watching the database at `database_url`. The watcher stops once the returned
    /// handle and all its clones are dropped.
    pub fn start(database_url: &str) -> Arc<ChangeWatch> {
        let watch = Arc::new(ChangeWatch::default());
        let weak = Arc::downgrade(&watch);
        let manager = ConnectionManager::new(database_url);
        let spawned = std::thread::Builder::new()
            .name("change-watch".into())
            .spawn(move || watch_loop(&manager, &weak));
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

fn watch_loop(manager: &ConnectionManager, watch: &Weak<ChangeWatch>) {
    let mut conn: Option<DbConn> = None;
    let mut last = None;
    loop {
        let Some(w) = watch.upgrade() else {
            return;
        };
        let pause = match conn.as_mut() {
            None => match connect(manager, &mut last) {
                Some(c) => {
                    conn = Some(c);
                    w.set_healthy(true);
                    POLL
                }
                None => {
                    w.set_healthy(false);
                    RETRY
                }
            },
            Some(c) => match look(c, &mut last) {
                Ok(true) => {
                    w.bump();
                    POLL
                }
                Ok(false) => POLL,
                Err(e) => {
                    tracing::warn!(error = %e, "change watcher lost its connection; caches off until it is back");
                    conn = None;
                    w.set_healthy(false);
                    RETRY
                }
            },
        };
        drop(w);
        std::thread::sleep(pause);
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
