//! Configuration from the environment. Every default and every accepted range is here.

use std::net::SocketAddr;
use std::time::Duration;

pub const DEFAULT_DATABASE_URL: &str = "normtrack.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone)]
pub struct Settings {
    /// `postgres://…` for PostgreSQL; anything else is a SQLite file path.
    pub database_url: String,
    pub bind: SocketAddr,
    /// Database connections in the pool.
    pub pool_size: u32,
    /// JWT signing secret; when absent one is generated and kept in the database.
    pub jwt_secret: Option<String>,
    /// Time limits of the HTTP server and the database pool.
    pub timeouts: Timeouts,
}

/// Time limits, each read from its own environment variable (whole seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    /// `NORMTRACK_DB_TIMEOUT_SECS` (default 5, 1–300): how long a request waits for a
    /// database connection; past it the answer is 503 with `Retry-After`.
    pub db_connection: Duration,
    /// `NORMTRACK_REQUEST_HEAD_TIMEOUT_SECS` (default 5, 1–300): time a client has to send a
    /// request's line and headers; past it the answer is 408 and the connection is closed.
    pub request_head: Duration,
    /// `NORMTRACK_REQUEST_BODY_TIMEOUT_SECS` (default 60, 1–3600): time a client has to send
    /// a request's body once its head has arrived; past it the answer is 408.
    pub request_body: Duration,
    /// `NORMTRACK_KEEP_ALIVE_SECS` (default 5, 0–3600): an idle kept-alive connection is
    /// closed after this; 0 closes every connection after its answer.
    pub keep_alive: Duration,
    /// `NORMTRACK_DISCONNECT_TIMEOUT_SECS` (default 1, 0–60): time a client has to close its
    /// side once the server closes a connection; 0 waits without limit.
    pub client_disconnect: Duration,
    /// `NORMTRACK_SHUTDOWN_TIMEOUT_SECS` (default 30, 0–3600): on SIGTERM the server stops
    /// accepting connections and lets requests in flight finish for up to this long.
    pub shutdown: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            db_connection: Duration::from_secs(5),
            request_head: Duration::from_secs(5),
            request_body: Duration::from_secs(60),
            keep_alive: Duration::from_secs(5),
            client_disconnect: Duration::from_secs(1),
            shutdown: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {message}")]
    Invalid { name: &'static str, message: String },
}

/// A non-empty environment variable.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A whole number from the environment within `range`, or `default` when unset.
fn number(
    name: &'static str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    parse_number(name, var(name), default, range)
}

fn parse_number(
    name: &'static str,
    raw: Option<String>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    match raw {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or(ConfigError::Invalid {
                name,
                message: format!(
                    "'{raw}' is not a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            }),
    }
}

impl Timeouts {
    /// Reads the `NORMTRACK_*_SECS` variables documented on the fields.
    pub fn from_env() -> Result<Timeouts, ConfigError> {
        let d = Timeouts::default();
        let secs =
            |name, default: Duration, range| number(name, default.as_secs(), range).map(Duration::from_secs);
        Ok(Timeouts {
            db_connection: secs("NORMTRACK_DB_TIMEOUT_SECS", d.db_connection, 1..=300)?,
            request_head: secs("NORMTRACK_REQUEST_HEAD_TIMEOUT_SECS", d.request_head, 1..=300)?,
            request_body: secs("NORMTRACK_REQUEST_BODY_TIMEOUT_SECS", d.request_body, 1..=3600)?,
            keep_alive: secs("NORMTRACK_KEEP_ALIVE_SECS", d.keep_alive, 0..=3600)?,
            client_disconnect: secs("NORMTRACK_DISCONNECT_TIMEOUT_SECS", d.client_disconnect, 0..=60)?,
            shutdown: secs("NORMTRACK_SHUTDOWN_TIMEOUT_SECS", d.shutdown, 0..=3600)?,
        })
    }
}

impl Settings {
    /// Reads `DATABASE_URL`, `NORMTRACK_BIND`, `NORMTRACK_POOL_SIZE`, `NORMTRACK_JWT_SECRET`
    /// and the time limits of [`Timeouts::from_env`].
    pub fn from_env() -> Result<Settings, ConfigError> {
        let bind_raw = var("NORMTRACK_BIND").unwrap_or_else(|| DEFAULT_BIND.to_string());
        let bind = bind_raw.parse().map_err(|e| ConfigError::Invalid {
            name: "NORMTRACK_BIND",
            message: format!("'{bind_raw}' is not a socket address such as 127.0.0.1:8080 ({e})"),
        })?;
        let pool_size = number("NORMTRACK_POOL_SIZE", 8, 1..=128)? as u32;
        Ok(Settings {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            bind,
            pool_size,
            jwt_secret: var("NORMTRACK_JWT_SECRET"),
            timeouts: Timeouts::from_env()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_default_when_unset_and_are_refused_outside_their_range() {
        assert_eq!(parse_number("N", None, 5, 1..=300).ok(), Some(5));
        assert_eq!(parse_number("N", Some(" 2 ".into()), 5, 1..=300).ok(), Some(2));
        for bad in ["0", "301", "-1", "1.5", "soon"] {
            let e = parse_number("NORMTRACK_DB_TIMEOUT_SECS", Some(bad.into()), 5, 1..=300)
                .expect_err(bad)
                .to_string();
            assert!(
                e.contains("NORMTRACK_DB_TIMEOUT_SECS") && e.contains("1 to 300"),
                "{e}"
            );
        }
    }

    #[test]
    fn default_time_limits_are_those_documented() {
        let t = Timeouts::default();
        assert_eq!(t.db_connection, Duration::from_secs(5));
        assert_eq!(t.request_head, Duration::from_secs(5));
        assert_eq!(t.keep_alive, Duration::from_secs(5));
        assert_eq!(t.client_disconnect, Duration::from_secs(1));
        assert_eq!(t.shutdown, Duration::from_secs(30));
    }
}
