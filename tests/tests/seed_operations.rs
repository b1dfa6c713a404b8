//! The five seed operations through the generated client against a real HTTP server on
//! loopback (wiremock): what goes on the wire, and what comes back decoded.

use atlas_backup::models::{
    DiskBackupOnDemandSnapshotRequest, DiskBackupReplicaSetCloudProvider, DiskBackupReplicaSetStatus, DiskBackupSnapshot,
    TenantRestoreRequest,
};
use atlas_backup::{Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";

fn client(server: &MockServer) -> Client {
    Client::builder().base_url(server.uri()).retry(RetryPolicy::disabled()).build().expect("client")
}

fn replica_set_snapshot() -> serde_json::Value {
    json!({
        "cloudProvider": "AWS",
        "copyRegions": ["US_EAST_1"],
        "createdAt": "2025-03-12T10:15:30Z",
        "description": "nightly",
        "expiresAt": "2025-04-12T10:15:30.123+02:00",
        "frequencyType": "daily",
        "id": SNAPSHOT,
        "links": [{"href": "https://cloud.mongodb.com/api/atlas", "rel": "self"}],
        "masterKeyUUID": "72659f08-8b3c-4913-bb4e-a8a68e036502",
        "mongodVersion": "8.0.4",
        "policyItems": [GROUP],
        "replicaSetName": "Cluster0-shard-0",
        "snapshotType": "onDemand",
        "status": "completed",
        "storageSizeBytes": 5_368_709_120_i64,
        "type": "replicaSet",
        "someFieldAtlasAddsLater": {"nested": true}
    })
}

#[tokio::test]
async fn get_group_cluster_backup_snapshot_sends_versioned_request_and_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/snapshots/{SNAPSHOT}")))
        .and(header("accept", "application/vnd.atlas.2024-05-30+json"))
        .and(query_param("pretty", "true"))
        .and(query_param("envelope", "false"))
        .respond_with(ResponseTemplate::new(200).set_body_json(replica_set_snapshot()))
        .expect(1)
        .mount(&server)
        .await;

    let snapshot = client(&server)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .pretty(true)
        .envelope(false)
        .send()
        .await
        .expect("decoded snapshot");

    assert_eq!(snapshot.id.as_deref(), Some(SNAPSHOT));
    assert_eq!(snapshot.cloud_provider, Some(DiskBackupReplicaSetCloudProvider::Aws));
    assert_eq!(snapshot.replica_set_name.as_deref(), Some("Cluster0-shard-0"));
    assert_eq!(snapshot.storage_size_bytes, Some(5_368_709_120));
    let created = snapshot.created_at.expect("createdAt");
    assert_eq!(created.to_rfc3339(), "2025-03-12T10:15:30+00:00");
    // Offsets are normalised to UTC.
    assert_eq!(snapshot.expires_at.expect("expiresAt").to_rfc3339(), "2025-04-12T08:15:30.123+00:00");
}

