//! OpenID Connect sign-in (issue 20) through the `openidconnect` crate: discovery, the
//! authorization URL with PKCE, `state` and `nonce`, the code exchange, and the ID token's
//! checks (signature, issuer, audience, expiry, nonce). The provider's metadata and signing
//! keys are fetched once and kept; a token signed with a key they do not name makes them be
//! fetched again, once (key rotation). HTTP goes through ureq 3 (no redirects, 10 s).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    http, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl, JsonWebKeySet, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError,
    SyncHttpClient, TokenResponse,
};

use crate::config::SsoProvider;

/// The longest answer read from a provider.
const MAX_ANSWER: u64 = 1 << 20;

#[derive(Clone)]
struct UreqHttp(ureq::Agent);

#[derive(Debug, thiserror::Error)]
#[error(transparent)]
struct HttpError(#[from] ureq::Error);

impl UreqHttp {
    fn new() -> UreqHttp {
        UreqHttp(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .proxy(None)
                .timeout_global(Some(Duration::from_secs(10)))
                .build()
                .into(),
        )
    }
}

impl SyncHttpClient for UreqHttp {
    type Error = HttpError;

    fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let answer = self.0.run(request)?;
        let (parts, mut body) = answer.into_parts();
        let bytes = body.with_config().limit(MAX_ANSWER).read_to_vec()?;
        Ok(http::Response::from_parts(parts, bytes))
    }
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Discovered {
    client: Client,
    metadata: CoreProviderMetadata,
}

/// What went wrong with a provider.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider cannot be reached or answers nonsense (503 to the person).
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// Its answer does not hold (a refused or replayed code, a bad ID token).
    #[error("{0}")]
    Refused(String),
}

/// A verified identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
}

/// A sign-in begun: where to send the person, and what to keep until the callback.
pub struct Begun {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// How long a failed discovery is remembered before the provider is asked again.
const RETRY_DISCOVERY_AFTER: Duration = Duration::from_secs(30);

/// At most this many exchanges with one provider run at once in one instance (each may take
/// up to 10 s on a blocking thread); more are answered 503 at once. Per provider: one that
/// hangs does not hold up the others.
pub const MAX_IN_FLIGHT: usize = 4;

#[derive(Default)]
struct Kept {
    discovered: Option<Arc<Discovered>>,
    failed_at: Option<Instant>,
}

/// One configured provider.
pub struct Provider {
    pub config: SsoProvider,
    redirect: String,
    http: UreqHttp,
    /// Never held while a provider is asked anything.
    kept: Mutex<Kept>,
    in_flight: AtomicUsize,
}

impl Provider {
    pub fn new(config: SsoProvider, public_base: &str) -> Provider {
        let redirect = format!("{public_base}/api/v1/auth/oidc/{}/callback", config.key);
        Provider {
            config,
            redirect,
            http: UreqHttp::new(),
            kept: Mutex::new(Kept::default()),
            in_flight: AtomicUsize::new(0),
        }
    }

    /// A turn to ask this provider, while fewer than [`MAX_IN_FLIGHT`] are under way (503 else).
    pub fn turn(&self) -> Result<Turn<'_>, OidcError> {
        let before = self.in_flight.fetch_add(1, Ordering::SeqCst);
        let turn = Turn(&self.in_flight);
        if before >= MAX_IN_FLIGHT {
            return Err(OidcError::Unavailable(format!(
                "too many sign-ins with {} are under way; try again in a moment",
                self.config.name
            )));
        }
        Ok(turn)
    }

