//! Retries and timeouts against real servers on loopback: wiremock, and a raw TCP server
//! that drops connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use atlas_backup::models::{DiskBackupOnDemandSnapshotRequest, DiskBackupSnapshot};
use atlas_backup::{Client, Error, Response, RetryPolicy};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";

fn snapshot_json() -> serde_json::Value {
    json!({"id": SNAPSHOT, "type": "replicaSet", "status": "queued"})
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::with_max_attempts(max_attempts).backoff(Duration::from_millis(10), Duration::from_secs(5))
}

fn client(base_url: &str, retry: RetryPolicy) -> Client {
    Client::builder().base_url(base_url).retry(retry).build().expect("client")
}

async fn get(client: &Client) -> Result<Response<atlas_backup::models::DiskBackupReplicaSet>, Error> {
    client.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT).send_with_metadata().await
}

async fn post(client: &Client) -> Result<Response<DiskBackupSnapshot>, Error> {
    client
        .take_snapshots()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(DiskBackupOnDemandSnapshotRequest::new().with_description("retry test"))
        .send_with_metadata()
        .await
}

fn status(code: u16) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({"error": code, "errorCode": "TEST"}))
}

#[tokio::test]
async fn a_429_is_retried_even_for_a_post_after_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(status(429).insert_header("Retry-After", "1")).up_to_n_times(1).expect(1).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(snapshot_json())).expect(1).mount(&server).await;
    let started = Instant::now();
    let response = post(&client(&server.uri(), fast_retries(3))).await.expect("retried");
    let waited = started.elapsed();
    assert_eq!(response.attempts(), 2);
    assert!(waited >= Duration::from_millis(950), "Retry-After: 1 honoured, waited {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
}

#[tokio::test]
async fn a_503_twice_then_200() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(status(503)).up_to_n_times(2).expect(2).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_json(snapshot_json())).expect(1).mount(&server).await;
    let response = post(&client(&server.uri(), fast_retries(3))).await.expect("third attempt succeeds");
    assert_eq!(response.attempts(), 3);
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_500_on_a_post_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(status(500)).expect(1).mount(&server).await;
    let err = post(&client(&server.uri(), fast_retries(5))).await.expect_err("500");
    match err {
        Error::Api(e) => assert_eq!((e.status.as_u16(), e.attempts), (500, 1)),
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn a_500_on_a_get_is_retried_up_to_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(status(500)).expect(4).mount(&server).await;
    let err = get(&client(&server.uri(), fast_retries(4))).await.expect_err("always 500");
    match err {
        Error::Api(e) => assert_eq!((e.status.as_u16(), e.attempts), (500, 4)),
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

#[tokio::test]
async fn attempts_are_bounded_for_endless_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(status(503).insert_header("Retry-After", "0")).expect(3).mount(&server).await;
    let err = post(&client(&server.uri(), fast_retries(3))).await.expect_err("always 503");
    assert!(matches!(&err, Error::Api(e) if e.attempts == 3 && e.status == 503), "{err:?}");
}

#[tokio::test]
async fn retries_can_be_disabled() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(status(503)).expect(1).mount(&server).await;
    let err = get(&client(&server.uri(), RetryPolicy::disabled())).await.expect_err("503");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn a_retry_after_longer_than_max_backoff_is_returned_not_waited() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(status(429).insert_header("Retry-After", "120")).expect(1).mount(&server).await;
    let started = Instant::now();
    let err = get(&client(&server.uri(), fast_retries(3))).await.expect_err("429");
    assert!(started.elapsed() < Duration::from_secs(2));
    let Error::Api(e) = err else { panic!("expected Error::Api") };
    assert_eq!(e.status, 429);
    assert_eq!(e.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("120"));
}

