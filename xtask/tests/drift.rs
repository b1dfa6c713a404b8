//! `cargo xtask drift` as users and CI run it: spec files and git revisions as input,
//! Markdown and JSON output, `--fail-on` exit codes, clear errors. The classification itself
//! is tested in `codegen/tests/drift.rs`; these tests reuse its fixture pairs.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::root;

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

/// A fixture pair of the drift engine's tests: `codegen/tests/drift/<name>/{old,new}.yaml`.
fn fixture(name: &str, side: &str) -> PathBuf {
    root().join("codegen/tests/drift").join(name).join(format!("{side}.yaml"))
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("xtask runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn drift(from: &Path, to: &Path, extra: &[&str]) -> (i32, String, String) {
    run(xtask().arg("drift").arg("--from").arg(from).arg("--to").arg(to).args(extra))
}

#[test]
fn markdown_groups_by_severity_and_fail_on_sets_the_exit_code() {
    let (old, new) = (fixture("discriminator-changed", "old"), fixture("discriminator-changed", "new"));
    let (code, stdout, stderr) = drift(&old, &new, &[]);
    assert_eq!(code, 0, "no --fail-on: the report is printed and the exit is 0\n{stdout}{stderr}");
    assert!(stdout.starts_with("## API drift: "), "{stdout}");
    let breaking = stdout.find("### Breaking (1)").expect("a Breaking section");
    let non_breaking = stdout.find("### Non-breaking (1)").expect("a Non-breaking section");
    assert!(breaking < non_breaking, "sections in order of severity:\n{stdout}");
    assert!(stdout[breaking..non_breaking].contains("`circle` removed"), "{stdout}");
    assert!(stderr.contains("drift: 1 breaking, 1 non-breaking, 0 info"), "{stderr}");

    let (code, _, _) = drift(&old, &new, &["--fail-on", "breaking"]);
    assert_eq!(code, 1);
    // Additive only: passes --fail-on breaking, fails --fail-on non-breaking.
    let (old, new) = (fixture("field-added", "old"), fixture("field-added", "new"));
    assert_eq!(drift(&old, &new, &["--fail-on", "breaking"]).0, 0);
    assert_eq!(drift(&old, &new, &["--fail-on", "non-breaking"]).0, 1);
    // Info only (a description): passes both.
    let (old, new) = (fixture("description-changed", "old"), fixture("description-changed", "new"));
    assert_eq!(drift(&old, &new, &["--fail-on", "non-breaking"]).0, 0);
}

#[test]
fn json_output_is_the_report() {
    let (old, new) = (fixture("field-removed", "old"), fixture("field-removed", "new"));
    let (code, stdout, stderr) = drift(&old, &new, &["--format", "json", "--fail-on", "breaking"]);
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is one JSON document");
    assert_eq!(report["summary"]["breaking"], 1, "{stdout}");
    let change = &report["changes"][0];
    assert_eq!(change["severity"], "breaking");
    assert_eq!(change["rule"], "field-removed");
    assert_eq!(change["subject"], serde_json::json!({"kind": "schema", "name": "Thing"}));
    assert_eq!(change["field"], "size");
    assert_eq!(change["pointer"], "#/components/schemas/Thing/properties/size");
}

#[test]
fn a_spec_against_itself_is_empty_and_exits_0() {
    let spec = root().join("spec/atlas-backup.yaml");
    let (code, stdout, stderr) = drift(&spec, &spec, &["--fail-on", "non-breaking"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("No changes."), "{stdout}");
    let (code, stdout, _) = drift(&spec, &spec, &["--format", "json"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(report["changes"], serde_json::json!([]));
}

/// Issue 34: a copy of spec/ without the overlay beside it reads as every waiter removed;
/// the report says that the two sides differ in overlay instead of passing it off as drift,
/// and two sides with the same overlay get no such note.
#[test]
fn a_report_whose_sides_differ_in_overlay_says_so() {
    let spec = root().join("spec/atlas-backup.yaml");
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("edited.yaml");
    std::fs::copy(&spec, &copy).expect("copy the spec");
    let (code, stdout, stderr) = drift(&spec, &copy, &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("the two sides differ in overlay")
            && stdout.contains("atlas-backup.overlay.yaml")
            && stdout.contains("has no overlay"),
        "{stdout}"
    );
    assert!(stdout.contains("waiter-removed"), "the overlay's waiters are what differs: {stdout}");
    assert!(stderr.contains("differ in overlay"), "{stderr}");
    std::fs::copy(root().join("spec/atlas-backup.overlay.yaml"), dir.path().join("edited.overlay.yaml")).expect("copy the overlay");
    let (_, stdout, _) = drift(&spec, &copy, &[]);
    assert!(!stdout.contains("differ in overlay") && stdout.contains("No changes."), "{stdout}");
}

#[test]
fn tags_restrict_the_report() {
    let (old, new) = (fixture("operation-added", "old"), fixture("operation-added", "new"));
    let (code, stdout, _) = drift(&old, &new, &["--tags", "Other, Nothing", "--fail-on", "non-breaking"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("Compared tags Nothing, Other") && stdout.contains("No changes."), "{stdout}");
}

/// A throwaway repository with two commits of `spec/atlas-backup.yaml`: the `field-removed`
/// fixture before and after. Only this temporary repository is written to.
fn repo_with_two_commits() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["-c", "user.name=drift test", "-c", "user.email=drift@example.invalid", "-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "--quiet"]);
    std::fs::create_dir(dir.path().join("spec")).expect("mkdir");
    for side in ["old", "new"] {
        std::fs::copy(fixture("field-removed", side), dir.path().join("spec/atlas-backup.yaml")).expect("copy");
        git(&["add", "spec/atlas-backup.yaml"]);
        git(&["commit", "--quiet", "-m", side]);
    }
    dir
}

#[test]
fn git_revisions_are_read_with_git() {
    let repo = repo_with_two_commits();
    let (code, stdout, stderr) =
        run(xtask().args(["drift", "--from", "HEAD~1", "--to", "HEAD", "--fail-on", "breaking", "--repo"]).arg(repo.path()));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.starts_with("## API drift: `HEAD~1:spec/atlas-backup.yaml` → `HEAD:spec/atlas-backup.yaml`"), "{stdout}");
    assert!(stdout.contains("field `size` removed (response)"), "{stdout}");

    // A revision on one side, a file on the other.
    let (code, stdout, _) = run(xtask()
        .args(["drift", "--from", "HEAD", "--fail-on", "non-breaking", "--repo"])
        .arg(repo.path())
        .arg("--to")
        .arg(fixture("field-removed", "new")));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("No changes."), "{stdout}");
}

#[test]
fn the_workspace_repository_is_the_default() {
    // CI runs in a clone; a copy of the sources without .git has nothing to read.
    if !root().join(".git").exists() {
        support::missing("the_workspace_repository_is_the_default", &format!("{} is not a git work tree", root().display()));
        return;
    }
    let (code, stdout, stderr) = run(xtask().args(["drift", "--from", "HEAD", "--to", "HEAD", "--fail-on", "non-breaking"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("No changes."), "{stdout}");
}

#[test]
fn inputs_that_are_neither_file_nor_revision_are_refused_clearly() {
    let repo = repo_with_two_commits();
    let spec = fixture("field-removed", "old");
    let (code, stdout, stderr) = run(xtask().args(["drift", "--from", "no-such-branch", "--repo"]).arg(repo.path()).arg("--to").arg(&spec));
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "no report on error: {stdout}");
    assert!(
        stderr.starts_with("error: `no-such-branch` is neither a spec file nor a git revision with spec/atlas-backup.yaml"),
        "{stderr}"
    );

    // A file that is not a spec: the loader's message, with the file name.
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "openapi: 3.0.1\npaths: [\n").expect("write");
    let (code, _, stderr) = drift(&bad, &spec, &[]);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("error: ") && stderr.contains("bad.yaml"), "{stderr}");
}

/// The acceptance check, through the command line: the shared-tier operations
/// removed between the 2025-06-30 and 2026-08-13 published specs are breaking.
#[test]
fn published_specs_shared_tier_removal_fails_on_breaking() {
    let test = "published_specs_shared_tier_removal_fails_on_breaking";
    let (Some(old), Some(new)) =
        (support::upstream(test, "atlas-api-2025-06-30.yaml"), support::upstream(test, "atlas-api-2026-08-13.yaml"))
    else {
        return;
    };
    let (code, stdout, stderr) = drift(&old, &new, &["--fail-on", "breaking"]);
    assert_eq!(code, 1, "{stderr}");
    let breaking_end = stdout.find("### Non-breaking").unwrap_or(stdout.len());
    let breaking = &stdout[stdout.find("### Breaking").expect("a Breaking section")..breaking_end];
    let removed: Vec<&str> = breaking.lines().filter(|l| l.contains("/backup/tenant/") && l.contains("[operation-removed]")).collect();
    assert!(removed.len() >= 4, "shared-tier removals listed as breaking:\n{}", removed.join("\n"));
    for id in ["downloadSharedClusterBackup", "getSharedClusterBackup", "getSharedClusterBackupRestoreJob"] {
        assert!(removed.iter().any(|l| l.contains(&format!("`{id}`"))), "{id} not among\n{}", removed.join("\n"));
    }
}
