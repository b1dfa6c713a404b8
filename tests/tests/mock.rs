//! The in-process mock (feature `mock`): typed rules answer a real client without a server,
//! and the answers go through the client's own retries, decoding and paging. Every test
//! runs on tokio's paused clock, so retry waits take no time and are still applied.

mod support;

use std::time::Duration;

use atlas_backup::mock::{Answer, GetGroupClusterBackupSnapshotRequest, ListBackupSnapshotsRequest, Mock, TakeSnapshotsRequest};
use atlas_backup::models::{
    DiskBackupOnDemandSnapshotRequest, DiskBackupReplicaSet, DiskBackupReplicaSetStatus, DiskBackupSnapshot, PaginatedCloudBackupReplicaSet,
};
use atlas_backup::{Client, Error, RetryPolicy};
use futures::TryStreamExt;
use support::{GROUP, SNAPSHOT, get_snapshot};

fn replica_set(id: &str, status: DiskBackupReplicaSetStatus) -> DiskBackupReplicaSet {
    let mut snapshot = DiskBackupReplicaSet::new();
    snapshot.id = Some(id.to_owned());
    snapshot.status = Some(status);
    snapshot.replica_set_name = Some("Cluster0-shard-0".to_owned());
    snapshot
}

async fn take_snapshot(client: &Client, retention_in_days: i32) -> Result<DiskBackupSnapshot, Error> {
    client
        .take_snapshots()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(DiskBackupOnDemandSnapshotRequest::new().with_retention_in_days(retention_in_days).with_description("nightly"))
        .send()
        .await
}

#[tokio::test(start_paused = true)]
async fn a_typed_output_is_decoded_by_the_real_decode_path() {
    let mock = Mock::new();
    let expected = replica_set(SNAPSHOT, DiskBackupReplicaSetStatus::Completed);
    mock.get_group_cluster_backup_snapshot()
        .matching(|req| req.cluster_name() == "Cluster0" && req.snapshot_id() == SNAPSHOT && req.pretty().is_none())
        .then_output(expected.clone())
        .times(1);
    let answer = get_snapshot(&mock.client(), "Cluster0").await.expect("answered by the rule");
    assert_eq!(answer.body(), &expected);
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.attempts(), 1);
    // Serialized with the operation's versioned media type, the one the call asked for.
    assert_eq!(answer.headers()["content-type"], "application/vnd.atlas.2024-05-30+json");
    let calls = mock.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].operation_id(), "getGroupClusterBackupSnapshot");
    assert_eq!(calls[0].headers()["accept"], "application/vnd.atlas.2024-05-30+json");
    assert_eq!(calls[0].path_parameter("groupId").as_deref(), Some(GROUP));
    mock.verify();
}

