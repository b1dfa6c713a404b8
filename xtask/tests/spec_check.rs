//! `cargo xtask spec check` and `spec slice` on the real files: spec/ against v2.yaml as
//! MongoDB publishes it, in ../shared/upstream-v2 (read in place, never copied).
//!
//! Without ../shared/upstream the tests print a SKIP past the harness's capture and pass,
//! unless `CI` is set: CI always has shared/ beside the clone, so there a missing copy is a
//! failure.

mod support;

use std::path::Path;

use support::{root, text, upstream, xtask};

const UPSTREAM: &str = "atlas-api-v2-2026-08-12.yaml";
/// An older whole-API copy (every tag), to slice from.
const WHOLE_API: &str = "atlas-api-2025-06-30.yaml";

/// The `N` of "compared N operations".
fn compared(report: &str) -> Option<usize> {
    let rest = report.split("compared ").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

fn path_str(p: &Path) -> &str {
    match p.to_str() {
        Some(s) => s,
        None => panic!("non-UTF-8 path {}", p.display()),
    }
}

#[test]
fn spec_matches_upstream_except_the_intended_differences() {
    let Some(up) = upstream("spec_matches_upstream_except_the_intended_differences", UPSTREAM) else { return };
    let out = xtask(&["spec", "check", "--upstream", path_str(&up)]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(0), "spec check failed:\n{report}");
    assert!(report.contains("spec check: clean"), "{report}");
    let n = compared(&report);
    assert!(n.is_some_and(|n| n >= 60), "expected at least 60 operations compared, got {n:?}:\n{report}");
    // One file is enough: compared with it alone, the operations upstream dropped are intended.
    assert!(report.lines().next().is_some_and(|l| l.ends_with(&format!(" against {UPSTREAM}"))), "{report}");
    assert!(report.contains("(operation-added, operations createSharedClusterBackupRestoreJob"), "{report}");
}

#[test]
fn a_field_missing_from_spec_fails_the_check_and_is_named() {
    let Some(up) = upstream("a_field_missing_from_spec_fails_the_check_and_is_named", UPSTREAM) else { return };
    let spec_text = match std::fs::read_to_string(root().join("spec/atlas-backup.yaml")) {
        Ok(t) => t,
        Err(e) => panic!("cannot read spec/atlas-backup.yaml: {e}"),
    };
    let mut spec: serde_yaml::Value = match serde_yaml::from_str(&spec_text) {
        Ok(v) => v,
        Err(e) => panic!("spec/atlas-backup.yaml does not parse: {e}"),
    };
    let removed = spec
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(|s| s.get_mut("DiskBackupSnapshotSchedule20240805"))
        .and_then(|s| s.get_mut("properties"))
        .and_then(serde_yaml::Value::as_mapping_mut)
        .and_then(|props| props.remove("useOrgAndGroupNamesInExportPrefix"));
    assert!(removed.is_some(), "the field to remove is not in spec/ any more: pick another one");
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("no temp dir: {e}"),
    };
    let copy = dir.path().join("atlas-backup.yaml");
    let written = serde_yaml::to_string(&spec).map_err(|e| e.to_string()).and_then(|t| std::fs::write(&copy, t).map_err(|e| e.to_string()));
    assert!(written.is_ok(), "cannot write the copy: {written:?}");

    let out = xtask(&["spec", "check", "--upstream", path_str(&up), "--spec", path_str(&copy)]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "the check passed without the field:\n{report}");
    let named = |op: &str, at: &str| {
        report.lines().any(|l| l.contains(op) && l.contains(&format!("field-removed at {at}: useOrgAndGroupNamesInExportPrefix")))
    };
    assert!(
        named("updateBackupSchedule", "request") && named("getBackupSchedule", "response 200"),
        "the missing field is not reported with its operations:\n{report}"
    );
}

#[test]
fn a_stale_intended_difference_fails_the_check() {
    let Some(up) = upstream("a_stale_intended_difference_fails_the_check", UPSTREAM) else { return };
    let intended = match std::fs::read_to_string(root().join("spec/intended-differences.yaml")) {
        Ok(t) => t,
        Err(e) => panic!("cannot read spec/intended-differences.yaml: {e}"),
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("no temp dir: {e}"),
    };
    let copy = dir.path().join("intended.yaml");
    let extra = "  - kind: operation-id-changed\n    operations: [listExportBuckets]\n    reason: no such difference exists\n";
    let written = std::fs::write(&copy, format!("{intended}{extra}"));
    assert!(written.is_ok(), "{written:?}");
    let out = xtask(&["spec", "check", "--upstream", path_str(&up), "--intended", path_str(&copy)]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("STALE") && report.contains("operations listExportBuckets"), "{report}");
}

/// Every `$ref` and discriminator mapping target under `node` resolves in `doc`.
fn dangling(doc: &serde_json::Value, node: &serde_json::Value, out: &mut Vec<String>, count: &mut usize) {
    let resolves = |r: &str| r.strip_prefix('#').and_then(|p| doc.pointer(p)).is_some();
    match node {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    if let Some(r) = v.as_str() {
                        *count += 1;
                        if !resolves(r) {
                            out.push(r.to_owned());
                        }
                    }
                } else if k == "mapping" {
                    for t in v.as_object().into_iter().flat_map(|m| m.values()).filter_map(|t| t.as_str()) {
                        *count += 1;
                        if !resolves(t) {
                            out.push(t.to_owned());
                        }
                    }
                } else {
                    dangling(doc, v, out, count);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| dangling(doc, v, out, count)),
        _ => {}
    }
}

#[test]
fn slice_of_a_tag_is_a_valid_self_contained_openapi_document() {
    let Some(whole) = upstream("slice_of_a_tag_is_a_valid_self_contained_openapi_document", WHOLE_API) else { return };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("no temp dir: {e}"),
    };
    let out_file = dir.path().join("cloud-backups.yaml");
    let out = xtask(&["spec", "slice", "--from", path_str(&whole), "--tags", "Cloud Backups", "--out", path_str(&out_file)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    let sliced = match std::fs::read_to_string(&out_file) {
        Ok(t) => t,
        Err(e) => panic!("the slice was not written: {e}"),
    };
    // a valid OpenAPI document for the openapiv3 model the generator uses
    let api: openapiv3::OpenAPI = match serde_yaml::from_str(&sliced) {
        Ok(a) => a,
        Err(e) => panic!("the slice is not an OpenAPI document: {e}"),
    };
    let ops: Vec<&openapiv3::Operation> = api.operations().map(|(_, _, op)| op).collect();
    assert!(ops.len() >= 20, "only {} operations sliced", ops.len());
    assert!(ops.iter().all(|op| op.tags.iter().any(|t| t == "Cloud Backups")), "an operation without the tag was kept");

    // every reference (and discriminator mapping) resolves inside the slice
    let value: serde_json::Value = match serde_yaml::from_str(&sliced) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    let (mut bad, mut count) = (Vec::new(), 0);
    dangling(&value, &value, &mut bad, &mut count);
    assert!(count > 50, "suspiciously few references: {count}");
    assert!(bad.is_empty(), "dangling references in the slice: {bad:?}");
    // the export bucket variants are reached only through discriminator mappings
    assert!(value.pointer("/components/schemas/DiskBackupSnapshotGCPExportBucketResponse").is_some());
    // and nothing unreachable came along
    assert!(value.pointer("/components/schemas/ClusterDescription20240805").is_none());
}
