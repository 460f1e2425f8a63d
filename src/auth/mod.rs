//! Authentication: password hashing, JWTs, the signing secret, and login throttling.

pub mod callers;
pub mod jwt;
pub mod login_rate;
pub mod password;
pub mod secret;
pub mod throttle;

use std::time::Duration;

/// Lifetime of a person's access token: short, since it cannot be refreshed silently.
pub const PERSON_TOKEN_TTL: Duration = Duration::from_secs(30 * 60);
/// Longest lifetime of a dashboard token.
pub const DASHBOARD_TOKEN_MAX_DAYS: i64 = 366;

/// What the authentication layer needs at run time.
pub struct Auth {
    pub keys: jwt::JwtKeys,
    pub throttle: throttle::LoginThrottle,
    pub login_rate: login_rate::LoginRate,
    pub callers: callers::CallerCache,
    /// Password hashes computed at a time (`NORMTRACK_PASSWORD_HASHING`): each argon2id
    /// hash takes 19 MiB, so their number bounds the memory logins can take.
    pub hashing: tokio::sync::Semaphore,
}

/// How long a login waits for a turn to hash before it is answered 503.
pub const HASHING_WAIT: Duration = Duration::from_secs(2);

impl Auth {
    pub fn new(secret: &[u8], hashing: usize) -> Auth {
        Auth {
            keys: jwt::JwtKeys::new(secret),
            throttle: throttle::LoginThrottle::default(),
            login_rate: login_rate::LoginRate::default(),
            callers: callers::CallerCache::default(),
            hashing: tokio::sync::Semaphore::new(hashing.max(1)),
        }
    }

    /// A turn to hash a password, waiting at most [`HASHING_WAIT`]; 503 when none comes.
    pub async fn hashing_turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, crate::error::AppError> {
        match tokio::time::timeout(HASHING_WAIT, self.hashing.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(crate::error::AppError::Busy(
                "too many passwords are being checked right now; try again in a second".into(),
            )),
        }
    }
}

/// Random bytes from the operating system, as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}
