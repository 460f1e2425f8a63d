//! Authentication: password hashing, JWTs, the signing secret, and login throttling.

pub mod callers;
pub mod jwt;
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
    pub callers: callers::CallerCache,
}

impl Auth {
    pub fn new(secret: &[u8]) -> Auth {
        Auth {
            keys: jwt::JwtKeys::new(secret),
            throttle: throttle::LoginThrottle::default(),
            callers: callers::CallerCache::default(),
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
