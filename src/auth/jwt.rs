//! Access tokens: HS256 JWTs with `sub`, `iss`, `aud`, `exp`, `nbf` and `iat`, all required
//! and checked; the algorithm is pinned, so `none` and every other algorithm are refused.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::access::{Principal, Role};

pub const ISSUER: &str = "normtrack";
pub const AUDIENCE: &str = "normtrack-api";
const ALGORITHM: Algorithm = Algorithm::HS256;
/// Seconds of clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `user:<id>`, `token:<id>` (dashboard) or `feed:<id>` (calendar feed).
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    /// The role when issued; the role in force is read from the store on every request.
    pub role: String,
    /// For a person: the account's token version when issued. A password change, a reset, a
    /// deactivation or a logout moves the stored version on, and older tokens are refused.
    #[serde(default)]
    pub ver: i32,
}

impl Claims {
    pub fn new(principal: Principal, role: Role, now: i64, lifetime_secs: i64) -> Claims {
        let sub = match principal {
            Principal::User(id) => format!("user:{id}"),
            Principal::DashboardToken(id) => format!("token:{id}"),
            Principal::FeedToken(id) => format!("feed:{id}"),
            // Never issued: `principal()` does not read them back, so such a token is refused.
            Principal::Cli => "cli".to_string(),
            Principal::Public => "public".to_string(),
        };
        Claims {
            sub,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            exp: now + lifetime_secs,
            nbf: now,
            iat: now,
            role: role.as_str().into(),
            ver: 0,
        }
    }

    /// The same claims for an account at token version `ver`.
    pub fn with_version(mut self, ver: i32) -> Claims {
        self.ver = ver;
        self
    }

    /// Who the token speaks for; `None` for a subject this service never issues.
    pub fn principal(&self) -> Option<Principal> {
        let (kind, id) = self.sub.split_once(':')?;
        let id: i32 = id.parse().ok()?;
        match kind {
            "user" => Some(Principal::User(id)),
            "token" => Some(Principal::DashboardToken(id)),
            "feed" => Some(Principal::FeedToken(id)),
            _ => None,
        }
    }
}

/// Why a token was refused (logged, never sent to the client in detail).
#[derive(Debug, thiserror::Error)]
#[error("invalid token: {0}")]
pub struct TokenError(String);

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> JwtKeys {
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(&self, claims: &Claims) -> Result<String, TokenError> {
        encode(&Header::new(ALGORITHM), claims, &self.encoding).map_err(|e| TokenError(e.to_string()))
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    #[test]
    fn round_trips_a_token_with_the_configured_backend() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let claims = Claims::new(Principal::User(7), Role::Office, now(), 600);
        let token = keys.issue(&claims).expect("a crypto backend must be compiled in");
        assert_eq!(keys.verify(&token).unwrap(), claims);
        assert_eq!(claims.principal(), Some(Principal::User(7)));
    }

    #[test]
    fn refuses_another_secret_expired_and_not_yet_valid_tokens() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let other = JwtKeys::new(b"fedcba9876543210fedcba9876543210");
        let good = Claims::new(Principal::User(1), Role::Admin, now(), 600);
        assert!(keys.verify(&other.issue(&good).unwrap()).is_err());
        let expired = Claims::new(Principal::User(1), Role::Admin, now() - 3600, 600);
        assert!(keys.verify(&keys.issue(&expired).unwrap()).is_err());
        let future = Claims {
            nbf: now() + 3600,
            ..good.clone()
        };
        assert!(keys.verify(&keys.issue(&future).unwrap()).is_err());
        let wrong_issuer = Claims {
            iss: "someone-else".into(),
            ..good.clone()
        };
        assert!(keys.verify(&keys.issue(&wrong_issuer).unwrap()).is_err());
        let wrong_audience = Claims {
            aud: "other-api".into(),
            ..good
        };
        assert!(keys.verify(&keys.issue(&wrong_audience).unwrap()).is_err());
    }

    #[test]
    fn unknown_subjects_name_no_principal() {
        let mut claims = Claims::new(Principal::User(1), Role::Admin, 0, 1);
        for sub in ["admin", "user:", "user:x", "robot:1"] {
            claims.sub = sub.into();
            assert_eq!(claims.principal(), None, "{sub}");
        }
    }
}
