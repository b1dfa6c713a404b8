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
use std::process::Command;

/// What the end-to-end tests of fixture crates need besides the crate itself.
const E2E_DEV_DEPENDENCIES: &str = r#"
[dev-dependencies]
tokio = { version = "1.54.1", features = ["macros", "rt-multi-thread"] }
wiremock = "0.6.5"
serde_json = "1.0.145"
"#;

fn cargo(dir: &Path, target: &Path, args: &[&str]) -> Result<(), String> {
    let result = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    if result.status.success() {
        Ok(())
    } else {
        Err(format!("cargo {}:\n{}", args.join(" "), String::from_utf8_lossy(&result.stderr)))
    }
}

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
    let mut members = Vec::new();
    let mut with_e2e = Vec::new();
    for spec in &specs {
        let name = spec.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        let out = dir.path().join(&name);
        let generated = atlas_codegen::generate(spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        atlas_codegen::write::write(&out, &generated.files).unwrap_or_else(|e| panic!("{name}: {e}"));
        // A package name of its own per fixture (members of one workspace must differ); the
        // library keeps its name, so the generated doc examples and tests use it as users do.
        let package = format!("fixture-{}", name.replace('_', "-"));
        let mut cargo_toml = std::fs::read_to_string(out.join("Cargo.toml")).expect("manifest");
        assert!(cargo_toml.contains("name = \"atlas-backup\""), "{name}: Cargo.toml names no package");
        cargo_toml = cargo_toml.replacen("name = \"atlas-backup\"", &format!("name = \"{package}\""), 1);
        cargo_toml.push_str("\n[lib]\nname = \"atlas_backup\"\n");
        let e2e = spec.with_extension("e2e.rs");
        if e2e.exists() {
            std::fs::create_dir_all(out.join("tests")).expect("tests dir");
            std::fs::copy(&e2e, out.join("tests/e2e.rs")).expect("copy e2e test");
            cargo_toml.push_str(E2E_DEV_DEPENDENCIES);
            with_e2e.push(package);
        }
        std::fs::write(out.join("Cargo.toml"), cargo_toml).expect("manifest");
        members.push(format!("{name:?}"));
    }
    std::fs::write(dir.path().join("Cargo.toml"), format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", members.join(", ")))
        .expect("write workspace");
    std::fs::copy(manifest.join("../Cargo.lock"), dir.path().join("Cargo.lock")).expect("copy lock");

    let mut failures = Vec::new();
    if let Err(e) = cargo(dir.path(), &target, &["clippy", "--quiet", "--workspace", "--all-targets", "--no-default-features", "--", "-D", "warnings"]) {
        failures.push(e);
    }
    for package in &with_e2e {
        if let Err(e) = cargo(dir.path(), &target, &["test", "--quiet", "--no-default-features", "--package", package]) {
            failures.push(format!("{package}: {e}"));
        }
    }
    assert!(!with_e2e.is_empty(), "no fixture has an end-to-end test any more");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
