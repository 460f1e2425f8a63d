//! `/api/v1/auth/oidc`: single sign-on through an organization's OpenID Connect provider
//! (issue 20). `start` sends the person to the provider; the provider sends them back to
//! `callback`, which answers normtrack's own access token exactly as a password login does.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{with_db, AppState};
use crate::error::{AppError, AppResult, Problem};
use crate::outbound::oidc::OidcError;

/// A provider people may sign in with.
#[derive(Debug, Serialize, ToSchema)]
pub struct SsoProviderInfo {
    #[schema(example = "ilo")]
    pub key: String,
    /// What the button says: "Sign in with {name}".
    #[schema(example = "ILO")]
    pub name: String,
    /// Where the button goes.
    #[schema(example = "/api/v1/auth/oidc/ilo/start")]
    pub start: String,
}

/// The identity providers this deployment signs people in with (none unless configured).
#[utoipa::path(
    get,
    path = "/auth/oidc/providers",
    tag = "auth",
    responses((status = 200, description = "The providers", body = Vec<SsoProviderInfo>))
)]
pub async fn providers(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let list: Vec<SsoProviderInfo> = state
        .sso
        .all()
        .iter()
        .map(|p| SsoProviderInfo {
            key: p.config.key.clone(),
            name: p.config.name.clone(),
            start: format!("/api/v1/auth/oidc/{}/start", p.config.key),
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

fn unknown(key: &str) -> AppError {
    AppError::NotFound(format!("no identity provider '{key}' is configured"))
}

fn provider_failed(e: OidcError) -> AppError {
    match e {
        OidcError::Unavailable(why) => AppError::Unavailable(why),
        OidcError::Refused(why) => AppError::Unauthorized(why),
    }
}

/// Sign in with a provider: redirects to it (Authorization Code flow with PKCE, `state` and
/// `nonce`); it sends the person back to `/auth/oidc/{provider}/callback`.
#[utoipa::path(
    get,
    path = "/auth/oidc/{provider}/start",
    tag = "auth",
    params(("provider" = String, Path, example = "ilo")),
    responses(
        (status = 302, description = "To the provider's sign-in page; the cookie binds the sign-in to this browser (its callback must bring it back)", headers(("Location" = String), ("Set-Cookie" = String))),
        (status = 404, description = "No such provider", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ins from this address", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The provider cannot be reached", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn start(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let key = path.into_inner();
    // Each start keeps a row until its callback: counted against the client address's
    // allowance of logins, so that nobody fills the store with begun sign-ins.
    state
        .auth
        .login_rate
        .check_client(super::client::client_of(&req))
        .map_err(|retry_after| AppError::RateLimited {
            retry_after,
            detail: format!("too many sign-ins from this address; try again in {retry_after} seconds"),
        })?;
    let provider = state.sso.find(&key).ok_or_else(|| unknown(&key))?;
    let _turn = provider.turn().map_err(provider_failed)?;
    let asked = provider.clone();
    let begun = web::block(move || asked.begin().map_err(provider_failed)).await??;
    let (kept_state, nonce, verifier) = (begun.state.clone(), begun.nonce, begun.pkce_verifier);
    // One binding per browser, kept while it begins sign-ins (in several tabs, say).
    let binding = Some(browser_binding(&req))
        .filter(|b| b.len() == 32 && b.bytes().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(crate::service::sso::browser_binding);
    let kept_binding = binding.clone();
    with_db(&state, move |conn| {
        crate::service::sso::begin(conn, &key, &kept_state, &nonce, &verifier, &kept_binding)
    })
    .await?;
    // Lax: sent back on the provider's top-level redirect to the callback, not on other
    // sites' requests; only to the sign-in paths; gone after the 10 minutes a sign-in may take.
    let secure = if state.public_base.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{BROWSER_COOKIE}={binding}; Path={}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        sign_in_path(&state),
        crate::service::sso::SIGN_IN_WITHIN.num_seconds()
    );
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, begun.url))
        .insert_header((header::SET_COOKIE, cookie))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// The cookie that binds a begun sign-in to the browser that began it.
const BROWSER_COOKIE: &str = "normtrack_sso";

/// The sign-in paths as the browser sees them: under the public URL's own path, when the
/// service is reached through a proxy at `https://host/normtrack`.
fn sign_in_path(state: &AppState) -> String {
    let prefix = url::Url::parse(&state.public_base)
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default();
    format!("{prefix}/api/v1/auth/oidc")
}

/// The browser binding a request's cookies bring ("" when none).
fn browser_binding(req: &actix_web::HttpRequest) -> String {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == BROWSER_COOKIE)
        .map(|(_, value)| value.chars().take(64).collect())
        .unwrap_or_default()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The authorization code.
    #[param(max_length = 2048)]
    pub code: Option<String>,
    /// The state given at `start`.
    #[param(max_length = 256)]
    pub state: Option<String>,
    /// The issuer (RFC 9207).
    #[param(max_length = 2048)]
    pub iss: Option<String>,
    /// The provider's refusal, when it refused.
    #[param(max_length = 256)]
    pub error: Option<String>,
    #[param(max_length = 2048)]
    pub error_description: Option<String>,
    /// Other parameters a provider adds are ignored.
    #[param(max_length = 2048)]
    pub session_state: Option<String>,
}

/// Where the provider sends the person back: checks `state` (once, within 10 minutes), the
/// code, and the ID token's signature, issuer, audience, expiry and nonce; signs in to the
/// account with the verified e-mail address and answers normtrack's access token.
#[utoipa::path(
    get,
    path = "/auth/oidc/{provider}/callback",
    tag = "auth",
    params(("provider" = String, Path, example = "ilo"), CallbackQuery),
    responses(
        (status = 200, description = "Signed in (API clients)", body = super::auth::TokenResponse),
        (status = 303, description = "Browsers (`Accept: text/html`): back to the page at the public URL, with `#token=…` or `#sso_error=…`", headers(("Location" = String))),
        (status = 400, description = "No code, or a state that is unknown, expired, used or begun in another browser (a forged, replayed or planted callback)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "The provider refused the code, or its ID token does not hold", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No verified address, no account with it, or a deactivated account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such provider", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The provider cannot be reached", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn callback(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    path: web::Path<String>,
    query: web::Query<CallbackQuery>,
) -> AppResult<HttpResponse> {
    // A browser (the page's "Sign in with …") is sent back to the page with the token in the
    // fragment, which never reaches a server, or with what went wrong; API clients get JSON.
    let browser = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let binding = browser_binding(&req);
    let signed_in = sign_in(&state, path.into_inner(), query.into_inner(), binding).await;
    if !browser {
        return signed_in.map(|token| {
            HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(token)
        });
    }
    let fragment = match signed_in {
        Ok(token) => format!("token={}", token.access_token),
        Err(e) => format!(
            "sso_error={}",
            url::form_urlencoded::byte_serialize(e.to_string().as_bytes()).collect::<String>()
        ),
    };
    // Back to the page where people reach it (the public URL, with its path).
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("{}/#{fragment}", state.public_base.trim_end_matches('/')),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

async fn sign_in(
    state: &web::Data<AppState>,
    key: String,
    query: CallbackQuery,
    browser: String,
) -> AppResult<super::auth::TokenResponse> {
    let provider = state.sso.find(&key).ok_or_else(|| unknown(&key))?;
    if let Some(error) = query.error {
        // Anyone can send a link with any text: only an OAuth error code is repeated, never a
        // description, onto the page.
        let code = Some(error)
            .filter(|e| {
                !e.is_empty() && e.len() <= 64 && e.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
            .unwrap_or_else(|| "refused".into());
        return Err(AppError::Unauthorized(format!(
            "the provider did not sign you in ({code})"
        )));
    }
    let (Some(code), Some(given_state)) = (query.code, query.state) else {
        return Err(AppError::bad_request("the callback carries no code or no state"));
    };
    // RFC 9207: a provider that names itself must be the one this sign-in was begun with
    // (a mix-up of providers).
    if let Some(named) = &query.iss {
        if named.trim_end_matches('/') != provider.config.issuer.trim_end_matches('/') {
            return Err(AppError::bad_request(
                "the callback names another identity provider than the one this sign-in began with",
            ));
        }
    }
    // A turn with the provider first: a busy provider (503) leaves the sign-in to be taken.
    let _turn = provider.turn().map_err(provider_failed)?;
    let (nonce, verifier) = with_db(state, move |conn| {
        crate::service::sso::take(conn, &key, &given_state, &browser)
    })
    .await?;
    let asked = provider.clone();
    let identity =
        web::block(move || asked.finish(&code, &verifier, &nonce).map_err(provider_failed)).await??;
    let config = provider.config.clone();
    let user = with_db(state, move |conn| {
        crate::service::sso::sign_in(conn, &config, &identity)
    })
    .await?;
    tracing::info!(user = user.row.id, "signed in through single sign-on");
    super::auth::issue_person_token(state, &user)
}