    /// The callback address registered with the provider.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn build(&self, metadata: CoreProviderMetadata) -> Result<Discovered, OidcError> {
        let redirect =
            RedirectUrl::new(self.redirect.clone()).map_err(|e| OidcError::Unavailable(e.to_string()))?;
        let client = CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect);
        Ok(Discovered { client, metadata })
    }

    fn discover(&self) -> Result<Discovered, OidcError> {
        let issuer =
            IssuerUrl::new(self.config.issuer.clone()).map_err(|e| OidcError::Unavailable(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover(&issuer, &self.http)
            .map_err(|e| OidcError::Unavailable(format!("{e}")))?;
        self.build(metadata)
    }

    /// The provider's client, discovered at the first need (and not asked again for 30 s after
    /// a failure).
    fn client(&self) -> Result<Arc<Discovered>, OidcError> {
        {
            let kept = self.kept();
            if let Some(found) = &kept.discovered {
                return Ok(found.clone());
            }
            if kept
                .failed_at
                .is_some_and(|at| at.elapsed() < RETRY_DISCOVERY_AFTER)
            {
                return Err(OidcError::Unavailable(
                    "the identity provider could not be reached a moment ago; try again in a minute".into(),
                ));
            }
        }
        let discovered = self.discover();
        let mut kept = self.kept();
        match discovered {
            Ok(found) => {
                let found = Arc::new(found);
                kept.discovered = Some(found.clone());
                kept.failed_at = None;
                Ok(found)
            }
            Err(e) => {
                kept.failed_at = Some(Instant::now());
                Err(e)
            }
        }
    }

    /// Fetches the provider's signing keys again (a token named a key not among them).
    fn refresh_keys(&self, current: &Discovered) -> Result<Arc<Discovered>, OidcError> {
        let metadata = current.metadata.clone();
        let keys = JsonWebKeySet::fetch(metadata.jwks_uri(), &self.http)
            .map_err(|e| OidcError::Unavailable(format!("{e}")))?;
        let found = Arc::new(self.build(metadata.set_jwks(keys))?);
        self.kept().discovered = Some(found.clone());
        Ok(found)
    }

    /// The authorization URL, with a fresh state, nonce and PKCE challenge.
    pub fn begin(&self) -> Result<Begun, OidcError> {
        let found = self.client()?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = found
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Begun {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code and checks the ID token (signature, issuer, audience, expiry,
    /// nonce); answers who signed in.
    pub fn finish(&self, code: &str, pkce_verifier: &str, nonce: &str) -> Result<Identity, OidcError> {
        let found = self.client()?;
        let answer = found
            .client
            .exchange_code(AuthorizationCode::new(code.into()))
            .map_err(|e| OidcError::Unavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.into()))
            .request(&self.http)
            .map_err(|e| match e {
                // The provider said no: the code is refused.
                RequestTokenError::ServerResponse(refusal) => {
                    OidcError::Refused(format!("the code was refused: {refusal}"))
                }
                // It could not be asked, or answered nonsense.
                other => OidcError::Unavailable(format!("the code could not be exchanged: {other}")),
            })?;
        let id_token = answer
            .id_token()
            .cloned()
            .ok_or_else(|| OidcError::Refused("the provider answered no ID token".into()))?;
        let nonce = Nonce::new(nonce.into());
        let also_vouching = self.config.email_verified_claim.as_deref();
        let check = |found: &Discovered| {
            id_token
                .claims(&found.client.id_token_verifier(), &nonce)
                .map(|claims| Identity {
                    subject: claims.subject().to_string(),
                    email: claims.email().map(|e| e.to_string()),
                    email_verified: claims.email_verified() == Some(true)
                        || also_vouching.is_some_and(|claim| claim_is_true(&id_token.to_string(), claim)),
                })
        };
        match check(&found) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => check(&*self.refresh_keys(&found)?).map_err(refused),
            other => other.map_err(refused),
        }
    }
}

/// Every configured provider, by key.
#[derive(Default)]
pub struct Providers {
    list: Vec<Arc<Provider>>,
}

impl Providers {
    pub fn new(list: Vec<Provider>) -> Providers {
        Providers {
            list: list.into_iter().map(Arc::new).collect(),
        }
    }

    pub fn all(&self) -> &[Arc<Provider>] {
        &self.list
    }

    /// The provider of `key`, to take along to a blocking thread.
    pub fn find(&self, key: &str) -> Option<Arc<Provider>> {
        self.list.iter().find(|p| p.config.key == key).cloned()
    }
}

/// One exchange with a provider under way; given back when dropped.
pub struct Turn<'a>(&'a AtomicUsize);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.list.iter().map(|p| p.config.key.as_str()).collect();
        write!(f, "Providers({keys:?})")
    }
}