#[tokio::test]
async fn take_snapshots_posts_json_body_and_decodes_both_shapes() {
    for (shape, body) in [
        ("replicaSet", replica_set_snapshot()),
        (
            "shardedCluster",
            json!({
                "configServerType": "EMBEDDED",
                "createdAt": "2025-03-12T10:15:30Z",
                "id": SNAPSHOT,
                "members": [{"cloudProvider": "GCP", "id": SNAPSHOT, "replicaSetName": "shard-0"}],
                "snapshotIds": [SNAPSHOT],
                "status": "queued",
                "type": "shardedCluster"
            }),
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/snapshots")))
            .and(header("accept", "application/vnd.atlas.2025-03-12+json"))
            .and(header("content-type", "application/vnd.atlas.2025-03-12+json"))
            .and(body_json(json!({"description": "before migration", "retentionInDays": 7})))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
        let request = DiskBackupOnDemandSnapshotRequest::new().with_description("before migration").with_retention_in_days(7);
        let snapshot = client(&server)
            .take_snapshots()
            .group_id(GROUP)
            .cluster_name("Cluster0")
            .body(request)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{shape}: {e}"));
        match (shape, snapshot) {
            ("replicaSet", DiskBackupSnapshot::ReplicaSet(rs)) => {
                // Fields of the variant, not only of a common base, survive.
                assert_eq!(rs.replica_set_name.as_deref(), Some("Cluster0-shard-0"));
                assert_eq!(rs.cloud_provider, Some(DiskBackupReplicaSetCloudProvider::Aws));
            }
            ("shardedCluster", DiskBackupSnapshot::ShardedCluster(sc)) => {
                let members = sc.members.expect("members");
                assert_eq!(members.len(), 1);
                assert_eq!(members[0].replica_set_name, "shard-0");
                assert_eq!(sc.snapshot_ids, Some(vec![SNAPSHOT.to_owned()]));
            }
            (shape, other) => panic!("{shape} decoded as {other:?}"),
        }
    }
}

/// Every version v2.yaml lists reaches the wire through the builder's `api_version`: the
/// older dated one of takeSnapshots (sent and accepted in it) and a `preview` one; without
/// it the newest stable version is sent.
#[tokio::test]
async fn api_version_reaches_every_listed_version_and_the_newest_stable_is_the_default() {
    use atlas_backup::operations::{ListBackupSnapshotDatabasesVPreview, TakeSnapshotsV2023_01_01};
    let server = MockServer::start().await;
    let snapshots = format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/snapshots");
    Mock::given(method("POST"))
        .and(path(snapshots.clone()))
        .and(header("accept", "application/vnd.atlas.2023-01-01+json"))
        .and(header("content-type", "application/vnd.atlas.2023-01-01+json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(replica_set_snapshot()))
        .expect(1)
        .mount(&server)
        .await;
    let databases = format!("{snapshots}/{SNAPSHOT}/databases");
    for (accept, name) in [("application/vnd.atlas.preview+json", "preview"), ("application/vnd.atlas.2025-03-12+json", "stable")] {
        Mock::given(method("GET"))
            .and(path(databases.clone()))
            .and(header("accept", accept))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": [{"name": name}], "totalCount": 1})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let taken = client
        .take_snapshots()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(DiskBackupOnDemandSnapshotRequest::new().with_retention_in_days(1))
        .api_version(TakeSnapshotsV2023_01_01)
        .send()
        .await
        .expect("the 2023-01-01 answer decodes");
    assert!(matches!(taken, DiskBackupSnapshot::ReplicaSet(_)), "{taken:?}");
    let call = || client.list_backup_snapshot_databases().group_id(GROUP).cluster_name("Cluster0").snapshot_id(SNAPSHOT);
    let preview = call().api_version(ListBackupSnapshotDatabasesVPreview).send().await.expect("the preview answer");
    let stable = call().send().await.expect("the default answer");
    let first = |page: &atlas_backup::models::PaginatedApiAtlasDiskBackupDatabase| page.results.first().map(|d| d.name.clone());
    assert_eq!((first(&preview).as_deref(), first(&stable).as_deref()), (Some("preview"), Some("stable")));
}

#[tokio::test]
async fn unknown_discriminator_and_enum_values_are_kept_not_fatal() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "type": "globalCluster",
            "id": SNAPSHOT,
            "status": "archived"
        })))
        .mount(&server)
        .await;
    let snapshot = client(&server)
        .take_snapshots()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(DiskBackupOnDemandSnapshotRequest::new())
        .send()
        .await
        .expect("an unknown variant decodes");
    match snapshot {
        DiskBackupSnapshot::Unknown(value) => assert_eq!(value["type"], "globalCluster"),
        other => panic!("expected Unknown, got {other:?}"),
    }

    // An enum value the spec does not list round-trips through `Unknown`.
    let status: DiskBackupReplicaSetStatus = serde_json::from_value(json!("archived")).expect("open enum");
    assert_eq!(status, DiskBackupReplicaSetStatus::Unknown("archived".to_owned()));
    assert_eq!(serde_json::to_value(&status).expect("serialize"), json!("archived"));
    let known: DiskBackupReplicaSetStatus = serde_json::from_value(json!("inProgress")).expect("known");
    assert_eq!(known, DiskBackupReplicaSetStatus::InProgress);
    assert_eq!(known.to_string(), "inProgress");
}

