//! The backup API's surface end to end, against a real HTTP server on loopback (wiremock):
//! operations of every tag of the spec (method, path, versioned `Accept`, query, body, and
//! the decoded model), paging over several pages, the `()` answers of the DELETEs, and the
//! deprecated shared-tier, legacy and serverless operations.
//!
//! `the_spec_has_no_tag_that_these_tests_do_not_exercise` reads `spec/atlas-backup.yaml`:
//! a tag added to the spec fails it until an operation of that tag is tested here.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::pin;

use atlas_backup::models::{
    ApiAtlasSnapshotScheduleClusterCheckpointIntervalMin, ApiAtlasSnapshotScheduleDailySnapshotRetentionDays,
    ApiAtlasSnapshotScheduleMonthlySnapshotRetentionMonths, ApiAtlasSnapshotScheduleRequest, ApiAtlasSnapshotScheduleSnapshotIntervalHours,
    ApiAtlasSnapshotScheduleSnapshotRetentionDays, ApiAtlasSnapshotScheduleWeeklySnapshotRetentionWeeks, ApiCheckpointPartTypeName,
    BackupTenantSnapshotStatus, CreateBackupPrivateEndpointCloudProvider, DiskBackupReplicaSet, FlexBackupRestoreJob20241113DeliveryType,
    FlexBackupRestoreJob20241113Status, FlexBackupRestoreJobCreate20241113, FlexBackupSnapshotDownloadCreate20241113,
    ObjectStoragePrivateEndpointRequest, ObjectStoragePrivateEndpointResponseStatus, ServerlessBackupSnapshotStatus,
    TenantRestoreDeliveryType, TenantRestoreRequest, TenantRestoreStatus,
};
use atlas_backup::operations::ListBackupSnapshots;
use atlas_backup::{Client, Error, Response, RetryPolicy};
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{snake, spec};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";
const JOB: &str = "6824a1c3b2f1e4d5a6b7c8d9";
const CLUSTER: &str = "Cluster0";

/// What the spec says about one operation these tests call; checked against the spec by
/// `the_spec_has_no_tag_that_these_tests_do_not_exercise`.
#[derive(Debug)]
struct Op {
    id: &'static str,
    tag: &'static str,
    method: &'static str,
    path: &'static str,
    /// The versioned media type of the answer, sent as `Accept` (and as `Content-Type` of a body).
    media_type: &'static str,
}