/// Whether the claim `name` of an ID token is `true`. Only read once the crate has verified
/// the token (signature, issuer, audience, expiry, nonce): the payload is then the provider's.
fn claim_is_true(id_token: &str, name: &str) -> bool {
    use base64::Engine as _;
    id_token
        .split('.')
        .nth(1)
        .and_then(|payload| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|claims| claims.get(name).cloned())
        .is_some_and(|value| value == serde_json::Value::Bool(true) || value == "true")
}

/// Says which check an ID token failed, in the person's terms.
fn refused(e: ClaimsVerificationError) -> OidcError {
    let why = match e {
        ClaimsVerificationError::Expired(_) => "it has expired".to_string(),
        ClaimsVerificationError::InvalidAudience(_) => {
            "it was issued to another client (audience)".to_string()
        }
        ClaimsVerificationError::InvalidIssuer(_) => "another provider issued it (issuer)".to_string(),
        ClaimsVerificationError::InvalidNonce(_) => "it belongs to another sign-in (nonce)".to_string(),
        ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey) => {
            "it is signed with a key the provider does not publish (unknown key)".to_string()
        }
        ClaimsVerificationError::SignatureVerification(e) => {
            format!("its signature does not hold ({e})")
        }
        other => other.to_string(),
    };
    OidcError::Refused(format!("the ID token does not hold: {why}"))
}

#[cfg(test)]
mod tests {
    use super::{claim_is_true, Provider, MAX_IN_FLIGHT};
    use base64::Engine as _;

    #[test]
    fn a_provider_gives_at_most_its_turns_at_once_and_takes_them_back() {
        let provider = Provider::new(
            crate::config::SsoProvider {
                key: "ilo".into(),
                name: "ILO".into(),
                issuer: "https://id.example.org".into(),
                client_id: "normtrack".into(),
                client_secret: "secret".into(),
                auto_provision: false,
                email_verified_claim: None,
                email_domains: Vec::new(),
            },
            "https://normtrack.example.org",
        );
        let held: Vec<_> = (0..MAX_IN_FLIGHT).map(|_| provider.turn().ok()).collect();
        assert!(held.iter().all(Option::is_some));
        assert!(provider.turn().is_err(), "one more than the maximum");
        assert!(provider.turn().is_err());
        drop(held);
        // Every turn came back, the refused ones too: the maximum is there again.
        let again: Vec<_> = (0..MAX_IN_FLIGHT).map(|_| provider.turn().ok()).collect();
        assert!(again.iter().all(Option::is_some));
    }

    fn token(payload: &str) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{}.sig", b64.encode(r#"{"alg":"RS256"}"#), b64.encode(payload))
    }

    #[test]
    fn a_vouching_claim_counts_only_when_true() {
        assert!(claim_is_true(&token(r#"{"xms_edov":true}"#), "xms_edov"));
        assert!(claim_is_true(&token(r#"{"xms_edov":"true"}"#), "xms_edov"));
        assert!(!claim_is_true(&token(r#"{"xms_edov":false}"#), "xms_edov"));
        assert!(!claim_is_true(&token(r#"{"xms_edov":1}"#), "xms_edov"));
        assert!(!claim_is_true(&token(r#"{"email":"a@b.c"}"#), "xms_edov"));
        assert!(!claim_is_true("not a token", "xms_edov"));
        assert!(!claim_is_true("a.%%%.b", "xms_edov"));
    }
}
