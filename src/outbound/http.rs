//! Webhook deliveries over HTTP (ureq): a 10 s limit on the whole exchange, no redirect
//! followed, no proxy from the environment, at most 64 KiB of an answer read, and every
//! address a host resolves to checked at connection time against the SSRF rules
//! (`domain::webhook_urls`), so a name that changes what it points to after registration is
//! still refused.

use std::io::Read;
use std::net::IpAddr;
use std::time::Duration;

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use crate::domain::webhook_urls::{check_addresses, check_form, UrlPolicy};

/// The limit on one delivery, connection to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer read.
pub const MAX_ANSWER_BYTES: u64 = 64 * 1024;

#[derive(Debug)]
struct Guarded {
    inner: DefaultResolver,
    policy: UrlPolicy,
}

impl Resolver for Guarded {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let found = self.inner.resolve(uri, config, timeout)?;
        let addresses: Vec<IpAddr> = found.iter().map(|a| a.ip()).collect();
        check_addresses(&addresses, self.policy).map_err(|refusal| ureq::Error::Other(Box::new(refusal)))?;
        Ok(found)
    }
}

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// Why it did not count as delivered (none: a 2xx).
    pub error: Option<String>,
}

/// Sends signed deliveries.
pub struct WebhookClient {
    agent: ureq::Agent,
    policy: UrlPolicy,
}

impl WebhookClient {
    pub fn new(policy: UrlPolicy) -> WebhookClient {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .max_redirects(0)
            .max_redirects_will_error(false)
            .http_status_as_error(false)
            .proxy(None)
            .user_agent(concat!("normtrack-webhooks/", env!("CARGO_PKG_VERSION")))
            .build();
        let resolver = Guarded {
            inner: DefaultResolver::default(),
            policy,
        };
        WebhookClient {
            agent: ureq::Agent::with_parts(config, DefaultConnector::new(), resolver),
            policy,
        }
    }

    /// Posts `body` with `headers` to `url`.
    pub fn post(&self, url: &str, headers: &[(&'static str, String)], body: &[u8]) -> Outcome {
        if let Err(refusal) = check_form(url, self.policy) {
            return Outcome {
                status: None,
                error: Some(format!("the URL {refusal}")),
            };
        }
        let mut request = self.agent.post(url).content_type("application/json");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        match request.send(body) {
            Ok(response) => {
                let status = response.status().as_u16();
                let mut answer = Vec::new();
                // Read at most 64 KiB, so that the connection can end cleanly; the rest is
                // never read.
                let _ = response
                    .into_body()
                    .into_reader()
                    .take(MAX_ANSWER_BYTES)
                    .read_to_end(&mut answer);
                let error = match status {
                    200..=299 => None,
                    300..=399 => Some(format!("answered {status}; redirects are not followed")),
                    _ => {
                        let text = String::from_utf8_lossy(&answer);
                        let excerpt: String = text.chars().take(200).collect();
                        Some(format!("answered {status}: {excerpt}"))
                    }
                };
                Outcome {
                    status: Some(status),
                    error,
                }
            }
            Err(e) => Outcome {
                status: None,
                error: Some(describe(&e)),
            },
        }
    }
}

fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => format!("no answer within {} s", TIMEOUT.as_secs()),
        ureq::Error::Other(inner) => format!("refused: the host {inner}"),
        other => other.to_string(),
    }
}