const LIST_BACKUP_SNAPSHOTS: Op = Op {
    id: "listBackupSnapshots",
    tag: "Cloud Backups",
    method: "GET",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const CREATE_BACKUP_PRIVATE_ENDPOINT: Op = Op {
    id: "createBackupPrivateEndpoint",
    tag: "Cloud Backups",
    method: "POST",
    path: "/api/atlas/v2/groups/{groupId}/backup/{cloudProvider}/privateEndpoints",
    media_type: "application/vnd.atlas.2024-11-13+json",
};
const DELETE_CLUSTER_BACKUP_SNAPSHOT: Op = Op {
    id: "deleteClusterBackupSnapshot",
    tag: "Cloud Backups",
    method: "DELETE",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots/{snapshotId}",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const DELETE_EXPORT_BUCKET: Op = Op {
    id: "deleteExportBucket",
    tag: "Cloud Backups",
    method: "DELETE",
    path: "/api/atlas/v2/groups/{groupId}/backup/exportBuckets/{exportBucketId}",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const DISABLE_COMPLIANCE_POLICY: Op = Op {
    id: "disableCompliancePolicy",
    tag: "Cloud Backups",
    method: "DELETE",
    path: "/api/atlas/v2/groups/{groupId}/backupCompliancePolicy",
    media_type: "application/vnd.atlas.2024-11-13+json",
};
const CANCEL_BACKUP_RESTORE_JOB: Op = Op {
    id: "cancelBackupRestoreJob",
    tag: "Cloud Backups",
    method: "DELETE",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/restoreJobs/{restoreJobId}",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const DELETE_BACKUP_PRIVATE_ENDPOINT: Op = Op {
    id: "deleteBackupPrivateEndpoint",
    tag: "Cloud Backups",
    method: "DELETE",
    path: "/api/atlas/v2/groups/{groupId}/backup/{cloudProvider}/privateEndpoints/{endpointId}",
    media_type: "application/vnd.atlas.2024-11-13+json",
};
const DELETE_BACKUP_SHARDED_CLUSTER: Op = Op {
    id: "deleteBackupShardedCluster",
    tag: "Cloud Backups",
    method: "DELETE",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/snapshots/shardedCluster/{snapshotId}",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const LIST_SERVERLESS_BACKUP_SNAPSHOTS: Op = Op {
    id: "listServerlessBackupSnapshots",
    tag: "Cloud Backups",
    method: "GET",
    path: "/api/atlas/v2/groups/{groupId}/serverless/{clusterName}/backup/snapshots",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const DOWNLOAD_FLEX_BACKUP: Op = Op {
    id: "downloadFlexBackup",
    tag: "Flex Snapshots",
    method: "POST",
    path: "/api/atlas/v2/groups/{groupId}/flexClusters/{name}/backup/download",
    media_type: "application/vnd.atlas.2024-11-13+json",
};
const CREATE_FLEX_RESTORE_JOB: Op = Op {
    id: "createFlexRestoreJob",
    tag: "Flex Restore Jobs",
    method: "POST",
    path: "/api/atlas/v2/groups/{groupId}/flexClusters/{name}/backup/restoreJobs",
    media_type: "application/vnd.atlas.2024-11-13+json",
};
const LIST_FLEX_RESTORE_JOBS: Op = Op {
    id: "listFlexRestoreJobs",
    tag: "Flex Restore Jobs",
    method: "GET",
    path: "/api/atlas/v2/groups/{groupId}/flexClusters/{name}/backup/restoreJobs",
    media_type: "application/vnd.atlas.2024-11-13+json",
};
const UPDATE_CLUSTER_SNAPSHOT_SCHEDULE: Op = Op {
    id: "updateClusterSnapshotSchedule",
    tag: "Legacy Backup",
    method: "PATCH",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/snapshotSchedule",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const GET_CLUSTER_BACKUP_CHECKPOINT: Op = Op {
    id: "getClusterBackupCheckpoint",
    tag: "Legacy Backup",
    method: "GET",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backupCheckpoints/{checkpointId}",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const DELETE_CLUSTER_SNAPSHOT: Op = Op {
    id: "deleteClusterSnapshot",
    tag: "Legacy Backup",
    method: "DELETE",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/snapshots/{snapshotId}",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const LIST_SHARED_CLUSTER_BACKUPS: Op = Op {
    id: "listSharedClusterBackups",
    tag: "Shared-Tier Snapshots",
    method: "GET",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/tenant/snapshots",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const GET_SHARED_CLUSTER_BACKUP: Op = Op {
    id: "getSharedClusterBackup",
    tag: "Shared-Tier Snapshots",
    method: "GET",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/tenant/snapshots/{snapshotId}",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const CREATE_SHARED_CLUSTER_BACKUP_RESTORE_JOB: Op = Op {
    id: "createSharedClusterBackupRestoreJob",
    tag: "Shared-Tier Restore Jobs",
    method: "POST",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/tenant/restore",
    media_type: "application/vnd.atlas.2023-01-01+json",
};
const GET_SHARED_CLUSTER_BACKUP_RESTORE_JOB: Op = Op {
    id: "getSharedClusterBackupRestoreJob",
    tag: "Shared-Tier Restore Jobs",
    method: "GET",
    path: "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/tenant/restores/{restoreId}",
    media_type: "application/vnd.atlas.2023-01-01+json",
};

/// Every operation this file calls.
const EXERCISED: &[&Op] = &[
    &LIST_BACKUP_SNAPSHOTS,
    &CREATE_BACKUP_PRIVATE_ENDPOINT,
    &DELETE_CLUSTER_BACKUP_SNAPSHOT,
    &DELETE_EXPORT_BUCKET,
    &DISABLE_COMPLIANCE_POLICY,
    &CANCEL_BACKUP_RESTORE_JOB,
    &DELETE_BACKUP_PRIVATE_ENDPOINT,
    &DELETE_BACKUP_SHARDED_CLUSTER,
    &LIST_SERVERLESS_BACKUP_SNAPSHOTS,
    &DOWNLOAD_FLEX_BACKUP,
    &CREATE_FLEX_RESTORE_JOB,
    &LIST_FLEX_RESTORE_JOBS,
    &UPDATE_CLUSTER_SNAPSHOT_SCHEDULE,
    &GET_CLUSTER_BACKUP_CHECKPOINT,
    &DELETE_CLUSTER_SNAPSHOT,
    &LIST_SHARED_CLUSTER_BACKUPS,
    &GET_SHARED_CLUSTER_BACKUP,
    &CREATE_SHARED_CLUSTER_BACKUP_RESTORE_JOB,
    &GET_SHARED_CLUSTER_BACKUP_RESTORE_JOB,
];

impl Op {
    /// The request path with these path parameters filled in.
    fn path_with(&self, params: &[(&str, &str)]) -> String {
        let mut filled = self.path.to_owned();
        for (name, value) in params {
            let placeholder = format!("{{{name}}}");
            assert!(filled.contains(&placeholder), "{}: no path parameter {name}", self.id);
            filled = filled.replace(&placeholder, value);
        }
        assert!(!filled.contains('{'), "{}: path parameters left in {filled}", self.id);
        filled
    }

    /// Matches this operation's method, filled-in path and versioned `Accept`.
    fn expect(&self, params: &[(&str, &str)]) -> MockBuilder {
        Mock::given(method(self.method)).and(path(self.path_with(params))).and(header("accept", self.media_type))
    }

    /// As [`expect`](Self::expect), with this JSON body in the operation's media type.
    fn expect_body(&self, params: &[(&str, &str)], body: Value) -> MockBuilder {
        self.expect(params).and(header("content-type", self.media_type)).and(body_json(body))
    }
}

/// A loopback server and a client of it that does not retry.
async fn start() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder().base_url(server.uri()).retry(RetryPolicy::disabled()).build().expect("client of the loopback server");
    (server, client)
}

/// Answers the matched request, once and only once (checked when the server drops).
async fn answer(server: &MockServer, mock: MockBuilder, response: ResponseTemplate) {
    mock.respond_with(response).expect(1).mount(server).await;
}

/// The one request the server saw (none unmatched, no second one).
async fn single_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("request recording is on");
    assert_eq!(requests.len(), 1, "requests: {:?}", requests.iter().map(|r| r.url.as_str()).collect::<Vec<_>>());
    requests.remove(0)
}

/// The query of a request as name → value.
fn query_of(request: &Request) -> BTreeMap<String, String> {
    request.url.query_pairs().into_owned().collect()
}

// ---------------------------------------------------------------------------------------
// The spec's tags against what this file exercises.

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/// Every operation of the spec: (method, path, operation).
fn spec_operations(spec: &Value) -> Vec<(&'static str, &str, &Value)> {
    let paths = spec["paths"].as_object().expect("the spec has paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                out.push((*method, path.as_str(), op));
            }
        }
    }
    out
}

/// The media types of an operation's 2xx answers.
fn success_media_types(op: &Value) -> BTreeSet<String> {
    let responses = op["responses"].as_object().expect("the operation has responses");
    responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .filter_map(|(_, response)| response.get("content").and_then(Value::as_object))
        .flat_map(|content| content.keys().cloned())
        .collect()
}

