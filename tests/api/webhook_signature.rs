//! Webhook signatures checked by an independent implementation: the Standard Webhooks
//! reference library for Python (`standardwebhooks` from PyPI, installed on first use into
//! the target directory), as a receiver would check them (issue 17).

use std::path::PathBuf;
use std::process::Command;

use normtrack::domain::webhook_signature::{headers, Secret};

const PACKAGE: &str = "standardwebhooks==1.3.0";

/// Where the Python package is installed for the tests.
fn python_path() -> PathBuf {
    crate::notify_support::pip_target(PACKAGE, "pydeps-standardwebhooks", "standardwebhooks")
}

/// Whether the reference library accepts `body` with these headers for `secret`.
pub fn verified_by_the_reference_library(secret: &str, body: &str, headers: &[(&str, String)]) -> bool {
    let script = r#"
import json, sys
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
secret, body, headers = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
try:
    Webhook(secret).verify(body, headers)
except WebhookVerificationError as e:
    print(e)
    sys.exit(1)
"#;
    let headers: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(name, value)| (name.to_string(), serde_json::Value::String(value.clone())))
        .collect();
    let output = Command::new("python3")
        .env("PYTHONPATH", python_path())
        .args([
            "-c",
            script,
            secret,
            body,
            &serde_json::Value::Object(headers).to_string(),
        ])
        .output()
        .expect("python3 runs");
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "the verifier itself failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.status.success()
}

#[test]
fn deliveries_are_signed_as_the_standard_webhooks_reference_library_verifies() {
    let secret = Secret::generate();
    let body = r#"{"type":"ratification.changed","timestamp":"2026-12-04T10:00:00Z","data":{"country":"ZWE","convention":"C087","status":"ratified"}}"#;
    let now = chrono::Utc::now().timestamp();
    let signed = headers(&secret, "msg_2fK8qL0s", now, body.as_bytes());
    assert!(verified_by_the_reference_library(&secret.show(), body, &signed));
    // A changed body, another id, another key or a stale time fails there too.
    assert!(!verified_by_the_reference_library(
        &secret.show(),
        &body.replace("ZWE", "VNM"),
        &signed
    ));
    let mut other_id = signed.clone();
    other_id[0].1 = "msg_other".into();
    assert!(!verified_by_the_reference_library(
        &secret.show(),
        body,
        &other_id
    ));
    assert!(!verified_by_the_reference_library(
        &Secret::generate().show(),
        body,
        &signed
    ));
    let stale = headers(&secret, "msg_2fK8qL0s", now - 3600, body.as_bytes());
    assert!(!verified_by_the_reference_library(&secret.show(), body, &stale));
}
