//! The crates generated from the fixture specs compile without warnings: the snapshot tests
//! prove what is printed, this proves that it is valid Rust that clippy accepts.
//!
//! Each crate is written to a temporary directory (outside this workspace) and checked with
//! a shared target directory, so dependencies are built once. TLS is left out
//! (`--no-default-features`): it is not what is being tested, and it is the slowest
//! dependency to build.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What the end-to-end tests of fixture crates need besides the crate itself.
const E2E_DEV_DEPENDENCIES: &str = r#"
[dev-dependencies]
tokio = { version = "1.54.1", features = ["macros", "rt-multi-thread"] }
wiremock = "0.6.5"
serde_json = "1.0.145"
"#;

#[test]
fn fixture_crates_pass_clippy() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = manifest.join("../target/fixture-check");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(manifest.join("tests/fixtures"))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    let mut failures = Vec::new();
    for spec in &specs {
        let name = spec.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        let out = dir.path().join(&name);
        let generated = atlas_codegen::generate(spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        atlas_codegen::write::write(&out, &generated.files).unwrap_or_else(|e| panic!("{name}: {e}"));
        // A fixture may come with an end-to-end test of its generated client.
        let e2e = spec.with_extension("e2e.rs");
        let command: &[&str] = if e2e.exists() {
            std::fs::create_dir_all(out.join("tests")).expect("tests dir");
            std::fs::copy(&e2e, out.join("tests/e2e.rs")).expect("copy e2e test");
            let mut manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("manifest");
            manifest.push_str(E2E_DEV_DEPENDENCIES);
            std::fs::write(out.join("Cargo.toml"), manifest).expect("manifest");
            &["test", "--quiet", "--no-default-features"]
        } else {
            &["clippy", "--quiet", "--no-default-features", "--", "-D", "warnings"]
        };
        let result = Command::new(env!("CARGO"))
            .args(command)
            .current_dir(&out)
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        if !result.status.success() {
            failures.push(format!("{name}:\n{}", String::from_utf8_lossy(&result.stderr)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
