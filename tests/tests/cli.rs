//! The generated command line (`atlas-backup`, issue 27), run as a process against a
//! loopback server: exit codes, waiting, dry runs, strict bodies, paging and secrets.

use std::process::{Command, Output};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";
const PUBLIC: &str = "pubkey-ab12cd34";
const PRIVATE: &str = "private-5e3c2f1a-9b8d-4c7e-a6f5-0d1c2b3a4e5f";

fn cli(server: Option<&MockServer>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_atlas-backup"));
    cmd.args(args)
        .env_remove("MONGODB_ATLAS_CLIENT_ID")
        .env_remove("MONGODB_ATLAS_CLIENT_SECRET")
        .env_remove("MONGODB_ATLAS_PROJECT_ID")
        .env("MONGODB_ATLAS_PUBLIC_API_KEY", PUBLIC)
        .env("MONGODB_ATLAS_PRIVATE_API_KEY", PRIVATE)
        .env("XDG_CONFIG_HOME", std::env::temp_dir().join("atlas-backup-cli-test-no-config"));
    match server {
        Some(s) => cmd.env("MONGODB_ATLAS_BASE_URL", s.uri()),
        None => cmd.env("MONGODB_ATLAS_BASE_URL", "http://127.0.0.1:9"),
    };
    cmd.output().expect("the binary runs")
}

fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

fn snapshots_path() -> String {
    format!("/api/atlas/v2/groups/{GROUP}/clusters/C0/backup/snapshots")
}

