//! `spec observe` on hand-made HTTP Archives against `spec/`: one exchange per finding kind,
//! each reported at its component schema and JSON pointer with its example; what spec/
//! states (a snapshot size past 32 bits, declared int64) is not reported; the entry the
//! report prints silences its finding; an archive with only HAR 1.2's required fields (as
//! another tool writes it) is read; a broken archive is an error naming it; the answers
//! MongoDB's published `v2.yaml` gives as examples agree with spec/'s types.

mod published;

use std::path::{Path, PathBuf};

use atlas_codegen::drift::check::BACKUP_TAGS;
use atlas_codegen::observe::{self, Finding, Kind, Report, known};
use serde_json::{Value, json};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const V2023: &str = "application/vnd.atlas.2023-01-01+json";

fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/atlas-backup.yaml")
}

fn restore_job_path() -> String {
    format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/restoreJobs/5f4007f327a3bc75f2a2b1c4")
}

fn restore_jobs_path() -> String {
    format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/restoreJobs")
}

/// A complete HAR 1.2 entry of one exchange.
fn entry(method: &str, path: &str, status: u16, content_type: &str, body: &Value) -> Value {
    let text = if body.is_null() { String::new() } else { body.to_string() };
    json!({
        "startedDateTime": "2026-12-01T10:00:00.000Z",
        "time": 12.5,
        "request": {"method": method, "url": format!("https://cloud.mongodb.com{path}?pretty=false"), "httpVersion": "HTTP/1.1",
                    "cookies": [], "headers": [{"name": "Accept", "value": content_type}], "queryString": [{"name": "pretty", "value": "false"}],
                    "headersSize": -1, "bodySize": 0},
        "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [],
                     "headers": [{"name": "Content-Type", "value": format!("{content_type};charset=utf-8")}],
                     "content": {"size": text.len(), "mimeType": content_type, "text": text},
                     "redirectURL": "", "headersSize": -1, "bodySize": text.len()},
        "cache": {},
        "timings": {"send": 0, "wait": 12, "receive": 0.5}
    })
}

fn archive(entries: Vec<Value>) -> Value {
    json!({"log": {"version": "1.2", "creator": {"name": "hand", "version": "1"}, "entries": entries}})
}

/// `spec observe` of these entries (one archive), with the `observed:` entries of `known_yaml`.
fn observe_entries(entries: Vec<Value>, known_yaml: &str) -> Report {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("recorded.har");
    std::fs::write(&file, archive(entries).to_string()).expect("write the archive");
    observe_files(&[file], known_yaml)
}

fn observe_files(files: &[PathBuf], known_yaml: &str) -> Report {
    let spec = atlas_codegen::load::load(&spec_path()).expect("spec/ loads");
    let known = known::parse(Path::new("intended-differences.yaml"), known_yaml).expect("the known entries parse");
    observe::observe(&spec, files, &known).expect("the archive is read")
}

/// A restore job as spec/ describes it.
fn restore_job() -> Value {
    json!({"id": "5f4007f327a3bc75f2a2b1c4", "deliveryType": "automated", "snapshotId": "5f4007f327a3bc75f2a2b1c3",
           "targetClusterName": "Cluster1", "finishedAt": "2026-12-01T09:58:00Z", "oplogTs": 1733050000, "cancelled": false})
}

/// `restore_job()` with `change` applied.
fn restore_job_with(change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut job = restore_job();
    if let Some(object) = job.as_object_mut() {
        change(object);
    }
    job
}

/// The only finding of `report`.
fn only(report: &Report) -> &Finding {
    assert_eq!(report.findings.len(), 1, "{}", observe::report::markdown(report));
    &report.findings[0]
}

/// Where and what: kind, schema, pointer in the schema, pointer in the body, example.
fn place(f: &Finding) -> (Kind, Option<&str>, &str, &str, &Value) {
    (f.kind, f.schema.as_deref(), f.at.as_str(), f.evidence.body_at.as_str(), &f.example)
}

