//! The spec-level verdict (`cargo xtask drift`) and the Rust-level one (`cargo xtask semver`,
//! cargo-semver-checks) agree on a fixture pair: a response field removed
//! (`codegen/tests/drift/field-removed/`) is breaking for both, and a field added
//! (`field-added/`) for neither.
//!
//! Ignored by default: it installs cargo-semver-checks when missing (a one-time build of
//! about 10 minutes on 2 cores) and documents four copies of the generated crate (about 4
//! minutes the first time, to build the dependencies into target/semver-checks; well under
//! a minute after that). Run it with
//!
//! ```sh
//! cargo test -p xtask --test semver -- --ignored
//! ```
//!
//! (the api-drift workflow does; `.ci/run` does when `ATLAS_SEMVER_TEST=1`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(name: &str, side: &str) -> PathBuf {
    root().join("codegen/tests/drift").join(name).join(format!("{side}.yaml"))
}

fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().expect("xtask runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Generates the crates of a fixture pair into `dir/old` and `dir/new`.
fn generate_pair(name: &str, dir: &Path) -> (PathBuf, PathBuf) {
    let mut out = Vec::new();
    for side in ["old", "new"] {
        let crate_dir = dir.join(name).join(side);
        let (code, text) = run(xtask().args(["generate", "--spec"]).arg(fixture(name, side)).arg("--out").arg(&crate_dir));
        assert_eq!(code, 0, "generate {name}/{side}: {text}");
        out.push(crate_dir);
    }
    (out.remove(0), out.remove(0))
}

/// `(spec-level exit code, its JSON report, Rust-level exit code, its output)`.
fn both_verdicts(name: &str, dir: &Path) -> (i32, serde_json::Value, i32, String) {
    let (old_crate, new_crate) = generate_pair(name, dir);
    let out = xtask()
        .args(["drift", "--format", "json", "--fail-on", "breaking", "--from"])
        .arg(fixture(name, "old"))
        .arg("--to")
        .arg(fixture(name, "new"))
        .output()
        .expect("xtask runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let (semver_code, semver_text) = run(xtask().args(["semver", "--baseline-dir"]).arg(&old_crate).arg("--current-dir").arg(&new_crate));
    (out.status.code().unwrap_or(-1), report, semver_code, semver_text)
}

#[test]
#[ignore = "installs and runs cargo-semver-checks (minutes); run with `cargo test -p xtask --test semver -- --ignored`"]
fn spec_level_and_rust_level_verdicts_agree() {
    let dir = tempfile::tempdir().expect("tempdir");

    // A field removed from a response: breaking at both levels.
    let (drift_code, report, semver_code, semver_text) = both_verdicts("field-removed", dir.path());
    assert_eq!(drift_code, 1, "drift: {report:#}");
    let rules: Vec<&str> = report["changes"].as_array().into_iter().flatten().filter_map(|c| c["rule"].as_str()).collect();
    assert_eq!(rules, ["field-removed"], "{report:#}");
    assert_eq!(report["changes"][0]["severity"], "breaking");
    assert_eq!(semver_code, 1, "cargo-semver-checks should report the removed field:\n{semver_text}");
    assert!(
        semver_text.contains("struct_pub_field_missing") && semver_text.contains("field size of struct Thing"),
        "the removed field `Thing::size` is named:\n{semver_text}"
    );

    // An optional field added: breaking at neither level.
    let (drift_code, report, semver_code, semver_text) = both_verdicts("field-added", dir.path());
    assert_eq!(drift_code, 0, "drift: {report:#}");
    assert_eq!(report["summary"]["non_breaking"], 1, "{report:#}");
    assert_eq!(semver_code, 0, "cargo-semver-checks should accept an added optional field:\n{semver_text}");
}
