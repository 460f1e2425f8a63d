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
    /// What one client may hold or spend, and where clients come from.
    pub limits: Limits,
    /// `NORMTRACK_METRICS_BIND`: an address that serves `GET /metrics` without a token (for
    /// Prometheus; keep it off the public network). Unset: `/metrics` on the main address, for
    /// administrators.
    pub metrics_bind: Option<SocketAddr>,
    /// `NORMTRACK_PUBLIC_URL`: the address people reach this service at
    /// (`https://normtrack.example.org`), for links the service writes into what it answers
    /// (calendar events). When unset, `http://` and the bind address.
    pub public_url: Option<String>,
    /// Webhooks and e-mail (issue 17).
    pub notify: Notify,
    /// OpenID Connect providers people may sign in with (issue 20).
    pub sso: Vec<SsoProvider>,
}

/// One OpenID Connect provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProvider {
    /// In the sign-in path: `/api/v1/auth/oidc/{key}/start`.
    pub key: String,
    /// What the sign-in button says: "Sign in with {name}".
    pub name: String,
    /// The issuer, exactly as the provider names itself.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Whether a verified address with no account makes one (a `viewer`).
    pub auto_provision: bool,
    /// A claim besides `email_verified` that, when `true` in a verified ID token, says the
    /// provider vouches for the address: for Microsoft Entra ID, which sends no
    /// `email_verified`, its optional claim `xms_edov` (the address's domain is verified as
    /// the tenant's).
    pub email_verified_claim: Option<String>,
    /// The e-mail domains the provider may vouch for (lowercase); empty: any. With several
    /// providers (one per organization), each should list its organization's domains, or one
    /// organization's provider could sign in to another's accounts.
    pub email_domains: Vec<String>,
}

/// Reads the providers: `NORMTRACK_OIDC_ISSUER`, `NORMTRACK_OIDC_CLIENT_ID`,
/// `NORMTRACK_OIDC_CLIENT_SECRET` (and `NORMTRACK_OIDC_NAME`, `NORMTRACK_OIDC_AUTO_PROVISION`)
/// for one, under the key `sso`; or `NORMTRACK_OIDC_PROVIDERS=ilo,unions` and the same
/// variables with the key in them (`NORMTRACK_OIDC_ILO_ISSUER`, ...) for several.
pub fn sso_from_env() -> Result<Vec<SsoProvider>, ConfigError> {
    let one = |key: &str, prefix: &str| -> Result<Option<SsoProvider>, ConfigError> {
        let name_of = |suffix: &str| format!("{prefix}{suffix}");
        let Some(issuer) = var(&name_of("ISSUER")) else {
            return Ok(None);
        };
        let required = |suffix: &str| {
            var(&name_of(suffix)).ok_or_else(|| ConfigError::Invalid {
                name: "NORMTRACK_OIDC_CLIENT_ID",
                message: format!("{} is required with {}", name_of(suffix), name_of("ISSUER")),
            })
        };
        let flag = match var(&name_of("AUTO_PROVISION")).as_deref().map(str::trim) {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "NORMTRACK_OIDC_AUTO_PROVISION",
                    message: format!("'{other}' is neither true nor false"),
                })
            }
        };
        let email_verified_claim = match var(&name_of("EMAIL_VERIFIED_CLAIM")).map(|c| c.trim().to_string()) {
            None => None,
            Some(claim)
                if !claim.is_empty()
                    && claim.len() <= 64
                    && claim.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                Some(claim)
            }
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "NORMTRACK_OIDC_EMAIL_VERIFIED_CLAIM",
                    message: format!("'{other}' is not a claim name (letters, digits, '_')"),
                })
            }
        };
        let mut email_domains = Vec::new();
        for domain in var(&name_of("EMAIL_DOMAINS"))
            .unwrap_or_default()
            .split(',')
            .map(|d| d.trim().trim_start_matches('@').to_lowercase())
            .filter(|d| !d.is_empty())
        {
            let fits = domain.contains('.')
                && domain.len() <= 253
                && domain
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            if !fits {
                return Err(ConfigError::Invalid {
                    name: "NORMTRACK_OIDC_EMAIL_DOMAINS",
                    message: format!("'{domain}' is not a domain name (ASCII; IDNs in their xn-- form)"),
                });
            }
            email_domains.push(domain);
        }
        Ok(Some(SsoProvider {
            email_domains,
            email_verified_claim,
            key: key.to_string(),
            name: var(&name_of("NAME")).unwrap_or_else(|| "single sign-on".to_string()),
            issuer: issuer.trim().to_string(),
            client_id: required("CLIENT_ID")?,
            client_secret: required("CLIENT_SECRET")?,
            auto_provision: flag,
        }))
    };
    let mut found = Vec::new();
    match var("NORMTRACK_OIDC_PROVIDERS") {
        Some(list) => {
            for key in list.split(',').map(str::trim).filter(|k| !k.is_empty()) {
                let key = key.to_ascii_lowercase();
                if !key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    return Err(ConfigError::Invalid {
                        name: "NORMTRACK_OIDC_PROVIDERS",
                        message: format!("'{key}' is not a key of letters, digits and '-'"),
                    });
                }
                let prefix = format!("NORMTRACK_OIDC_{}_", key.to_ascii_uppercase().replace('-', "_"));
                match one(&key, &prefix)? {
                    Some(provider) => found.push(provider),
                    None => {
                        return Err(ConfigError::Invalid {
                            name: "NORMTRACK_OIDC_PROVIDERS",
                            message: format!("{prefix}ISSUER is not set"),
                        })
                    }
                }
            }
        }
        None => found.extend(one("sso", "NORMTRACK_OIDC_")?),
    }
    // One provider per organization: each must say which addresses are its own, or one
    // organization's provider could vouch for another's people.
    if found.len() > 1 {
        if let Some(open) = found.iter().find(|p| p.email_domains.is_empty()) {
            return Err(ConfigError::Invalid {
                name: "NORMTRACK_OIDC_EMAIL_DOMAINS",
                message: format!(
                    "NORMTRACK_OIDC_{}_EMAIL_DOMAINS is required when several providers are configured",
                    open.key.to_ascii_uppercase().replace('-', "_")
                ),
            });
        }
    }
    Ok(found)
}