#[test]
fn the_spec_has_no_tag_that_these_tests_do_not_exercise() {
    let spec = spec();
    let operations = spec_operations(&spec);
    assert!(operations.len() >= 60, "only {} operations read from the spec", operations.len());

    let mut spec_tags: BTreeSet<String> = spec["tags"]
        .as_array()
        .expect("the spec lists its tags")
        .iter()
        .map(|tag| tag["name"].as_str().expect("a tag has a name").to_owned())
        .collect();
    for (_, _, op) in &operations {
        for tag in op["tags"].as_array().expect("every operation is tagged") {
            spec_tags.insert(tag.as_str().expect("a tag is a string").to_owned());
        }
    }

    let exercised: BTreeSet<String> = EXERCISED.iter().map(|op| op.tag.to_owned()).collect();
    let missing: Vec<&String> = spec_tags.difference(&exercised).collect();
    assert!(missing.is_empty(), "tags of the spec with no end-to-end test in backup_surface.rs: {missing:?}");

    // The table must tell the truth: each entry is the spec's operation, and is called here.
    let source = include_str!("backup_surface.rs");
    for expected in EXERCISED {
        let (spec_method, spec_path, op) = operations
            .iter()
            // The Rust name (NAMES-CONTRACT): `x-rust-name`, else upstream's `operationId`.
            .find(|(_, _, op)| op.get("x-rust-name").or(op.get("operationId")).and_then(Value::as_str) == Some(expected.id))
            .unwrap_or_else(|| panic!("{} is not an operation of the spec", expected.id));
        assert_eq!(spec_method.to_uppercase(), expected.method, "{}: method", expected.id);
        assert_eq!(*spec_path, expected.path, "{}: path", expected.id);
        let tags: Vec<&str> = op["tags"].as_array().expect("tags").iter().filter_map(Value::as_str).collect();
        assert!(tags.contains(&expected.tag), "{}: tagged {tags:?}, not {}", expected.id, expected.tag);
        // The newest stable version is the default `Accept`; `vnd.atlas.YYYY-MM-DD` sorts by
        // date, and `vnd.atlas.preview` is called only when asked for.
        let newest = success_media_types(op).into_iter().filter(|mt| !mt.contains(".preview+")).max();
        assert_eq!(newest.as_deref(), Some(expected.media_type), "{}: media type", expected.id);
        let call = format!(".{}()", snake(expected.id));
        assert!(source.contains(&call), "{} is listed but `{call}` is never called", expected.id);
    }
}

#[test]
fn the_spec_has_no_binary_or_text_answer_left_untested() {
    // Every success answer of the spec today is versioned JSON (or has no body). A bytes
    // answer (CSV, gzip, octet-stream) added to the spec needs its own test here.
    let spec = spec();
    let not_json: Vec<String> = spec_operations(&spec)
        .iter()
        .flat_map(|(_, _, op)| {
            let id = op.get("x-rust-name").or(op.get("operationId")).and_then(Value::as_str).unwrap_or("?").to_owned();
            success_media_types(op).into_iter().filter(|m| !m.ends_with("+json")).map(move |m| format!("{id}: {m}"))
        })
        .collect();
    assert!(not_json.is_empty(), "add an end-to-end test of these bytes answers: {not_json:?}");
}

// ---------------------------------------------------------------------------------------
// Paging (Cloud Backups: listBackupSnapshots; serverless and flex lists).

