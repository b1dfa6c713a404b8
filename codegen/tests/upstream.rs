//! The whole published Atlas API, in every form MongoDB publishes it, generates and the
//! crate it gives passes `cargo clippy -D warnings` on its own (outside this workspace).
//!
//! Reads `../shared/upstream/*.yaml`. Without them, outside CI the test says so loudly and
//! skips; in CI (`CI` set) their absence is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

fn upstream_specs() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/upstream");
    let mut specs: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
            .collect(),
        Err(_) => Vec::new(),
    };
    specs.sort();
    if specs.is_empty() {
        assert!(std::env::var_os("CI").is_none(), "CI: no published specs under {}", dir.display());
        eprintln!("\n!!!!! SKIPPED: no published specs under {} !!!!!\n", dir.display());
        return None;
    }
    Some(specs)
}

#[test]
fn whole_published_specs_generate_and_pass_clippy() {
    let Some(specs) = upstream_specs() else { return };
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/upstream-check");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut members = Vec::new();
    for spec in &specs {
        let name = spec.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
        let generated = match atlas_codegen::generate(spec) {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!("{name}: generation failed: {e}"));
                continue;
            }
        };
        assert!(generated.operations >= 300, "{name}: only {} operations", generated.operations);
        // Nothing is dropped silently: whatever was mapped in a weaker way is a warning that
        // names its place in the spec.
        for w in &generated.warnings {
            assert!(w.pointer.starts_with("#/"), "{name}: {w}");
        }
        eprintln!("{name}: {} operations, {} types, {} warnings", generated.operations, generated.types, generated.warnings.len());
        let out = dir.path().join(&name);
        atlas_codegen::write::write(&out, &generated.files).expect("write");
        // Each crate gets a package name of its own so that one `cargo clippy --workspace`
        // checks them side by side (one crate's front end uses one core) over dependencies
        // built once. The crate is otherwise exactly as written; that it also builds on its
        // own is what tests/compile_fixtures.rs proves for every fixture.
        let manifest = out.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).expect("read Cargo.toml");
        assert!(text.contains("name = \"atlas-backup\""), "{name}: Cargo.toml names no package");
        let package = format!("upstream-{}", name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
        std::fs::write(&manifest, text.replacen("name = \"atlas-backup\"", &format!("name = \"{package}\""), 1))
            .expect("write Cargo.toml");
        members.push(name);
    }
    let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    std::fs::write(dir.path().join("Cargo.toml"), format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", list.join(", ")))
        .expect("write workspace");
    // The project's lock file pins the same dependency versions the project is tested with
    // (and needs no index update).
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), dir.path().join("Cargo.lock")).expect("copy lock");
    let result = Command::new(env!("CARGO"))
        .args(["clippy", "--quiet", "--workspace", "--no-default-features", "--", "-D", "warnings"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    if !result.status.success() {
        let stderr = String::from_utf8_lossy(&result.stderr);
        failures.push(format!("clippy failed:\n{}", stderr.chars().take(6000).collect::<String>()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
