//! `cargo xtask generate` as users run it: exit codes, all-or-nothing writes, `--check`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("xtask runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn checked_in_crate_is_current() {
    let (code, stdout, stderr) = run(xtask().args(["generate", "--check"]));
    assert_eq!(code, 0, "generated/ is stale; run `cargo xtask generate`\n{stdout}{stderr}");
}

#[test]
fn generate_then_check_then_edit_makes_check_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec.yaml");
    std::fs::copy(root().join("spec/atlas-backup.yaml"), &spec).expect("copy spec");
    let out = dir.path().join("crate");
    let (code, stdout, stderr) = run(xtask().args(["generate", "--spec"]).arg(&spec).arg("--out").arg(&out));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("operations") && stdout.contains("files"), "summary line: {stdout}");
    let lib = out.join("src/lib.rs");
    let before = std::fs::metadata(&lib).and_then(|m| m.modified()).expect("mtime");

    // A second run changes nothing on disk: same bytes, same modification times.
    let (code, stdout, _) = run(xtask().args(["generate", "--spec"]).arg(&spec).arg("--out").arg(&out));
    assert_eq!(code, 0);
    assert!(stdout.contains("(0 changed, 0 removed)"), "{stdout}");
    assert_eq!(std::fs::metadata(&lib).and_then(|m| m.modified()).expect("mtime"), before);

    let (code, _, _) = run(xtask().args(["generate", "--check", "--spec"]).arg(&spec).arg("--out").arg(&out));
    assert_eq!(code, 0);

    // Change a description: the output changes, so --check fails naming the stale file.
    let text = std::fs::read_to_string(&spec).expect("read").replacen(
        "summary: Take an on-demand snapshot of a cluster",
        "summary: Take one on-demand snapshot of a cluster",
        1,
    );
    std::fs::write(&spec, text).expect("write");
    let (code, _, stderr) = run(xtask().args(["generate", "--check", "--spec"]).arg(&spec).arg("--out").arg(&out));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("stale:") && stderr.contains("cloud_backups.rs"), "{stderr}");
}

#[test]
fn broken_specs_exit_1_and_write_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("syntax.yaml", "openapi: 3.0.1\ninfo: {title: x, version: '1'\npaths: {}\n", "syntax.yaml"),
        (
            "dangling.yaml",
            "openapi: 3.0.1\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Nope'}\n",
            "#/components/schemas/Nope",
        ),
    ];
    for (name, text, expected) in cases {
        let spec = dir.path().join(name);
        std::fs::write(&spec, text).expect("write spec");
        let out = dir.path().join(format!("out-{name}"));
        let (code, _, stderr) = run(xtask().args(["generate", "--spec"]).arg(&spec).arg("--out").arg(&out));
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(stderr.contains(name) && stderr.contains(expected), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.exists(), "{name}: something was written");
    }
}

#[test]
fn refuses_to_overwrite_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("notes.txt"), "mine").expect("write");
    let (code, _, stderr) = run(xtask().args(["generate", "--out"]).arg(dir.path()));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).expect("kept"), "mine");
}

/// A spec whose constructs are mapped in a weaker way: warnings are printed with their count
/// by kind and the crate is written; `--strict` refuses it and writes nothing.
#[test]
fn warnings_are_counted_by_kind_and_strict_refuses_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("warned.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.1\ninfo: {title: x, version: '1'}\npaths:\n  /groups/{groupId}/items:\n    get:\n      parameters:\n        - {name: groupId, in: path, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                anyOf: [{type: string}, {type: integer}]\n",
    )
    .expect("write spec");

    let out = dir.path().join("lenient");
    let (code, _, stderr) = run(xtask().args(["generate", "--spec"]).arg(&spec).arg("--out").arg(&out));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning[missing-operation-id]"), "{stderr}");
    assert!(stderr.contains("#/paths/~1groups~1{groupId}~1items/get"), "warnings name the pointer: {stderr}");
    let summary = stderr.lines().find(|l| l.contains("warning(s) (")).unwrap_or_default();
    assert!(summary.contains("missing-operation-id: 1"), "count by kind: {stderr}");
    assert!(out.join("src/lib.rs").exists());

    let strict = dir.path().join("strict");
    let (code, _, stderr) = run(xtask().args(["generate", "--strict", "--spec"]).arg(&spec).arg("--out").arg(&strict));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--strict") && stderr.contains("nothing written"), "{stderr}");
    assert!(!strict.exists(), "--strict wrote files");
}

