//! `HarRecorder` against real servers on loopback (wiremock, the Python digest server): every
//! attempt is recorded (retries, the 401 before a Digest answer, every page, every poll of a
//! waiter) as HAR 1.2, no credential of any kind reaches the file, which each test greps, and
//! `spec observe` reads what the client recorded back: everything matches.

mod support;

use std::time::Duration;

use atlas_backup::har::HarRecorder;
use atlas_backup::{Auth, Client, ClientBuilder, RetryPolicy};
use serde_json::{Value, json};
use support::{DigestServer, GROUP, SNAPSHOT, get_snapshot};
use wiremock::matchers::{bearer_token, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SNAPSHOTS_PATH: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/snapshots";

fn snapshot(status: &str) -> Value {
    json!({"id": SNAPSHOT, "type": "replicaSet", "status": status, "replicaSetName": "Cluster0-shard-0"})
}

/// Retries without waiting, and the recorder added.
fn builder(base_url: &str, recorder: &HarRecorder) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .retry(RetryPolicy::with_max_attempts(3).backoff(Duration::ZERO, Duration::ZERO))
        .interceptor(recorder.clone())
}

/// The archive written to a file and read back: what a reader of the file gets.
fn written(recorder: &HarRecorder) -> (String, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("calls.har");
    recorder.write_to(&file).expect("the archive is written");
    let text = std::fs::read_to_string(&file).expect("the archive is readable");
    let har: Value = serde_json::from_str(&text).expect("the archive is JSON");
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["creator"]["name"], "atlas-backup");
    (text, har)
}

fn entries(har: &Value) -> &Vec<Value> {
    har["log"]["entries"].as_array().expect("log.entries")
}

/// Fails naming each credential found in the archive's text (case-insensitive).
fn assert_no_credential(text: &str, credentials: &[&str]) {
    let lower = text.to_ascii_lowercase();
    let found: Vec<&&str> = credentials.iter().filter(|c| lower.contains(&c.to_ascii_lowercase())).collect();
    assert!(found.is_empty(), "credentials in the archive: {found:?}\n{text}");
}

#[tokio::test]
async fn every_attempt_of_a_retried_call_is_recorded_whole() {
    let server = MockServer::start().await;
    let unavailable = ResponseTemplate::new(503).set_body_json(json!({"error": 503, "errorCode": "SERVICE_UNAVAILABLE"}));
    Mock::given(method("GET")).respond_with(unavailable).up_to_n_times(2).expect(2).mount(&server).await;
    let ok = ResponseTemplate::new(200).set_body_json(snapshot("completed")).insert_header("x-request-id", "r-3");
    Mock::given(method("GET")).respond_with(ok).expect(1).mount(&server).await;
    let recorder = HarRecorder::new();
    let client = builder(&server.uri(), &recorder).build().expect("client");
    get_snapshot(&client, "Cluster0").await.expect("the third attempt succeeds");

    let (_, har) = written(&recorder);
    let entries = entries(&har);
    let statuses: Vec<(u64, u64)> =
        entries.iter().map(|e| (e["_attempt"].as_u64().unwrap_or(0), e["response"]["status"].as_u64().unwrap_or(0))).collect();
    assert_eq!(statuses, [(1, 503), (2, 503), (3, 200)]);
    let last = &entries[2];
    assert_eq!(last["request"]["method"], "GET");
    assert_eq!(last["request"]["url"], format!("{}{SNAPSHOTS_PATH}/{SNAPSHOT}", server.uri()));
    assert_eq!(last["_operationId"], "getGroupClusterBackupSnapshot");
    let request_headers = last["request"]["headers"].as_array().expect("request headers");
    assert!(request_headers.contains(&json!({"name": "accept", "value": "application/vnd.atlas.2024-05-30+json"})), "{request_headers:?}");
    let response_headers = last["response"]["headers"].as_array().expect("response headers");
    assert!(response_headers.contains(&json!({"name": "x-request-id", "value": "r-3"})), "{response_headers:?}");
    let body: Value = serde_json::from_str(last["response"]["content"]["text"].as_str().expect("body text")).expect("JSON");
    assert_eq!(body, snapshot("completed"));
    assert_eq!(last["response"]["content"]["mimeType"], "application/json");
    // The retried answers keep their bodies too.
    assert!(entries[0]["response"]["content"]["text"].as_str().is_some_and(|t| t.contains("SERVICE_UNAVAILABLE")));
    for e in entries {
        assert!(e["time"].as_f64().is_some_and(|t| t >= 0.0) && e["timings"]["wait"].as_f64().is_some(), "{e}");
        let started = e["startedDateTime"].as_str().expect("startedDateTime");
        chrono::DateTime::parse_from_rfc3339(started).expect("an ISO 8601 start");
    }
}

