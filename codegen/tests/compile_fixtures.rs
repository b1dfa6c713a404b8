//! The crates generated from the fixture specs compile without warnings: the snapshot tests
//! prove what is printed, this proves that it is valid Rust that clippy accepts.
//!
//! Each crate is written to a temporary directory (outside this workspace). They become the
//! members of one throwaway workspace, so one `cargo clippy` checks them side by side (a
//! crate's front end uses one core) over dependencies built once, pinned by the project's
//! lock file. TLS is left out (`--no-default-features`): it is not what is being tested,
//! and it is the slowest dependency to build. A fixture with an end-to-end test
//! (`<name>.e2e.rs`) also has that test run against its generated client.

use std::path::{Path, PathBuf};

/// What the end-to-end tests of fixture crates need besides the crate itself, added to the
/// generated manifest's own `[dev-dependencies]` (which has tokio with `macros` and `rt`,
/// for the runtime's tests).
const E2E_DEV_DEPENDENCIES: &str = r#"wiremock = "0.6.5"
serde_json = "1.0.145"
"#;

mod support;

#[test]
fn fixture_crates_pass_clippy() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = manifest.join("../target/fixture-check");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(manifest.join("tests/fixtures"))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    let mut workspace = support::Workspace::new();
    let mut with_e2e = Vec::new();
    for spec in &specs {
        let name = spec.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        let generated = atlas_codegen::generate(spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let package = format!("fixture-{}", name.replace('_', "-"));
        let out = workspace.add(&name, &package, &generated.files);
        let e2e = spec.with_extension("e2e.rs");
        if e2e.exists() {
            std::fs::create_dir_all(out.join("tests")).expect("tests dir");
            std::fs::copy(&e2e, out.join("tests/e2e.rs")).expect("copy e2e test");
            let cargo_toml = std::fs::read_to_string(out.join("Cargo.toml")).expect("manifest");
            let table = "\n[dev-dependencies]\n";
            assert!(cargo_toml.contains(table), "{name}: the manifest has no [dev-dependencies]");
            let cargo_toml = cargo_toml.replacen(table, &format!("{table}{E2E_DEV_DEPENDENCIES}"), 1);
            std::fs::write(out.join("Cargo.toml"), cargo_toml).expect("manifest");
            with_e2e.push(package);
        }
    }

    let mut failures = Vec::new();
    // With the mock, so that its generated rules and views are checked for every fixture.
    let clippy = ["clippy", "--quiet", "--workspace", "--all-targets", "--no-default-features", "--features", "mock", "--", "-D", "warnings"];
    if let Err(e) = workspace.cargo(&target, &clippy) {
        failures.push(e);
    }
    for package in &with_e2e {
        if let Err(e) = workspace.cargo(&target, &["test", "--quiet", "--no-default-features", "--package", package]) {
            failures.push(format!("{package}: {e}"));
        }
    }
    assert!(!with_e2e.is_empty(), "no fixture has an end-to-end test any more");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
