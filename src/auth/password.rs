//! Password hashing with argon2id, OWASP parameters (19 MiB, 2 iterations, 1 lane).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

fn hasher() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1. The parameters are valid
    // constants; `Params::DEFAULT` is only a fallback that cannot be reached.
    let params = Params::new(19_456, 2, 1, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash password: {e}"))
}

/// Whether `password` matches the stored hash.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Blocks (1 KiB each) of one argon2id computation at our parameters.
const BLOCKS: usize = 19_456;

/// The working memory of one argon2id computation (19 MiB), kept and reused from one hash to
/// the next, so that the memory password checks take is bounded by how many run at once,
/// whatever thread runs them (the allocator keeps freed blocks per thread otherwise).
pub struct HashMemory(Vec<Block>);

impl Default for HashMemory {
    fn default() -> Self {
        HashMemory(vec![Block::default(); BLOCKS])
    }
}

/// Whether `password` matches the stored hash, computed in `memory`. A hash made with more
/// memory than one [`HashMemory`] holds (other parameters) is checked with memory of its own.
pub fn verify_in(password: &str, stored: &str, memory: &mut HashMemory) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed))
    else {
        return false;
    };
    let Ok(version) = parsed.version.map_or(Ok(Version::V0x13), Version::try_from) else {
        return false;
    };
    if params.block_count() > memory.0.len() {
        return verify(password, stored);
    }
    let mut salt_buffer = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let mut computed = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut computed, &mut memory.0[..])
        .is_ok()
        && argon2::password_hash::Output::new(&computed).is_ok_and(|computed| computed == expected)
}

/// What an account that takes no password (SSO-only) keeps in place of a hash: no password
/// verifies against it.
pub const NO_PASSWORD: &str = "!no-password";

/// A hash of a random password, verified against when the e-mail address is unknown (or the
/// account has no password) so that it takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&super::random_hex(16)).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_in_reused_memory_as_the_library_does() {
        let stored = hash("correct horse battery staple").unwrap();
        let mut memory = HashMemory::default();
        assert!(verify_in("correct horse battery staple", &stored, &mut memory));
        assert!(!verify_in("wrong horse battery staple", &stored, &mut memory));
        assert!(
            verify_in("correct horse battery staple", &stored, &mut memory),
            "reused"
        );
        assert!(!verify_in("x", "not a hash", &mut memory));
        // A hash with other parameters is still checked.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
        assert!(verify_in("pw", &small, &mut memory));
        assert!(!verify_in("px", &small, &mut memory));
    }

    #[test]
    fn hashes_with_argon2id_and_owasp_parameters() {
        let hashed = hash("correct horse battery").unwrap();
        assert!(hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hashed}");
        assert!(!hashed.contains("correct horse"));
        assert!(verify("correct horse battery", &hashed));
        assert!(!verify("correct horse battery!", &hashed));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(
            hash("same password here").unwrap(),
            hash("same password here").unwrap()
        );
    }

    #[test]
    fn a_malformed_stored_hash_never_verifies() {
        assert!(!verify("anything at all", "not a hash"));
    }
}
