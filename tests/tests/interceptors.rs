//! Interceptors against real servers on loopback (wiremock, the Python digest server): what
//! a hook adds is sent, a hook sees every attempt of a retried call, hooks run in the order
//! added, and no hook ever sees a credential.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atlas_backup::interceptor::{AttemptContext, AttemptOutcome, HeaderMap, HeaderValue, Interceptor};
use atlas_backup::{Auth, Client, ClientBuilder, Error, RetryPolicy};
use serde_json::json;
use support::{DigestServer, get_snapshot};
use wiremock::matchers::{bearer_token, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SNAPSHOT_PATH: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/snapshots/5f4007f327a3bc75f2a2b1c3";

/// What one hook saw of one attempt.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    hook: &'static str,
    stage: &'static str,
    operation: &'static str,
    method: String,
    path_template: &'static str,
    url: String,
    attempt: u32,
    status: Option<u16>,
    headers: Vec<(String, String)>,
    elapsed: Option<Duration>,
}

/// Records every call of both hooks into a log shared by all recorders of a test;
/// `correlation` is sent as `x-correlation-id` when set.
#[derive(Debug)]
struct Recorder {
    name: &'static str,
    log: Arc<Mutex<Vec<Seen>>>,
    correlation: Option<&'static str>,
}

impl Recorder {
    fn record(&self, stage: &'static str, context: &AttemptContext<'_>, headers: Option<&HeaderMap>, outcome: Option<&AttemptOutcome<'_>>) {
        let headers = headers
            .into_iter()
            .flatten()
            .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        self.log.lock().expect("log").push(Seen {
            hook: self.name,
            stage,
            operation: context.operation_id(),
            method: context.method().to_string(),
            path_template: context.path_template(),
            url: context.url().to_string(),
            attempt: context.attempt(),
            status: outcome.and_then(AttemptOutcome::status).map(|s| s.as_u16()),
            headers,
            elapsed: outcome.map(AttemptOutcome::elapsed),
        });
    }
}

impl Interceptor for Recorder {
    fn before_attempt(&self, context: &AttemptContext<'_>, headers: &mut HeaderMap) {
        if let Some(id) = self.correlation {
            headers.insert("x-correlation-id", HeaderValue::from_static(id));
        }
        self.record("before", context, Some(headers), None);
    }

    fn after_attempt(&self, context: &AttemptContext<'_>, outcome: &AttemptOutcome<'_>) {
        self.record("after", context, outcome.headers(), Some(outcome));
    }
}

fn recorder(name: &'static str, log: &Arc<Mutex<Vec<Seen>>>) -> Recorder {
    Recorder { name, log: Arc::clone(log), correlation: None }
}

fn snapshot() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"id": support::SNAPSHOT, "type": "replicaSet", "status": "completed"}))
}

async fn get(client: &Client) -> Result<atlas_backup::Response<atlas_backup::models::DiskBackupReplicaSet>, Error> {
    get_snapshot(client, "Cluster0").await
}

/// Retries without waiting: what is tested is which attempts the hooks see.
fn builder(base_url: &str) -> ClientBuilder {
    Client::builder().base_url(base_url).retry(RetryPolicy::with_max_attempts(3).backoff(Duration::ZERO, Duration::ZERO))
}

/// Every header name and value any hook saw, before and after.
fn everything_seen(log: &Mutex<Vec<Seen>>) -> String {
    let log = log.lock().expect("log");
    log.iter().flat_map(|s| s.headers.iter().map(|(n, v)| format!("{n}: {v}\n"))).collect::<String>()
        + &log.iter().map(|s| s.url.clone()).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn a_header_added_by_a_hook_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(SNAPSHOT_PATH))
        .and(header("x-correlation-id", "nightly-42"))
        .respond_with(snapshot())
        .expect(1)
        .mount(&server)
        .await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let hook = Recorder { correlation: Some("nightly-42"), ..recorder("correlation", &log) };
    let client = builder(&server.uri()).interceptor(hook).build().expect("client");
    get(&client).await.expect("the server saw the header");
    let log = log.lock().expect("log");
    let before = log.iter().find(|s| s.stage == "before").expect("before hook ran");
    assert!(before.headers.contains(&("x-correlation-id".to_owned(), "nightly-42".to_owned())));
    // The hook sees the request as it will be sent, with the operation's facts.
    assert!(before.headers.contains(&("accept".to_owned(), "application/vnd.atlas.2024-05-30+json".to_owned())), "{before:?}");
    assert_eq!(before.operation, "getGroupClusterBackupSnapshot");
    assert_eq!(before.method, "GET");
    assert_eq!(before.path_template, "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots/{snapshotId}");
    assert_eq!(before.url, format!("{}{SNAPSHOT_PATH}", server.uri()));
}