/// Notifications: which webhook URLs may be called, e-mail, and the worker inside `serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    /// `NORMTRACK_WEBHOOK_ALLOW_HTTP` and `NORMTRACK_WEBHOOK_ALLOW_PRIVATE` (`true` or
    /// `false`, default `false`): `http` URLs besides `https`, and URLs inside private,
    /// loopback or link-local networks (server-side request forgery).
    pub webhooks: crate::domain::webhook_urls::UrlPolicy,
    /// `NORMTRACK_SMTP_URL`: `smtp://host:port` (plain, a local relay), `smtps://user:pass@host`
    /// or `smtp://user:pass@host:587?tls=required`. Unset: e-mail is off.
    pub smtp_url: Option<String>,
    /// `NORMTRACK_MAIL_FROM`: the sender of every e-mail, e.g. `normtrack <normtrack@example.org>`.
    pub mail_from: Option<String>,
    /// `NORMTRACK_NOTIFY_INTERVAL` (seconds, default 5, 0–3600): how often the worker inside
    /// `serve` delivers what is due; 0: no worker (run `normtrack notify run --once` from cron).
    pub interval_seconds: u64,
}

impl Default for Notify {
    fn default() -> Self {
        Notify {
            webhooks: Default::default(),
            smtp_url: None,
            mail_from: None,
            interval_seconds: 5,
        }
    }
}

impl Notify {
    /// Reads the variables documented on the fields.
    pub fn from_env() -> Result<Notify, ConfigError> {
        Ok(Notify {
            webhooks: crate::domain::webhook_urls::UrlPolicy {
                allow_http: parse_flag(
                    "NORMTRACK_WEBHOOK_ALLOW_HTTP",
                    var("NORMTRACK_WEBHOOK_ALLOW_HTTP"),
                )?,
                allow_private: parse_flag(
                    "NORMTRACK_WEBHOOK_ALLOW_PRIVATE",
                    var("NORMTRACK_WEBHOOK_ALLOW_PRIVATE"),
                )?,
            },
            smtp_url: var("NORMTRACK_SMTP_URL"),
            mail_from: var("NORMTRACK_MAIL_FROM"),
            interval_seconds: number("NORMTRACK_NOTIFY_INTERVAL", 5, 0..=3600)?,
        })
    }

