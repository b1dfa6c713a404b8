//! The generated waiters (`wait_until_*`) against a loopback server (wiremock, on its own
//! thread in real time) that scripts state changes, on tokio's paused clock: the delays
//! the waiter chose are read off the paused clock at each polled answer, and no test
//! waits in real time.
//!
//! The client has no timer alive during an exchange (no per-request timeout, no connect
//! timeout, no pool idle timer): the paused clock jumps to the next timer whenever the
//! runtime is idle, also while a real socket read is pending, and would fire it at once.

mod support;

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use atlas_backup::models::DiskBackupReplicaSetStatus;
use atlas_backup::operations::{WaitUntilRestoreJobFinished, WaitUntilSnapshotCompleted};
use atlas_backup::{Client, Error, Polled, RetryPolicy, WaitError};
use futures::StreamExt;
use serde_json::{Value, json};
use support::LogBuffer;
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";
const JOB: &str = "5f4007f327a3bc75f2a2b1c4";
const SNAPSHOT_PATH: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/snapshots/5f4007f327a3bc75f2a2b1c3";
const S: Duration = Duration::from_secs(1);

/// Answers the scripted responses in order, then the last one again and again.
struct Script(Mutex<VecDeque<ResponseTemplate>>);

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut steps = self.0.lock().expect("script");
        if steps.len() > 1 { steps.pop_front().expect("a step") } else { steps.front().cloned().expect("a step") }
    }
}

fn answer(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn snapshot(status: &str) -> ResponseTemplate {
    answer(json!({"id": SNAPSHOT, "type": "replicaSet", "status": status}))
}

fn error(code: u16) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({"error": code, "errorCode": "TEST", "detail": "scripted"}))
}

async fn server(at: &str, steps: Vec<ResponseTemplate>) -> MockServer {
    logs();
    let server = MockServer::start().await;
    Mock::given(method("GET")).and(path(at)).respond_with(Script(Mutex::new(steps.into()))).mount(&server).await;
    server
}

/// A client with no timer during an exchange, and fast retries.
fn client(server: &MockServer) -> Client {
    let http = reqwest::Client::builder().pool_idle_timeout(None).build().expect("reqwest client");
    Client::builder()
        .base_url(server.uri())
        .http_client(http)
        .no_timeout()
        .retry(RetryPolicy::with_max_attempts(3).backoff(Duration::from_millis(100), Duration::from_secs(1)))
        .build()
        .expect("client")
}

/// `snapshotCompleted` on the scripted snapshot.
fn snapshot_waiter(server: &MockServer) -> WaitUntilSnapshotCompleted {
    client(server).wait_until_snapshot_completed().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT)
}

/// `restoreJobFinished` on the scripted restore job.
fn restore_waiter(server: &MockServer) -> WaitUntilRestoreJobFinished {
    client(server).wait_until_restore_job_finished().group_id(GROUP).cluster_name("Cluster0").restore_job_id(JOB)
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

/// The paused-clock time of each polled answer, from the start, and the stream's end.
async fn watch<T>(
    stream: impl futures::Stream<Item = Result<Polled<T>, WaitError<T>>>,
) -> (Vec<Duration>, Vec<Polled<T>>, Option<WaitError<T>>) {
    let start = Instant::now();
    let mut stream = std::pin::pin!(stream);
    let (mut times, mut answers, mut end) = (Vec::new(), Vec::new(), None);
    while let Some(item) = stream.next().await {
        times.push(start.elapsed());
        match item {
            Ok(polled) => answers.push(polled),
            Err(e) => end = Some(e),
        }
    }
    (times, answers, end)
}

/// The logs of every test of this binary. A global subscriber, not a scoped one: tracing
/// caches per call site whether anyone listens, and tests on other threads without a
/// subscriber would make a scoped one miss the waiter's span.
fn logs() -> &'static LogBuffer {
    static LOGS: std::sync::OnceLock<LogBuffer> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = LogBuffer::default();
        let subscriber = tracing_subscriber::fmt().with_max_level(tracing::Level::INFO).with_ansi(false).with_writer(logs.clone()).finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        logs
    })
}

