//! Conformance against Prism mocking spec/atlas-backup.yaml (started by
//! `.ci/services.sh`): every operation of the spec, called through the generated client,
//! passes Prism's request validation, gets a 2xx and decodes; the answers themselves (the
//! spec's examples) are checked against the spec by Prism in proxy mode.
//!
//! Path parameters and request bodies come from the spec's examples; a request body
//! without an example uses the fallback below (and is listed, to be added to the spec).

mod support;

use std::collections::BTreeSet;
use std::fmt::Debug;

use atlas_backup::{Auth, Client, Error, Response, RetryPolicy};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{service_url, snake, spec};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SNAPSHOT: &str = "5f4007f327a3bc75f2a2b1c3";

/// Follows `$ref`s within the spec.
fn deref<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => match spec.pointer(reference.trim_start_matches('#')) {
                Some(target) => value = target,
                None => panic!("dangling $ref {reference}"),
            },
            None => return value,
        }
    }
    panic!("$ref chain too long")
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/// Every operation of the spec: (its Rust name, path item, operation).
fn operations(spec: &Value) -> Vec<(String, &Value, &Value)> {
    let mut out = Vec::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                // The Rust name (NAMES-CONTRACT): `x-rust-name`, else `operationId`.
                let id = op.get("x-rust-name").or(op.get("operationId")).and_then(Value::as_str).expect("operationId").to_owned();
                out.push((id, item, op));
            }
        }
    }
    out
}

/// A valid body for the operations whose request body has no example in the spec.
fn fallback_body(operation: &str) -> Option<Value> {
    Some(match operation {
        "createExportBucket" => json!({"cloudProvider": "AWS", "bucketName": "export-bucket", "iamRoleId": GROUP}),
        "updateBackupExportBucket" => json!({"requirePrivateNetworking": true}),
        "createBackupPrivateEndpoint" => json!({"cloudProvider": "AWS", "regionName": "US_EAST_1"}),
        "updateCompliancePolicy" => json!({
            "authorizedEmail": "owner@example.com",
            "authorizedUserFirstName": "Ada",
            "authorizedUserLastName": "Lovelace",
            "projectId": GROUP,
            "scheduledPolicyItems": [{"frequencyInterval": 1, "frequencyType": "daily", "retentionUnit": "days", "retentionValue": 7}]
        }),
        "createBackupExport" => json!({"exportBucketId": GROUP, "snapshotId": SNAPSHOT}),
        "createBackupRestoreJob" => {
            json!({"deliveryType": "automated", "snapshotId": SNAPSHOT, "targetClusterName": "Cluster1", "targetGroupId": GROUP})
        }
        "updateBackupSchedule" => json!({
            "policies": [{"policyItems": [{"frequencyInterval": 6, "frequencyType": "hourly", "retentionUnit": "days", "retentionValue": 2}]}]
        }),
        "updateBackupSnapshot" => json!({"retentionUnit": "DAYS", "retentionValue": 5}),
        "createSharedClusterBackupRestoreJob" => {
            json!({"snapshotId": SNAPSHOT, "targetDeploymentItemName": "Cluster1", "targetProjectId": GROUP})
        }
        "createCollectionRestoreJob" => json!({
            "snapshotId": SNAPSHOT,
            "collections": [{"sourceNamespace": "sales.orders", "targetNamespace": "sales.orders_restored"}],
            "indexStrategy": "REBUILD_ALL",
            "writeStrategy": "NEW_NAMESPACE",
            "targetClusterName": "Cluster1",
            "targetGroupId": GROUP
        }),
        "createClusterRestoreJob" => {
            json!({"snapshotId": SNAPSHOT, "delivery": {"methodName": "AUTOMATED_RESTORE", "targetClusterName": "Cluster1", "targetGroupId": GROUP}})
        }
        "updateClusterSnapshotSchedule" => json!({
            "clusterCheckpointIntervalMin": 15,
            "clusterId": GROUP,
            "dailySnapshotRetentionDays": 7,
            "monthlySnapshotRetentionMonths": 12,
            "pointInTimeWindowHours": 24,
            "snapshotIntervalHours": 6,
            "snapshotRetentionDays": 2,
            "weeklySnapshotRetentionWeeks": 4
        }),
        "updateClusterSnapshot" => json!({"doNotDelete": true}),
        "downloadFlexBackup" => json!({"snapshotId": SNAPSHOT}),
        "createFlexRestoreJob" => json!({"snapshotId": SNAPSHOT, "targetDeploymentItemName": "Cluster1", "targetProjectId": GROUP}),
        "createServerlessRestoreJob" => {
            json!({"deliveryType": "automated", "snapshotId": SNAPSHOT, "targetClusterName": "Cluster1", "targetGroupId": GROUP})
        }
        _ => return None,
    })
}