/// Serves `items` a page at a time as Atlas does: `pageNum` (from 1) and `itemsPerPage`
/// (default 100), with `totalCount` unless `includeCount=false`.
struct Pages {
    items: Vec<Value>,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = query_of(request);
        let number = |name: &str, default: usize| query.get(name).map_or(Ok(default), |v| v.parse::<usize>());
        let (Ok(page), Ok(per_page)) = (number("pageNum", 1), number("itemsPerPage", 100)) else {
            return ResponseTemplate::new(400).set_body_string("bad paging parameters");
        };
        if page == 0 || per_page == 0 {
            return ResponseTemplate::new(400).set_body_string("pageNum and itemsPerPage start at 1");
        }
        let results: Vec<&Value> = self.items.iter().skip((page - 1) * per_page).take(per_page).collect();
        let mut body = json!({"links": [], "results": results});
        if query.get("includeCount").map(String::as_str) != Some("false") {
            body["totalCount"] = json!(self.items.len());
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// Snapshot `i` of a cluster: distinct IDs (24 hex digits) and descriptions.
fn replica_set_snapshot(i: usize) -> Value {
    json!({
        "id": format!("{i:024x}"),
        "description": format!("snapshot {i}"),
        "createdAt": "2025-03-12T10:15:30Z",
        "status": "completed",
        "type": "replicaSet",
        "replicaSetName": "Cluster0-shard-0"
    })
}

fn ids_of(items: &[Value]) -> Vec<String> {
    items.iter().map(|item| item["id"].as_str().expect("an item has an id").to_owned()).collect()
}

/// A server holding `count` snapshots of Cluster0, served by [`Pages`].
async fn snapshot_server(count: usize) -> (MockServer, Client, Vec<Value>) {
    let (server, client) = start().await;
    let items: Vec<Value> = (1..=count).map(replica_set_snapshot).collect();
    LIST_BACKUP_SNAPSHOTS
        .expect(&[("groupId", GROUP), ("clusterName", CLUSTER)])
        .respond_with(Pages { items: items.clone() })
        .mount(&server)
        .await;
    (server, client, items)
}

/// `pageNum`, `itemsPerPage` and `includeCount` of one request.
type PageRequest = (Option<String>, Option<String>, Option<String>);

/// The [`PageRequest`] of every request the server saw, in order.
async fn page_requests(server: &MockServer) -> Vec<PageRequest> {
    let requests = server.received_requests().await.expect("request recording is on");
    requests
        .iter()
        .map(|request| {
            let mut query = query_of(request);
            let seen = (query.remove("pageNum"), query.remove("itemsPerPage"), query.remove("includeCount"));
            assert!(query.is_empty(), "unexpected query parameters {query:?}");
            seen
        })
        .collect()
}

/// The requests expected for these pages: each names its page, and the page size and
/// `includeCount` the caller set.
fn expected_pages(pages: impl IntoIterator<Item = usize>, per_page: usize, include_count: Option<bool>) -> Vec<PageRequest> {
    pages.into_iter().map(|page| (Some(page.to_string()), Some(per_page.to_string()), include_count.map(|b| b.to_string()))).collect()
}

#[tokio::test]
async fn paging_reads_pages_as_the_stream_is_read_and_stops_at_total_count() {
    // 6 items at 2 a page: the third page is full, and only `totalCount` says it is the last.
    let (server, client, items) = snapshot_server(6).await;
    let mut stream = pin!(client.list_backup_snapshots().group_id(GROUP).cluster_name(CLUSTER).items_per_page(2).into_stream());

    let mut ids = Vec::new();
    let mut requests_after_each_item = Vec::new();
    while let Some(item) = stream.next().await {
        let snapshot = item.expect("every page decodes");
        assert_eq!(snapshot.replica_set_name.as_deref(), Some("Cluster0-shard-0"));
        ids.push(snapshot.id.expect("id"));
        requests_after_each_item.push(server.received_requests().await.expect("recording on").len());
    }
    assert_eq!(ids, ids_of(&items), "every item, in order");
    // One page is fetched when its first item is read, not before.
    assert_eq!(requests_after_each_item, vec![1, 1, 2, 2, 3, 3]);
    assert_eq!(page_requests(&server).await, expected_pages(1..=3, 2, None), "no request for a 4th page");
}

/// What `collect_all` found on a server holding `count` snapshots, listed as `configure`
/// says: the snapshots, the IDs the server held, and its page requests.
async fn collect_snapshots(
    count: usize,
    configure: impl FnOnce(ListBackupSnapshots) -> ListBackupSnapshots,
) -> (Vec<DiskBackupReplicaSet>, Vec<String>, Vec<PageRequest>) {
    let (server, client, items) = snapshot_server(count).await;
    let list = configure(client.list_backup_snapshots().group_id(GROUP).cluster_name(CLUSTER));
    let snapshots = list.collect_all().await.expect("every page");
    (snapshots, ids_of(&items), page_requests(&server).await)
}

fn ids(snapshots: &[DiskBackupReplicaSet]) -> Vec<String> {
    snapshots.iter().map(|s| s.id.clone().expect("a snapshot has an id")).collect()
}

#[tokio::test]
async fn collect_all_of_five_items_takes_three_pages() {
    let (snapshots, held, requests) = collect_snapshots(5, |list| list.items_per_page(2)).await;
    assert_eq!(ids(&snapshots), held);
    let descriptions: Vec<Option<String>> = snapshots.into_iter().map(|s| s.description).collect();
    let held: Vec<Option<String>> = (1..=5).map(|i| replica_set_snapshot(i)["description"].as_str().map(str::to_owned)).collect();
    assert_eq!(descriptions, held);
    assert_eq!(requests, expected_pages(1..=3, 2, None));
}

#[tokio::test]
async fn paging_without_total_count_stops_after_a_short_page() {
    let (snapshots, held, requests) = collect_snapshots(5, |list| list.include_count(false).items_per_page(2)).await;
    assert_eq!(ids(&snapshots), held);
    // Page 3 holds 1 item of 2: the last, with no count to tell.
    assert_eq!(requests, expected_pages(1..=3, 2, Some(false)));
}

#[tokio::test]
async fn paging_without_total_count_stops_at_an_empty_page() {
    // 6 items at 2 a page and no count: page 3 is full, so only an empty page 4 ends it.
    let (snapshots, held, requests) = collect_snapshots(6, |list| list.include_count(false).items_per_page(2)).await;
    assert_eq!(ids(&snapshots), held);
    assert_eq!(requests, expected_pages(1..=4, 2, Some(false)));
}

#[tokio::test]
async fn paging_from_a_later_page_counts_the_pages_skipped() {
    // From page 2 of 3 (2 a page, 6 in all): the 4 items seen reach `totalCount` with the
    // items of the skipped page, so page 3 is the last request.
    let (snapshots, held, requests) = collect_snapshots(6, |list| list.items_per_page(2).page_num(2)).await;
    assert_eq!(ids(&snapshots), held[2..]);
    assert_eq!(requests, expected_pages(2..=3, 2, None));
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_with_its_error() {
    let (server, client) = start().await;
    let first_page: Vec<Value> = (1..=2).map(replica_set_snapshot).collect();
    let params = [("groupId", GROUP), ("clusterName", CLUSTER)];
    // Each page is asked twice: by the stream, then by `collect_all`.
    LIST_BACKUP_SNAPSHOTS
        .expect(&params)
        .and(query_param("pageNum", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": first_page, "totalCount": 6})))
        .expect(2)
        .mount(&server)
        .await;
    LIST_BACKUP_SNAPSHOTS
        .expect(&params)
        .and(query_param("pageNum", "2"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "error": 500,
            "errorCode": "UNEXPECTED_ERROR",
            "reason": "Internal Server Error"
        })))
        .expect(2)
        .mount(&server)
        .await;
    let list = || client.list_backup_snapshots().group_id(GROUP).cluster_name(CLUSTER).items_per_page(2);

    let mut stream = pin!(list().into_stream());
    let mut seen = Vec::new();
    let mut error = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(snapshot) => seen.push(snapshot.id.expect("id")),
            Err(e) => {
                assert!(error.is_none(), "a second error after {error:?}: {e}");
                error = Some(e);
            }
        }
    }
    assert_eq!(seen, ids_of(&first_page), "the items before the failure");
    let error = error.expect("the failed page's error");
    assert_eq!(error.error_code(), Some("UNEXPECTED_ERROR"));
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(page_requests(&server).await, expected_pages(1..=2, 2, None), "nothing after the error");

    let collected = list().collect_all().await;
    assert_eq!(collected.expect_err("collect_all fails with the page").error_code(), Some("UNEXPECTED_ERROR"));
    assert_eq!(page_requests(&server).await, expected_pages([1, 2, 1, 2], 2, None));
}

#[tokio::test]
#[allow(deprecated)]
async fn list_serverless_backup_snapshots_collects_every_page() {
    // Serverless operations are tagged Cloud Backups, deprecated, sunset 2026-01-22.
    let (server, client) = start().await;
    let items: Vec<Value> = (1..=7)
        .map(|i| {
            json!({
                "id": format!("{i:024x}"),
                "serverlessInstanceName": "Serverless0",
                "status": if i % 2 == 0 { "completed" } else { "inProgress" },
                "storageSizeBytes": i * 1024
            })
        })
        .collect();
    LIST_SERVERLESS_BACKUP_SNAPSHOTS
        .expect(&[("groupId", GROUP), ("clusterName", "Serverless0")])
        .respond_with(Pages { items: items.clone() })
        .mount(&server)
        .await;

    let snapshots = client
        .list_serverless_backup_snapshots()
        .group_id(GROUP)
        .cluster_name("Serverless0")
        .items_per_page(3)
        .collect_all()
        .await
        .expect("every page");
    let sizes: Vec<Option<i64>> = snapshots.iter().map(|s| s.storage_size_bytes).collect();
    let expected: Vec<Option<i64>> = items.iter().map(|i| i["storageSizeBytes"].as_i64()).collect();
    assert_eq!(sizes, expected);
    assert_eq!(snapshots[0].status, Some(ServerlessBackupSnapshotStatus::InProgress));
    assert_eq!(snapshots[1].status, Some(ServerlessBackupSnapshotStatus::Completed));
    assert_eq!(page_requests(&server).await, expected_pages(1..=3, 3, None));
}

// ---------------------------------------------------------------------------------------
// Operations that answer no body: `()`.

/// Runs `call` against a server that answers `op` at `params` with 204 and no body, and
/// checks the `Response<()>`.
async fn check_no_content<F, Fut>(op: &Op, params: &[(&str, &str)], call: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<Response<()>, Error>>,
{
    let (server, client) = start().await;
    answer(&server, op.expect(params), ResponseTemplate::new(204)).await;
    let response = call(client).await.unwrap_or_else(|e| panic!("{}: {e}", op.id));
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "{}", op.id);
    assert_eq!(response.attempts(), 1, "{}", op.id);
    let () = response.into_body();
    let request = single_request(&server).await;
    assert!(request.body.is_empty(), "{}: a DELETE sends no body", op.id);
    assert!(request.headers.get("content-type").is_none(), "{}: no Content-Type without a body", op.id);
    assert_eq!(request.url.query(), None, "{}: no query parameter was set", op.id);
}

#[tokio::test]
async fn delete_cluster_backup_snapshot_answers_unit() {
    let params = [("groupId", GROUP), ("clusterName", CLUSTER), ("snapshotId", SNAPSHOT)];
    let (server, client) = start().await;
    answer(&server, DELETE_CLUSTER_BACKUP_SNAPSHOT.expect(&params), ResponseTemplate::new(204)).await;
    let result: Result<(), Error> =
        client.delete_cluster_backup_snapshot().group_id(GROUP).cluster_name(CLUSTER).snapshot_id(SNAPSHOT).send().await;
    assert!(matches!(result, Ok(())), "{result:?}");

    check_no_content(&DELETE_CLUSTER_BACKUP_SNAPSHOT, &params, |c| {
        c.delete_cluster_backup_snapshot().group_id(GROUP).cluster_name(CLUSTER).snapshot_id(SNAPSHOT).send_with_metadata()
    })
    .await;
}

#[tokio::test]
async fn a_failed_delete_is_an_api_error_not_unit() {
    let (server, client) = start().await;
    answer(
        &server,
        DELETE_CLUSTER_BACKUP_SNAPSHOT.expect(&[("groupId", GROUP), ("clusterName", CLUSTER), ("snapshotId", SNAPSHOT)]),
        ResponseTemplate::new(404).set_body_json(json!({
            "detail": "No snapshot with ID 5f4007f327a3bc75f2a2b1c3 exists.",
            "error": 404,
            "errorCode": "CLUSTER_SNAPSHOT_NOT_FOUND",
            "reason": "Not Found"
        })),
    )
    .await;
    let err =
        client.delete_cluster_backup_snapshot().group_id(GROUP).cluster_name(CLUSTER).snapshot_id(SNAPSHOT).send().await.expect_err("404");
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.error_code(), Some("CLUSTER_SNAPSHOT_NOT_FOUND"));
}