#[test]
fn answers_that_agree_with_the_spec_give_no_finding() {
    let snapshot = json!({"id": "5f4007f327a3bc75f2a2b1c3", "type": "replicaSet", "status": "completed",
                          "createdAt": "2026-12-01T09:00:00Z", "storageSizeBytes": 5_000_000_000_i64});
    let page = json!({"results": [snapshot], "totalCount": 1});
    let snapshots = format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/snapshots");
    let entries = vec![
        entry("GET", &restore_job_path(), 200, V2023, &restore_job()),
        entry("GET", &snapshots, 200, V2023, &page),
        entry(
            "GET",
            &restore_job_path(),
            404,
            "application/json",
            &json!({"error": 404, "errorCode": "RESOURCE_NOT_FOUND", "reason": "Not Found"}),
        ),
    ];
    let report = observe_entries(entries, "");
    assert!(report.findings.is_empty() && report.is_clean(), "{}", observe::report::markdown(&report));
    assert_eq!((report.exchanges, report.matched, report.operations, report.unchecked), (3, 3, 2, 0));
    assert!(observe::report::markdown(&report).contains("Everything matches."));
}

#[test]
fn a_property_the_schema_does_not_describe() {
    let job = restore_job_with(|j| {
        j.insert("targetDeploymentItemName".into(), json!("Cluster1"));
    });
    let report = observe_entries(vec![entry("GET", &restore_job_path(), 200, V2023, &job)], "");
    let f = only(&report);
    let example = json!("Cluster1");
    assert_eq!(
        place(f),
        (
            Kind::UndocumentedProperty,
            Some("DiskBackupSnapshotRestoreJob"),
            "/targetDeploymentItemName",
            "/targetDeploymentItemName",
            &example
        )
    );
    assert_eq!(f.evidence.operation.as_deref(), Some("getBackupRestoreJob"));
    assert!(!report.is_clean());
}

#[test]
fn a_finding_inside_a_page_is_reported_on_the_items_schema_once() {
    let job = restore_job_with(|j| {
        j.insert("targetDeploymentItemName".into(), json!("Cluster1"));
    });
    let page = json!({"results": [job.clone(), job], "totalCount": 2});
    let entries = vec![entry("GET", &restore_jobs_path(), 200, V2023, &page), entry("GET", &restore_jobs_path(), 200, V2023, &page)];
    let report = observe_entries(entries, "");
    let f = only(&report);
    let example = json!("Cluster1");
    assert_eq!(
        place(f),
        (
            Kind::UndocumentedProperty,
            Some("DiskBackupSnapshotRestoreJob"),
            "/targetDeploymentItemName",
            "/results/0/targetDeploymentItemName",
            &example
        )
    );
    assert_eq!(f.count, 4, "two items in each of two pages");
}

#[test]
fn an_enum_value_the_spec_does_not_list() {
    let job = restore_job_with(|j| {
        j.insert("deliveryType".into(), json!("teleport"));
    });
    let report = observe_entries(vec![entry("GET", &restore_job_path(), 200, V2023, &job)], "");
    let example = json!("teleport");
    assert_eq!(
        place(only(&report)),
        (Kind::UnlistedEnumValue, Some("DiskBackupSnapshotRestoreJob"), "/deliveryType", "/deliveryType", &example)
    );
}

#[test]
fn a_discriminator_value_the_one_of_does_not_list() {
    let snapshot = json!({"id": "5f4007f327a3bc75f2a2b1c3", "type": "serverless", "status": "queued"});
    let path = format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/snapshots");
    let report = observe_entries(vec![entry("POST", &path, 200, "application/vnd.atlas.2025-03-12+json", &snapshot)], "");
    let f = only(&report);
    let example = json!("serverless");
    assert_eq!(place(f), (Kind::UnlistedEnumValue, Some("DiskBackupSnapshot"), "/type", "/type", &example));
    assert_eq!(f.evidence.operation.as_deref(), Some("takeSnapshots"));
}

