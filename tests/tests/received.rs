//! What Atlas sent reaches the caller whole (issue 36): the body as received beside the
//! decoded one, Atlas's envelope unwrapped instead of breaking the decode, and any
//! builder driven from values through `atlas_backup::call::Call`.

use atlas_backup::call::Call;
use atlas_backup::{Client, Error, RetryPolicy};
use futures::StreamExt;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";

fn client(server: &MockServer) -> Client {
    Client::builder().base_url(server.uri()).retry(RetryPolicy::disabled()).build().expect("client")
}

/// The object `value` (a `json!` literal) as a map of parameters.
fn map(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

fn snapshot_path() -> String {
    format!("/api/atlas/v2/groups/{GROUP}/clusters/C0/backup/snapshots/{SNAPSHOT}")
}

/// A snapshot with a field the spec does not describe, keys out of order, and a number
/// beyond `f64`'s precision.
const SENT: &str =
    r#"{"status":"completed","id":"5f4007f327a3bc75f2a2b1c3","targetDeploymentItemName":"kept","sizeOfEverything":123456789012345678901}"#;

#[tokio::test]
async fn send_with_metadata_keeps_the_body_as_received() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(snapshot_path()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SENT, "application/json"))
        .mount(&server)
        .await;
    let response = client(&server)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("C0")
        .snapshot_id(SNAPSHOT)
        .send_with_metadata()
        .await
        .expect("decodes");
    assert_eq!(response.body().id.as_deref(), Some(SNAPSHOT));
    assert_eq!(response.body_received().as_ref(), SENT.as_bytes());
}

#[tokio::test]
async fn envelope_true_is_unwrapped_not_a_decode_error() {
    let server = MockServer::start().await;
    let envelope = json!({"status": 200, "content": {"id": SNAPSHOT, "status": "completed"}});
    Mock::given(method("GET"))
        .and(path(snapshot_path()))
        .and(query_param("envelope", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("C0")
        .snapshot_id(SNAPSHOT)
        .envelope(true)
        .send_with_metadata()
        .await
        .expect("the envelope's content decodes");
    assert_eq!(response.body().id.as_deref(), Some(SNAPSHOT));
    let received: serde_json::Value = serde_json::from_slice(response.body_received()).expect("JSON");
    assert_eq!(received, envelope, "the envelope as Atlas sent it");
}

#[tokio::test]
async fn an_error_status_in_the_envelope_is_the_api_error() {
    let server = MockServer::start().await;
    let envelope = json!({"status": 404, "content": {"error": 404, "errorCode": "SNAPSHOT_NOT_FOUND", "detail": "no such snapshot"}});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope).insert_header("x-request-id", "req-42"))
        .mount(&server)
        .await;
    let err = client(&server)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("C0")
        .snapshot_id(SNAPSHOT)
        .envelope(true)
        .send()
        .await
        .expect_err("Atlas said 404");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.error_code(), Some("SNAPSHOT_NOT_FOUND"));
    // The error keeps the answer's own headers and attempts.
    let Error::Api(answer) = &err else { panic!("an API error: {err:?}") };
    assert_eq!((answer.headers.get("x-request-id").and_then(|v| v.to_str().ok()), answer.attempts), (Some("req-42"), 1));
}