/// What the calls found.
struct Run {
    client: Client,
    spec: Value,
    called: BTreeSet<String>,
    /// Calls that failed or did not get a 2xx.
    problems: Vec<String>,
    /// Answers that Prism's proxy found to break the spec (`sl-violations`).
    violations: Vec<String>,
    without_example: Vec<String>,
}

impl Run {
    fn operation(&self, id: &str) -> (&Value, &Value) {
        operations(&self.spec)
            .into_iter()
            .find(|(op, _, _)| op == id)
            .map(|(_, item, op)| (item, op))
            .unwrap_or_else(|| panic!("{id} is not in the spec (any more): update this test"))
    }

    /// The spec's example of a path parameter, by the builder method's name.
    fn param(&self, id: &str, method: &str) -> String {
        let (item, op) = self.operation(id);
        let params = item.get("parameters").into_iter().chain(op.get("parameters")).filter_map(Value::as_array).flatten();
        for param in params {
            let param = deref(&self.spec, param);
            if param["in"] == "path" && snake(param["name"].as_str().unwrap_or_default()) == method {
                let example = param.get("example").or_else(|| deref(&self.spec, &param["schema"]).get("example"));
                return match example {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => panic!("{id}: path parameter {} has no example in the spec", param["name"]),
                };
            }
        }
        panic!("{id}: no path parameter for `{method}`")
    }

    /// The request body: the spec's example, else the fallback, decoded into the
    /// builder's body type.
    fn body<T: serde::de::DeserializeOwned>(&mut self, id: &str) -> Result<T, String> {
        let (_, op) = self.operation(id);
        let body = deref(&self.spec, &op["requestBody"]);
        // The media type the client sends by default: the newest stable version (v2.yaml
        // lists older ones, without examples, and `preview` ones too).
        let newest = |c: &serde_json::Map<String, Value>| {
            c.iter().filter(|(mt, _)| !mt.contains(".preview+")).max_by_key(|(mt, _)| mt.as_str()).map(|(_, v)| v.clone())
        };
        let content = body["content"].as_object().and_then(newest).unwrap_or_default();
        let example = content.get("example").cloned().or_else(|| {
            content
                .get("examples")
                .and_then(Value::as_object)
                .and_then(|e| e.values().next())
                .map(|e| deref(&self.spec, e)["value"].clone())
        });
        let value = match example {
            Some(example) => example,
            None => {
                self.without_example.push(id.to_owned());
                fallback_body(id).ok_or_else(|| format!("{id}: the request body has no example in the spec and this test no fallback"))?
            }
        };
        serde_json::from_value(value).map_err(|e| format!("{id}: the example body does not decode into the request type: {e}"))
    }

    fn check<T: Debug>(&mut self, id: &str, result: Result<Response<T>, Error>) {
        self.called.insert(id.to_owned());
        match result {
            Ok(response) => {
                if !response.status().is_success() {
                    self.problems.push(format!("{id}: answered {}", response.status()));
                }
                if let Some(v) = response.headers().get("sl-violations") {
                    self.violations.push(format!("{id}: {}", String::from_utf8_lossy(v.as_bytes())));
                }
            }
            Err(e) => {
                let violations = match &e {
                    Error::Api(api) => api.headers.get("sl-violations").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
                    _ => None,
                };
                self.problems.push(format!("{id}: {e}{}", violations.map(|v| format!(" {v}")).unwrap_or_default()));
            }
        }
    }
}

/// A path parameter's example as its setter takes it: text, or (`: typed`) the enum v2.yaml
/// makes of it, parsed from the text.
macro_rules! arg {
    ($value:expr) => {
        $value
    };
    ($value:expr, typed) => {
        $value.as_str().into()
    };
}

