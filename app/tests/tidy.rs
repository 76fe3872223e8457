//! Architecture invariant: `app/src/domain` is pure. It must not import anything that does IO
//! (databases, AWS, HTTP, the runtime, the file system, the network) nor read the clock.

use std::fs;
use std::path::{Path, PathBuf};

const FORBIDDEN: &[&str] = &[
    "sqlx",
    "aws_",
    "axum",
    "tokio",
    "reqwest",
    "hyper",
    "leptos",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn domain_does_no_io_and_reads_no_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("domain.rs")];
    rust_files(&root.join("domain"), &mut files);
    assert!(
        files.len() > 5,
        "expected the domain module files, found {files:?}"
    );
    let mut problems = Vec::new();
    for file in &files {
        let text =
            fs::read_to_string(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in FORBIDDEN {
                if code.contains(word) {
                    problems.push(format!(
                        "{}:{}: uses {word}: {}",
                        file.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the domain must stay pure:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_tidy_check_would_catch_an_import() {
    let line = "use sqlx::SqlitePool;";
    assert!(FORBIDDEN.iter().any(|w| line.contains(w)));
}

#[test]
fn every_module_has_a_doc_line() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["app/src", "frontend/src", "server/src", "server/tests"] {
        rust_files(&crates.join(dir), &mut files);
    }
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            !fs::read_to_string(f)
                .unwrap_or_default()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a //! doc line: {missing:?}"
    );
}