#[tokio::test]
async fn delete_export_bucket_answers_unit() {
    // Its Accept is 2023-01-01, older than the 2024-05-30 of the other export-bucket calls.
    check_no_content(&DELETE_EXPORT_BUCKET, &[("groupId", GROUP), ("exportBucketId", JOB)], |c| {
        c.delete_export_bucket().group_id(GROUP).export_bucket_id(JOB).send_with_metadata()
    })
    .await;
}

#[tokio::test]
async fn disable_compliance_policy_answers_unit() {
    check_no_content(&DISABLE_COMPLIANCE_POLICY, &[("groupId", GROUP)], |c| {
        c.disable_compliance_policy().group_id(GROUP).send_with_metadata()
    })
    .await;
}

#[tokio::test]
async fn cancel_backup_restore_job_answers_unit() {
    check_no_content(&CANCEL_BACKUP_RESTORE_JOB, &[("groupId", GROUP), ("clusterName", CLUSTER), ("restoreJobId", JOB)], |c| {
        c.cancel_backup_restore_job().group_id(GROUP).cluster_name(CLUSTER).restore_job_id(JOB).send_with_metadata()
    })
    .await;
}

#[tokio::test]
async fn delete_backup_private_endpoint_answers_unit() {
    check_no_content(&DELETE_BACKUP_PRIVATE_ENDPOINT, &[("groupId", GROUP), ("cloudProvider", "AWS"), ("endpointId", JOB)], |c| {
        c.delete_backup_private_endpoint()
            .group_id(GROUP)
            .cloud_provider(CreateBackupPrivateEndpointCloudProvider::Aws)
            .endpoint_id(JOB)
            .send_with_metadata()
    })
    .await;
}