#[tokio::test]
async fn a_request_body_and_every_page_are_recorded() {
    let server = MockServer::start().await;
    let page = |ids: &[u32]| {
        let results: Vec<Value> = ids.iter().map(|i| json!({"id": format!("{SNAPSHOT}{i}"), "type": "replicaSet"})).collect();
        ResponseTemplate::new(200).set_body_json(json!({"results": results, "totalCount": 5}))
    };
    for (number, ids) in [("1", &[1, 2][..]), ("2", &[3, 4][..]), ("3", &[5][..])] {
        Mock::given(method("GET"))
            .and(path(SNAPSHOTS_PATH))
            .and(query_param("pageNum", number))
            .respond_with(page(ids))
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(SNAPSHOTS_PATH))
        .respond_with(ResponseTemplate::new(202).set_body_json(snapshot("queued")))
        .mount(&server)
        .await;
    let recorder = HarRecorder::new();
    let client = builder(&server.uri(), &recorder).build().expect("client");
    let request = atlas_backup::models::DiskBackupOnDemandSnapshotRequest::new().with_description("before the upgrade");
    client.take_snapshots().group_id(GROUP).cluster_name("Cluster0").body(request).send().await.expect("taken");
    let all = client.list_backup_snapshots().group_id(GROUP).cluster_name("Cluster0").items_per_page(2).collect_all().await;
    assert_eq!(all.expect("every page").len(), 5);

    let (_, har) = written(&recorder);
    let entries = entries(&har);
    assert_eq!(entries.len(), 4, "{har}");
    let post = &entries[0]["request"];
    assert_eq!(post["method"], "POST");
    assert_eq!(post["postData"]["text"], r#"{"description":"before the upgrade"}"#);
    assert!(post["postData"]["mimeType"].as_str().is_some_and(|m| m.starts_with("application/vnd.atlas.")), "{post}");
    let pages: Vec<&str> = entries[1..]
        .iter()
        .map(|e| {
            e["request"]["queryString"]
                .as_array()
                .and_then(|q| q.iter().find(|p| p["name"] == "pageNum"))
                .map_or("", |p| p["value"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(pages, ["1", "2", "3"]);
}

#[tokio::test(start_paused = true)]
async fn every_poll_of_a_waiter_is_recorded() {
    let server = MockServer::start().await;
    for status in ["queued", "inProgress"] {
        let answer = ResponseTemplate::new(200).set_body_json(snapshot(status));
        Mock::given(method("GET")).respond_with(answer).up_to_n_times(1).mount(&server).await;
    }
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(snapshot("completed"))).mount(&server).await;
    let recorder = HarRecorder::new();
    // No timer during an exchange: the paused clock would fire it at once (see waiters.rs).
    let http = reqwest::Client::builder().pool_idle_timeout(None).build().expect("reqwest client");
    let client = builder(&server.uri(), &recorder).http_client(http).no_timeout().build().expect("client");
    let waiter = client.wait_until_snapshot_completed().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT);
    waiter.wait(Duration::from_secs(3600)).await.expect("completed");

    let (_, har) = written(&recorder);
    let statuses: Vec<String> = entries(&har)
        .iter()
        .map(|e| {
            serde_json::from_str::<Value>(e["response"]["content"]["text"].as_str().unwrap_or("{}"))
                .map(|b| b["status"].to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(statuses, [r#""queued""#, r#""inProgress""#, r#""completed""#]);
}

#[tokio::test]
async fn a_connection_error_is_an_entry_with_status_0() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let recorder = HarRecorder::new();
    let client = builder(&url, &recorder).retry(RetryPolicy::disabled()).build().expect("client");
    get_snapshot(&client, "Cluster0").await.expect_err("nothing listens");
    let (_, har) = written(&recorder);
    let entries = entries(&har);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["response"]["status"], 0);
    assert!(entries[0]["response"]["_error"].as_str().is_some_and(|e| !e.is_empty()), "{har}");
}

#[tokio::test]
async fn digest_api_keys_never_reach_the_archive() {
    const PUBLIC_KEY: &str = "pubkeyabcdefgh";
    const PRIVATE_KEY: &str = "0f1e2d3c-private-key-4b5a6978";
    let test = "digest_api_keys_never_reach_the_archive";
    let Some(server) = DigestServer::start(&["--user", PUBLIC_KEY, "--password", PRIVATE_KEY], test) else {
        return;
    };
    let recorder = HarRecorder::new();
    let client = builder(&server.url, &recorder).auth(Auth::digest(PUBLIC_KEY, PRIVATE_KEY)).build().expect("client");
    get_snapshot(&client, "Cluster0").await.expect("challenge, then authorized");
    get_snapshot(&client, "Cluster0").await.expect("authorized at once");
    let requests = server.log().await;
    let authorized: Vec<bool> = requests.iter().map(|r| r["authorization"] == true).collect();
    assert_eq!(authorized, [false, true, true], "the server did get the Digest answers: {requests:?}");

    let (text, har) = written(&recorder);
    // The challenge and both answers are recorded; the Digest answers to the challenge are not.
    let statuses: Vec<u64> = entries(&har).iter().map(|e| e["response"]["status"].as_u64().unwrap_or(0)).collect();
    assert_eq!(statuses, [401, 200, 200]);
    assert_no_credential(&text, &[PUBLIC_KEY, PRIVATE_KEY, "authorization", "response=", "cnonce", "username="]);
}

#[tokio::test]
async fn a_service_account_token_and_its_request_never_reach_the_archive() {
    const CLIENT_ID: &str = "mdb_sa_id_6824a1c3b2f1e4d5a6b7c8d9";
    const CLIENT_SECRET: &str = "mdb_sa_sk_Zm9vYmFyYmF6cXV4c2VjcmV0";
    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.sa-token-value";
    let server = MockServer::start().await;
    let token = json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600});
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token))
        .expect(1)
        .mount(&server)
        .await;
    let ok = ResponseTemplate::new(200).set_body_json(snapshot("completed"));
    Mock::given(method("GET")).and(bearer_token(TOKEN)).respond_with(ok).expect(1).mount(&server).await;
    let recorder = HarRecorder::new();
    let client = builder(&server.uri(), &recorder).auth(Auth::service_account(CLIENT_ID, CLIENT_SECRET)).build().expect("client");
    get_snapshot(&client, "Cluster0").await.expect("authorized");

    let (text, har) = written(&recorder);
    assert_eq!(entries(&har).len(), 1, "only the API call: {har}");
    // Neither the token request (its URL, grant, client ID and secret) nor its answer.
    assert_no_credential(
        &text,
        &[CLIENT_ID, CLIENT_SECRET, TOKEN, "sa-token-value", "oauth", "client_credentials", "access_token", "bearer", "authorization"],
    );
}

#[tokio::test]
async fn a_bearer_token_never_reaches_the_archive() {
    const TOKEN: &str = "secret-bearer-token-value";
    let server = MockServer::start().await;
    let ok = ResponseTemplate::new(200).set_body_json(snapshot("completed"));
    Mock::given(method("GET")).and(bearer_token(TOKEN)).respond_with(ok).expect(1).mount(&server).await;
    let recorder = HarRecorder::new();
    let client = builder(&server.uri(), &recorder).auth(Auth::bearer(TOKEN)).build().expect("client");
    get_snapshot(&client, "Cluster0").await.expect("authorized");
    let (text, har) = written(&recorder);
    assert_eq!(entries(&har).len(), 1);
    assert_no_credential(&text, &[TOKEN, "bearer", "authorization"]);
}

/// A snapshot taken and waited for, a list read page by page and an API error, answered as
/// Atlas answers them, recorded by the client and read back by `spec observe`: every
/// exchange matches an operation and agrees with spec/.
#[tokio::test(start_paused = true)]
async fn what_the_client_recorded_is_read_back_by_spec_observe_and_agrees() {
    let server = MockServer::start().await;
    let v2025 = "application/vnd.atlas.2025-03-12+json";
    let v2024 = "application/vnd.atlas.2024-05-30+json";
    let v2023 = "application/vnd.atlas.2023-01-01+json";
    let atlas = |status: u16, media: &str, body: Value| ResponseTemplate::new(status).set_body_raw(body.to_string(), media);
    let taken = json!({"id": SNAPSHOT, "type": "replicaSet", "status": "queued", "snapshotType": "onDemand",
                       "createdAt": "2026-12-01T09:00:00Z", "description": "before the upgrade"});
    Mock::given(method("POST")).and(path(SNAPSHOTS_PATH)).respond_with(atlas(200, v2025, taken)).expect(1).mount(&server).await;
    let polled = |status: &str| {
        json!({"id": SNAPSHOT, "type": "replicaSet", "status": status, "replicaSetName": "Cluster0-shard-0",
               "storageSizeBytes": 5_368_709_120_i64, "createdAt": "2026-12-01T09:00:00Z"})
    };
    let snapshot_path = format!("{SNAPSHOTS_PATH}/{SNAPSHOT}");
    for status in ["queued", "inProgress"] {
        Mock::given(method("GET"))
            .and(path(snapshot_path.as_str()))
            .respond_with(atlas(200, v2024, polled(status)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(snapshot_path.as_str()))
        .respond_with(atlas(200, v2024, polled("completed")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let not_found = json!({"error": 404, "errorCode": "CLUSTER_NOT_FOUND", "reason": "Not Found", "detail": "No cluster named Cluster0.", "parameters": ["Cluster0"]});
    Mock::given(method("GET"))
        .and(path(snapshot_path.as_str()))
        .respond_with(atlas(404, "application/json", not_found))
        .mount(&server)
        .await;
    let page = |ids: std::ops::Range<u32>| {
        let results: Vec<Value> =
            ids.map(|i| json!({"id": format!("5f4007f327a3bc75f2a2b1{i:02}"), "type": "replicaSet", "status": "completed"})).collect();
        json!({"results": results, "totalCount": 5, "links": [{"href": "https://cloud.mongodb.com/api/atlas/v2", "rel": "self"}]})
    };
    for (number, ids) in [("1", 0..2), ("2", 2..4), ("3", 4..5)] {
        let answer = atlas(200, v2023, page(ids));
        Mock::given(method("GET")).and(path(SNAPSHOTS_PATH)).and(query_param("pageNum", number)).respond_with(answer).mount(&server).await;
    }

    let recorder = HarRecorder::new();
    let http = reqwest::Client::builder().pool_idle_timeout(None).build().expect("reqwest client");
    let client = builder(&server.uri(), &recorder).http_client(http).no_timeout().build().expect("client");
    let request = atlas_backup::models::DiskBackupOnDemandSnapshotRequest::new().with_description("before the upgrade");
    client.take_snapshots().group_id(GROUP).cluster_name("Cluster0").body(request).send().await.expect("taken");
    let waiter = client.wait_until_snapshot_completed().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT);
    waiter.wait(Duration::from_secs(3600)).await.expect("completed");
    let all = client.list_backup_snapshots().group_id(GROUP).cluster_name("Cluster0").items_per_page(2).collect_all().await;
    assert_eq!(all.expect("every page").len(), 5);
    let error = get_snapshot(&client, "Cluster0").await.expect_err("the scripted 404");
    assert_eq!(error.error_code(), Some("CLUSTER_NOT_FOUND"));

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("recorded.har");
    recorder.write_to(&file).expect("the archive is written");
    let spec = atlas_codegen::load::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/atlas-backup.yaml"))
        .expect("spec/ loads");
    let report = atlas_codegen::observe::observe(&spec, &[file], &[]).expect("the archive is read");
    let markdown = atlas_codegen::observe::report::markdown(&report);
    // 1 take, 3 polls, 3 pages, 1 error.
    assert_eq!((report.exchanges, report.matched, report.unchecked), (8, 8, 0), "{markdown}");
    assert_eq!(report.operations, 3, "takeSnapshots, getGroupClusterBackupSnapshot, listBackupSnapshots: {markdown}");
    assert!(report.findings.is_empty() && report.is_clean(), "{markdown}");
}
