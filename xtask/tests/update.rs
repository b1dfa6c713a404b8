//! `cargo xtask spec update` and `release` on temporary workspaces, never on the checkout.
//!
//! The fixture pairs in `tests/update/`: `old.yaml` (with `old.overlay.yaml`, a waiter on
//! the snapshot's `status`) is spec/, and each other file is a new upstream document that
//! differs from it in one way. Each test asserts spec/, the version, the changelog entry,
//! and on refusal that nothing at all was written.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{root, upstream};

fn fixtures() -> PathBuf {
    root().join("xtask/tests/update")
}

/// A workspace of its own: the xtask finds it through `CARGO_MANIFEST_DIR`.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// The fixture spec with its overlay, generated, with a first changelog entry.
    fn fixture() -> Workspace {
        let ws = Workspace::empty();
        ws.copy(&fixtures().join("old.yaml"), "spec/atlas-backup.yaml");
        ws.copy(&fixtures().join("old.overlay.yaml"), "spec/atlas-backup.overlay.yaml");
        ws.copy(&fixtures().join("intended-differences.yaml"), "spec/intended-differences.yaml");
        ws.ok(&["generate"]);
        ws.ok(&["release", "--date", "2026-01-01"]);
        ws
    }

    /// spec/ and generated/ of the checkout.
    fn checkout() -> Workspace {
        let ws = Workspace::empty();
        for f in ["atlas-backup.yaml", "atlas-backup.overlay.yaml", "intended-differences.yaml"] {
            ws.copy(&root().join("spec").join(f), &format!("spec/{f}"));
        }
        for (rel, _) in files(&root().join("generated")) {
            ws.copy(&root().join("generated").join(&rel), &format!("generated/{rel}"));
        }
        ws.copy(&root().join("Cargo.lock"), "Cargo.lock");
        ws
    }

    /// v2.yaml (2026-08-12) edited by `edit`, alone in the folder `download/` as a maintainer
    /// downloads it; its path.
    fn download(&self, v2: &Path, edit: impl FnOnce(&mut serde_yaml::Value)) -> String {
        let text = std::fs::read_to_string(v2).unwrap_or_else(|e| panic!("{}: {e}", v2.display()));
        let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("v2.yaml does not parse: {e}"));
        edit(&mut doc);
        self.write("download/v2.yaml", &serde_yaml::to_string(&doc).unwrap_or_else(|e| panic!("{e}")));
        self.path("download/v2.yaml").display().to_string()
    }

    fn empty() -> Workspace {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}"));
        let ws = Workspace { dir };
        for f in ["Cargo.toml", "xtask/Cargo.toml"] {
            ws.write(f, "");
        }
        ws
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }

    fn copy(&self, from: &Path, rel: &str) {
        let text = std::fs::read(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Exit code and stdout + stderr of `cargo xtask ARGS` in this workspace.
    fn run(&self, args: &[&str]) -> (Option<i32>, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .env("CARGO_MANIFEST_DIR", self.path("xtask"))
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run xtask {args:?}: {e}"));
        (out.status.code(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }

    fn ok(&self, args: &[&str]) -> String {
        let (code, out) = self.run(args);
        assert_eq!(code, Some(0), "xtask {args:?} failed:\n{out}");
        out
    }

    /// `spec update --from` a fixture, dated 2026-02-01.
    fn update(&self, case: &str) -> (Option<i32>, String) {
        let from = fixtures().join(format!("{case}.yaml"));
        self.run(&["spec", "update", "--from", &from.display().to_string(), "--date", "2026-02-01"])
    }

    /// Every file of spec/ and generated/, for "nothing was written".
    fn state(&self) -> BTreeMap<String, Vec<u8>> {
        let mut all = BTreeMap::new();
        for d in ["spec", "generated"] {
            for (rel, bytes) in files(&self.path(d)) {
                all.insert(format!("{d}/{rel}"), bytes);
            }
        }
        all
    }

    /// Every Rust source of the generated crate, as one text.
    fn sources(&self) -> String {
        files(&self.path("generated/src")).into_iter().map(|(_, b)| String::from_utf8_lossy(&b).into_owned()).collect()
    }

    fn spec(&self) -> serde_yaml::Value {
        serde_yaml::from_str(&self.read("spec/atlas-backup.yaml")).unwrap_or_else(|e| panic!("spec/ does not parse: {e}"))
    }

    fn version(&self) -> String {
        let spec = self.spec();
        spec["info"]["x-crate-version"].as_str().unwrap_or_else(|| panic!("no info.x-crate-version in spec/")).to_owned()
    }

    /// The newest changelog entry.
    fn last_entry(&self) -> String {
        let text = self.read("generated/CHANGELOG.md");
        let start = text.find("\n## [").map_or_else(|| panic!("no entry:\n{text}"), |i| i + 1);
        let rest = &text[start..];
        rest[..rest[1..].find("\n## [").map_or(rest.len(), |i| i + 1)].to_owned()
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let (Ok(rel), Ok(bytes)) = (p.strip_prefix(dir), std::fs::read(&p)) {
                out.push((rel.to_string_lossy().replace('\\', "/"), bytes));
            }
        }
    }
    out.sort();
    out
}

fn manifest_version(manifest: &str) -> Option<&str> {
    manifest.lines().find_map(|l| l.strip_prefix("version = \"")).and_then(|r| r.strip_suffix('"'))
}

#[test]
fn an_operation_added_upstream_is_taken_with_its_schema_and_bumps_the_patch() {
    let ws = Workspace::fixture();
    assert_eq!(ws.version(), "0.1.0");
    let (code, out) = ws.update("operation-added");
    assert_eq!(code, Some(0), "{out}");
    let spec = ws.spec();
    let op = &spec["paths"]["/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/schedule"]["get"];
    assert_eq!(op["operationId"].as_str(), Some("getBackupSchedule"), "the new operation is not in spec/");
    // new items take upstream's words, and are listed for review
    assert_eq!(op["description"].as_str(), Some("Upstream's description of the schedule."));
    assert!(spec["components"]["schemas"]["Schedule"]["properties"]["referenceHourOfDay"].is_mapping(), "the schema it reaches came along");
    assert!(out.contains("review: operation getBackupSchedule"), "{out}");
    // ours stay: the waiter's operation and its description
    assert_eq!(spec["components"]["schemas"]["Snapshot"]["description"].as_str(), Some("Our description of a snapshot."));

    assert_eq!(ws.version(), "0.1.1");
    for m in ["generated/Cargo.toml", "generated/cli/Cargo.toml"] {
        assert_eq!(manifest_version(&ws.read(m)), Some("0.1.1"), "{m}");
    }
    let entry = ws.last_entry();
    assert!(entry.starts_with("## [0.1.1] - 2026-02-01\n"), "{entry}");
    assert!(entry.contains("### Added"), "{entry}");
    assert!(!entry.contains("### Breaking"), "{entry}");
    for item in [
        "`getBackupSchedule`",
        "Client::get_backup_schedule",
        "atlas-backup cloudBackups getBackupSchedule",
        "schema `Schedule`",
        "models::Schedule",
    ] {
        assert!(entry.contains(item), "the entry does not name {item}:\n{entry}");
    }
    assert!(ws.sources().contains("get_backup_schedule"), "generated/ was not regenerated");
    ws.ok(&["release", "--check"]);
    ws.ok(&["generate", "--check"]);
}

#[test]
fn a_field_removed_upstream_is_breaking_and_bumps_the_minor() {
    let ws = Workspace::fixture();
    let (code, out) = ws.update("field-removed");
    assert_eq!(code, Some(0), "{out}");
    let spec = ws.spec();
    let props = &spec["components"]["schemas"]["Snapshot"]["properties"];
    assert!(props["storageSizeBytes"].is_null(), "the field is still in spec/");
    assert!(props["status"].is_mapping());
    assert_eq!(ws.version(), "0.2.0");
    let entry = ws.last_entry();
    assert!(entry.starts_with("## [0.2.0] - 2026-02-01\n"), "{entry}");
    let breaking = entry.split("### Breaking").nth(1).unwrap_or_else(|| panic!("no Breaking section:\n{entry}"));
    assert!(breaking.contains("storageSizeBytes") && breaking.contains("models::Snapshot"), "{entry}");
    assert!(!ws.sources().contains("storage_size_bytes"), "the Rust field is still generated");
    ws.ok(&["release", "--check"]);
}

/// `case` is refused naming each of `words`, and spec/ and generated/ stay as they were.
fn refused(case: &str, words: &[&str]) {
    let ws = Workspace::fixture();
    let before = ws.state();
    let (code, out) = ws.update(case);
    assert_eq!(code, Some(1), "{out}");
    for word in words.iter().chain(&["nothing written"]) {
        assert!(out.contains(word), "{case}: the refusal does not name {word}:\n{out}");
    }
    assert!(before == ws.state(), "{case}: spec/ or generated/ changed on refusal");
}

#[test]
fn an_enum_value_added_on_a_watched_field_is_refused_and_nothing_is_written() {
    refused("enum-value-added", &["snapshotCompleted", "status", "cancelled", "atlas-backup.overlay.yaml"]);
}

#[test]
fn a_stale_overlay_action_is_refused_and_nothing_is_written() {
    refused("stale-overlay-action", &["stale", "action 0", "waiters of getSnapshot", "{snapshotId}"]);
}

#[test]
fn descriptions_edited_upstream_keep_ours_and_bump_nothing() {
    let ws = Workspace::fixture();
    let before = ws.state();
    let changelog = ws.read("generated/CHANGELOG.md");
    let (code, out) = ws.update("description-edited");
    assert_eq!(code, Some(0), "{out}");
    assert!(before == ws.state(), "spec/ or generated/ changed although only descriptions differ");
    assert!(ws.read("spec/atlas-backup.yaml").contains("Our description of one snapshot."));
    assert_eq!(ws.version(), "0.1.0");
    assert_eq!(ws.read("generated/CHANGELOG.md"), changelog);
    assert!(out.contains("version stays 0.1.0"), "{out}");
}

#[test]
fn release_check_fails_when_generated_changed_without_an_entry() {
    let ws = Workspace::fixture();
    ws.ok(&["release", "--check"]);
    let lib = ws.read("generated/src/lib.rs");
    ws.write("generated/src/lib.rs", &format!("{lib}\n// an edit\n"));
    let (code, out) = ws.run(&["release", "--check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("generated/ changed since the changelog entry 0.1.0"), "{out}");
    // a new version in spec/ without its entry fails too
    ws.write("generated/src/lib.rs", &lib);
    ws.ok(&["release", "--check"]);
    let spec = ws.read("spec/atlas-backup.yaml").replace("x-crate-version: 0.1.0\n", "x-crate-version: 0.1.1\n");
    ws.write("spec/atlas-backup.yaml", &spec);
    let (code, out) = ws.run(&["release", "--check"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("the spec's version is 0.1.1, but the newest changelog entry is 0.1.0"), "{out}");
}

/// spec/ edited by hand rather than by `spec update`: `release --since OLD` records the drift
/// from the spec as the last entry had it, and the drift decides the version.
#[test]
fn release_since_an_older_spec_records_its_drift_and_its_version() {
    let ws = Workspace::fixture();
    let old = ws.read("spec/atlas-backup.yaml");
    ws.write("old.yaml", &old);
    let edited = old.replace("        id: {type: string, readOnly: true}\n", "");
    assert_ne!(edited, old, "the fixture's Snapshot has an id");
    ws.write("spec/atlas-backup.yaml", &edited);
    ws.ok(&["generate"]);
    let old_file = ws.path("old.yaml").display().to_string();
    ws.ok(&["release", "--since", &old_file, "--date", "2026-01-02"]);
    assert_eq!(ws.version(), "0.2.0", "a property removed from an answer is breaking");
    let changelog = ws.read("generated/CHANGELOG.md");
    assert!(changelog.contains("## [0.2.0] - 2026-01-02") && changelog.contains("compared with `old.yaml`"), "{changelog}");
    assert!(changelog.contains("### Breaking") && changelog.contains("`Snapshot`"), "{changelog}");
    ws.ok(&["release", "--check"]);
    // Without --since, a change of the generated code alone is a patch.
    let lib = ws.read("generated/src/lib.rs");
    ws.write("generated/src/lib.rs", &format!("{lib}\n// an edit\n"));
    ws.ok(&["release", "--date", "2026-01-03"]);
    assert_eq!(ws.version(), "0.2.1");
    assert!(ws.read("generated/CHANGELOG.md").contains("## [0.2.1] - 2026-01-03\n"), "the patch entry");
}

/// spec/ is v2.yaml (2026-08-12) plus the intended differences: updating from that file,
/// alone in an empty folder as a maintainer downloads it, changes no byte, and spec check
/// stays clean.
#[test]
fn updating_from_the_published_spec_spec_is_based_on_changes_nothing() {
    const UPSTREAM: &str = "atlas-api-v2-2026-08-12.yaml";
    let Some(up) = upstream("updating_from_the_published_spec_spec_is_based_on_changes_nothing", UPSTREAM) else { return };
    let ws = Workspace::checkout();
    ws.copy(&up, "download/v2.yaml");
    let before = ws.state();
    let version = ws.version();
    let up = ws.path("download/v2.yaml").display().to_string();
    let out = ws.ok(&["spec", "update", "--from", &up, "--date", "2026-02-01"]);
    assert!(out.contains("0 fact(s) taken"), "{out}");
    assert!(before == ws.state(), "spec/ or generated/ changed:\n{out}");
    assert_eq!(ws.version(), version);
    let check = ws.ok(&["spec", "check", "--upstream", &up]);
    assert!(check.contains("spec check: clean"), "{check}");
}

const V2: &str = "atlas-api-v2-2026-08-12.yaml";
const SNAPSHOTS: &str = "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots";

/// The version of a package in `Cargo.lock`.
fn locked(lock: &str, package: &str) -> Option<String> {
    let at = lock.find(&format!("\nname = \"{package}\"\n"))?;
    let rest = &lock[at..];
    let line = rest.lines().find(|l| l.starts_with("version = "))?;
    Some(line.trim_start_matches("version = ").trim_matches('"').to_owned())
}

/// Issue 34's acceptance: v2.yaml plus one backup operation that reuses existing schemas,
/// alone in an empty folder, is taken in one command: regenerated, the next patch version
/// (Cargo.lock with it), a changelog entry naming it, the Rust name set to the short name;
/// a second run changes nothing and spec check is clean.
#[test]
fn a_new_backup_operation_in_v2_yaml_is_taken_and_named_after_its_short_name() {
    let Some(v2) = upstream("a_new_backup_operation_in_v2_yaml_is_taken_and_named_after_its_short_name", V2) else { return };
    let ws = Workspace::checkout();
    let version = ws.version();
    let from = ws.download(&v2, |doc| {
        let paths = &mut doc["paths"];
        let mut op = paths[&format!("{SNAPSHOTS}/{{snapshotId}}")]["get"].clone();
        op["operationId"] = "getGroupClusterBackupSnapshotPin".into();
        op["x-xgen-operation-id-override"] = "getSnapshotPin".into();
        op["summary"] = "Return the pin of one snapshot".into();
        let mut item = serde_yaml::Mapping::new();
        item.insert("get".into(), op);
        paths[&format!("{SNAPSHOTS}/{{snapshotId}}/pin")] = serde_yaml::Value::Mapping(item);
    });
    let out = ws.ok(&["spec", "update", "--from", &from, "--date", "2026-02-01"]);
    let spec = ws.spec();
    let op = &spec["paths"][&format!("{SNAPSHOTS}/{{snapshotId}}/pin")]["get"];
    assert_eq!(op["operationId"].as_str(), Some("getGroupClusterBackupSnapshotPin"), "{out}");
    assert_eq!(op["x-rust-name"].as_str(), Some("getSnapshotPin"), "the Rust name is the short name");
    let next = {
        let mut parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap_or_else(|e| panic!("{version}: {e}"))).collect();
        parts[2] += 1;
        parts.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
    };
    assert_eq!(ws.version(), next, "{out}");
    let lock = ws.read("Cargo.lock");
    for package in ["atlas-backup", "atlas-backup-cli"] {
        assert_eq!(locked(&lock, package).as_deref(), Some(next.as_str()), "{package} in Cargo.lock");
    }
    let entry = ws.last_entry();
    assert!(entry.starts_with(&format!("## [{next}] - 2026-02-01\n")), "{entry}");
    assert!(entry.contains("### Added") && !entry.contains("### Breaking"), "{entry}");
    for item in ["`getSnapshotPin`", "Client::get_snapshot_pin", "atlas-backup cloudBackups getSnapshotPin"] {
        assert!(entry.contains(item), "the entry does not name {item}:\n{entry}");
    }
    assert!(ws.sources().contains("#[doc(alias = \"getGroupClusterBackupSnapshotPin\")]"), "generated/ was not regenerated");
    ws.ok(&["release", "--check"]);
    let before = ws.state();
    let again = ws.ok(&["spec", "update", "--from", &from, "--date", "2026-02-02"]);
    assert!(again.contains("0 fact(s) taken") && before == ws.state(), "a second run changed something:\n{again}");
    assert!(ws.ok(&["spec", "check", "--upstream", &from]).contains("spec check: clean"));
}

/// v2.yaml without takeSnapshots (whose answer the overlay links to a waiter) is refused
/// naming it, and nothing is written.
#[test]
fn v2_yaml_without_take_snapshots_is_refused_naming_it() {
    let Some(v2) = upstream("v2_yaml_without_take_snapshots_is_refused_naming_it", V2) else { return };
    let ws = Workspace::checkout();
    let from = ws.download(&v2, |doc| {
        if let Some(item) = doc["paths"][SNAPSHOTS].as_mapping_mut() {
            item.remove("post");
        }
    });
    let before = ws.state();
    let lock = ws.read("Cargo.lock");
    let (code, out) = ws.run(&["spec", "update", "--from", &from]);
    assert_eq!(code, Some(1), "{out}");
    for word in ["no longer has: takeSnapshots (POST", "atlas-backup.overlay.yaml", "intended-differences.yaml", "nothing written"] {
        assert!(out.contains(word), "the refusal does not say {word:?}:\n{out}");
    }
    assert!(before == ws.state() && lock == ws.read("Cargo.lock"), "something was written on refusal");
}

/// The copy MongoDB transforms for its Go SDK is recognised and refused, pointing at
/// v2.yaml, instead of being taken as "every enum removed".
#[test]
fn the_sdk_transformed_copy_is_refused_pointing_at_v2_yaml() {
    let Some(sdk) = upstream("the_sdk_transformed_copy_is_refused_pointing_at_v2_yaml", "atlas-api-2026-08-13.yaml") else { return };
    let ws = Workspace::checkout();
    let before = ws.state();
    let sdk = sdk.display().to_string();
    for args in [&["spec", "update", "--from", &sdk][..], &["spec", "check", "--upstream", &sdk][..]] {
        let (code, out) = ws.run(args);
        assert_ne!(code, Some(0), "{out}");
        for word in
            ["not v2.yaml as MongoDB publishes it", "no enum, no oneOf, no x-xgen-operation-id-override", "openapi/v2.yaml", "#/paths"]
        {
            assert!(out.contains(word), "{args:?} does not say {word:?}:\n{out}");
        }
    }
    assert!(before == ws.state(), "something was written");
}

/// From the earlier revision (2026-08-06) the update gives the drift between the two dates:
/// MongoDB changed no backup operation between them, so nothing changes.
#[test]
fn updating_from_the_earlier_revision_gives_the_drift_between_the_dates() {
    let Some(older) = upstream("updating_from_the_earlier_revision_gives_the_drift_between_the_dates", "atlas-api-v2-2026-08-06.yaml")
    else {
        return;
    };
    let ws = Workspace::checkout();
    let before = ws.state();
    let out = ws.ok(&["spec", "update", "--from", &older.display().to_string(), "--date", "2026-02-01"]);
    assert!(out.contains("No changes.") && out.contains("0 fact(s) taken") && out.contains("version stays"), "{out}");
    assert!(before == ws.state(), "spec/ or generated/ changed:\n{out}");
}

// ---------------------------------------------------------------------------------------
// Fixture pairs built from v2.yaml pieces: spec/ of the checkout, and v2.yaml (2026-08-12)
// with one change, alone in a folder. Each asserts spec/, the version, the changelog entry
// (or, on a refusal, that nothing at all was written).

const SCHEDULE: &str = "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/schedule";

/// The checkout updated from v2.yaml as `edit` changes it; the workspace, the output and the
/// version before.
fn updated(test: &str, edit: impl FnOnce(&mut serde_yaml::Value)) -> Option<(Workspace, String, String)> {
    let v2 = upstream(test, V2)?;
    let ws = Workspace::checkout();
    let version = ws.version();
    let from = ws.download(&v2, edit);
    let out = ws.ok(&["spec", "update", "--from", &from, "--date", "2026-02-01"]);
    ws.ok(&["release", "--check"]);
    Some((ws, out, version))
}

/// `version` with its patch (`2`) or minor (`1`) bumped.
fn bumped(version: &str, at: usize) -> String {
    let mut parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap_or_else(|e| panic!("{version}: {e}"))).collect();
    parts[at] += 1;
    parts[at + 1..].iter_mut().for_each(|p| *p = 0);
    parts.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

fn schedule_content(doc: &mut serde_yaml::Value) -> &mut serde_yaml::Mapping {
    doc["paths"][SCHEDULE]["get"]["responses"]["200"]["content"].as_mapping_mut().unwrap_or_else(|| panic!("no content"))
}

#[test]
fn a_version_added_upstream_is_taken_and_becomes_the_default() {
    let Some((ws, out, version)) = updated("a_version_added_upstream_is_taken_and_becomes_the_default", |doc| {
        let content = schedule_content(doc);
        let newest = content["application/vnd.atlas.2024-08-05+json"].clone();
        content.insert("application/vnd.atlas.2026-09-01+json".into(), newest);
    }) else {
        return;
    };
    let spec = ws.spec();
    let content = spec["paths"][SCHEDULE]["get"]["responses"]["200"]["content"].as_mapping().cloned().unwrap_or_default();
    let keys: Vec<&str> = content.keys().filter_map(serde_yaml::Value::as_str).collect();
    assert_eq!(
        keys,
        ["application/vnd.atlas.2023-01-01+json", "application/vnd.atlas.2024-08-05+json", "application/vnd.atlas.2026-09-01+json"],
        "{out}"
    );
    assert_eq!(ws.version(), bumped(&version, 2));
    let entry = ws.last_entry();
    assert!(
        entry.contains("### Added")
            && entry.contains("`application/vnd.atlas.2026-09-01+json` added")
            && entry.contains("Client::get_backup_schedule"),
        "{entry}"
    );
    assert!(ws.sources().contains("pub struct GetBackupSchedule<V = GetBackupScheduleV2026_09_01>"), "the new version is not the default");
}

#[test]
fn a_version_sunset_upstream_is_taken_into_its_media_type() {
    let Some((ws, out, version)) = updated("a_version_sunset_upstream_is_taken_into_its_media_type", |doc| {
        schedule_content(doc)["application/vnd.atlas.2024-08-05+json"]["x-sunset"] = "2027-03-01".into();
    }) else {
        return;
    };
    let spec = ws.spec();
    assert_eq!(
        spec["paths"][SCHEDULE]["get"]["responses"]["200"]["content"]["application/vnd.atlas.2024-08-05+json"]["x-sunset"].as_str(),
        Some("2027-03-01"),
        "{out}"
    );
    assert_eq!(ws.version(), bumped(&version, 2), "the docs changed: a patch");
    let entry = ws.last_entry();
    assert!(entry.contains("### Deprecated") && entry.contains("x-sunset 2027-03-01 announced"), "{entry}");
    assert!(ws.sources().contains("Atlas stops answering in it on 2027-03-01."), "the marker does not say it");
}

#[test]
fn a_preview_version_is_taken_as_preview_and_never_the_default() {
    let Some((ws, out, version)) = updated("a_preview_version_is_taken_as_preview_and_never_the_default", |doc| {
        let content = schedule_content(doc);
        let mut preview = content["application/vnd.atlas.2024-08-05+json"].clone();
        preview["x-xgen-version"] = "preview".into();
        content.insert("application/vnd.atlas.preview+json".into(), preview);
    }) else {
        return;
    };
    let spec = ws.spec();
    let content = &spec["paths"][SCHEDULE]["get"]["responses"]["200"]["content"];
    assert!(content["application/vnd.atlas.preview+json"].is_mapping(), "{out}");
    assert_eq!(ws.version(), bumped(&version, 2));
    assert!(ws.last_entry().contains("`application/vnd.atlas.preview+json` added"), "{}", ws.last_entry());
    let sources = ws.sources();
    assert!(sources.contains("pub struct GetBackupScheduleVPreview;"), "no preview marker");
    assert!(
        sources.contains("pub struct GetBackupSchedule<V = GetBackupScheduleV2024_08_05>"),
        "the default is not the newest stable version"
    );
}

#[test]
fn an_enum_turned_free_text_upstream_is_taken_and_is_breaking() {
    let Some((ws, out, version)) = updated("an_enum_turned_free_text_upstream_is_taken_and_is_breaking", |doc| {
        if let Some(field) =
            doc["components"]["schemas"]["ApiAtlasCollectionRestoreJobResponse"]["properties"]["writeStrategy"].as_mapping_mut()
        {
            field.remove("enum");
        }
    }) else {
        return;
    };
    let spec = ws.spec();
    let field = &spec["components"]["schemas"]["ApiAtlasCollectionRestoreJobResponse"]["properties"]["writeStrategy"];
    assert!(field.is_mapping() && field["enum"].is_null(), "{out}");
    assert_eq!(ws.version(), bumped(&version, 1), "breaking: the next minor");
    let entry = ws.last_entry();
    let breaking = entry.split("### Breaking").nth(1).unwrap_or_else(|| panic!("no Breaking section:\n{entry}"));
    assert!(breaking.contains("writeStrategy") && breaking.contains("models::ApiAtlasCollectionRestoreJobResponse"), "{entry}");
}

/// MongoDB swaps the long and the short name: both are taken as data, and nothing is renamed
/// in Rust (x-rust-name stays).
#[test]
fn both_names_swapped_upstream_rename_nothing_in_rust() {
    let Some((ws, out, version)) = updated("both_names_swapped_upstream_rename_nothing_in_rust", |doc| {
        let op = &mut doc["paths"]["/api/atlas/v2/groups/{groupId}/backup/exportBuckets"]["get"];
        let long = op["operationId"].clone();
        op["operationId"] = op["x-xgen-operation-id-override"].clone();
        op["x-xgen-operation-id-override"] = long;
    }) else {
        return;
    };
    let spec = ws.spec();
    let op = &spec["paths"]["/api/atlas/v2/groups/{groupId}/backup/exportBuckets"]["get"];
    assert_eq!(op["operationId"].as_str(), Some("listExportBuckets"), "{out}");
    assert_eq!(op["x-xgen-operation-id-override"].as_str(), Some("listGroupBackupExportBuckets"));
    assert_eq!(op["x-rust-name"].as_str(), Some("listExportBuckets"));
    assert!(op["x-former-operation-ids"].is_null(), "a current name is no former one");
    assert_eq!(ws.version(), bumped(&version, 2), "not breaking: a patch");
    let entry = ws.last_entry();
    assert!(
        !entry.contains("### Breaking")
            && entry.contains("published operationId `listGroupBackupExportBuckets` renamed to `listExportBuckets`"),
        "{entry}"
    );
    assert!(
        ws.sources().contains("pub fn list_export_buckets") || ws.sources().contains("list_export_buckets ->"),
        "the Rust method was renamed"
    );
}

/// A state Atlas adds to a snapshot's `status`, which the snapshot waiters watch and do not
/// classify: refused naming the waiter, the value and the field, nothing written.
#[test]
fn an_enum_value_added_on_a_watched_field_of_v2_yaml_is_refused() {
    let Some(v2) = upstream("an_enum_value_added_on_a_watched_field_of_v2_yaml_is_refused", V2) else { return };
    let ws = Workspace::checkout();
    let from = ws.download(&v2, |doc| {
        // Atlas adds it to a snapshot of either shape (v2.yaml states `status` on the base
        // schema and on both shapes its discriminator maps to).
        for shape in ["DiskBackupSnapshot", "DiskBackupReplicaSet", "DiskBackupShardedClusterSnapshot"] {
            if let Some(values) = doc["components"]["schemas"][shape]["properties"]["status"]["enum"].as_sequence_mut() {
                values.push("cancelled".into());
            }
        }
    });
    let before = ws.state();
    let (code, out) = ws.run(&["spec", "update", "--from", &from]);
    assert_eq!(code, Some(1), "{out}");
    for word in [
        "waiter \"shardedClusterSnapshotCompleted\"",
        "no acceptor classifies `cancelled` of `status`",
        "atlas-backup.overlay.yaml",
        "nothing written",
    ] {
        assert!(out.contains(word), "the refusal does not name {word}:\n{out}");
    }
    assert!(before == ws.state(), "something was written on refusal");
}

/// spec/ is kept in the canonical layout `spec update` writes (serde_yaml of the document),
/// so that an update's diff shows the changed facts only: reading and writing it again gives
/// the same bytes.
#[test]
fn spec_is_in_the_canonical_layout_spec_update_writes() {
    let text = std::fs::read_to_string(root().join("spec/atlas-backup.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let value: serde_json::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("spec/ does not parse: {e}"));
    let canonical = serde_yaml::to_string(&value).unwrap_or_else(|e| panic!("{e}"));
    let first = text.lines().zip(canonical.lines()).position(|(a, b)| a != b);
    assert!(
        text == canonical,
        "spec/atlas-backup.yaml is not in the canonical layout; first difference at line {:?}",
        first.map(|i| i + 1)
    );
}