    /// The mailer, when e-mail is configured (both variables set).
    pub fn mailer(&self) -> Result<Option<crate::outbound::mail::Mailer>, ConfigError> {
        match (&self.smtp_url, &self.mail_from) {
            (Some(url), Some(from)) => crate::outbound::mail::Mailer::new(url, from)
                .map(Some)
                .map_err(|e| ConfigError::Invalid {
                    name: "NORMTRACK_SMTP_URL",
                    message: e.to_string(),
                }),
            (None, None) => Ok(None),
            _ => Err(ConfigError::Invalid {
                name: "NORMTRACK_SMTP_URL",
                message: "NORMTRACK_SMTP_URL and NORMTRACK_MAIL_FROM are set together or not at all".into(),
            }),
        }
    }
}

impl Settings {
    /// The address links in answers start with, without a trailing slash.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.bind),
        }
    }
}

/// What one client may hold or spend, and which peers may speak for clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// `NORMTRACK_TRUSTED_PROXIES` (comma-separated CIDRs, default none): peers whose
    /// `Forwarded` / `X-Forwarded-For` headers name the client. Other peers' headers are
    /// ignored: the peer itself is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `NORMTRACK_MAX_REQUESTS_PER_CLIENT` (default 32, 1–10000): requests one client
    /// address may have in flight (bodies being received included); more get 429 at once.
    pub max_requests_per_client: usize,
    /// `NORMTRACK_MAX_CONNECTIONS_PER_CLIENT` (default 128, 1–10000): open connections one
    /// peer address may hold (trusted proxies excepted); more are closed as they come.
    pub max_connections_per_client: usize,
    /// `NORMTRACK_PASSWORD_HASHING` (default 2, 1–64): password hashes (argon2id, 19 MiB
    /// each) computed at a time; a login that cannot start one within 2 s gets 503.
    pub password_hashing: usize,
    /// `NORMTRACK_PUBLIC_READ` (`true` or `false`, default `false`): anyone without a token
    /// reads the public data (countries, instruments, ratifications, dashboard aggregates,
    /// trade arrangements, supervisory comments) and opens the page without signing in, at
    /// most `NORMTRACK_PUBLIC_READ_PER_MINUTE` (default 300, 1–100000) requests per client
    /// address per minute. `None`: off.
    pub public_read_per_minute: Option<u32>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            trusted_proxies: Vec::new(),
            max_requests_per_client: 32,
            max_connections_per_client: 128,
            password_hashing: 2,
            public_read_per_minute: None,
        }
    }
}

/// Parses a comma-separated list of CIDRs (a bare address is a /32 or /128).
pub fn parse_cidrs(name: &'static str, raw: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::Invalid {
                    name,
                    message: format!("'{s}' is not a CIDR such as 10.0.0.0/8 or an IP address"),
                })
        })
        .collect()
}

impl Limits {
    /// Reads the variables documented on the fields.
    pub fn from_env() -> Result<Limits, ConfigError> {
        let d = Limits::default();
        Ok(Limits {
            trusted_proxies: match var("NORMTRACK_TRUSTED_PROXIES") {
                Some(raw) => parse_cidrs("NORMTRACK_TRUSTED_PROXIES", &raw)?,
                None => d.trusted_proxies,
            },
            max_requests_per_client: number(
                "NORMTRACK_MAX_REQUESTS_PER_CLIENT",
                d.max_requests_per_client as u64,
                1..=10_000,
            )? as usize,
            max_connections_per_client: number(
                "NORMTRACK_MAX_CONNECTIONS_PER_CLIENT",
                d.max_connections_per_client as u64,
                1..=10_000,
            )? as usize,
            password_hashing: number("NORMTRACK_PASSWORD_HASHING", d.password_hashing as u64, 1..=64)?
                as usize,
            public_read_per_minute: match parse_flag("NORMTRACK_PUBLIC_READ", var("NORMTRACK_PUBLIC_READ"))? {
                false => None,
                true => Some(number("NORMTRACK_PUBLIC_READ_PER_MINUTE", 300, 1..=100_000)? as u32),
            },
        })
    }
}