/// One call of an operation: its builder method, operationId, path parameters (builder
/// methods, `: typed` for an enum), and `body` when it takes one.
macro_rules! call {
    ($run:ident, $method:ident, $id:literal, [$($param:ident $(: $typed:ident)?),*]) => {{
        let request = $run.client.$method()$(.$param(arg!($run.param($id, stringify!($param)) $(, $typed)?)))*;
        let result = request.send_with_metadata().await;
        $run.check($id, result);
    }};
    ($run:ident, $method:ident, $id:literal, [$($param:ident $(: $typed:ident)?),*], body) => {{
        let request = $run.client.$method()$(.$param(arg!($run.param($id, stringify!($param)) $(, $typed)?)))*;
        match $run.body($id) {
            Ok(body) => {
                let result = request.body(body).send_with_metadata().await;
                $run.check($id, result);
            }
            Err(problem) => {
                $run.called.insert($id.to_owned());
                $run.problems.push(problem);
            }
        }
    }};
}

/// Calls every operation once through Prism's validating proxy.
#[allow(deprecated)]
async fn call_every_operation(proxy: &str) -> Run {
    let client = Client::builder()
        .base_url(proxy)
        // Prism checks that a security scheme of the spec is used; any bearer token passes.
        .auth(Auth::bearer("conformance-test-token"))
        .retry(RetryPolicy::disabled())
        .build()
        .expect("client");
    let spec = spec();
    let mut run = Run { client, spec, called: BTreeSet::new(), problems: Vec::new(), violations: Vec::new(), without_example: Vec::new() };

    call!(run, list_export_buckets, "listExportBuckets", [group_id]);
    call!(run, create_export_bucket, "createExportBucket", [group_id], body);
    call!(run, get_export_bucket, "getExportBucket", [group_id, export_bucket_id]);
    call!(run, update_backup_export_bucket, "updateBackupExportBucket", [group_id, export_bucket_id], body);
    call!(run, delete_export_bucket, "deleteExportBucket", [group_id, export_bucket_id]);
    call!(run, list_backup_private_endpoints, "listBackupPrivateEndpoints", [group_id, cloud_provider: typed]);
    call!(run, create_backup_private_endpoint, "createBackupPrivateEndpoint", [group_id, cloud_provider: typed], body);
    call!(run, get_backup_private_endpoint, "getBackupPrivateEndpoint", [group_id, cloud_provider: typed, endpoint_id]);
    call!(run, delete_backup_private_endpoint, "deleteBackupPrivateEndpoint", [group_id, cloud_provider: typed, endpoint_id]);
    call!(run, get_compliance_policy, "getCompliancePolicy", [group_id]);
    call!(run, update_compliance_policy, "updateCompliancePolicy", [group_id], body);
    call!(run, disable_compliance_policy, "disableCompliancePolicy", [group_id]);
    call!(run, list_backup_exports, "listBackupExports", [group_id, cluster_name]);
    call!(run, create_backup_export, "createBackupExport", [group_id, cluster_name], body);
    call!(run, get_backup_export, "getBackupExport", [group_id, cluster_name, export_id]);
    call!(run, list_backup_restore_jobs, "listBackupRestoreJobs", [group_id, cluster_name]);
    call!(run, create_backup_restore_job, "createBackupRestoreJob", [group_id, cluster_name], body);
    call!(run, get_backup_restore_job, "getBackupRestoreJob", [group_id, cluster_name, restore_job_id]);
    call!(run, cancel_backup_restore_job, "cancelBackupRestoreJob", [group_id, cluster_name, restore_job_id]);
    call!(run, get_backup_schedule, "getBackupSchedule", [group_id, cluster_name]);
    call!(run, update_backup_schedule, "updateBackupSchedule", [group_id, cluster_name], body);
    call!(run, delete_cluster_backup_schedule, "deleteClusterBackupSchedule", [group_id, cluster_name]);
    call!(run, list_backup_snapshots, "listBackupSnapshots", [group_id, cluster_name]);
    call!(run, take_snapshots, "takeSnapshots", [group_id, cluster_name], body);
    call!(run, get_backup_sharded_cluster, "getBackupShardedCluster", [group_id, cluster_name, snapshot_id]);
    call!(run, delete_backup_sharded_cluster, "deleteBackupShardedCluster", [group_id, cluster_name, snapshot_id]);
    call!(run, list_backup_sharded_clusters, "listBackupShardedClusters", [group_id, cluster_name]);
    call!(run, get_group_cluster_backup_snapshot, "getGroupClusterBackupSnapshot", [group_id, cluster_name, snapshot_id]);
    call!(run, update_backup_snapshot, "updateBackupSnapshot", [group_id, cluster_name, snapshot_id], body);
    call!(run, delete_cluster_backup_snapshot, "deleteClusterBackupSnapshot", [group_id, cluster_name, snapshot_id]);
    call!(run, list_backup_snapshot_databases, "listBackupSnapshotDatabases", [group_id, cluster_name, snapshot_id]);
    call!(run, get_backup_snapshot_database, "getBackupSnapshotDatabase", [group_id, cluster_name, snapshot_id, database_name]);
    call!(run, list_snapshot_database_collections, "listSnapshotDatabaseCollections", [group_id, cluster_name, snapshot_id, database_name]);
    call!(
        run,
        get_snapshot_database_collection,
        "getSnapshotDatabaseCollection",
        [group_id, cluster_name, snapshot_id, database_name, collection_name]
    );
    call!(run, download_cluster_backup_tenant, "downloadClusterBackupTenant", [cluster_name, group_id], body);
    call!(run, create_shared_cluster_backup_restore_job, "createSharedClusterBackupRestoreJob", [group_id, cluster_name], body);
    call!(run, list_shared_cluster_backup_restore_jobs, "listSharedClusterBackupRestoreJobs", [group_id, cluster_name]);
    call!(run, get_shared_cluster_backup_restore_job, "getSharedClusterBackupRestoreJob", [group_id, cluster_name, restore_id]);
    call!(run, list_shared_cluster_backups, "listSharedClusterBackups", [group_id, cluster_name]);
    call!(run, get_shared_cluster_backup, "getSharedClusterBackup", [group_id, cluster_name, snapshot_id]);
    call!(run, list_cluster_backup_checkpoints, "listClusterBackupCheckpoints", [group_id, cluster_name]);
    call!(run, get_cluster_backup_checkpoint, "getClusterBackupCheckpoint", [group_id, cluster_name, checkpoint_id]);
    call!(run, list_collection_restore_jobs, "listCollectionRestoreJobs", [group_id, cluster_name]);
    call!(run, create_collection_restore_job, "createCollectionRestoreJob", [group_id, cluster_name], body);
    call!(run, get_collection_restore_job, "getCollectionRestoreJob", [group_id, cluster_name, job_id]);
    call!(run, list_restore_job_collections, "listRestoreJobCollections", [group_id, cluster_name, job_id]);
    call!(run, get_restore_job_collection, "getRestoreJobCollection", [group_id, cluster_name, job_id, source_namespace]);
    call!(run, list_cluster_restore_jobs, "listClusterRestoreJobs", [group_id, cluster_name]);
    call!(run, create_cluster_restore_job, "createClusterRestoreJob", [group_id, cluster_name], body);
    call!(run, get_cluster_restore_job, "getClusterRestoreJob", [group_id, cluster_name, job_id]);
    call!(run, get_cluster_snapshot_schedule, "getClusterSnapshotSchedule", [group_id, cluster_name]);
    call!(run, update_cluster_snapshot_schedule, "updateClusterSnapshotSchedule", [group_id, cluster_name], body);
    call!(run, list_cluster_snapshots, "listClusterSnapshots", [group_id, cluster_name]);
    call!(run, get_cluster_snapshot, "getClusterSnapshot", [group_id, cluster_name, snapshot_id]);
    call!(run, update_cluster_snapshot, "updateClusterSnapshot", [group_id, cluster_name, snapshot_id], body);
    call!(run, delete_cluster_snapshot, "deleteClusterSnapshot", [group_id, cluster_name, snapshot_id]);
    call!(run, download_flex_backup, "downloadFlexBackup", [group_id, name], body);
    call!(run, list_flex_restore_jobs, "listFlexRestoreJobs", [group_id, name]);
    call!(run, create_flex_restore_job, "createFlexRestoreJob", [group_id, name], body);
    call!(run, get_flex_restore_job, "getFlexRestoreJob", [group_id, name, restore_job_id]);
    call!(run, list_flex_backup_snapshots, "listFlexBackupSnapshots", [group_id, name]);
    call!(run, get_flex_backup_snapshot, "getFlexBackupSnapshot", [group_id, name, snapshot_id]);
    call!(run, list_serverless_restore_jobs, "listServerlessRestoreJobs", [group_id, cluster_name]);
    call!(run, create_serverless_restore_job, "createServerlessRestoreJob", [group_id, cluster_name], body);
    call!(run, get_serverless_restore_job, "getServerlessRestoreJob", [group_id, cluster_name, restore_job_id]);
    call!(run, list_serverless_backup_snapshots, "listServerlessBackupSnapshots", [group_id, cluster_name]);
    call!(run, get_group_serverless_backup_snapshot, "getGroupServerlessBackupSnapshot", [group_id, cluster_name, snapshot_id]);

    run
}