/// A server that reads each request and then, for the first `drops` connections, closes
/// the connection without answering; later ones get a snapshot. Counts connections.
async fn dropping_server(drops: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::spawn(async move {
                if read_request(&mut stream).await.is_none() {
                    return;
                }
                if n <= drops {
                    drop(stream);
                    return;
                }
                let body = snapshot_json().to_string();
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (url, connections)
}

/// Reads one request (head and `content-length` body); `None` when the peer went away.
async fn read_request(stream: &mut tokio::net::TcpStream) -> Option<()> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize =
                head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
            while data.len() < end + 4 + length {
                let n = stream.read(&mut buf).await.ok()?;
                if n == 0 {
                    return None;
                }
                data.extend_from_slice(&buf[..n]);
            }
            return Some(());
        }
    }
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_a_get() {
    let (url, connections) = dropping_server(1).await;
    let response = get(&client(&url, fast_retries(3))).await.expect("second connection answers");
    assert_eq!(response.attempts(), 2);
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_dropped_connection_is_not_retried_for_a_post() {
    let (url, connections) = dropping_server(1).await;
    let err = post(&client(&url, fast_retries(3))).await.expect_err("the POST may have been processed");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(connections.load(Ordering::SeqCst), 1, "never sent twice");
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_post() {
    // Nothing was sent, so nothing can have been processed. The port is free again once
    // the listener is dropped; a retry finds the server started in between.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = TcpListener::bind(addr).await.expect("rebind");
        let (mut stream, _) = listener.accept().await.expect("accept");
        read_request(&mut stream).await.expect("request");
        let body = snapshot_json().to_string();
        let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len());
        stream.write_all(head.as_bytes()).await.expect("write");
        stream.write_all(body.as_bytes()).await.expect("write");
    });
    let retry = RetryPolicy::with_max_attempts(10).backoff(Duration::from_millis(100), Duration::from_millis(200));
    let response = post(&client(&format!("http://{addr}"), retry)).await.expect("retried until the server is up");
    assert!(response.attempts() >= 2, "attempts {}", response.attempts());
    server.await.expect("server task");
}

#[tokio::test]
async fn a_call_timeout_fires_and_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(snapshot_json()).set_delay(Duration::from_secs(3)))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server.uri(), fast_retries(3));
    let started = Instant::now();
    let err = client
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .expect_err("too slow");
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_client_timeout_applies_and_a_call_timeout_overrides_it() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(snapshot_json()).set_delay(Duration::from_millis(600)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .timeout(Duration::from_millis(150))
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client");
    let err = get(&client).await.expect_err("client timeout");
    assert!(err.is_timeout(), "{err:?}");
    client
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("the call's own, longer timeout");
}

/// A server that answers the first request's head (a 200 promising a body of 4,096 bytes)
/// and 7 bytes of it, then sends nothing more, keeping the connection open until the test
/// ends (or, with `close`, closing it). `headers_sent` fires once the head is written, so
/// the test knows the time limit ran out while the body was read.
async fn stalling_server(close: bool) -> (String, tokio::sync::oneshot::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (headers_sent, receiver) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else { return };
        if read_request(&mut stream).await.is_none() {
            return;
        }
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4096\r\n\r\n{\"id\": ";
        if stream.write_all(head.as_bytes()).await.is_ok() && stream.flush().await.is_ok() {
            let _ = headers_sent.send(());
        }
        if close {
            return;
        }
        // Hold the connection (and so the unfinished body) open until the client gives up.
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest).await;
    });
    (url, receiver)
}

#[tokio::test]
async fn a_time_limit_running_out_while_the_body_is_read_says_it_timed_out() {
    let (url, headers_sent) = stalling_server(false).await;
    let client = Client::builder().base_url(&url).timeout(Duration::from_millis(300)).build().expect("client");
    let err = get(&client).await.expect_err("the body never comes");
    headers_sent.await.expect("the server sent the head before the time limit ran out");
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(err, Error::Body { received: 7, expected: Some(4096), .. }), "{err:?}");
    let message = err.to_string();
    // How long, and how much arrived.
    assert!(message.starts_with("timed out after 0.3 s while the response body was read"), "{message}");
    assert!(message.contains("7 of 4096 bytes received"), "{message}");
    assert!(!message.contains("decoding"), "{message}");
}

#[tokio::test]
async fn a_connection_closed_in_the_middle_of_the_body_says_how_much_arrived() {
    let (url, _) = stalling_server(true).await;
    let client = client(&url, RetryPolicy::disabled());
    let err = get(&client).await.expect_err("the body is cut short");
    assert!(!err.is_timeout(), "{err:?}");
    assert!(matches!(err, Error::Body { received: 7, expected: Some(4096), .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("the connection closed after 7 of 4096 bytes of the response body"), "{message}");
}