/// A `true`/`false` setting (default `false`); anything else is refused, not guessed.
fn parse_flag(name: &'static str, raw: Option<String>) -> Result<bool, ConfigError> {
    match raw.as_deref().map(|r| r.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(ConfigError::Invalid {
            name,
            message: format!("'{other}' is neither true nor false"),
        }),
    }
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
    /// `NORMTRACK_PUBLIC_BODY_TIMEOUT_SECS` (default 5, 1–300): the same for routes that
    /// need no token (logging in): an anonymous client cannot hold a connection for long.
    pub public_body: Duration,
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
            public_body: Duration::from_secs(5),
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
            public_body: secs("NORMTRACK_PUBLIC_BODY_TIMEOUT_SECS", d.public_body, 1..=300)?,
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
        let sso = sso_from_env()?;
        if !sso.is_empty() && var("NORMTRACK_PUBLIC_URL").is_none() {
            // The callback address is registered at the provider: it cannot be guessed from
            // the bind address behind a proxy.
            return Err(ConfigError::Invalid {
                name: "NORMTRACK_PUBLIC_URL",
                message: "is required with an OpenID Connect provider (its callback address, registered at the provider, starts with it)".into(),
            });
        }
        Ok(Settings {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            bind,
            pool_size,
            jwt_secret: var("NORMTRACK_JWT_SECRET"),
            timeouts: Timeouts::from_env()?,
            limits: Limits::from_env()?,
            metrics_bind: match var("NORMTRACK_METRICS_BIND") {
                None => None,
                Some(raw) => Some(raw.trim().parse().map_err(|e| ConfigError::Invalid {
                    name: "NORMTRACK_METRICS_BIND",
                    message: format!("'{raw}' is not a socket address such as 127.0.0.1:9090 ({e})"),
                })?),
            },
            public_url: match var("NORMTRACK_PUBLIC_URL") {
                None => None,
                Some(raw) => Some(parse_public_url(&raw)?),
            },
            notify: Notify::from_env()?,
            sso,
        })
    }
}

/// An http(s) base address without query or fragment.
fn parse_public_url(raw: &str) -> Result<String, ConfigError> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty()
                && !host
                    .contains(|c: char| c.is_whitespace() || c.is_control() || "?#\\\"<>".contains(c)) =>
        {
            Ok(url.to_string())
        }
        _ => Err(ConfigError::Invalid {
            name: "NORMTRACK_PUBLIC_URL",
            message: format!("'{raw}' is not an http(s) address such as https://normtrack.example.org"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_read_is_off_unless_said_true() {
        assert_eq!(parse_flag("F", None).ok(), Some(false));
        assert_eq!(parse_flag("F", Some(" TRUE ".into())).ok(), Some(true));
        assert!(parse_flag("F", Some("yes".into())).is_err());
    }

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
    fn trusted_proxies_are_cidrs_or_addresses() {
        let nets = parse_cidrs("N", "10.0.0.0/8, 192.168.1.7 ,::1").expect("valid");
        assert_eq!(nets.len(), 3);
        assert!(nets[1].contains(&"192.168.1.7".parse::<std::net::IpAddr>().unwrap()));
        assert!(parse_cidrs("N", "10.0.0.0/33").is_err());
        assert!(parse_cidrs("N", "proxy.example").is_err());
    }

    #[test]
    fn public_url_is_an_http_address() {
        assert_eq!(
            parse_public_url("https://n.example.org/").ok().as_deref(),
            Some("https://n.example.org")
        );
        for bad in [
            "n.example.org",
            "https://",
            "https://a b",
            "ftp://x",
            "https://x/\r\nX: y",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
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