#[tokio::test]
async fn delete_backup_sharded_cluster_answers_unit() {
    check_no_content(&DELETE_BACKUP_SHARDED_CLUSTER, &[("groupId", GROUP), ("clusterName", CLUSTER), ("snapshotId", SNAPSHOT)], |c| {
        c.delete_backup_sharded_cluster().group_id(GROUP).cluster_name(CLUSTER).snapshot_id(SNAPSHOT).send_with_metadata()
    })
    .await;
}

#[tokio::test]
#[allow(deprecated)]
async fn delete_cluster_snapshot_of_legacy_backup_answers_unit() {
    check_no_content(&DELETE_CLUSTER_SNAPSHOT, &[("groupId", GROUP), ("clusterName", CLUSTER), ("snapshotId", SNAPSHOT)], |c| {
        c.delete_cluster_snapshot().group_id(GROUP).cluster_name(CLUSTER).snapshot_id(SNAPSHOT).send_with_metadata()
    })
    .await;
}

// ---------------------------------------------------------------------------------------
// Cloud Backups.

#[tokio::test]
async fn create_backup_private_endpoint_posts_the_region_and_decodes_the_201() {
    let (server, client) = start().await;
    answer(
        &server,
        CREATE_BACKUP_PRIVATE_ENDPOINT
            .expect_body(&[("groupId", GROUP), ("cloudProvider", "AWS")], json!({"cloudProvider": "AWS", "regionName": "US_EAST_1"})),
        ResponseTemplate::new(201).set_body_json(json!({
            "cloudProvider": "AWS",
            "id": JOB,
            "privateEndpointConnectionName": "vpce-0a1b2c3d4e5f",
            "regionName": "US_EAST_1",
            "status": "INITIATING"
        })),
    )
    .await;
    let response = client
        .create_backup_private_endpoint()
        .group_id(GROUP)
        .cloud_provider(CreateBackupPrivateEndpointCloudProvider::Aws)
        .body(
            ObjectStoragePrivateEndpointRequest::new()
                .with_cloud_provider(CreateBackupPrivateEndpointCloudProvider::Aws)
                .with_region_name("US_EAST_1"),
        )
        .send_with_metadata()
        .await
        .expect("created endpoint");
    assert_eq!(response.status(), StatusCode::CREATED);
    let endpoint = response.into_body();
    assert_eq!(endpoint.id.as_deref(), Some(JOB));
    assert_eq!(endpoint.private_endpoint_connection_name.as_deref(), Some("vpce-0a1b2c3d4e5f"));
    // v2.yaml states the endpoint's status as an enum.
    assert_eq!(endpoint.status, Some(ObjectStoragePrivateEndpointResponseStatus::Initiating));
    assert_eq!(single_request(&server).await.url.query(), None);
}

// ---------------------------------------------------------------------------------------
// Flex Snapshots and Flex Restore Jobs.

fn flex_job(id: &str, delivery: &str, status: &str) -> Value {
    json!({
        "deliveryType": delivery,
        "expirationDate": "2025-03-13T04:00:00Z",
        "id": id,
        "instanceName": "flex-0",
        "projectId": GROUP,
        "snapshotId": SNAPSHOT,
        "status": status,
        "targetDeploymentItemName": "flex-1"
    })
}

#[tokio::test]
async fn download_flex_backup_posts_the_snapshot_and_decodes_the_job() {
    let (server, client) = start().await;
    let mut job = flex_job(JOB, "DOWNLOAD", "PENDING");
    job["snapshotUrl"] = json!("https://backups.example.com/flex-0.tar.gz");
    answer(
        &server,
        DOWNLOAD_FLEX_BACKUP.expect_body(&[("groupId", GROUP), ("name", "flex-0")], json!({"snapshotId": SNAPSHOT})),
        ResponseTemplate::new(200).set_body_json(job),
    )
    .await;
    let job = client
        .download_flex_backup()
        .group_id(GROUP)
        .name("flex-0")
        .body(FlexBackupSnapshotDownloadCreate20241113::new(SNAPSHOT.to_owned()))
        .send()
        .await
        .expect("download job");
    assert_eq!(job.delivery_type, Some(FlexBackupRestoreJob20241113DeliveryType::Download));
    assert_eq!(job.status, Some(FlexBackupRestoreJob20241113Status::Pending));
    assert_eq!(job.snapshot_url.as_deref(), Some("https://backups.example.com/flex-0.tar.gz"));
    assert_eq!(job.expiration_date.map(|d| d.to_rfc3339()).as_deref(), Some("2025-03-13T04:00:00+00:00"));
}

#[tokio::test]
async fn create_flex_restore_job_posts_target_and_decodes_the_job() {
    let (server, client) = start().await;
    answer(
        &server,
        CREATE_FLEX_RESTORE_JOB.expect_body(
            &[("groupId", GROUP), ("name", "flex-0")],
            json!({"snapshotId": SNAPSHOT, "targetDeploymentItemName": "flex-1", "targetProjectId": GROUP}),
        ),
        ResponseTemplate::new(200).set_body_json(flex_job(JOB, "RESTORE", "QUEUED")),
    )
    .await;
    let body = FlexBackupRestoreJobCreate20241113::new(SNAPSHOT.to_owned(), "flex-1".to_owned()).with_target_project_id(GROUP);
    let job = client.create_flex_restore_job().group_id(GROUP).name("flex-0").body(body).send().await.expect("restore job");
    assert_eq!(job.id.as_deref(), Some(JOB));
    assert_eq!(job.delivery_type, Some(FlexBackupRestoreJob20241113DeliveryType::Restore));
    assert_eq!(job.status, Some(FlexBackupRestoreJob20241113Status::Queued));
    assert_eq!(job.target_deployment_item_name.as_deref(), Some("flex-1"));
}