#[tokio::test]
async fn every_operation_is_accepted_and_decodes() {
    let Some(proxy) = service_url("PRISM_PROXY_URL", "every_operation_is_accepted_and_decodes") else {
        return;
    };
    let run = call_every_operation(&proxy).await;
    let in_spec: BTreeSet<String> = operations(&run.spec).into_iter().map(|(id, _, _)| id).collect();
    let uncalled: Vec<&String> = in_spec.difference(&run.called).collect();
    assert!(uncalled.is_empty(), "operations of the spec this test does not call yet (add a `call!` line): {uncalled:?}");
    if !run.without_example.is_empty() {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("\nconformance: request bodies without an example in the spec (a fallback was used): {:?}\n", run.without_example)
                .as_bytes(),
        );
    }
    assert!(run.problems.is_empty(), "{} of {} operations fail:\n{}", run.problems.len(), run.called.len(), run.problems.join("\n"));
}

/// Prism answers with the spec's examples, or, where a response has none, with values
/// made from the schema's property examples: either way, what the spec offers as an
/// answer must itself conform to the spec.
#[tokio::test]
async fn answers_built_from_the_spec_conform_to_it() {
    let Some(proxy) = service_url("PRISM_PROXY_URL", "answers_built_from_the_spec_conform_to_it") else {
        return;
    };
    let run = call_every_operation(&proxy).await;
    assert!(
        run.violations.is_empty(),
        "{} answers break the spec (fix the examples in spec/atlas-backup.yaml):\n{}",
        run.violations.len(),
        run.violations.join("\n")
    );
}