/// The workspace is the one cargo runs the xtask in (`CARGO_MANIFEST_DIR` at run time), not
/// the one it was compiled in: two clones sharing a `CARGO_TARGET_DIR` run the same binary.
#[test]
fn generate_writes_into_the_workspace_it_runs_in() {
    let other = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(other.path().join("xtask")).expect("mkdir");
    std::fs::create_dir_all(other.path().join("spec")).expect("mkdir");
    std::fs::copy(root().join("spec/atlas-backup.yaml"), other.path().join("spec/atlas-backup.yaml")).expect("copy spec");
    std::fs::copy(root().join("spec/atlas-backup.overlay.yaml"), other.path().join("spec/atlas-backup.overlay.yaml"))
        .expect("copy overlay");
    let ours = root().join("generated/src/lib.rs");
    let before = std::fs::metadata(&ours).and_then(|m| m.modified()).expect("mtime");

    let (code, stdout, stderr) =
        run(xtask().arg("generate").env("CARGO_MANIFEST_DIR", other.path().join("xtask")).current_dir(other.path()));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(other.path().join("generated/src/lib.rs").is_file(), "nothing written into the other clone: {stdout}");
    assert!(stdout.contains(&other.path().join("generated").display().to_string()), "{stdout}");
    assert_eq!(std::fs::metadata(&ours).and_then(|m| m.modified()).expect("mtime"), before, "this clone's generated/ was touched");
}

/// Issue 12's acceptance: a spec update that drops a status a waiter waits for breaks
/// generation loudly (the waiter, the pointer, the value), and nothing is written. The table
/// is in the overlay beside the spec (found by its name), so the error points into it.
#[test]
fn removing_a_status_a_waiter_needs_exits_1_naming_the_waiter() {
    let (dir, spec, text) = spec_copy();
    let start = text.find("\n    DiskBackupReplicaSet:\n").expect("DiskBackupReplicaSet");
    let at = start + text[start..].find("          - completed\n").expect("its completed value");
    let edited = format!("{}{}", &text[..at], &text[at + "          - completed\n".len()..]);
    std::fs::write(&spec, edited).expect("write spec");
    let out = dir.path().join("crate");
    let (code, stdout, stderr) = run(xtask().args(["generate", "--spec"]).arg(&spec).arg("--out").arg(&out));
    assert_eq!(code, 1, "{stdout}{stderr}");
    for expected in [
        "waiter \"snapshotCompleted\"",
        "#/actions/4/update/x-atlas-waiters/0/acceptors/0/matcher/equals/0",
        "value \"completed\" is not in the enum of `status`",
        "spec.overlay.yaml:",
    ] {
        assert!(stderr.contains(expected), "expected {expected:?} in: {stderr}");
    }
    assert!(!out.exists(), "nothing may be written");
}

/// A copy of spec/ in a temporary directory as `spec.yaml` with its overlay beside it as
/// `spec.overlay.yaml`; answers the directory, the spec's path and its text.
fn spec_copy() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec.yaml");
    let text = std::fs::read_to_string(root().join("spec/atlas-backup.yaml")).expect("read spec");
    std::fs::write(&spec, &text).expect("write spec");
    std::fs::copy(root().join("spec/atlas-backup.overlay.yaml"), dir.path().join("spec.overlay.yaml")).expect("copy overlay");
    (dir, spec, text)
}

