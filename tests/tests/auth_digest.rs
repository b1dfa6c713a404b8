//! HTTP Digest against servers whose digest check is not the client's own code: httpbin
//! (PyPI, started by `.ci/services.sh`) and `tests/fixtures/digest_server.py` (hashlib).

mod support;

use atlas_backup::models::{DiskBackupOnDemandSnapshotRequest, DiskBackupSnapshot};
use atlas_backup::{Auth, Client, DigestAuth, Error, RetryPolicy};
use reqwest::StatusCode;
use reqwest::header::AUTHORIZATION;
use serde_json::Value;
use support::{DigestServer, service_url};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";
const PUBLIC_KEY: &str = "abcdefgh";
const PRIVATE_KEY: &str = "0f1e2d3c-private-key-4b5a6978";

/// A GET through [`DigestAuth`] the way its documentation says: the answer, and how many
/// HTTP exchanges it took.
async fn digest_get(http: &reqwest::Client, digest: &DigestAuth, url: &str) -> (StatusCode, String, u32) {
    let url = reqwest::Url::parse(url).expect("url");
    let mut exchanges = 0;
    let mut replayed = false;
    loop {
        exchanges += 1;
        let mut request = http.get(url.clone());
        let sent = digest.authorization(&reqwest::Method::GET, &url).expect("authorization");
        if let Some(value) = &sent {
            request = request.header(AUTHORIZATION, value.clone());
        }
        let response = request.send().await.expect("httpbin answers");
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED
            && !replayed
            && digest.challenge(response.headers(), sent.is_some()).expect("a readable challenge")
        {
            replayed = true;
            continue;
        }
        return (status, response.text().await.expect("body"), exchanges);
    }
}

#[tokio::test]
async fn httpbin_md5_and_sha256() {
    let Some(httpbin) = service_url("HTTPBIN_URL", "httpbin_md5_and_sha256") else {
        return;
    };
    let http = reqwest::Client::new();
    for algorithm in ["MD5", "SHA-256"] {
        let url = format!("{httpbin}/digest-auth/auth/{PUBLIC_KEY}/{PRIVATE_KEY}/{algorithm}");
        let digest = DigestAuth::new(PUBLIC_KEY, PRIVATE_KEY);

        let (status, body, exchanges) = digest_get(&http, &digest, &url).await;
        assert_eq!(status, StatusCode::OK, "{algorithm}: {body}");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body["authenticated"], true, "{algorithm}");
        assert_eq!(body["user"], PUBLIC_KEY, "{algorithm}");
        assert_eq!(exchanges, 2, "{algorithm}: the first request learns the challenge");

        // The challenge is kept: the next request authenticates at once.
        let (status, _, exchanges) = digest_get(&http, &digest, &url).await;
        assert_eq!((status, exchanges), (StatusCode::OK, 1), "{algorithm}: pre-emptive");

        // A wrong private key is refused, after exactly one replay.
        let wrong = DigestAuth::new(PUBLIC_KEY, "not-the-private-key");
        let (status, _, exchanges) = digest_get(&http, &wrong, &url).await;
        assert_eq!((status, exchanges), (StatusCode::UNAUTHORIZED, 2), "{algorithm}: wrong key");
    }
}

fn client(server: &DigestServer, private_key: &str) -> Client {
    Client::builder()
        .base_url(&server.url)
        .auth(Auth::digest(PUBLIC_KEY, private_key))
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client")
}

fn start(test: &str, extra: &[&str]) -> Option<DigestServer> {
    let mut args = vec!["--user", PUBLIC_KEY, "--password", PRIVATE_KEY];
    args.extend_from_slice(extra);
    DigestServer::start(&args, test)
}

fn authorized(entry: &Value) -> bool {
    entry["authorization"] == true
}