/// The sleeps between polls.
fn gaps(times: &[Duration]) -> Vec<Duration> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test(start_paused = true)]
async fn snapshot_queued_in_progress_completed_with_smithy_delays() {
    let steps = vec![snapshot("queued"), snapshot("inProgress"), snapshot("inProgress"), snapshot("inProgress"), snapshot("completed")];
    let server = server(SNAPSHOT_PATH, steps).await;
    let stream = snapshot_waiter(&server).into_stream(Duration::from_secs(3600));
    let (times, answers, end) = watch(stream).await;
    assert!(end.is_none(), "{end:?}");
    let statuses: Vec<_> = answers.iter().map(|p| p.answer().and_then(|s| s.status.clone())).collect();
    use DiskBackupReplicaSetStatus::{Completed, InProgress, Queued};
    assert_eq!(statuses, [Some(Queued), Some(InProgress), Some(InProgress), Some(InProgress), Some(Completed)]);
    assert_eq!(requests(&server).await, 5);
    assert_eq!(times[0], Duration::ZERO, "the first poll is at once");
    // The table's delays (15 s, 120 s): the first wait is min, the k-th is jittered
    // between min and min * 2^(k-1), capped at max.
    let gaps = gaps(&times);
    assert_eq!(gaps[0], 15 * S);
    for (k, gap) in gaps.iter().enumerate() {
        let bound = (15 * S * (1 << k)).min(120 * S);
        assert!(*gap >= 15 * S && *gap <= bound, "wait {} was {gap:?}, not within 15 s..={bound:?}", k + 1);
    }
}

#[tokio::test(start_paused = true)]
async fn wait_answers_the_completed_snapshot_and_overrides_cap_the_delays() {
    let steps = vec![snapshot("queued"), snapshot("queued"), snapshot("queued"), snapshot("queued"), snapshot("completed")];
    let server = server(SNAPSHOT_PATH, steps).await;
    let start = Instant::now();
    let done = snapshot_waiter(&server).min_delay(2 * S).max_delay(3 * S).wait(Duration::from_secs(600)).await.expect("completed");
    assert_eq!(done.status, Some(DiskBackupReplicaSetStatus::Completed));
    assert_eq!(requests(&server).await, 5);
    // 2 s, then at most 3 s each: between 2 + 3 * 2 and 2 + 3 * 3 seconds.
    let took = start.elapsed();
    assert!(took >= 8 * S && took <= 11 * S, "{took:?}");
}