#[tokio::test]
async fn list_flex_restore_jobs_sends_the_paging_parameters_it_is_given() {
    let (server, client) = start().await;
    let jobs = [flex_job(JOB, "RESTORE", "COMPLETED"), flex_job(SNAPSHOT, "DOWNLOAD", "FAILED")];
    answer(
        &server,
        LIST_FLEX_RESTORE_JOBS.expect(&[("groupId", GROUP), ("name", "flex-0")]),
        ResponseTemplate::new(200).set_body_json(json!({"results": jobs, "totalCount": 12})),
    )
    .await;
    let page = client
        .list_flex_restore_jobs()
        .group_id(GROUP)
        .name("flex-0")
        .include_count(true)
        .items_per_page(2)
        .page_num(4)
        .pretty(true)
        .send()
        .await
        .expect("one page");
    assert_eq!(page.total_count, Some(12));
    let statuses: Vec<_> = page.results.iter().map(|j| j.status.clone()).collect();
    assert_eq!(statuses, vec![Some(FlexBackupRestoreJob20241113Status::Completed), Some(FlexBackupRestoreJob20241113Status::Failed)]);
    let query = query_of(&single_request(&server).await);
    let expected: BTreeMap<String, String> = [("includeCount", "true"), ("itemsPerPage", "2"), ("pageNum", "4"), ("pretty", "true")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(query, expected);
}

// ---------------------------------------------------------------------------------------
// Legacy Backup (deprecated, no sunset date).

#[tokio::test]
#[allow(deprecated)]
async fn update_cluster_snapshot_schedule_patches_numbers_and_decodes_open_integer_enums() {
    let (server, client) = start().await;
    let sent = json!({
        "clusterCheckpointIntervalMin": 15,
        "clusterId": JOB,
        "dailySnapshotRetentionDays": 7,
        "monthlySnapshotRetentionMonths": 13,
        "pointInTimeWindowHours": 24,
        "snapshotIntervalHours": 6,
        "snapshotRetentionDays": 2,
        "weeklySnapshotRetentionWeeks": 4
    });
    let mut answered = sent.clone();
    answered["groupId"] = json!(GROUP);
    answered["snapshotIntervalHours"] = json!(8);
    // A value the spec does not list is kept, not refused.
    answered["dailySnapshotRetentionDays"] = json!(45);
    answer(
        &server,
        UPDATE_CLUSTER_SNAPSHOT_SCHEDULE.expect_body(&[("groupId", GROUP), ("clusterName", CLUSTER)], sent),
        ResponseTemplate::new(200).set_body_json(answered),
    )
    .await;
    let body = ApiAtlasSnapshotScheduleRequest::new(
        ApiAtlasSnapshotScheduleClusterCheckpointIntervalMin::V15,
        JOB.to_owned(),
        ApiAtlasSnapshotScheduleDailySnapshotRetentionDays::V7,
        ApiAtlasSnapshotScheduleMonthlySnapshotRetentionMonths::V13,
        24,
        ApiAtlasSnapshotScheduleSnapshotIntervalHours::V6,
        ApiAtlasSnapshotScheduleSnapshotRetentionDays::V2,
        ApiAtlasSnapshotScheduleWeeklySnapshotRetentionWeeks::V4,
    );
    let schedule =
        client.update_cluster_snapshot_schedule().group_id(GROUP).cluster_name(CLUSTER).body(body).send().await.expect("schedule");
    assert_eq!(schedule.group_id, GROUP);
    assert_eq!(schedule.snapshot_interval_hours, ApiAtlasSnapshotScheduleSnapshotIntervalHours::V8);
    assert_eq!(schedule.daily_snapshot_retention_days, ApiAtlasSnapshotScheduleDailySnapshotRetentionDays::Unknown(45));
    assert_eq!(schedule.daily_snapshot_retention_days.value(), 45);
    assert_eq!(schedule.monthly_snapshot_retention_months.value(), 13);
    assert_eq!(schedule.point_in_time_window_hours, 24);
}

#[tokio::test]
#[allow(deprecated)]
async fn get_cluster_backup_checkpoint_decodes_its_parts() {
    let (server, client) = start().await;
    answer(
        &server,
        GET_CLUSTER_BACKUP_CHECKPOINT.expect(&[("groupId", GROUP), ("clusterName", CLUSTER), ("checkpointId", JOB)]),
        ResponseTemplate::new(200).set_body_json(json!({
            "clusterId": SNAPSHOT,
            "completed": "2025-03-12T10:20:00Z",
            "groupId": GROUP,
            "id": JOB,
            "parts": [
                {"replicaSetName": "rs0", "shardName": "shard-0", "tokenDiscovered": true, "typeName": "REPLICA_SET",
                 "tokenTimestamp": {"date": "2025-03-12T10:19:59Z", "increment": 3}},
                {"replicaSetName": "cfg", "shardName": "config", "tokenDiscovered": false, "typeName": "CONFIG_SERVER_REPLICA_SET"}
            ],
            "restorable": true,
            "started": "2025-03-12T10:15:00Z"
        })),
    )
    .await;
    let checkpoint =
        client.get_cluster_backup_checkpoint().group_id(GROUP).cluster_name(CLUSTER).checkpoint_id(JOB).send().await.expect("checkpoint");
    assert_eq!(checkpoint.restorable, Some(true));
    assert_eq!(checkpoint.cluster_id.as_deref(), Some(SNAPSHOT));
    let parts = checkpoint.parts.expect("parts");
    let types: Vec<_> = parts.iter().map(|p| p.type_name.clone()).collect();
    assert_eq!(types, vec![Some(ApiCheckpointPartTypeName::ReplicaSet), Some(ApiCheckpointPartTypeName::ConfigServerReplicaSet)]);
    let token = parts[0].token_timestamp.as_ref().expect("tokenTimestamp");
    assert_eq!(token.increment, Some(3));
    assert_eq!(token.date.map(|d| d.to_rfc3339()).as_deref(), Some("2025-03-12T10:19:59+00:00"));
    assert_eq!(parts[1].token_discovered, Some(false));
    assert_eq!(single_request(&server).await.url.query(), None);
}

// ---------------------------------------------------------------------------------------
// Shared-Tier Snapshots and Shared-Tier Restore Jobs (deprecated, sunset 2026-01-15).

fn tenant_snapshot(id: &str, status: &str) -> Value {
    json!({
        "expiration": "2025-03-20T00:00:00Z",
        "finishTime": "2025-03-13T00:05:00Z",
        "id": id,
        "mongoDBVersion": "7.0.15",
        "scheduledTime": "2025-03-13T00:00:00Z",
        "startTime": "2025-03-13T00:00:01Z",
        "status": status
    })
}

#[tokio::test]
#[allow(deprecated)]
async fn list_shared_cluster_backups_decodes_the_list() {
    let (server, client) = start().await;
    answer(
        &server,
        LIST_SHARED_CLUSTER_BACKUPS.expect(&[("groupId", GROUP), ("clusterName", CLUSTER)]),
        ResponseTemplate::new(200).set_body_json(json!({
            "results": [tenant_snapshot(SNAPSHOT, "COMPLETED"), tenant_snapshot(JOB, "RUNNING")],
            "totalCount": 2
        })),
    )
    .await;
    let list = client.list_shared_cluster_backups().group_id(GROUP).cluster_name(CLUSTER).envelope(false).send().await.expect("list");
    assert_eq!(list.total_count, Some(2));
    let results = list.results.expect("results");
    let seen: Vec<_> = results.iter().map(|s| (s.id.clone(), s.status.clone())).collect();
    assert_eq!(
        seen,
        vec![
            (Some(SNAPSHOT.to_owned()), Some(BackupTenantSnapshotStatus::Completed)),
            (Some(JOB.to_owned()), Some(BackupTenantSnapshotStatus::Running)),
        ]
    );
    assert_eq!(results[0].mongo_db_version.as_deref(), Some("7.0.15"));
    assert_eq!(single_request(&server).await.url.query(), Some("envelope=false"));
}

#[tokio::test]
#[allow(deprecated)]
async fn get_shared_cluster_backup_decodes_the_snapshot() {
    let (server, client) = start().await;
    answer(
        &server,
        GET_SHARED_CLUSTER_BACKUP.expect(&[("groupId", GROUP), ("clusterName", CLUSTER), ("snapshotId", SNAPSHOT)]),
        ResponseTemplate::new(200).set_body_json(tenant_snapshot(SNAPSHOT, "QUEUED")),
    )
    .await;
    let snapshot =
        client.get_shared_cluster_backup().group_id(GROUP).cluster_name(CLUSTER).snapshot_id(SNAPSHOT).send().await.expect("snapshot");
    assert_eq!(snapshot.status, Some(BackupTenantSnapshotStatus::Queued));
    assert_eq!(snapshot.start_time.map(|t| t.to_rfc3339()).as_deref(), Some("2025-03-13T00:00:01+00:00"));
}

fn tenant_restore(status: &str) -> Value {
    json!({
        "clusterName": CLUSTER,
        "deliveryType": "RESTORE",
        "id": JOB,
        "projectId": GROUP,
        "restoreScheduledDate": "2025-05-04T09:42:00Z",
        "snapshotId": SNAPSHOT,
        "status": status,
        "targetDeploymentItemName": "Cluster1",
        "targetProjectId": GROUP
    })
}

#[tokio::test]
#[allow(deprecated)]
async fn create_shared_cluster_backup_restore_job_sends_only_writable_fields() {
    let (server, client) = start().await;
    answer(
        &server,
        CREATE_SHARED_CLUSTER_BACKUP_RESTORE_JOB.expect_body(
            &[("groupId", GROUP), ("clusterName", CLUSTER)],
            json!({"snapshotId": SNAPSHOT, "targetDeploymentItemName": "Cluster1", "targetProjectId": GROUP}),
        ),
        ResponseTemplate::new(200).set_body_json(tenant_restore("QUEUED")),
    )
    .await;
    let body = TenantRestoreRequest::new(SNAPSHOT.to_owned(), "Cluster1".to_owned()).with_target_project_id(GROUP);
    let job = client
        .create_shared_cluster_backup_restore_job()
        .group_id(GROUP)
        .cluster_name(CLUSTER)
        .body(body)
        .send()
        .await
        .expect("restore job");
    assert_eq!(job.id.as_deref(), Some(JOB));
    assert_eq!(job.snapshot_id, SNAPSHOT);
    assert_eq!(job.status, Some(TenantRestoreStatus::Queued));
    assert_eq!(job.delivery_type, Some(TenantRestoreDeliveryType::Restore));
}

#[tokio::test]
#[allow(deprecated)]
async fn get_shared_cluster_backup_restore_job_decodes_the_job() {
    let (server, client) = start().await;
    answer(
        &server,
        GET_SHARED_CLUSTER_BACKUP_RESTORE_JOB.expect(&[("groupId", GROUP), ("clusterName", CLUSTER), ("restoreId", JOB)]),
        ResponseTemplate::new(200).set_body_json(tenant_restore("COMPLETED")),
    )
    .await;
    let job = client
        .get_shared_cluster_backup_restore_job()
        .group_id(GROUP)
        .cluster_name(CLUSTER)
        .restore_id(JOB)
        .send()
        .await
        .expect("restore job");
    assert_eq!(job.status, Some(TenantRestoreStatus::Completed));
    assert_eq!(job.target_deployment_item_name, "Cluster1");
    assert_eq!(job.restore_scheduled_date.map(|d| d.to_rfc3339()).as_deref(), Some("2025-05-04T09:42:00+00:00"));
}
