//! Authentication: password hashing, JWTs, the signing secret, and login throttling.

pub mod callers;
pub mod jwt;
pub mod login_rate;
pub mod password;
pub mod public_rate;
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
    /// Reads without a token per client address, when the public read is on.
    pub public_rate: public_rate::PublicRate,
    pub callers: callers::CallerCache,
    /// Password hashes computed at a time (`NORMTRACK_PASSWORD_HASHING`): each argon2id
    /// hash takes 19 MiB, so their number bounds the memory logins can take.
    pub hashing: tokio::sync::Semaphore,
    /// The working memory of the hashes, one per turn, reused.
    memory: std::sync::Mutex<Vec<password::HashMemory>>,
}

/// A turn to hash a password, with the memory to do it in (given back when the turn ends).
pub struct HashingTurn<'a> {
    _permit: tokio::sync::SemaphorePermit<'a>,
    pool: &'a std::sync::Mutex<Vec<password::HashMemory>>,
    memory: Option<password::HashMemory>,
}

impl HashingTurn<'_> {
    /// The memory, to move into the thread that hashes; give it back with [`Self::give_back`].
    pub fn take_memory(&mut self) -> password::HashMemory {
        self.memory.take().unwrap_or_default()
    }

    pub fn give_back(&mut self, memory: password::HashMemory) {
        self.memory = Some(memory);
    }
}

impl Drop for HashingTurn<'_> {
    fn drop(&mut self) {
        if let Some(memory) = self.memory.take() {
            self.pool.lock().unwrap_or_else(|p| p.into_inner()).push(memory);
        }
    }
}

/// How long a login waits for a turn to hash before it is answered 503.
pub const HASHING_WAIT: Duration = Duration::from_secs(2);

impl Auth {
    pub fn new(secret: &[u8], hashing: usize) -> Auth {
        Auth {
            keys: jwt::JwtKeys::new(secret),
            throttle: throttle::LoginThrottle::default(),
            login_rate: login_rate::LoginRate::default(),
            public_rate: public_rate::PublicRate::default(),
            callers: callers::CallerCache::default(),
            hashing: tokio::sync::Semaphore::new(hashing.max(1)),
            memory: Default::default(),
        }
    }

    /// A turn to hash a password, waiting at most [`HASHING_WAIT`]; 503 when none comes.
    pub async fn hashing_turn(&self) -> Result<HashingTurn<'_>, crate::error::AppError> {
        match tokio::time::timeout(HASHING_WAIT, self.hashing.acquire()).await {
            Ok(Ok(permit)) => {
                let memory = self.memory.lock().unwrap_or_else(|p| p.into_inner()).pop();
                Ok(HashingTurn {
                    _permit: permit,
                    pool: &self.memory,
                    memory,
                })
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_turns_are_bounded_and_a_caller_without_one_gets_503_after_the_wait() {
        let auth = Auth::new(b"0123456789abcdef0123456789abcdef", 1);
        actix_web::rt::System::new().block_on(async {
            let mut first = auth.hashing_turn().await.expect("a turn");
            let memory = first.take_memory();
            first.give_back(memory);
            let started = std::time::Instant::now();
            let second = auth.hashing_turn().await;
            assert!(matches!(second, Err(crate::error::AppError::Busy(_))));
            assert!(started.elapsed() >= HASHING_WAIT);
            drop(first);
            let mut third = auth.hashing_turn().await.expect("a turn once the first ended");
            assert_eq!(
                auth.memory.lock().unwrap().len(),
                0,
                "the memory went with the turn"
            );
            let memory = third.take_memory();
            third.give_back(memory);
            drop(third);
            assert_eq!(auth.memory.lock().unwrap().len(), 1, "and came back");
        });
    }
}