fn body_file(value: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), value).expect("write");
    file
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_and_curl_send_nothing() {
    let server = MockServer::start().await;
    let body = body_file("retentionInDays: 3\ndescription: before migration\n");
    let file = body.path().to_str().expect("utf-8");
    let base = ["cloudBackups", "takeSnapshots", "--groupId", GROUP, "--clusterName", "C0", "--file", file];
    let out = cli(Some(&server), &[&base[..], &["--dry-run"]].concat());
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with(&format!("POST {}{}", server.uri(), snapshots_path())), "{stdout}");
    assert!(stdout.contains("accept: application/vnd.atlas.2025-03-12+json"), "{stdout}");
    assert!(stdout.contains("\"retentionInDays\": 3"), "{stdout}");
    let out = cli(Some(&server), &[&base[..], &["--curl"]].concat());
    let (stdout, _) = text(&out);
    assert!(stdout.starts_with("curl --user \"${PUBLIC_KEY}:${PRIVATE_KEY}\" \\\n  --digest"), "{stdout}");
    assert!(stdout.contains("--header \"Accept: application/vnd.atlas.2025-03-12+json\""), "{stdout}");
    assert!(!stdout.contains(PRIVATE) && !stdout.contains(PUBLIC), "{stdout}");
    assert_eq!(requests(&server).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_group_id_and_an_unknown_body_field_send_nothing() {
    let server = MockServer::start().await;
    let out = cli(Some(&server), &["cloud-backups", "get-group-cluster-backup-snapshot", "--group-id", "nothex", "--cluster-name", "C0", "--snapshot-id", SNAPSHOT]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("groupId"), "{stderr}");
    let body = body_file("{\"retentionInDay\": 3}");
    let out = cli(Some(&server), &["cloudBackups", "takeSnapshots", "--projectId", GROUP, "--clusterName", "C0", "--file", body.path().to_str().expect("utf-8")]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown field `retentionInDay`; did you mean `retentionInDays`?"), "{stderr}");
    assert_eq!(requests(&server).await, 0);
}

fn snapshot(status: &str) -> Value {
    json!({"id": SNAPSHOT, "status": status, "snapshotType": "onDemand"})
}

async fn take_and_wait(states: &[&str], extra: &[&str]) -> (Output, MockServer) {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(snapshots_path())).respond_with(ResponseTemplate::new(200).set_body_json(snapshot("queued"))).mount(&server).await;
    let get = format!("{}/{SNAPSHOT}", snapshots_path());
    for (i, state) in states.iter().enumerate() {
        let mock = Mock::given(method("GET")).and(path(get.clone())).respond_with(ResponseTemplate::new(200).set_body_json(snapshot(state)));
        let mock = if i + 1 < states.len() { mock.up_to_n_times(1) } else { mock };
        mock.with_priority(u8::try_from(i + 1).unwrap_or(u8::MAX)).mount(&server).await;
    }
    let body = body_file("{\"retentionInDays\": 1}");
    let args = [&["cloudBackups", "takeSnapshots", "--groupId", GROUP, "--clusterName", "C0", "--file", body.path().to_str().expect("utf-8"), "--wait", "--min-delay", "1ms", "--max-delay", "2ms"][..], extra].concat();
    (cli(Some(&server), &args), server)
}

#[tokio::test(flavor = "multi_thread")]
async fn take_snapshots_wait_goes_through_queued_in_progress_completed() {
    let (out, server) = take_and_wait(&["queued", "inProgress", "completed"], &[]).await;
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let answer: Value = serde_json::from_str(&stdout).expect("JSON answer");
    assert_eq!(answer["status"], "completed");
    // Not a terminal: one line per change of state.
    for state in ["status=queued", "status=inProgress", "status=completed"] {
        assert!(stderr.contains(state), "{state}: {stderr}");
    }
    assert_eq!(requests(&server).await, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failure_state_exits_5_and_a_timeout_6() {
    let (out, _) = take_and_wait(&["inProgress", "failed"], &["--quiet"]).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("status=failed"), "{stderr}");
    let (out, _) = take_and_wait(&["inProgress"], &["--wait-timeout", "30ms"]).await;
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_errors_exit_4_with_error_code_and_auth_errors_3() {
    let server = MockServer::start().await;
    let get = format!("{}/{SNAPSHOT}", snapshots_path());
    Mock::given(method("GET")).and(path(get)).respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": 404, "errorCode": "SNAPSHOT_NOT_FOUND", "detail": "No snapshot with ID", "reason": "Not Found"}))).mount(&server).await;
    let args = ["cloudBackups", "getGroupClusterBackupSnapshot", "--groupId", GROUP, "--clusterName", "C0", "--snapshotId", SNAPSHOT];
    let out = cli(Some(&server), &args);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("SNAPSHOT_NOT_FOUND") && stderr.contains("No snapshot with ID"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_atlas-backup"))
        .args(args)
        .env_remove("MONGODB_ATLAS_PUBLIC_API_KEY")
        .env_remove("MONGODB_ATLAS_PRIVATE_API_KEY")
        .env_remove("MONGODB_ATLAS_CLIENT_ID")
        .env_remove("MONGODB_ATLAS_CLIENT_SECRET")
        .env("XDG_CONFIG_HOME", std::env::temp_dir().join("atlas-backup-cli-test-no-config"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3), "{}", text(&out).1);
}

#[tokio::test(flavor = "multi_thread")]
async fn all_reads_every_page_and_ndjson_prints_one_item_a_line() {
    let server = MockServer::start().await;
    let list = format!("/api/atlas/v2/groups/{GROUP}/clusters/C0/backup/exports");
    for (page, id) in [("1", "a"), ("2", "b")] {
        Mock::given(method("GET")).and(path(list.clone())).and(query_param("pageNum", page))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [{"id": id, "exportBucketId": "6824a1c3b2f1e4d5a6b7c8e2"}], "totalCount": 2})))
            .mount(&server).await;
    }
    let out = cli(Some(&server), &["cloudBackups", "listBackupExports", "--groupId", GROUP, "--clusterName", "C0", "--itemsPerPage", "1", "--all", "-o", "ndjson"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let ids: Vec<Value> = stdout.lines().map(|l| serde_json::from_str::<Value>(l).expect("a JSON line")["id"].clone()).collect();
    assert_eq!(ids, [json!("a"), json!("b")]);
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_never_appear_with_debug_either() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(snapshot("completed"))).mount(&server).await;
    let out = cli(Some(&server), &["--debug", "cloudBackups", "getGroupClusterBackupSnapshot", "--groupId", GROUP, "--clusterName", "C0", "--snapshotId", SNAPSHOT]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("> GET") && stderr.contains("< 200"), "{stderr}");
    for secret in [PUBLIC, PRIVATE] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} leaked");
    }
}

#[test]
fn a_connection_that_fails_exits_7_and_usage_2() {
    let out = cli(None, &["cloudBackups", "getGroupClusterBackupSnapshot", "--groupId", GROUP, "--clusterName", "C0", "--snapshotId", SNAPSHOT]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out).1);
    let out = cli(None, &["cloudBackups", "noSuchOperation"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The acceptance check: `atlas-backup cloudBackups getGroupClusterBackupSnapshot
/// --help` prints the operation's method, path and parameters (and the exit codes).
#[test]
fn help_of_an_operation_prints_method_path_and_parameters() {
    for args in [["cloudBackups", "getGroupClusterBackupSnapshot"], ["cloud-backups", "get-group-cluster-backup-snapshot"]] {
        let out = cli(None, &[args[0], args[1], "--help"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(stdout.contains("GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots/{snapshotId}"), "{stdout}");
        for flag in ["--groupId <groupId>", "--clusterName <clusterName>", "--snapshotId <snapshotId>", "--envelope", "--pretty"] {
            assert!(stdout.contains(flag), "{flag}: {stdout}");
        }
        assert!(stdout.contains("API versions: 2024-05-30"), "{stdout}");
        assert!(stdout.contains("Exit codes") && stdout.contains("130"), "{stdout}");
        assert_eq!(stderr, "");
    }
}