#[tokio::test]
async fn the_after_hook_sees_each_attempt_of_a_retried_call() {
    let server = MockServer::start().await;
    let unavailable = ResponseTemplate::new(503).set_body_json(json!({"error": 503, "errorCode": "SERVICE_UNAVAILABLE"}));
    Mock::given(method("GET")).respond_with(unavailable).up_to_n_times(2).expect(2).mount(&server).await;
    Mock::given(method("GET")).respond_with(snapshot().insert_header("x-request-id", "r-3")).expect(1).mount(&server).await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = builder(&server.uri()).interceptor(recorder("metrics", &log)).build().expect("client");
    let answer = get(&client).await.expect("the third attempt succeeds");
    assert_eq!(answer.attempts(), 3);
    let log = log.lock().expect("log");
    let stages: Vec<(&str, u32, Option<u16>)> = log.iter().map(|s| (s.stage, s.attempt, s.status)).collect();
    assert_eq!(
        stages,
        [
            ("before", 1, None),
            ("after", 1, Some(503)),
            ("before", 2, None),
            ("after", 2, Some(503)),
            ("before", 3, None),
            ("after", 3, Some(200))
        ]
    );
    let last = log.last().expect("an after hook");
    assert!(last.headers.contains(&("x-request-id".to_owned(), "r-3".to_owned())), "response headers: {last:?}");
    assert!(log.iter().filter(|s| s.stage == "after").all(|s| s.elapsed.is_some_and(|e| e > Duration::ZERO)));
}

#[tokio::test]
async fn hooks_run_in_the_order_added_and_see_connection_errors() {
    // A port nothing listens on: every attempt fails to connect, and is retried.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = builder(&url).interceptor(recorder("first", &log)).interceptor(recorder("second", &log)).build().expect("client");
    let err = get(&client).await.expect_err("nothing listens");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let log = log.lock().expect("log");
    let order: Vec<(&str, &str, u32)> = log.iter().map(|s| (s.stage, s.hook, s.attempt)).collect();
    let mut expected = Vec::new();
    for attempt in 1..=3 {
        for stage in ["before", "after"] {
            for hook in ["first", "second"] {
                expected.push((stage, hook, attempt));
            }
        }
    }
    assert_eq!(order, expected);
    assert!(log.iter().filter(|s| s.stage == "after").all(|s| s.status.is_none()));
}

#[tokio::test]
async fn a_bearer_token_is_never_visible_to_hooks() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(bearer_token("secret-token-value")).respond_with(snapshot()).expect(1).mount(&server).await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let client =
        builder(&server.uri()).auth(Auth::bearer("secret-token-value")).interceptor(recorder("spy", &log)).build().expect("client");
    get(&client).await.expect("authorized");
    let seen = everything_seen(&log);
    assert!(!seen.to_ascii_lowercase().contains("authorization"), "{seen}");
    assert!(!seen.contains("secret-token-value"), "{seen}");
}

#[tokio::test]
async fn a_service_accounts_secret_and_token_are_never_visible_to_hooks() {
    const CLIENT_ID: &str = "mdb_sa_id_6824a1c3b2f1e4d5a6b7c8d9";
    const CLIENT_SECRET: &str = "mdb_sa_sk_Zm9vYmFyYmF6cXV4c2VjcmV0";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": "sa-token-value", "token_type": "Bearer", "expires_in": 3600})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(bearer_token("sa-token-value")).respond_with(snapshot()).expect(1).mount(&server).await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let client = builder(&server.uri())
        .auth(Auth::service_account(CLIENT_ID, CLIENT_SECRET))
        .interceptor(recorder("spy", &log))
        .build()
        .expect("client");
    get(&client).await.expect("authorized");
    let seen = everything_seen(&log);
    for secret in [CLIENT_SECRET, "sa-token-value", "authorization", "Authorization"] {
        assert!(!seen.contains(secret), "{secret} seen by a hook: {seen}");
    }
    // The token request is the client's own business: hooks see only the API call.
    let log = log.lock().expect("log");
    assert!(log.iter().all(|s| s.operation == "getGroupClusterBackupSnapshot" && !s.url.contains("oauth")), "{log:?}");
    assert_eq!(log.len(), 2);
}

#[tokio::test]
async fn digest_credentials_are_never_visible_to_hooks() {
    const PUBLIC_KEY: &str = "abcdefgh";
    const PRIVATE_KEY: &str = "0f1e2d3c-private-key-4b5a6978";
    let test = "digest_credentials_are_never_visible_to_hooks";
    let Some(server) = DigestServer::start(&["--user", PUBLIC_KEY, "--password", PRIVATE_KEY], test) else {
        return;
    };
    let log = Arc::new(Mutex::new(Vec::new()));
    let client =
        builder(&server.url).auth(Auth::digest(PUBLIC_KEY, PRIVATE_KEY)).interceptor(recorder("spy", &log)).build().expect("client");
    get(&client).await.expect("challenge, then authorized");
    get(&client).await.expect("authorized at once");
    // The server did get credentials: the first request was challenged, the others carried
    // a digest answer.
    let requests = server.log().await;
    let authorized: Vec<bool> = requests.iter().map(|r| r["authorization"] == true).collect();
    assert_eq!(authorized, [false, true, true], "{requests:?}");
    let seen = everything_seen(&log);
    for secret in [PRIVATE_KEY, "response=", "authorization"] {
        assert!(!seen.contains(secret), "{secret} seen by a hook: {seen}");
    }
    // The 401 and its replay are both seen, as attempt 1 (the replay keeps the number).
    let log = log.lock().expect("log");
    let after: Vec<(u32, Option<u16>)> = log.iter().filter(|s| s.stage == "after").map(|s| (s.attempt, s.status)).collect();
    assert_eq!(after, [(1, Some(401)), (1, Some(200)), (1, Some(200))]);
}