#[test]
fn values_outside_their_type_or_format() {
    let cases = [
        ("oplogTs", json!(4_294_967_296_i64), "past int32"),
        ("finishedAt", json!("2026-13-45 noon"), "date-time"),
        ("oplogInc", json!("12"), "a string where an integer (int32) is declared"),
    ];
    for (property, value, message) in cases {
        let job = restore_job_with(|j| {
            j.insert(property.into(), value.clone());
        });
        let report = observe_entries(vec![entry("GET", &restore_job_path(), 200, V2023, &job)], "");
        let f = only(&report);
        let at = format!("/{property}");
        assert_eq!(place(f), (Kind::TypeMismatch, Some("DiskBackupSnapshotRestoreJob"), at.as_str(), at.as_str(), &value));
        assert!(f.message.contains(message), "{property}: {}", f.message);
    }
}

#[test]
fn a_required_property_that_is_absent() {
    let job = restore_job_with(|j| {
        j.remove("deliveryType");
    });
    let report = observe_entries(vec![entry("GET", &restore_job_path(), 200, V2023, &job)], "");
    let f = only(&report);
    assert_eq!((f.kind, f.schema.as_deref(), f.at.as_str()), (Kind::RequiredAbsent, Some("DiskBackupSnapshotRestoreJob"), "/deliveryType"));
    assert!(f.example.as_array().is_some_and(|keys| keys.contains(&json!("snapshotId"))), "the keys it had: {}", f.example);
}

#[test]
fn null_where_the_schema_does_not_allow_it() {
    let job = restore_job_with(|j| {
        j.insert("cancelled".into(), Value::Null);
    });
    let report = observe_entries(vec![entry("GET", &restore_job_path(), 200, V2023, &job)], "");
    assert_eq!(
        place(only(&report)),
        (Kind::NullNotAllowed, Some("DiskBackupSnapshotRestoreJob"), "/cancelled", "/cancelled", &Value::Null)
    );
}

#[test]
fn exchanges_no_operation_describes() {
    let nowhere = format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/teleports");
    let entries = vec![
        entry("GET", &nowhere, 200, "application/json", &json!({})),
        entry("GET", &restore_job_path(), 418, "application/json", &json!({"error": 418, "errorCode": "TEAPOT"})),
        entry("GET", &restore_job_path(), 200, "application/vnd.atlas.2099-01-01+json", &restore_job()),
    ];
    let report = observe_entries(entries, "");
    let mut found: Vec<(Kind, Option<&str>, &str)> = report.findings.iter().map(|f| (f.kind, f.schema.as_deref(), f.at.as_str())).collect();
    found.sort();
    let template = "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs/{restoreJobId}";
    let (no_path, status, media) = (format!("GET {nowhere}"), format!("GET {template} (418)"), format!("GET {template} (200)"));
    let mut expected = vec![
        (Kind::UnmatchedExchange, None, no_path.as_str()),
        (Kind::UnmatchedExchange, None, status.as_str()),
        (Kind::UnmatchedExchange, None, media.as_str()),
    ];
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(report.matched, 0);
    assert!(report.findings.iter().any(|f| f.message.contains("application/vnd.atlas.2099-01-01+json")));
}

#[test]
fn an_answer_in_a_version_the_spec_lacks_is_still_checked() {
    let job = restore_job_with(|j| {
        j.insert("targetDeploymentItemName".into(), json!("Cluster1"));
    });
    let report = observe_entries(vec![entry("GET", &restore_job_path(), 200, "application/vnd.atlas.2022-01-01+json", &job)], "");
    let kinds: Vec<(Kind, &str)> = report.findings.iter().map(|f| (f.kind, f.at.as_str())).collect();
    let template = "GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs/{restoreJobId} (200)";
    assert_eq!(kinds, [(Kind::UndocumentedProperty, "/targetDeploymentItemName"), (Kind::UnmatchedExchange, template)]);
}

