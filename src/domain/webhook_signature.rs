//! Signing webhook deliveries the Standard Webhooks way (<https://www.standardwebhooks.com>),
//! so a receiver can check them with any of that convention's libraries (issue 17):
//!
//! - `webhook-id`: the delivery's message id, the same on every retry (receivers drop repeats);
//! - `webhook-timestamp`: whole seconds since 1970 when this attempt was signed;
//! - `webhook-signature`: `v1,<base64 of HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, where
//!   the key is the endpoint's secret, handed out once as `whsec_<base64 of 32 random bytes>`.
//!
//! Pure functions: no clock, no randomness but [`Secret::generate`], no I/O.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of a secret as it is shown to its owner.
pub const SECRET_PREFIX: &str = "whsec_";

/// Bytes of a new secret (the convention asks for 24 to 64).
pub const SECRET_BYTES: usize = 32;

/// An endpoint's signing key.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A string that is not a `whsec_…` secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a webhook secret: expected whsec_ followed by the base64 of 24 to 64 bytes")]
pub struct NotASecret;

impl Secret {
    /// A new random secret, from the operating system's generator.
    pub fn generate() -> Secret {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut key = vec![0u8; SECRET_BYTES];
        OsRng.fill_bytes(&mut key);
        Secret(key)
    }

    /// Reads a secret as [`Secret::show`] writes it.
    pub fn parse(shown: &str) -> Result<Secret, NotASecret> {
        let encoded = shown.strip_prefix(SECRET_PREFIX).ok_or(NotASecret)?;
        let key = STANDARD.decode(encoded).map_err(|_| NotASecret)?;
        if (24..=64).contains(&key.len()) {
            Ok(Secret(key))
        } else {
            Err(NotASecret)
        }
    }

    /// The secret as its owner sees it, once, and as it is stored.
    pub fn show(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }
}

/// The `webhook-signature` value for one attempt at delivering `body` as message `id`.
pub fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(&secret.0) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The three headers of one attempt, in the order they are sent.
pub fn headers(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> [(&'static str, String); 3] {
    [
        ("webhook-id", id.to_string()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", sign(secret, id, timestamp, body)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks reference libraries' own tests.
    #[test]
    fn signs_the_reference_example_as_the_convention_does() {
        let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = sign(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_signature_changes_with_the_id_the_time_the_body_and_the_key() {
        let secret = Secret::generate();
        let base = sign(&secret, "msg_1", 1_700_000_000, b"{}");
        assert_ne!(base, sign(&secret, "msg_2", 1_700_000_000, b"{}"));
        assert_ne!(base, sign(&secret, "msg_1", 1_700_000_001, b"{}"));
        assert_ne!(base, sign(&secret, "msg_1", 1_700_000_000, b"{ }"));
        assert_ne!(base, sign(&Secret::generate(), "msg_1", 1_700_000_000, b"{}"));
    }

    #[test]
    fn a_secret_is_shown_and_read_back_and_never_printed() {
        let secret = Secret::generate();
        let shown = secret.show();
        assert!(shown.starts_with("whsec_"));
        assert_eq!(Secret::parse(&shown), Ok(secret.clone()));
        assert_eq!(format!("{secret:?}"), "Secret(…)");
    }

    #[test]
    fn refuses_strings_that_are_not_secrets() {
        for bad in [
            "",
            "whsec_",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_not base64!",
            "whsec_AAAA",
        ] {
            assert_eq!(Secret::parse(bad), Err(NotASecret), "{bad}");
        }
    }

    #[test]
    fn headers_carry_id_time_and_signature() {
        let secret = Secret::generate();
        let [id, timestamp, signature] = headers(&secret, "msg_9", 42, b"[]");
        assert_eq!(id, ("webhook-id", "msg_9".to_string()));
        assert_eq!(timestamp, ("webhook-timestamp", "42".to_string()));
        assert_eq!(signature.1, sign(&secret, "msg_9", 42, b"[]"));
    }
}