#[tokio::test(start_paused = true)]
async fn a_failed_snapshot_is_the_failure_state_with_the_last_answer() {
    let server = server(SNAPSHOT_PATH, vec![snapshot("queued"), snapshot("failed")]).await;
    let err = snapshot_waiter(&server).wait(Duration::from_secs(600)).await.expect_err("failure state");
    match &err {
        WaitError::Failure { waiter, polls, last } => {
            assert_eq!(*waiter, "snapshotCompleted");
            assert_eq!(*polls, 2);
            assert_eq!(last.answer().and_then(|s| s.status.clone()), Some(DiskBackupReplicaSetStatus::Failed));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("snapshotCompleted") && err.to_string().contains("failure"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_restore_job_whose_failed_turns_true() {
    let at = format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/restoreJobs/{JOB}");
    let running = answer(json!({"id": JOB, "deliveryType": "automated", "snapshotId": SNAPSHOT}));
    let failed = answer(json!({"id": JOB, "deliveryType": "automated", "failed": true, "finishedAt": "2026-01-01T00:00:00Z"}));
    let server = server(&at, vec![running.clone(), running, failed]).await;
    let err = restore_waiter(&server).wait(Duration::from_secs(3600)).await.expect_err("failed");
    // `failed` is checked before `finishedAt`: a failed job that finished is a failure.
    assert!(matches!(&err, WaitError::Failure { polls: 3, last, .. } if last.answer().and_then(|j| j.failed) == Some(true)), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn a_download_restore_job_succeeds_once_its_urls_are_there() {
    let at = format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/restoreJobs/{JOB}");
    let waiting = answer(json!({"id": JOB, "deliveryType": "download", "deliveryUrl": []}));
    let ready = answer(json!({"id": JOB, "deliveryType": "download", "deliveryUrl": ["https://example.invalid/x.tar.gz"]}));
    let server = server(&at, vec![waiting, ready]).await;
    let job = restore_waiter(&server).wait(Duration::from_secs(3600)).await.expect("links ready");
    assert_eq!(job.delivery_url.map(|u| u.len()), Some(1));
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test(start_paused = true)]
async fn the_deletion_waiter_succeeds_on_404() {
    let server = server(SNAPSHOT_PATH, vec![snapshot("completed"), snapshot("completed"), error(404)]).await;
    let start = Instant::now();
    // Success is the 404: `wait` answers `()`.
    let outcome: Result<(), WaitError<_>> = client(&server)
        .wait_until_snapshot_deleted()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .wait(Duration::from_secs(600))
        .await;
    outcome.expect("deleted");
    assert_eq!(requests(&server).await, 3);
    // The table's 10 s first, then 10..=20 s.
    let took = start.elapsed();
    assert!(took >= 20 * S && took <= 30 * S, "{took:?}");
}

#[tokio::test(start_paused = true)]
async fn a_500_inside_a_poll_is_absorbed_by_the_retry_policy() {
    let server = server(SNAPSHOT_PATH, vec![snapshot("queued"), error(500), snapshot("completed")]).await;
    let stream = snapshot_waiter(&server).into_stream(Duration::from_secs(600));
    let (times, answers, end) = watch(stream).await;
    assert!(end.is_none(), "{end:?}");
    assert_eq!(answers.len(), 2, "the 500 is not a poll of its own");
    assert_eq!(requests(&server).await, 3);
    match answers.last() {
        Some(Polled::Answer(r)) => assert_eq!(r.attempts(), 2, "the second poll took a retry"),
        other => panic!("{other:?}"),
    }
    // 15 s of waiter delay, plus the retry's backoff (at most 100 ms).
    assert!(times[1] >= 15 * S && times[1] <= 15 * S + Duration::from_millis(100), "{times:?}");
}

#[tokio::test(start_paused = true)]
async fn a_404_where_success_is_not_404_ends_at_once() {
    let server = server(SNAPSHOT_PATH, vec![error(404)]).await;
    let start = Instant::now();
    let err = snapshot_waiter(&server).wait(Duration::from_secs(600)).await.expect_err("404");
    match &err {
        WaitError::Call(e) => assert_eq!(e.status().map(|s| s.as_u16()), Some(404)),
        other => panic!("{other:?}"),
    }
    assert_eq!(start.elapsed(), Duration::ZERO, "no sleep");
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test(start_paused = true)]
async fn time_out_with_the_last_poll_at_the_deadline() {
    let server = server(SNAPSHOT_PATH, vec![snapshot("queued")]).await;
    let stream = snapshot_waiter(&server).into_stream(Duration::from_secs(100));
    let (times, answers, end) = watch(stream).await;
    let polls = times.len();
    assert_eq!(answers.len() + 1, polls, "every poll but the last is an answer");
    assert_eq!(times.last().copied(), Some(100 * S), "the last poll is at the deadline: {times:?}");
    assert!(times.iter().all(|t| *t <= 100 * S), "never past it: {times:?}");
    match end {
        Some(WaitError::TimedOut { waiter, elapsed, polls: n, last }) => {
            assert_eq!(waiter, "snapshotCompleted");
            assert_eq!(elapsed, 100 * S);
            assert_eq!(n as usize, polls);
            assert!(last.answer().is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(requests(&server).await, polls);
}

#[tokio::test(start_paused = true)]
async fn parameters_are_checked_before_any_io() {
    let server = server(SNAPSHOT_PATH, vec![snapshot("completed")]).await;
    // The setter replaces the helper's valid groupId.
    let err = snapshot_waiter(&server).group_id("not-a-group").wait(Duration::from_secs(600)).await.expect_err("invalid groupId");
    assert!(matches!(&err, WaitError::Call(Error::InvalidParameter { parameter: "groupId", .. })), "{err:?}");
    assert_eq!(requests(&server).await, 0);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_status_keeps_polling_and_warns_once() {
    let logs = logs();
    let steps = vec![snapshot("paused"), snapshot("paused"), snapshot("paused"), snapshot("completed")];
    let server = server(SNAPSHOT_PATH, steps).await;
    let done = snapshot_waiter(&server).wait(Duration::from_secs(600)).await.expect("completed after the unknown status");
    assert_eq!(done.status, Some(DiskBackupReplicaSetStatus::Completed));
    assert_eq!(requests(&server).await, 4);
    // Only this test answers a status the crate does not know.
    let text = logs.contents();
    let warnings: Vec<&str> = text.lines().filter(|l| l.contains("no acceptor")).collect();
    assert_eq!(warnings.len(), 1, "warned once: {text}");
    assert!(
        warnings[0].contains("atlas_wait{waiter=\"snapshotCompleted\"") && warnings[0].contains("polls=1"),
        "inside the wait's span, with the poll count: {text}"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_waiter_stops_polling() {
    let server = server(SNAPSHOT_PATH, vec![snapshot("queued")]).await;
    let stream = snapshot_waiter(&server).into_stream(Duration::from_secs(3600));
    // A timeout around the wait would be a timer alive during the exchange (see the top
    // of this file): two answers are read instead, then the stream is dropped.
    let seen: Vec<_> = stream.take(2).collect().await;
    assert_eq!(seen.len(), 2);
    assert_eq!(requests(&server).await, 2);
    tokio::time::sleep(3600 * S).await;
    assert_eq!(requests(&server).await, 2, "no poll after the drop");
}

/// A snapshot answer as Atlas sent it, breaking the model (`storageSizeBytes` a string).
fn broken_snapshot(status: &str) -> String {
    format!(r#"{{"status":"{status}","id":"{SNAPSHOT}","storageSizeBytes":"lots","extra":1.50}}"#)
}

#[tokio::test(start_paused = true)]
async fn polled_as_received_a_broken_answer_is_decided_on_its_fields() {
    use atlas_backup::call::{ReceivedPoll, Wait};
    let (first, last) = (broken_snapshot("queued"), broken_snapshot("completed"));
    let script = || vec![ResponseTemplate::new(200).set_body_string(&first), ResponseTemplate::new(200).set_body_string(&last)];
    let received = server(SNAPSHOT_PATH, script()).await;
    let items: Vec<_> = Wait::into_received_stream(snapshot_waiter(&received), 3600 * S).collect().await;
    assert_eq!(items.len(), 2, "queued, then completed: {items:?}");
    match items.last() {
        Some(Ok(ReceivedPoll::Answer(received))) => {
            assert_eq!(received.response().body().as_ref(), last.as_bytes());
            assert_eq!(received.mismatch_pointer().as_deref(), Some("/storageSizeBytes"));
        }
        other => panic!("{other:?}"),
    }
    // The typed waiter, unchanged: the first answer does not decode, and that ends it.
    let typed = server(SNAPSHOT_PATH, script()).await;
    let end = snapshot_waiter(&typed).wait(3600 * S).await;
    assert!(matches!(end, Err(WaitError::Call(Error::Decode { .. }))), "{end:?}");
    assert_eq!(requests(&typed).await, 1);
}

#[tokio::test(start_paused = true)]
async fn polled_as_received_a_deletion_ends_on_404_and_a_failure_keeps_the_answer() {
    use atlas_backup::call::{ReceivedPoll, ReceivedWaitError, Wait};
    let deleted = server(SNAPSHOT_PATH, vec![ResponseTemplate::new(200).set_body_string(broken_snapshot("queued")), error(404)]).await;
    let waiter = client(&deleted).wait_until_snapshot_deleted().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT);
    let items: Vec<_> = Wait::into_received_stream(waiter, 3600 * S).collect().await;
    assert!(
        matches!(items.as_slice(), [Ok(ReceivedPoll::Answer(_)), Ok(ReceivedPoll::Error(e))] if e.status().map(|s| s.as_u16()) == Some(404)),
        "{items:?}"
    );
    let failed = broken_snapshot("failed");
    let failing = server(SNAPSHOT_PATH, vec![ResponseTemplate::new(200).set_body_string(&failed)]).await;
    let items: Vec<_> = Wait::into_received_stream(snapshot_waiter(&failing), 3600 * S).collect().await;
    match items.as_slice() {
        [Err(end @ ReceivedWaitError::Failure { polls: 1, .. })] => {
            let body = end.last().and_then(ReceivedPoll::answer).map(|r| r.response().body().clone());
            assert_eq!(body.as_deref(), Some(failed.as_bytes()));
        }
        other => panic!("{other:?}"),
    }
}