#[test]
fn an_enveloped_answer_is_checked_inside_its_envelope() {
    let job = restore_job_with(|j| {
        j.insert("targetDeploymentItemName".into(), json!("Cluster1"));
    });
    let mut e = entry("GET", &restore_job_path(), 200, V2023, &json!({"status": 200, "content": job}));
    e["request"]["url"] = json!(format!("https://cloud.mongodb.com{}?envelope=true", restore_job_path()));
    let report = observe_entries(vec![e], "");
    let example = json!("Cluster1");
    let f = only(&report);
    assert_eq!(
        place(f),
        (
            Kind::UndocumentedProperty,
            Some("DiskBackupSnapshotRestoreJob"),
            "/targetDeploymentItemName",
            "/content/targetDeploymentItemName",
            &example
        )
    );
}

#[test]
fn the_printed_entry_lists_the_finding_as_known() {
    let job = restore_job_with(|j| {
        j.insert("targetDeploymentItemName".into(), json!("Cluster1"));
        j.insert("oplogTs".into(), json!(4_294_967_296_i64));
    });
    let entries = || vec![entry("GET", &restore_job_path(), 200, V2023, &job)];
    let report = observe_entries(entries(), "");
    assert_eq!(report.findings.len(), 2);
    let undocumented = report.findings.iter().find(|f| f.kind == Kind::UndocumentedProperty).expect("the new property");
    let pasted = observe::report::entry(undocumented);
    // The Markdown carries the entry, and the entry carries the evidence.
    assert!(observe::report::markdown(&report).contains(pasted.lines().nth(2).unwrap_or("none")));
    assert!(
        pasted.contains("getBackupRestoreJob") && pasted.contains("\"Cluster1\"") && pasted.contains("recorded 2026-12-01"),
        "{pasted}"
    );

    let known_yaml = format!("differences: []\nobserved:\n{pasted}");
    // spec check reads the same file and leaves the observed: list alone.
    let check = atlas_codegen::drift::intended::parse(Path::new("intended-differences.yaml"), &known_yaml);
    assert!(check.is_ok_and(|differences| differences.is_empty()));
    let report = observe_entries(entries(), &known_yaml);
    let listed = report.findings.iter().find(|f| f.kind == Kind::UndocumentedProperty).expect("still reported");
    assert_eq!(listed.known.as_ref().map(|k| k.entry.as_str()), Some("#/observed/0"), "reported as known");
    assert!(!report.is_clean(), "the int32 overflow is still new");

    let both =
        format!("{known_yaml}{}", observe::report::entry(report.findings.iter().find(|f| f.kind == Kind::TypeMismatch).expect("overflow")));
    let report = observe_entries(entries(), &both);
    assert!(report.is_clean(), "{}", observe::report::markdown(&report));
    assert!(observe::report::markdown(&report).contains("### Known (2)"));
}

#[test]
fn the_project_list_of_intended_differences_reads() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/intended-differences.yaml");
    known::load(&file).expect("spec/intended-differences.yaml has a valid observed: list");
}

#[test]
fn an_archive_with_only_the_required_fields_of_har_1_2_is_read() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/observe/required-fields-only.har");
    let report = observe_files(&[file], "");
    // Two exchanges: one with a body (`content.text` is optional in HAR 1.2) and one without.
    assert_eq!((report.exchanges, report.matched, report.unchecked), (2, 2, 1), "{}", observe::report::markdown(&report));
    let f = only(&report);
    assert_eq!(
        (f.kind, f.schema.as_deref(), f.at.as_str()),
        (Kind::UndocumentedProperty, Some("DiskBackupSnapshotRestoreJob"), "/targetDeploymentItemName")
    );
}