/// Issue 28's acceptance: a state Atlas adds to a field a waiter watches (snapshots gain
/// `cancelled`) fails generation naming the waiter, the field and the value, and nothing is
/// written: the waiter would otherwise poll a cancelled snapshot until its time ran out.
#[test]
fn a_status_no_acceptor_classifies_exits_1_naming_waiter_field_and_value() {
    let (dir, spec, text) = spec_copy();
    let start = text.find("\n    DiskBackupReplicaSet:\n").expect("DiskBackupReplicaSet");
    let at = start + text[start..].find("          - completed\n").expect("its completed value");
    let edited = format!("{}          - cancelled\n{}", &text[..at], &text[at..]);
    std::fs::write(&spec, edited).expect("write spec");
    let out = dir.path().join("crate");
    let (code, stdout, stderr) = run(xtask().args(["generate", "--spec"]).arg(&spec).arg("--out").arg(&out));
    assert_eq!(code, 1, "{stdout}{stderr}");
    for expected in [
        "waiter \"snapshotCompleted\"",
        "no acceptor classifies `cancelled` of `status`",
        "spec.overlay.yaml:",
        "#/actions/4/update/x-atlas-waiters/0/acceptors",
    ] {
        assert!(stderr.contains(expected), "expected {expected:?} in: {stderr}");
    }
    assert!(!out.exists(), "nothing may be written");
    // Saying what the rest means (`otherwise: retry`) is the other way to classify it.
    let overlay = dir.path().join("spec.overlay.yaml");
    let table = std::fs::read_to_string(&overlay).expect("read overlay");
    let named = "      - name: snapshotCompleted\n";
    assert!(table.contains(named), "{table}");
    std::fs::write(&overlay, table.replace(named, &format!("{named}        otherwise: retry\n"))).expect("write overlay");
    let (code, stdout, stderr) = run(xtask().args(["generate", "--spec"]).arg(&spec).arg("--out").arg(&out));
    assert_eq!(code, 0, "{stdout}{stderr}");
}

/// `--overlay FILE` applies that overlay to any spec: spec/ with its overlay given by hand
/// under another name generates exactly generated/; without any overlay the waiters are gone,
/// so generated/ differs.
#[test]
fn the_overlay_flag_applies_an_overlay_to_any_spec() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Named as spec/ names it: the generated files name their spec.
    let spec = dir.path().join("atlas-backup.yaml");
    std::fs::copy(root().join("spec/atlas-backup.yaml"), &spec).expect("copy spec");
    let overlay = dir.path().join("waiters.yaml");
    std::fs::copy(root().join("spec/atlas-backup.overlay.yaml"), &overlay).expect("copy overlay");
    let generated = root().join("generated");
    let (code, stdout, stderr) =
        run(xtask().args(["generate", "--check", "--spec"]).arg(&spec).arg("--overlay").arg(&overlay).arg("--out").arg(&generated));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, stderr) = run(xtask().args(["generate", "--check", "--spec"]).arg(&spec).arg("--out").arg(&generated));
    assert_eq!(code, 1, "without the overlay the waiters must be missing: {stdout}{stderr}");
    assert!(stderr.contains("stale:"), "{stderr}");
    // A stale action is refused, naming the overlay, the action and its target.
    let stale = std::fs::read_to_string(&overlay)
        .expect("read overlay")
        .replace("/backup/exports/{exportId}']", "/backup/goneExports/{exportId}']");
    std::fs::write(&overlay, stale).expect("write overlay");
    let out = dir.path().join("crate");
    let (code, stdout, stderr) = run(xtask().args(["generate", "--spec"]).arg(&spec).arg("--overlay").arg(&overlay).arg("--out").arg(&out));
    assert_eq!(code, 1, "{stdout}{stderr}");
    for expected in [
        "waiters.yaml:",
        "#/actions/1/target",
        "overlay action 1 (\"waiters of getBackupExport (exportCompleted)\") is stale",
        "goneExports/{exportId}']",
    ] {
        assert!(stderr.contains(expected), "expected {expected:?} in: {stderr}");
    }
    assert!(!out.exists(), "nothing may be written");
}
