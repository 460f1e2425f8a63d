//! The committed OpenAPI document is the one the code generates, and the one it serves.

use std::path::Path;

use crate::on_both_engines;

fn committed_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("openapi")
        .join("openapi.json")
}

#[test]
fn committed_openapi_document_matches_the_code() {
    let generated = normtrack::openapi::document_json();
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(committed_path(), &generated).expect("write openapi/openapi.json");
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `cargo run -- openapi --output openapi/openapi.json` \
         (or UPDATE_OPENAPI=1 cargo test committed_openapi) and commit it"
    );
}

#[test]
fn every_documented_list_and_detail_route_is_in_the_document() {
    let doc: serde_json::Value = serde_json::from_str(&normtrack::openapi::document_json()).unwrap();
    for path in [
        "/healthz",
        "/readyz",
        "/api/v1/countries",
        "/api/v1/countries/{iso3}",
        "/api/v1/conventions",
        "/api/v1/conventions/{code}",
        "/api/v1/ratifications",
        "/api/v1/ratifications/{iso3}/{code}",
    ] {
        assert!(
            doc["paths"][path]["get"].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
}

on_both_engines! {
    fn serves_the_committed_document(app) {
        let served = app.get("/api-docs/openapi.json").ok_json();
        let committed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(committed_path()).unwrap_or_default()).unwrap_or_default();
        assert_eq!(served, committed);
    }
}
