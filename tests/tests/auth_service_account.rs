//! Service account (OAuth2 client credentials) against a local token endpoint, and
//! configuration from environment variables.

use std::collections::HashMap;
use std::time::Duration;

use atlas_backup::{Auth, Client, ClientBuilder, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{basic_auth, bearer_token, body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";
const CLIENT_ID: &str = "mdb_sa_id_6824a1c3b2f1e4d5a6b7c8d9";
const CLIENT_SECRET: &str = "mdb_sa_sk_Zm9vYmFyYmF6cXV4c2VjcmV0";
const SNAPSHOT_PATH: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/snapshots/5f4007f327a3bc75f2a2b1c3";

fn token(value: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"access_token": value, "token_type": "Bearer", "expires_in": expires_in}))
}

/// The token request as RFC 6749 section 4.4 has it.
fn token_request() -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        .and(basic_auth(CLIENT_ID, CLIENT_SECRET))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials"))
}

fn snapshot() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"id": SNAPSHOT, "type": "replicaSet", "status": "completed"}))
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .auth(Auth::service_account(CLIENT_ID, CLIENT_SECRET))
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client")
}

async fn get(client: &Client) -> Result<atlas_backup::models::DiskBackupReplicaSet, Error> {
    client.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT).send().await
}

#[tokio::test]
async fn token_is_requested_once_and_sent_as_bearer() {
    let server = MockServer::start().await;
    token_request().respond_with(token("token-1", 3600)).expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .and(path(SNAPSHOT_PATH))
        .and(bearer_token("token-1"))
        .respond_with(snapshot())
        .expect(3)
        .mount(&server)
        .await;
    let client = client(&server);
    for _ in 0..3 {
        let snapshot = get(&client).await.expect("authenticated call");
        assert_eq!(snapshot.id.as_deref(), Some(SNAPSHOT));
    }
}

#[tokio::test]
async fn fifty_parallel_first_calls_make_one_token_request() {
    let server = MockServer::start().await;
    // A slow token endpoint, so that every call arrives while the token is on its way.
    token_request().respond_with(token("token-1", 3600).set_delay(Duration::from_millis(300))).expect(1).mount(&server).await;
    Mock::given(method("GET")).and(bearer_token("token-1")).respond_with(snapshot()).expect(50).mount(&server).await;
    let client = client(&server);
    let results = futures::future::join_all((0..50).map(|_| get(&client))).await;
    for result in results {
        result.expect("call");
    }
}

#[tokio::test]
async fn a_token_is_renewed_before_it_expires() {
    let server = MockServer::start().await;
    // Lifetime 1 s: renewed after 0.9 s.
    token_request().respond_with(token("token-1", 1)).up_to_n_times(1).expect(1).mount(&server).await;
    token_request().respond_with(token("token-2", 3600)).expect(1).mount(&server).await;
    Mock::given(method("GET")).and(bearer_token("token-1")).respond_with(snapshot()).expect(2).mount(&server).await;
    Mock::given(method("GET")).and(bearer_token("token-2")).respond_with(snapshot()).expect(1).mount(&server).await;
    let client = client(&server);
    get(&client).await.expect("first token");
    get(&client).await.expect("still the first token");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    get(&client).await.expect("renewed token");
}