#[tokio::test]
async fn errors_decode_into_the_error_model() {
    let Some(prism) = service_url("PRISM_URL", "errors_decode_into_the_error_model") else {
        return;
    };
    // Without credentials Prism answers the spec's 401 example.
    let client = Client::builder().base_url(&prism).retry(RetryPolicy::disabled()).build().expect("client");
    let err = client
        .get_group_cluster_backup_snapshot()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .snapshot_id(SNAPSHOT)
        .send()
        .await
        .expect_err("no credentials");
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    let body = err.api_error().expect("decoded ApiError");
    assert_eq!(body.error, 401);
    assert!(err.error_code().is_some());
}

fn snapshot_url(base: &str, group: &str) -> String {
    format!("{base}/api/atlas/v2/groups/{group}/clusters/Cluster0/backup/snapshots/{SNAPSHOT}")
}

// The two negative checks bypass the client, whose own validation would refuse to send
// these requests.

#[tokio::test]
async fn a_wrong_api_version_is_406() {
    let Some(prism) = service_url("PRISM_URL", "a_wrong_api_version_is_406") else {
        return;
    };
    let http = reqwest::Client::new();
    let ok = http
        .get(snapshot_url(&prism, GROUP))
        .bearer_auth("conformance-test-token")
        .header("Accept", "application/vnd.atlas.2024-05-30+json")
        .send()
        .await
        .expect("prism");
    assert_eq!(ok.status(), StatusCode::OK, "the documented version is served");
    let wrong = http
        .get(snapshot_url(&prism, GROUP))
        .bearer_auth("conformance-test-token")
        .header("Accept", "application/vnd.atlas.2019-01-01+json")
        .send()
        .await
        .expect("prism");
    assert_eq!(wrong.status(), StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn a_bad_path_parameter_is_400_with_violations() {
    let Some(prism) = service_url("PRISM_URL", "a_bad_path_parameter_is_400_with_violations") else {
        return;
    };
    let response = reqwest::Client::new()
        .get(snapshot_url(&prism, "not-a-hex-id"))
        .bearer_auth("conformance-test-token")
        .header("Accept", "application/vnd.atlas.2024-05-30+json")
        .send()
        .await
        .expect("prism");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let violations =
        response.headers().get("sl-violations").and_then(|v| v.to_str().ok()).expect("sl-violations header").to_ascii_lowercase();
    assert!(violations.contains("groupid") && violations.contains("pattern"), "{violations}");
}