#[tokio::test(start_paused = true)]
async fn an_answer_the_real_client_cannot_decode_fails_the_call() {
    let mock = Mock::new();
    mock.get_group_cluster_backup_snapshot().then_raw(200, r#"{"id": 42}"#);
    let err = get_snapshot(&mock.client(), "Cluster0").await.expect_err("`id` is a string");
    assert!(matches!(&err, Error::Decode { excerpt, .. } if excerpt.contains("42")), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn the_body_is_matched_typed() {
    let mock = Mock::new();
    let short = |req: &TakeSnapshotsRequest| req.body().retention_in_days == Some(1);
    mock.take_snapshots().matching(short).then_api_error(400, "INVALID_RETENTION", "too short").times(1);
    mock.take_snapshots().then_output(DiskBackupSnapshot::ReplicaSet(DiskBackupReplicaSet::default())).times(1);
    let client = mock.client();
    let refused = take_snapshot(&client, 1).await.expect_err("the first rule matches");
    assert_eq!(refused.error_code(), Some("INVALID_RETENTION"));
    assert!(matches!(take_snapshot(&client, 7).await, Ok(DiskBackupSnapshot::ReplicaSet(_))));
    // What was sent reads back typed.
    let sent: Vec<TakeSnapshotsRequest> = mock.calls().iter().map(|c| c.read().expect("a takeSnapshots call")).collect();
    let days: Vec<Option<i32>> = sent.iter().map(|r| r.body().retention_in_days).collect();
    assert_eq!(days, [Some(1), Some(7)]);
    assert_eq!(sent[0].body().description.as_deref(), Some("nightly"));
    mock.verify();
}

#[tokio::test(start_paused = true)]
async fn an_api_error_has_its_error_code() {
    let mock = Mock::new();
    mock.take_snapshots().then_api_error(409, "CANNOT_TAKE_SNAPSHOT", "a snapshot is already in progress");
    let err = take_snapshot(&mock.client(), 7).await.expect_err("409");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(err.error_code(), Some("CANNOT_TAKE_SNAPSHOT"));
    assert_eq!(err.api_error().and_then(|e| e.detail.as_deref()), Some("a snapshot is already in progress"));
    // A POST answered 409 is not retried.
    assert_eq!(mock.calls().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_503_twice_then_200_under_the_retry_policy() {
    let mock = Mock::new();
    mock.get_group_cluster_backup_snapshot().then_sequence([
        Answer::api_error(503, "SERVICE_UNAVAILABLE", "try again"),
        Answer::status(503),
        Answer::output(replica_set(SNAPSHOT, DiskBackupReplicaSetStatus::Completed)),
    ]);
    let initial = Duration::from_millis(400);
    let client =
        mock.client_builder().retry(RetryPolicy::with_max_attempts(3).backoff(initial, Duration::from_secs(10))).build().expect("client");
    let started = tokio::time::Instant::now();
    let answer = get_snapshot(&client, "Cluster0").await.expect("the third attempt succeeds");
    assert_eq!(answer.attempts(), 3);
    let attempts: Vec<u32> = mock.calls().iter().map(|c| c.attempt()).collect();
    assert_eq!(attempts, [1, 2, 3]);
    // The policy's waits were applied (at least half of 400 ms, then of 800 ms), on the
    // paused clock.
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(600) && waited <= Duration::from_millis(1200), "waited {waited:?}");
    mock.verify();
}

#[tokio::test(start_paused = true)]
async fn retries_end_after_max_attempts_and_honour_retry_after() {
    let mock = Mock::new();
    let rule = mock.get_group_cluster_backup_snapshot().then(Answer::status(429).header("Retry-After", "5"));
    let started = tokio::time::Instant::now();
    let err = get_snapshot(&mock.client(), "Cluster0").await.expect_err("always 429");
    assert!(matches!(&err, Error::Api(e) if e.status == 429 && e.attempts == 3), "{err:?}");
    assert_eq!(rule.call_count(), 3);
    assert_eq!(started.elapsed(), Duration::from_secs(10), "two waits of Retry-After: 5");
}

#[tokio::test(start_paused = true)]
async fn a_paginator_over_three_pages() {
    let mock = Mock::new();
    let page = |ids: &[&str]| {
        let mut page =
            PaginatedCloudBackupReplicaSet::new(ids.iter().map(|id| replica_set(id, DiskBackupReplicaSetStatus::Completed)).collect());
        page.total_count = Some(5);
        page
    };
    for (number, ids) in [(1, &["a", "b"][..]), (2, &["c", "d"]), (3, &["e"])] {
        mock.list_backup_snapshots()
            .matching(move |req: &ListBackupSnapshotsRequest| req.page_num() == Some(number) && req.items_per_page() == Some(2))
            .then_output(page(ids))
            .times(1);
    }
    let items: Vec<DiskBackupReplicaSet> = mock
        .client()
        .list_backup_snapshots()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .items_per_page(2)
        .into_stream()
        .try_collect()
        .await
        .expect("three pages");
    let ids: Vec<&str> = items.iter().filter_map(|s| s.id.as_deref()).collect();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    // The last page was known to be the last (totalCount): no fourth request.
    let pages: Vec<Option<String>> = mock.calls().iter().map(|c| c.query("pageNum")).collect();
    assert_eq!(pages, ["1", "2", "3"].map(|p| Some(p.to_owned())));
    mock.verify();
}

fn snapshot_waiter(client: &Client) -> atlas_backup::operations::WaitUntilSnapshotCompleted {
    client.wait_until_snapshot_completed().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT)
}

/// The generated waiter over scripted states: the mock's answers go through the waiter's
/// own acceptors and delays, on the paused clock.
#[tokio::test(start_paused = true)]
async fn a_waiter_over_scripted_states() {
    let mock = Mock::new();
    mock.get_group_cluster_backup_snapshot().then_sequence(
        [DiskBackupReplicaSetStatus::Queued, DiskBackupReplicaSetStatus::InProgress, DiskBackupReplicaSetStatus::Completed]
            .map(|status| Answer::output(replica_set(SNAPSHOT, status))),
    );
    let started = tokio::time::Instant::now();
    // A fixed delay (min = max), so the time the waiter slept is exact.
    let done = snapshot_waiter(&mock.client())
        .min_delay(Duration::from_secs(30))
        .max_delay(Duration::from_secs(30))
        .wait(Duration::from_secs(3600))
        .await
        .expect("completed");
    assert_eq!(done.status, Some(DiskBackupReplicaSetStatus::Completed));
    assert_eq!(mock.calls().len(), 3, "queued, inProgress, completed");
    assert_eq!(started.elapsed(), Duration::from_secs(60), "two sleeps of 30 s");
    // The sequence is used up: a fourth poll would not be answered.
    let err = get_snapshot(&mock.client(), "Cluster0").await.expect_err("used up");
    assert!(err.to_string().contains("used up"), "{err}");
}

/// A failure state ends the wait with the answer that matched.
#[tokio::test(start_paused = true)]
async fn a_waiter_reaches_the_failure_state() {
    let mock = Mock::new();
    mock.get_group_cluster_backup_snapshot().then_sequence(
        [DiskBackupReplicaSetStatus::Queued, DiskBackupReplicaSetStatus::Failed]
            .map(|status| Answer::output(replica_set(SNAPSHOT, status))),
    );
    let err = snapshot_waiter(&mock.client()).wait(Duration::from_secs(3600)).await.expect_err("failed");
    match err {
        atlas_backup::WaitError::Failure { polls, last, .. } => {
            assert_eq!(polls, 2);
            assert!(format!("{last:?}").contains("Failed"), "{last:?}");
        }
        other => panic!("expected the failure state, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn an_unmatched_call_is_an_error_naming_the_operation_and_the_rules() {
    let mock = Mock::new();
    mock.get_group_cluster_backup_snapshot().matching(|req| req.cluster_name() == "Cluster0").then_status(200);
    mock.get_group_cluster_backup_snapshot().then_status(200).times(0);
    let client = mock.client();
    let err = get_snapshot(&client, "Cluster1").await.expect_err("no rule for Cluster1");
    let Error::Mock(message) = &err else { panic!("expected Error::Mock, got {err:?}") };
    assert!(message.contains("`getGroupClusterBackupSnapshot`"), "{message}");
    assert!(message.contains("/clusters/Cluster1/"), "{message}");
    assert!(message.contains("its `matching` condition is false"), "{message}");
    assert!(message.contains("used up"), "{message}");
    assert!(message.contains("tests/mock.rs:"), "rules are named by where they were added: {message}");
    // An operation without any rule.
    let err = client.list_backup_snapshots().group_id(GROUP).cluster_name("Cluster0").send().await.expect_err("no rule");
    assert!(err.to_string().contains("no rule answers `listBackupSnapshots`"), "{err}");
    assert!(err.to_string().contains("no rule was added"), "{err}");
    // Parameters are still checked before anything reaches the mock.
    let err = get_snapshot(&client, "not a cluster name").await.expect_err("bad name");
    assert!(matches!(err, Error::InvalidParameter { parameter: "clusterName", .. }), "{err:?}");
    assert_eq!(mock.calls().len(), 2);
}

#[tokio::test(start_paused = true)]
#[should_panic(expected = "mock expectations not met:\n  - rule `take_snapshots()` added at tests/tests/mock.rs")]
async fn verify_fails_on_an_unmet_expectation() {
    let mock = Mock::new();
    mock.get_group_cluster_backup_snapshot().then_output(DiskBackupReplicaSet::new());
    mock.take_snapshots().then_api_error(409, "CANNOT_TAKE_SNAPSHOT", "busy").times(1);
    get_snapshot(&mock.client(), "Cluster0").await.expect("answered");
    mock.verify();
}

#[tokio::test(start_paused = true)]
async fn verify_names_every_unmet_expectation() {
    let mock = Mock::new();
    mock.take_snapshots().then_api_error(409, "CANNOT_TAKE_SNAPSHOT", "busy").times(2);
    mock.get_group_cluster_backup_snapshot().then_sequence([Answer::status(503), Answer::status(200)]);
    mock.list_backup_snapshots().then_status(200);
    let client = mock.client_builder().retry(RetryPolicy::disabled()).build().expect("client");
    let _ = get_snapshot(&client, "Cluster0").await;
    let _ = client.delete_export_bucket().group_id(GROUP).export_bucket_id(SNAPSHOT).send().await;
    let verify = std::panic::AssertUnwindSafe(|| mock.verify());
    let panic = std::panic::catch_unwind(verify).expect_err("unmet expectations");
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(message.contains("`take_snapshots()`") && message.contains("expected 2 calls, got 0"), "{message}");
    assert!(message.contains("1 of its 2 scripted answers were used"), "{message}");
    assert!(message.contains("`list_backup_snapshots()`") && message.contains("never called"), "{message}");
    assert!(message.contains("unanswered call: no rule answers `deleteExportBucket`"), "{message}");
}

/// A view reads back what its operation sends; read from a call of another operation, it
/// names the first parameter (or the body) that call does not have.
#[tokio::test(start_paused = true)]
async fn a_view_that_does_not_fit_the_call_names_what_is_missing() {
    let mock = Mock::new();
    mock.list_backup_snapshots().then_output(PaginatedCloudBackupReplicaSet::new(Vec::new()));
    mock.client().list_backup_snapshots().group_id(GROUP).cluster_name("Cluster0").items_per_page(5).send().await.expect("answered");
    let calls = mock.calls();
    let list: ListBackupSnapshotsRequest = calls[0].read().expect("its own view");
    assert_eq!((list.group_id(), list.cluster_name(), list.items_per_page(), list.page_num()), (GROUP, "Cluster0", Some(5), None));
    let err = calls[0].read::<GetGroupClusterBackupSnapshotRequest>().expect_err("the list's path has no snapshot");
    assert_eq!(err, "path parameter `snapshotId` is missing");
    let err = calls[0].read::<TakeSnapshotsRequest>().expect_err("a GET has no body");
    assert_eq!(err, "the body is missing");
}