#[tokio::test]
async fn unknown_status_in_a_response_does_not_fail_it() {
    let server = MockServer::start().await;
    let mut body = replica_set_snapshot();
    body["status"] = json!("copying");
    body["frequencyType"] = json!("fortnightly");
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let snapshot = client(&server)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .send()
        .await
        .expect("decodes");
    assert_eq!(snapshot.status.map(|s| s.to_string()).as_deref(), Some("copying"));
    assert_eq!(snapshot.frequency_type.map(|s| s.to_string()).as_deref(), Some("fortnightly"));
}

#[tokio::test]
async fn get_flex_backup_snapshot() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/atlas/v2/groups/{GROUP}/flexClusters/flex-0/backup/snapshots/{SNAPSHOT}")))
        .and(header("accept", "application/vnd.atlas.2025-03-12+json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "expiration": "2025-03-20T00:00:00Z",
            "finishTime": "2025-03-13T00:05:00Z",
            "id": SNAPSHOT,
            "mongoDBVersion": "8.0.4",
            "scheduledTime": "2025-03-13T00:00:00Z",
            "startTime": "2025-03-13T00:00:01Z",
            "status": "COMPLETED"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let snapshot = client(&server)
        .get_flex_backup_snapshot()
        .group_id(GROUP)
        .name("flex-0")
        .snapshot_id(SNAPSHOT)
        .send()
        .await
        .expect("flex snapshot");
    assert_eq!(snapshot.mongo_db_version.as_deref(), Some("8.0.4"));
    assert_eq!(snapshot.status.map(|s| s.to_string()).as_deref(), Some("COMPLETED"));
}

#[tokio::test]
#[allow(deprecated)]
async fn get_group_serverless_backup_snapshot() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/atlas/v2/groups/{GROUP}/serverless/Serverless0/backup/snapshots/{SNAPSHOT}")))
        .and(header("accept", "application/vnd.atlas.2025-02-19+json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "createdAt": "2025-02-19T00:00:00Z",
            "frequencyType": "hourly",
            "id": SNAPSHOT,
            "serverlessInstanceName": "Serverless0",
            "snapshotType": "scheduled",
            "status": "inProgress",
            "storageSizeBytes": 1024
        })))
        .expect(1)
        .mount(&server)
        .await;
    let snapshot = client(&server)
        .get_group_serverless_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Serverless0")
        .snapshot_id(SNAPSHOT)
        .send()
        .await
        .expect("serverless snapshot");
    assert_eq!(snapshot.serverless_instance_name.as_deref(), Some("Serverless0"));
    assert_eq!(snapshot.storage_size_bytes, Some(1024));
}

#[tokio::test]
#[allow(deprecated)]
async fn download_cluster_backup_tenant_sends_only_writable_fields() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/tenant/download")))
        .and(header("accept", "application/vnd.atlas.2024-08-05+json"))
        .and(header("content-type", "application/vnd.atlas.2024-08-05+json"))
        .and(body_json(json!({"snapshotId": SNAPSHOT, "targetDeploymentItemName": "Cluster1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "clusterName": "Cluster0",
            "deliveryType": "DOWNLOAD",
            "expirationDate": "2025-01-01T04:00:00Z",
            "id": GROUP,
            "snapshotId": SNAPSHOT,
            "snapshotUrl": "https://backups.example.com/x.tar.gz",
            "status": "PENDING",
            "targetDeploymentItemName": "Cluster1"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let job = client(&server)
        .download_cluster_backup_tenant()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(TenantRestoreRequest::new(SNAPSHOT.to_owned(), "Cluster1".to_owned()))
        .send()
        .await
        .expect("tenant restore");
    assert_eq!(job.snapshot_url.as_deref(), Some("https://backups.example.com/x.tar.gz"));
    assert_eq!(job.delivery_type.map(|d| d.to_string()).as_deref(), Some("DOWNLOAD"));
}

#[tokio::test]
async fn not_found_decodes_into_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "detail": "No snapshot with ID 5f4007f327a3bc75f2a2b1c3 exists.",
            "error": 404,
            "errorCode": "RESOURCE_NOT_FOUND",
            "reason": "Not Found"
        })))
        .mount(&server)
        .await;
    let err = client(&server)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .send()
        .await
        .expect_err("404");
    assert_eq!(err.error_code(), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.api_error().map(|e| e.error), Some(404));
    assert!(err.to_string().contains("RESOURCE_NOT_FOUND"), "{err}");
}

