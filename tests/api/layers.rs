//! Layers point one way (issue 14): `api` → `service` → (`domain`, `repo`, `import`) → `db`.
//! Nothing below the HTTP layer may refer to it.

use std::path::Path;

fn rust_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn nothing_below_the_http_layer_refers_to_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in ["service", "domain", "repo", "import", "db", "outbound"] {
        rust_files(&src.join(layer), &mut files);
        let single = src.join(format!("{layer}.rs"));
        if single.exists() {
            files.push(single);
        }
    }
    assert!(files.len() > 20, "{} files", files.len());
    let mut offenders = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("crate::api") || code.contains("super::api") || code.contains("crate::{api") {
                offenders.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "below the HTTP layer, refers to it:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn no_transaction_is_opened_in_the_http_layer() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api"), &mut files);
    let mut offenders = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("transaction(") || code.contains("build_transaction") {
                offenders.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "writes belong in service functions, not handlers:\n{}",
        offenders.join("\n")
    );
}

/// Lines of code (comments dropped) of every Rust file under `src/`, by file.
fn source_lines() -> Vec<(std::path::PathBuf, Vec<(usize, String)>)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("a source file");
            let lines = text
                .lines()
                .enumerate()
                .map(|(i, line)| (i + 1, line.split("//").next().unwrap_or("").to_string()))
                .collect();
            (file, lines)
        })
        .collect()
}

#[test]
fn the_audit_log_is_written_only_through_service_audit() {
    let mut offenders = Vec::new();
    for (file, lines) in source_lines() {
        let name = file.to_string_lossy().replace('\\', "/");
        if name.ends_with("src/service/audit.rs") || name.ends_with("src/repo/audit.rs") {
            continue;
        }
        let imports_repo_audit = lines.iter().any(|(_, l)| {
            l.contains("repo::audit;") || l.contains("repo::{self, audit") || l.contains("repo::audit::{self")
        });
        for (n, line) in &lines {
            let writes = line.contains("repo::audit::record")
                || (imports_repo_audit
                    && (line.contains("audit::record(") || line.contains("audit::record_many(")));
            if writes {
                offenders.push(format!("{name}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "audit entries are written through service::audit only:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn records_are_answered_with_their_etag_in_one_place() {
    let mut offenders = Vec::new();
    for (file, lines) in source_lines() {
        let name = file.to_string_lossy().replace('\\', "/");
        // answer.rs is the one helper; the dashboard's and the read cache's ETags are cache
        // validators of a kept answer (If-None-Match), not a record's version (the read cache
        // keeps a record's own tag where the handler set one).
        if !name.contains("src/api/")
            || name.ends_with("api/answer.rs")
            || name.ends_with("api/dashboard.rs")
            || name.ends_with("api/read_cache.rs")
        {
            continue;
        }
        for (n, line) in &lines {
            if line.contains("header::ETAG") {
                offenders.push(format!("{name}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "a record's ETag is set by api::answer::versioned only:\n{}",
        offenders.join("\n")
    );
}