#[tokio::test]
async fn a_token_without_lifetime_is_kept_until_refused() {
    let server = MockServer::start().await;
    token_request()
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "token-1", "token_type": "bearer"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(bearer_token("token-1")).respond_with(snapshot()).expect(2).mount(&server).await;
    let client = client(&server);
    get(&client).await.expect("first");
    get(&client).await.expect("second");
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_replays() {
    let server = MockServer::start().await;
    token_request().respond_with(token("revoked", 3600)).up_to_n_times(1).expect(1).mount(&server).await;
    token_request().respond_with(token("token-2", 3600)).expect(1).mount(&server).await;
    Mock::given(method("GET"))
        .and(bearer_token("revoked"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": 401, "errorCode": "UNAUTHORIZED"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).and(bearer_token("token-2")).respond_with(snapshot()).expect(2).mount(&server).await;
    let client = client(&server);
    let response = client
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .send_with_metadata()
        .await
        .expect("replayed with a new token");
    assert_eq!(response.status(), 200);
    get(&client).await.expect("the new token is cached");
}

#[tokio::test]
async fn a_token_refused_again_is_a_401_api_error_after_one_replay() {
    let server = MockServer::start().await;
    token_request().respond_with(token("token", 3600)).expect(2).mount(&server).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": 401, "errorCode": "UNAUTHORIZED"})))
        .expect(2)
        .mount(&server)
        .await;
    let err = get(&client(&server)).await.expect_err("refused");
    assert!(matches!(&err, Error::Api(e) if e.status == 401), "{err:?}");
}

#[tokio::test]
async fn token_endpoint_refusal_is_an_auth_error_without_the_secret() {
    let server = MockServer::start().await;
    // A careless endpoint that quotes the secret back.
    token_request()
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": format!("client secret {CLIENT_SECRET} is revoked")
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(snapshot()).expect(0).mount(&server).await;
    let err = get(&client(&server)).await.expect_err("no token");
    let Error::Auth(message) = &err else { panic!("expected Error::Auth, got {err:?}") };
    assert!(message.contains("401") && message.contains("invalid_client"), "{message}");
    assert!(message.contains("is revoked"), "{message}");
    for text in [format!("{err}"), format!("{err:?}")] {
        assert!(!text.contains(CLIENT_SECRET), "{text}");
    }
}

#[tokio::test]
async fn token_answers_that_are_not_tokens_are_auth_errors() {
    for (answer, expect) in [
        (ResponseTemplate::new(200).set_body_string("<html>maintenance</html>"), "not an OAuth2 token"),
        (ResponseTemplate::new(200).set_body_json(json!({"access_token": "t", "token_type": "mac"})), "not a bearer token"),
        (ResponseTemplate::new(503).set_body_string("busy"), "503"),
    ] {
        let server = MockServer::start().await;
        token_request().respond_with(answer).mount(&server).await;
        let err = get(&client(&server)).await.expect_err("no token");
        assert!(matches!(&err, Error::Auth(m) if m.contains(expect)), "{expect}: {err:?}");
    }
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_an_auth_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}/token", listener.local_addr().expect("addr"));
    drop(listener);
    let server = MockServer::start().await;
    let client = Client::builder()
        .base_url(server.uri())
        .auth(Auth::service_account(CLIENT_ID, CLIENT_SECRET).with_token_url(dead))
        .build()
        .expect("client");
    let err = get(&client).await.expect_err("no token");
    assert!(matches!(&err, Error::Auth(m) if m.contains("cannot reach the token endpoint")), "{err:?}");
}

#[tokio::test]
async fn the_token_url_can_be_overridden() {
    let api = MockServer::start().await;
    let issuer = MockServer::start().await;
    token_request().respond_with(token("token-1", 3600)).expect(0).mount(&api).await;
    Mock::given(method("POST"))
        .and(path("/oauth/v2/token"))
        .and(basic_auth(CLIENT_ID, CLIENT_SECRET))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(token("token-1", 3600))
        .expect(1)
        .mount(&issuer)
        .await;
    Mock::given(method("GET")).and(bearer_token("token-1")).respond_with(snapshot()).expect(1).mount(&api).await;
    let client = Client::builder()
        .base_url(api.uri())
        .auth(Auth::service_account(CLIENT_ID, CLIENT_SECRET).with_token_url(format!("{}/oauth/v2/token", issuer.uri())))
        .build()
        .expect("client");
    get(&client).await.expect("call");
}

#[tokio::test]
async fn each_client_keeps_its_own_token() {
    let server = MockServer::start().await;
    token_request().respond_with(token("token-1", 3600)).expect(2).mount(&server).await;
    Mock::given(method("GET")).and(bearer_token("token-1")).respond_with(snapshot()).expect(3).mount(&server).await;
    let auth = Auth::service_account(CLIENT_ID, CLIENT_SECRET);
    let first = Client::builder().base_url(server.uri()).auth(auth.clone()).build().expect("first");
    let second = Client::builder().base_url(server.uri()).auth(auth).build().expect("second");
    get(&first).await.expect("first");
    get(&first.clone()).await.expect("clone shares the token");
    get(&second).await.expect("second client fetches its own");
}

// --- Configuration from the environment, through a lookup (the process environment is
// never changed: tests run in parallel).

fn lookup(vars: &[(&str, &str)]) -> impl FnMut(&str) -> Option<String> {
    let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    move |name| map.get(name).cloned()
}

#[tokio::test]
async fn env_service_account_and_base_url() {
    let server = MockServer::start().await;
    token_request().respond_with(token("token-1", 3600)).expect(1).mount(&server).await;
    Mock::given(method("GET")).and(bearer_token("token-1")).respond_with(snapshot()).expect(1).mount(&server).await;
    let uri = server.uri();
    let client = ClientBuilder::default()
        .env_with(lookup(&[
            ("MONGODB_ATLAS_CLIENT_ID", CLIENT_ID),
            ("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET),
            // Both pairs: the service account wins.
            ("MONGODB_ATLAS_PUBLIC_API_KEY", "public"),
            ("MONGODB_ATLAS_PRIVATE_API_KEY", "private-key-value"),
            ("MONGODB_ATLAS_BASE_URL", &uri),
        ]))
        .expect("configured")
        .build()
        .expect("client");
    assert_eq!(client.base_url().trim_end_matches('/'), uri);
    let debug = format!("{client:?}");
    assert!(debug.contains("ServiceAccount") && debug.contains(CLIENT_ID), "{debug}");
    assert!(!debug.contains(CLIENT_SECRET) && !debug.contains("private-key-value"), "{debug}");
    get(&client).await.expect("call with the token");
}

#[test]
fn env_api_key_is_digest() {
    let client = Client::builder()
        .env_with(lookup(&[
            ("MONGODB_ATLAS_PUBLIC_API_KEY", "public"),
            ("MONGODB_ATLAS_PRIVATE_API_KEY", "private-key-value"),
            ("MONGODB_ATLAS_CLIENT_ID", ""),
        ]))
        .expect("configured")
        .build()
        .expect("client");
    assert_eq!(client.base_url(), "https://cloud.mongodb.com/");
    let debug = format!("{client:?}");
    assert!(debug.contains("DigestAuth") && debug.contains("public"), "{debug}");
    assert!(!debug.contains("private-key-value"), "{debug}");
}

#[test]
fn env_without_credentials_is_a_config_error() {
    let err = Client::builder().env_with(lookup(&[("MONGODB_ATLAS_BASE_URL", "http://127.0.0.1:1")])).expect_err("nothing set");
    let Error::Config(message) = &err else { panic!("expected Error::Config, got {err:?}") };
    for name in ["MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_CLIENT_SECRET", "MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY"]
    {
        assert!(message.contains(name), "{message}");
    }

    let err = Client::builder().env_with(lookup(&[("MONGODB_ATLAS_CLIENT_SECRET", "half-a-secret")])).expect_err("half a pair");
    assert!(matches!(&err, Error::Config(m) if m.contains("MONGODB_ATLAS_CLIENT_ID is") && !m.contains("half-a-secret")), "{err:?}");

    let err = Client::builder()
        .env_with(lookup(&[("MONGODB_ATLAS_PUBLIC_API_KEY", "p"), ("MONGODB_ATLAS_PRIVATE_API_KEY", "  ")]))
        .expect_err("a blank value is unset");
    assert!(matches!(&err, Error::Config(m) if m.contains("MONGODB_ATLAS_PRIVATE_API_KEY is not set")), "{err:?}");

    let err = Client::builder()
        .env_with(lookup(&[
            ("MONGODB_ATLAS_PUBLIC_API_KEY", "p"),
            ("MONGODB_ATLAS_PRIVATE_API_KEY", "k"),
            ("MONGODB_ATLAS_BASE_URL", "https://user:pa55word@cloud.mongodb.com"),
        ]))
        .expect("configured")
        .build()
        .expect_err("credentials in the base URL");
    assert!(matches!(&err, Error::Config(m) if !m.contains("pa55word")), "{err:?}");
}

#[test]
fn from_env_reads_the_process_environment() {
    let names = ["MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_CLIENT_SECRET", "MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY"];
    if names.iter().any(|n| std::env::var_os(n).is_some()) {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"\n*** SKIP from_env_reads_the_process_environment: Atlas credentials are set here ***\n",
        );
        return;
    }
    assert!(matches!(Client::from_env(), Err(Error::Config(_))));
}

#[test]
fn a_token_url_that_is_not_http_is_a_config_error() {
    let err = Client::builder()
        .auth(Auth::service_account(CLIENT_ID, CLIENT_SECRET).with_token_url("ftp://example.com/token"))
        .build()
        .expect_err("a token URL that is not http");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