#[tokio::test]
async fn non_json_error_body_is_kept_raw() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>")).mount(&server).await;
    let err = client(&server)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .send()
        .await
        .expect_err("502");
    match &err {
        Error::Api(api) => match &api.body {
            atlas_backup::error::ApiErrorBody::Raw(text) => assert!(text.contains("bad gateway")),
            other => panic!("expected a raw body, got {other:?}"),
        },
        other => panic!("expected an API error, got {other:?}"),
    }
    assert_eq!(err.error_code(), None);
}

#[tokio::test]
async fn undecodable_success_body_is_a_decode_error_with_an_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": 12")).mount(&server).await;
    let err = client(&server)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .send()
        .await
        .expect_err("truncated JSON");
    match err {
        Error::Decode { excerpt, .. } => assert!(excerpt.contains("\"id\": 12"), "{excerpt}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_parameters_fail_before_any_request() {
    let server = MockServer::start().await;
    let c = client(&server);
    let cases: Vec<(&str, Result<_, Error>)> = vec![
        (
            "groupId",
            c.get_group_cluster_backup_snapshot().group_id("not-a-hex-id").cluster_name("Cluster0").snapshot_id(SNAPSHOT).send().await,
        ),
        ("clusterName", c.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name("../x").snapshot_id(SNAPSHOT).send().await),
        ("clusterName", c.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name("a/b").snapshot_id(SNAPSHOT).send().await),
        ("snapshotId", c.get_group_cluster_backup_snapshot().group_id(GROUP).cluster_name("Cluster0").send().await),
    ];
    for (parameter, result) in cases {
        match result {
            Err(Error::InvalidParameter { parameter: p, rule }) => {
                assert_eq!(p, parameter);
                assert!(!rule.is_empty());
            }
            other => panic!("{parameter}: expected InvalidParameter, got {other:?}"),
        }
    }
    // Integer bounds from the spec (itemsPerPage 1..=500, pageNum >= 1) are checked too.
    let list = || c.list_backup_snapshots().group_id(GROUP).cluster_name("Cluster0");
    for (result, parameter, rule) in [
        (list().items_per_page(0).send().await.map(drop), "itemsPerPage", "must be at least 1"),
        (list().items_per_page(501).send().await.map(drop), "itemsPerPage", "must be at most 500"),
        (list().page_num(0).send().await.map(drop), "pageNum", "must be at least 1"),
    ] {
        match result {
            Err(Error::InvalidParameter { parameter: p, rule: r }) => assert_eq!((p, r.as_str()), (parameter, rule)),
            other => panic!("{parameter}: expected InvalidParameter, got {other:?}"),
        }
    }
    let missing_body = c.take_snapshots().group_id(GROUP).cluster_name("Cluster0").send().await;
    assert!(matches!(missing_body, Err(Error::InvalidParameter { parameter: "body", .. })), "{missing_body:?}");
    let received = server.received_requests().await.expect("recording on");
    assert!(received.is_empty(), "the server saw {} request(s)", received.len());
}

#[tokio::test]
async fn metadata_exposes_status_headers_and_rate_limits() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(replica_set_snapshot())
                .insert_header("RateLimit-Limit", "100")
                .insert_header("RateLimit-Remaining", "99"),
        )
        .mount(&server)
        .await;
    let response = client(&server)
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .send_with_metadata()
        .await
        .expect("response");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.rate_limit_limit(), Some(100));
    assert_eq!(response.rate_limit_remaining(), Some(99));
    assert_eq!(response.attempts(), 1);
    assert_eq!(response.body().id.as_deref(), Some(SNAPSHOT));
    let requests = server.received_requests().await.expect("recording on");
    let ua = requests[0].headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(ua.starts_with("atlas-backup-rust/"), "{ua}");
}

#[test]
fn bad_base_url_is_a_config_error() {
    let err = Client::builder().base_url("not a url").build().expect_err("invalid");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}
