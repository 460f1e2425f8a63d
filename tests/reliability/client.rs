//! A small HTTP client for the tests: every answer with its status, headers, body and time;
//! a failure to get any answer (refused, reset, timed out) is an `Err` the caller counts.

use std::time::{Duration, Instant};

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub elapsed: Duration,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("the answer is not JSON ({e}): {}", self.body))
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Asserts this status and returns the JSON body.
    pub fn expect_json(&self, status: u16, what: &str) -> Value {
        assert_eq!(self.status, status, "{what}: {}", self.body);
        self.json()
    }
}

/// A client of one server, optionally with a bearer token.
#[derive(Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
    token: Option<String>,
}

impl Client {
    pub fn new(base: &str, timeout: Duration) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build()
            .new_agent();
        Client {
            base: base.to_string(),
            agent,
            token: None,
        }
    }

    /// The same client with this bearer token.
    pub fn with_token(&self, token: &str) -> Client {
        let mut client = self.clone();
        client.token = Some(token.to_string());
        client
    }

    /// A client with fresh connections (a new agent) and the same token.
    pub fn fresh(&self, timeout: Duration) -> Client {
        let mut client = Client::new(&self.base, timeout);
        client.token = self.token.clone();
        client
    }

    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Answer, String> {
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path));
        if let Some(token) = &self.token {
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let started = Instant::now();
        let response = match body {
            Some((content_type, bytes)) => {
                let request = builder
                    .header("Content-Type", content_type)
                    .body(bytes)
                    .map_err(|e| format!("building {method} {path}: {e}"))?;
                self.agent.run(request)
            }
            None => {
                let request = builder
                    .body(())
                    .map_err(|e| format!("building {method} {path}: {e}"))?;
                self.agent.run(request)
            }
        };
        let mut response = response.map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("{method} {path}: reading the body: {e}"))?;
        Ok(Answer {
            status,
            headers,
            body,
            elapsed: started.elapsed(),
        })
    }

    pub fn get(&self, path: &str) -> Result<Answer, String> {
        self.send("GET", path, &[], None)
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Result<Answer, String> {
        self.send(
            "POST",
            path,
            &[],
            Some(("application/json", body.to_string().into_bytes())),
        )
    }

    pub fn put_json(&self, path: &str, if_match: &str, body: &Value) -> Result<Answer, String> {
        self.send(
            "PUT",
            path,
            &[("If-Match", if_match)],
            Some(("application/json", body.to_string().into_bytes())),
        )
    }

    /// `GET` that must answer 200 with JSON.
    pub fn get_ok(&self, path: &str) -> Value {
        let answer = self.get(path).unwrap_or_else(|e| panic!("{e}"));
        answer.expect_json(200, path)
    }

    /// Logs in and returns the access token.
    pub fn login(&self, email: &str, password: &str) -> String {
        let answer = self
            .post_json(
                "/api/v1/auth/login",
                &serde_json::json!({ "email": email, "password": password }),
            )
            .unwrap_or_else(|e| panic!("log in as {email}: {e}"));
        answer.expect_json(200, &format!("log in as {email}"))["access_token"]
            .as_str()
            .expect("an access_token in the login answer")
            .to_string()
    }
}