#[tokio::test]
async fn call_sets_parameters_by_name_and_answers_what_was_sent_with_the_mismatch() {
    type Get = atlas_backup::operations::GetGroupClusterBackupSnapshot;
    let server = MockServer::start().await;
    // `status` a number: not the model's enum, still Atlas's answer.
    let sent = r#"{"id":"5f4007f327a3bc75f2a2b1c3","status":7,"extra":[1.50]}"#;
    Mock::given(method("GET"))
        .and(path(snapshot_path()))
        .and(query_param("pretty", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(sent, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    let values = json!({"groupId": GROUP, "clusterName": "C0", "snapshotId": SNAPSHOT, "pretty": true});
    let builder = Get::new(&client(&server)).set_values(map(values)).expect("every name is a parameter");
    let received = builder.send_received().await.expect("sent");
    assert_eq!(received.response().body().as_ref(), sent.as_bytes());
    let mismatch = received.mismatch().expect("status 7 is no snapshot status");
    assert_eq!((mismatch.line(), mismatch.column() > 0), (1, true));
    // An unknown name, a wrong type, an unknown version: refused, naming it.
    let unknown = json!({"groupID": GROUP});
    let err = Get::new(&client(&server)).set_values(map(unknown)).expect_err("no such parameter");
    assert!(err.to_string().contains("`groupID` is not a parameter"), "{err}");
    let wrong = json!({"groupId": 5});
    let err = Get::new(&client(&server)).set_values(map(wrong)).expect_err("not a string");
    assert!(err.to_string().contains("groupId"), "{err}");
    let err = Get::new(&client(&server)).set_api_version("2020-01-01").expect_err("no such version");
    assert!(err.to_string().contains("2024-05-30"), "{err}");
    assert!(Get::new(&client(&server)).set_body(json!({})).is_err(), "a GET takes no body");
}

#[tokio::test]
async fn pages_received_are_every_page_as_sent() {
    type List = atlas_backup::operations::ListBackupExports;
    let server = MockServer::start().await;
    let exports = format!("/api/atlas/v2/groups/{GROUP}/clusters/C0/backup/exports");
    for (page, body) in [("1", r#"{"results":[{"id":"a","new":1}],"totalCount":2}"#), ("2", r#"{"results":[{"id":"b"}],"totalCount":2}"#)] {
        Mock::given(method("GET"))
            .and(path(exports.clone()))
            .and(query_param("pageNum", page))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .expect(1)
            .mount(&server)
            .await;
    }
    let values = json!({"groupId": GROUP, "clusterName": "C0", "itemsPerPage": 1});
    let builder = List::new(&client(&server)).set_values(map(values)).expect("parameters");
    let pages: Vec<_> = builder.pages_received(2).expect("a list").collect().await;
    let bodies: Vec<String> =
        pages.into_iter().map(|p| String::from_utf8_lossy(p.expect("a page").response().body()).into_owned()).collect();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[0].contains(r#""new":1"#), "{bodies:?}");
}

#[tokio::test]
async fn set_body_json_sends_the_text_as_given_also_on_a_retry() {
    type Take = atlas_backup::operations::TakeSnapshots;
    let server = MockServer::start().await;
    let snapshots = format!("/api/atlas/v2/groups/{GROUP}/clusters/C0/backup/snapshots");
    // 429: not processed, so a POST is sent again.
    Mock::given(method("POST"))
        .and(path(snapshots.clone()))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(snapshots))
        .respond_with(ResponseTemplate::new(200).set_body_raw(SENT, "application/json"))
        .with_priority(2)
        .mount(&server)
        .await;
    // An explicit null, keys out of the model's order, a field the model does not know and
    // a decimal as spelled: all sent.
    let given = "{ \"retentionInDays\": 3, \"description\": null, \"ratio\": 1.50 }";
    let client = Client::builder().base_url(server.uri()).retry(RetryPolicy::with_max_attempts(2)).build().expect("client");
    let values = json!({"groupId": GROUP, "clusterName": "C0"});
    let builder = Take::new(&client).set_values(map(values)).expect("parameters").set_body_json(given).expect("decodes into the model");
    let prepared = builder.prepare().expect("prepared");
    assert_eq!(prepared.body().and_then(reqwest::Body::as_bytes), Some(given.as_bytes()));
    let received = builder.send_received().await.expect("sent");
    assert_eq!(received.response().attempts(), 2);
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.body, given.as_bytes(), "the same bytes on every attempt");
        let content_type = request.headers.get("content-type").and_then(|v| v.to_str().ok());
        assert_eq!(content_type, Some("application/vnd.atlas.2025-03-12+json"));
    }
    // What does not decode into the model is refused, naming the JSON pointer; a GET takes none.
    let err = Take::new(&client).set_body_json(r#"{"description": "x", "retentionInDays": "three"}"#).expect_err("not an integer");
    assert!(err.to_string().contains("at /retentionInDays: invalid type: string \"three\""), "{err}");
    let get = <atlas_backup::operations::GetGroupClusterBackupSnapshot>::new(&client).set_body_json("{}");
    assert!(get.is_err(), "a GET takes no body");
}
