//! Configuration from the environment.

use std::net::SocketAddr;

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
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {message}")]
    Invalid { name: &'static str, message: String },
}

impl Settings {
    /// Reads `DATABASE_URL`, `NORMTRACK_BIND`, `NORMTRACK_POOL_SIZE` and `NORMTRACK_JWT_SECRET`.
    pub fn from_env() -> Result<Settings, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bind_raw = var("NORMTRACK_BIND").unwrap_or_else(|| DEFAULT_BIND.to_string());
        let bind = bind_raw.parse().map_err(|e| ConfigError::Invalid {
            name: "NORMTRACK_BIND",
            message: format!("'{bind_raw}' is not a socket address such as 127.0.0.1:8080 ({e})"),
        })?;
        let pool_size = match var("NORMTRACK_POOL_SIZE") {
            None => 8,
            Some(raw) => raw
                .parse()
                .ok()
                .filter(|n| (1..=128).contains(n))
                .ok_or(ConfigError::Invalid {
                    name: "NORMTRACK_POOL_SIZE",
                    message: format!("'{raw}' is not a whole number from 1 to 128"),
                })?,
        };
        Ok(Settings {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            bind,
            pool_size,
            jwt_secret: var("NORMTRACK_JWT_SECRET"),
        })
    }
}
