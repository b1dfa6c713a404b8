//! `cargo xtask spec observe` as a maintainer runs it: exit 0 when every recorded answer
//! agrees with spec/, 1 on a new finding (0 again once its printed entry is listed), 2 on an
//! archive it cannot read; `--format json` is the same report as data.

mod support;

use std::path::Path;

use support::{root, text, xtask};

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap_or_else(|| panic!("non-UTF-8 path {}", p.display()))
}

/// An archive of one `getBackupRestoreJob` answer holding `job`.
fn archive(job: &serde_json::Value) -> String {
    let url = "https://cloud.mongodb.com/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/restoreJobs/5f4007f327a3bc75f2a2b1c4";
    let media = "application/vnd.atlas.2023-01-01+json";
    serde_json::json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [{
        "startedDateTime": "2026-12-01T10:00:00Z", "time": 1, "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0},
        "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "cookies": [], "headers": [], "queryString": [], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "cookies": [], "headers": [{"name": "Content-Type", "value": media}],
                     "content": {"size": 1, "mimeType": media, "text": job.to_string()}, "redirectURL": "", "headersSize": -1, "bodySize": 1}
    }]}})
    .to_string()
}

#[test]
fn exit_codes_follow_the_findings_and_the_printed_entry_closes_the_loop() {
    let dir = tempfile::tempdir().expect("temp dir");
    let agrees = dir.path().join("agrees.har");
    std::fs::write(&agrees, archive(&serde_json::json!({"id": "5f4007f327a3bc75f2a2b1c4", "deliveryType": "automated"}))).expect("write");
    let out = xtask(&["spec", "observe", path_str(&agrees)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("Everything matches."), "{}", text(&out));

    let differs = dir.path().join("differs.har");
    let job = serde_json::json!({"id": "5f4007f327a3bc75f2a2b1c4", "deliveryType": "automated", "targetDeploymentItemName": "Cluster1"});
    std::fs::write(&differs, archive(&job)).expect("write");
    let out = xtask(&["spec", "observe", path_str(&differs), path_str(&agrees)]);
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("schema `DiskBackupSnapshotRestoreJob` · `/targetDeploymentItemName`"), "{report}");

    let json = xtask(&["spec", "observe", "--format", "json", path_str(&differs)]);
    assert_eq!(json.status.code(), Some(1));
    let data: serde_json::Value = serde_json::from_slice(&json.stdout).expect("--format json prints JSON");
    assert_eq!(data["findings"][0]["kind"], "undocumented-property");
    assert_eq!(data["findings"][0]["at"], "/targetDeploymentItemName");
    assert_eq!(data["findings"][0]["example"], "Cluster1");

    // The entry the report prints, pasted under `observed:` in a copy of the project's list (spec
    // check's `differences:` come after it).
    let yaml = report.split("```yaml\n").nth(1).and_then(|rest| rest.split("  ```").next()).expect("the report prints an entry");
    let entry: String = yaml.lines().map(|l| l.strip_prefix("  ").unwrap_or(l).to_owned() + "\n").collect();
    let project = std::fs::read_to_string(root().join("spec/intended-differences.yaml")).expect("the project's list");
    let intended = dir.path().join("intended-differences.yaml");
    assert!(project.contains("\nobserved:\n"), "spec/intended-differences.yaml has its observed: list");
    std::fs::write(&intended, project.replacen("\nobserved:\n", &format!("\nobserved:\n{entry}"), 1)).expect("write");
    let out = xtask(&["spec", "observe", "--intended", path_str(&intended), path_str(&differs)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("### Known (1)"), "{}", text(&out));

    let broken = dir.path().join("broken.har");
    std::fs::write(&broken, "{\"log\": ").expect("write");
    let out = xtask(&["spec", "observe", path_str(&agrees), path_str(&broken)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("broken.har"), "{}", text(&out));
}