#[test]
fn a_broken_archive_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("broken.har");
    std::fs::write(&file, r#"{"log": {"entries": [{"request": {"url": "x"}, "response": {"status": 200}}]}}"#).expect("write");
    let spec = atlas_codegen::load::load(&spec_path()).expect("spec/ loads");
    let e = observe::observe(&spec, &[file], &[]).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("broken.har") && e.contains("#/log/entries/0/request") && e.contains("method"), "{e}");
    let missing = observe::observe(&spec, &[dir.path().join("missing.har")], &[]).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(missing.contains("missing.har") && missing.contains("cannot read"), "{missing}");
}

#[test]
fn a_one_of_without_discriminator_is_the_first_variant_that_decodes() {
    let spec = atlas_codegen::load::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/one_of.yaml")).expect("fixture loads");
    let run = |body: Value| {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("shapes.har");
        std::fs::write(&file, archive(vec![entry("GET", "/shapes", 200, "application/json", &body)]).to_string()).expect("write");
        observe::observe(&spec, &[file], &[]).expect("read")
    };
    // A circle with a property Circle lacks: it still decodes as a circle, and the property is reported.
    let report = run(json!({"radius": 2.5, "colour": "red"}));
    let f = only(&report);
    assert_eq!((f.kind, f.schema.as_deref(), f.at.as_str()), (Kind::UndocumentedProperty, Some("Circle"), "/colour"));
    assert!(run(json!("a square")).findings.is_empty(), "the second variant");
    // Neither variant decodes: the closest one (Circle, one disagreement) says why.
    let report = run(json!({"radius": "wide"}));
    let f = only(&report);
    assert_eq!((f.kind, f.schema.as_deref(), f.at.as_str()), (Kind::TypeMismatch, Some("Circle"), "/radius"));
}

/// `node` with its `$ref`s followed (within `doc`).
fn deref<'a>(doc: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str).and_then(|r| doc.pointer(r.trim_start_matches('#'))) {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// Every example answer of `v2.yaml`'s backup operations, as Atlas would send it (the examples
/// are MongoDB's own), read back by `spec observe`: no body disagrees with spec/'s types.
/// What spec/ lacks on purpose or has yet to take (older and preview versions, the 429 of the
/// reference pages' operations) is reported as unmatched only.
#[test]
fn the_published_examples_agree_with_the_spec_field_by_field() {
    let test = "the_published_examples_agree_with_the_spec_field_by_field";
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/upstream-v2/atlas-api-v2-2026-08-12.yaml");
    let Ok(text) = std::fs::read_to_string(&file) else {
        published::missing(test, &format!("{} is absent", file.display()));
        return;
    };
    let doc: Value = serde_yaml::from_str(&text).expect("v2.yaml is YAML");
    let mut entries = Vec::new();
    let paths = doc["paths"].as_object().expect("paths");
    for (path, item) in paths {
        let url_path: String = path.split('/').map(|s| if s.starts_with('{') { "x1" } else { s }).collect::<Vec<_>>().join("/");
        for (method, op) in item.as_object().into_iter().flatten() {
            let tags = op["tags"].as_array().into_iter().flatten().filter_map(Value::as_str);
            if !tags.into_iter().any(|t| BACKUP_TAGS.contains(&t)) {
                continue;
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                let Ok(status) = status.parse::<u16>() else { continue };
                for (media, content) in deref(&doc, response)["content"].as_object().into_iter().flatten() {
                    let examples = content["examples"].as_object().into_iter().flatten().map(|(_, e)| &deref(&doc, e)["value"]);
                    for example in content.get("example").into_iter().chain(examples).filter(|e| !e.is_null()) {
                        entries.push(entry(&method.to_ascii_uppercase(), &url_path, status, media, example));
                    }
                }
            }
        }
    }
    let report = observe_entries(entries, "");
    let markdown = observe::report::markdown(&report);
    assert!(report.exchanges >= 300 && report.operations >= 55, "{markdown}");
    let disagreements: Vec<String> =
        report.findings.iter().filter(|f| f.kind != Kind::UnmatchedExchange).map(observe::report::line).collect();
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
