//! Secrets never appear in `Debug`, `Display`, errors or logs, whatever the outcome of
//! the call.

mod support;

use std::time::Duration;

use atlas_backup::{Auth, Client, DigestAuth, Error, RetryPolicy, Secret};
use serde_json::json;
use support::LogBuffer;
use tracing_subscriber::fmt::format::FmtSpan;
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";
const CLIENT_SECRET: &str = "mdb_sa_sk_TOPSECRET_client_secret_value";
const ACCESS_TOKEN: &str = "eyJTOPSECRET.access.token";
const PRIVATE_KEY: &str = "TOPSECRET-private-api-key";
const BEARER: &str = "TOPSECRET-fixed-bearer";

/// Every secret of this test, and what would betray one (the Basic credentials).
fn secrets() -> Vec<String> {
    let basic = base64_encode(format!("client-id:{CLIENT_SECRET}").as_bytes());
    vec![CLIENT_SECRET.to_owned(), ACCESS_TOKEN.to_owned(), PRIVATE_KEY.to_owned(), BEARER.to_owned(), basic, "TOPSECRET".to_owned()]
}

fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(!text.contains(&secret), "{what} contains a secret ({secret}):\n{text}");
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

async fn get(client: &Client) -> Result<atlas_backup::models::DiskBackupReplicaSet, Error> {
    client.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT).send().await
}

#[test]
fn debug_and_display_of_credentials_hide_secrets() {
    let values: Vec<(&str, String)> = vec![
        ("Secret Debug", format!("{:?}", Secret::new(CLIENT_SECRET))),
        ("Secret Display", format!("{}", Secret::new(CLIENT_SECRET))),
        ("Auth::bearer", format!("{:?}", Auth::bearer(BEARER))),
        ("Auth::service_account", format!("{:?}", Auth::service_account("client-id", CLIENT_SECRET))),
        ("Auth::digest", format!("{:?}", Auth::digest("public", PRIVATE_KEY))),
        ("DigestAuth", format!("{:?}", DigestAuth::new("public", PRIVATE_KEY))),
    ];
    for (what, text) in &values {
        assert_clean(what, text);
        assert!(!text.is_empty());
    }
    // Identifiers stay visible, to tell credentials apart.
    assert!(values[3].1.contains("client-id"), "{}", values[3].1);
    assert!(values[4].1.contains("public"), "{}", values[4].1);
    for auth in [Auth::bearer(BEARER), Auth::service_account("client-id", CLIENT_SECRET).into(), Auth::digest("public", PRIVATE_KEY).into()]
    {
        let client = Client::builder().auth(auth).build().expect("client");
        assert_clean("Client Debug", &format!("{client:?}"));
    }
}

/// Runs service account and digest calls, successful and failing, with every span and
/// event recorded at TRACE level, and checks the record.
#[tokio::test]
async fn logs_and_errors_hold_no_secret() {
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    // The test runtime has one thread: everything below runs under this subscriber.
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    // The first request with the token is refused (renewal and replay), the next served.
    Mock::given(method("GET"))
        .and(path(format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/snapshots/{SNAPSHOT}")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": 401, "errorCode": "UNAUTHORIZED"})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/snapshots/{SNAPSHOT}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": SNAPSHOT, "type": "replicaSet"})))
        .mount(&server)
        .await;
    let mut outcomes = Vec::new();

    let service_account = Client::builder()
        .base_url(server.uri())
        .auth(Auth::service_account("client-id", CLIENT_SECRET))
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client");
    get(&service_account).await.expect("renewed and replayed");
    outcomes.push(format!("{service_account:?}"));

    // A token endpoint that fails, quoting the secret.
    let refusing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string(format!("bad client secret {CLIENT_SECRET}")))
        .mount(&refusing)
        .await;
    let failing =
        Client::builder().base_url(refusing.uri()).auth(Auth::service_account("client-id", CLIENT_SECRET)).build().expect("client");
    let err = get(&failing).await.expect_err("token refused");
    assert!(matches!(err, Error::Auth(_)));
    outcomes.push(format!("{err} {err:?}"));

    // Digest: a challenge, then any answer with credentials is served.
    let digest_server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": SNAPSHOT, "type": "replicaSet"})))
        .mount(&digest_server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("WWW-Authenticate", r#"Digest realm="MMS Public API", nonce="abc", qop="auth", algorithm=MD5"#),
        )
        .mount(&digest_server)
        .await;
    let digest = Client::builder().base_url(digest_server.uri()).auth(Auth::digest("public", PRIVATE_KEY)).build().expect("client");
    get(&digest).await.expect("digest call");
    get(&digest).await.expect("pre-emptive digest call");
    outcomes.push(format!("{digest:?}"));

    // A bearer token refused for good, and a timeout.
    let bearer =
        Client::builder().base_url(server.uri()).auth(Auth::bearer(BEARER)).timeout(Duration::from_secs(5)).build().expect("client");
    let refused = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(401)).mount(&refused).await;
    let refused_client = Client::builder().base_url(refused.uri()).auth(Auth::bearer(BEARER)).build().expect("client");
    let err = get(&refused_client).await.expect_err("401");
    outcomes.push(format!("{err} {err:?}"));
    outcomes.push(format!("{bearer:?}"));

    let logged = logs.contents();
    // The record is real: spans of the calls, with their fields.
    assert!(logged.contains("atlas_call"), "{logged}");
    assert!(logged.contains("getGroupClusterBackupSnapshot"), "{logged}");
    assert!(logged.contains("status=401"), "{logged}");
    assert_clean("the logs", &logged);
    for outcome in &outcomes {
        assert_clean("an outcome", outcome);
    }
}