#[tokio::test]
async fn take_snapshots_body_is_replayed_under_the_challenge() {
    let Some(server) = start("take_snapshots_body_is_replayed_under_the_challenge", &["--algorithms", "MD5"]) else {
        return;
    };
    let client = client(&server, PRIVATE_KEY);
    let take = |description: &str| {
        client
            .take_snapshots()
            .group_id(GROUP)
            .cluster_name("Cluster0")
            .body(DiskBackupOnDemandSnapshotRequest::new().with_description(description).with_retention_in_days(7))
            .send_with_metadata()
    };

    let response = take("before the migration").await.expect("authenticated call");
    match response.body() {
        // The server echoes the description of the body it authenticated.
        DiskBackupSnapshot::ReplicaSet(snapshot) => {
            assert_eq!(snapshot.description.as_deref(), Some("before the migration"));
        }
        other => panic!("unexpected {other:?}"),
    }
    let log = server.log().await;
    assert_eq!(log.len(), 2, "{log:#?}");
    assert!(!authorized(&log[0]) && log[0]["status"] == 401, "{log:#?}");
    assert!(authorized(&log[1]) && log[1]["status"] == 200, "{log:#?}");
    assert_eq!(log[0]["method"], "POST");
    assert_eq!(log[1]["method"], "POST");
    let path = format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/snapshots");
    assert_eq!(log[1]["path"], path.as_str());
    assert_eq!(log[1]["algorithm"], "MD5");
    // The same bytes both times.
    let sent: Value = serde_json::from_str(log[1]["body"].as_str().expect("body")).expect("JSON body");
    assert_eq!(sent, serde_json::json!({"description": "before the migration", "retentionInDays": 7}));
    assert_eq!(log[0]["body"], log[1]["body"]);

    // Pre-emptive from now on: one request, the next nonce count.
    take("second").await.expect("second call");
    let log = server.log().await;
    assert_eq!(log.len(), 3, "{log:#?}");
    assert!(authorized(&log[2]) && log[2]["status"] == 200, "{log:#?}");
    assert_eq!(log[2]["nc"], "00000002");

    // Clones of the client share the challenge ...
    let clone = client.clone();
    clone
        .take_snapshots()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(DiskBackupOnDemandSnapshotRequest::new())
        .send()
        .await
        .expect("clone");
    assert_eq!(server.log().await.len(), 4);
    // ... a client built separately learns its own.
    let other = self::client(&server, PRIVATE_KEY);
    other
        .take_snapshots()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(DiskBackupOnDemandSnapshotRequest::new())
        .send()
        .await
        .expect("other");
    let log = server.log().await;
    assert_eq!(log.len(), 6, "{log:#?}");
    assert!(!authorized(&log[4]));
}

#[tokio::test]
async fn the_strongest_algorithm_offered_is_used() {
    let Some(server) = start("the_strongest_algorithm_offered_is_used", &["--algorithms", "MD5,SHA-256"]) else {
        return;
    };
    client(&server, PRIVATE_KEY)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .send()
        .await
        .expect("authenticated");
    let log = server.log().await;
    assert_eq!(log.len(), 2, "{log:#?}");
    assert_eq!(log[1]["algorithm"], "SHA-256");
    assert_eq!(log[1]["status"], 200);
}

#[tokio::test]
async fn a_stale_nonce_is_rechallenged_and_replayed() {
    let Some(server) = start("a_stale_nonce_is_rechallenged_and_replayed", &["--algorithms", "SHA-256", "--stale-after", "1"]) else {
        return;
    };
    let client = client(&server, PRIVATE_KEY);
    let get = || client.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT).send();
    get().await.expect("first");
    get().await.expect("second, after a stale nonce");
    let log = server.log().await;
    let summary: Vec<(bool, i64, bool)> =
        log.iter().map(|e| (authorized(e), e["status"].as_i64().unwrap_or_default(), e["stale"] == true)).collect();
    assert_eq!(summary, vec![(false, 401, false), (true, 200, false), (true, 401, true), (true, 200, false)], "{log:#?}");
}

#[tokio::test]
async fn a_wrong_key_is_a_401_api_error_without_looping() {
    let Some(server) = start("a_wrong_key_is_a_401_api_error_without_looping", &[]) else {
        return;
    };
    let client = client(&server, "wrong-private-key");
    let get = || client.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT).send();
    let err = get().await.expect_err("refused");
    match &err {
        Error::Api(e) => assert_eq!(e.status, StatusCode::UNAUTHORIZED),
        other => panic!("expected Error::Api(401), got {other:?}"),
    }
    assert_eq!(err.error_code(), Some("UNAUTHORIZED"));
    assert!(!format!("{err:?}{err}").contains("wrong-private-key"));
    assert_eq!(server.log().await.len(), 2, "one challenge, one refused answer");

    // With the challenge known, the next call is refused at once.
    let err = get().await.expect_err("refused again");
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(server.log().await.len(), 3);
}

#[tokio::test]
async fn concurrent_calls_share_the_challenge_with_distinct_nonce_counts() {
    let Some(server) = start("concurrent_calls_share_the_challenge_with_distinct_nonce_counts", &["--algorithms", "SHA-256"]) else {
        return;
    };
    let client = client(&server, PRIVATE_KEY);
    let get = || client.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT).send();
    get().await.expect("learns the challenge");
    let results = futures::future::join_all((0..8).map(|_| get())).await;
    for result in results {
        result.expect("concurrent call");
    }
    let log = server.log().await;
    assert_eq!(log.len(), 10, "no further 401: {log:#?}");
    let mut counts: Vec<&str> = log[1..].iter().map(|e| e["nc"].as_str().expect("nc")).collect();
    counts.sort_unstable();
    counts.dedup();
    assert_eq!(counts.len(), 9, "each request its own nonce count");
}
