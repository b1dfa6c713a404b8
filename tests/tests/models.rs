//! The generated models without a server: a schema the API defines twice with one shape is
//! one type under both names, and decodes and encodes the same under either; open enums made
//! from their tables keep values they do not list; a missing optional field is `None` and is
//! not sent back; a model's JSON names and field order come from its table.

use atlas_backup::models::{
    BackupComplianceScheduledPolicyItemFrequencyInterval, BackupTenantSnapshot, BackupTenantSnapshotStatus,
    DiskBackupApiPolicyItemFrequencyInterval, DiskBackupCollectionResponse, DiskBackupDatabaseResponse, DiskBackupReplicaSetStatus,
    ServerlessBackupSnapshotStatus,
};
use serde_json::json;

#[test]
fn an_aliased_schema_is_one_type_under_both_names() {
    let body = json!({"name": "orders", "links": [{"href": "https://cloud.mongodb.com/x", "rel": "self"}]});
    let database: DiskBackupDatabaseResponse = serde_json::from_value(body.clone()).expect("decodes");
    assert_eq!(database.name, "orders");
    assert_eq!(database.links.as_ref().map(Vec::len), Some(1));
    let collection: DiskBackupCollectionResponse = database.clone();
    assert_eq!(serde_json::to_value(&collection).expect("encodes"), body);
    // A missing optional field decodes as `None` and is left out again.
    let bare: DiskBackupDatabaseResponse = serde_json::from_value(json!({"name": "orders"})).expect("decodes");
    assert_eq!(bare, DiskBackupCollectionResponse::new("orders".to_owned()));
    assert_eq!(serde_json::to_value(&bare).expect("encodes"), json!({"name": "orders"}));
    assert!(serde_json::from_value::<DiskBackupDatabaseResponse>(json!({})).is_err(), "`name` is required");
}

#[test]
fn string_enums_round_trip_through_their_table_under_every_name() {
    for (value, text) in [
        (DiskBackupReplicaSetStatus::Queued, "queued"),
        (DiskBackupReplicaSetStatus::InProgress, "inProgress"),
        (DiskBackupReplicaSetStatus::Completed, "completed"),
        (DiskBackupReplicaSetStatus::Failed, "failed"),
    ] {
        assert_eq!(value.as_str(), text);
        assert_eq!(value.to_string(), text);
        assert_eq!(text.parse::<ServerlessBackupSnapshotStatus>(), Ok(value.clone()));
        assert_eq!(serde_json::to_value(&value).expect("encodes"), json!(text));
        let decoded: ServerlessBackupSnapshotStatus = serde_json::from_value(json!(text)).expect("decodes");
        assert_eq!(decoded, value);
    }
    let new: DiskBackupReplicaSetStatus = serde_json::from_value(json!("archived")).expect("decodes");
    assert_eq!(new, DiskBackupReplicaSetStatus::Unknown("archived".to_owned()));
    assert_eq!(serde_json::to_value(&new).expect("encodes"), json!("archived"));
}

#[test]
fn integer_enums_round_trip_through_their_table() {
    let last: DiskBackupApiPolicyItemFrequencyInterval = serde_json::from_value(json!(40)).expect("decodes");
    assert_eq!(last, BackupComplianceScheduledPolicyItemFrequencyInterval::V40);
    assert_eq!(last.value(), 40);
    assert_eq!(last.to_string(), "40");
    assert_eq!(serde_json::to_value(last).expect("encodes"), json!(40));
    for n in 1..=28 {
        let value = DiskBackupApiPolicyItemFrequencyInterval::from(n);
        assert_eq!(value.value(), n);
        assert!(!matches!(value, DiskBackupApiPolicyItemFrequencyInterval::Unknown(_)), "{n} is listed");
    }
    let new = DiskBackupApiPolicyItemFrequencyInterval::from(29);
    assert_eq!(new, DiskBackupApiPolicyItemFrequencyInterval::Unknown(29));
    assert_eq!(serde_json::to_value(new).expect("encodes"), json!(29));
    assert!(serde_json::from_value::<DiskBackupApiPolicyItemFrequencyInterval>(json!("1")).is_err());
}

#[test]
fn a_model_sends_its_json_names_in_field_order_and_skips_keys_it_does_not_know() {
    // `mongoDBVersion` is not serde's camelCase of `mongo_db_version`: the table names it.
    let body = r#"{"id":"5f","mongoDBVersion":"8.0.4","status":"COMPLETED","unknown":{"nested":[1]}}"#;
    let snapshot: BackupTenantSnapshot = serde_json::from_str(body).expect("decodes");
    assert_eq!(snapshot.mongo_db_version.as_deref(), Some("8.0.4"));
    assert_eq!(snapshot.status, Some(BackupTenantSnapshotStatus::Completed));
    assert_eq!(serde_json::to_string(&snapshot).expect("encodes"), r#"{"id":"5f","mongoDBVersion":"8.0.4","status":"COMPLETED"}"#);
    let twice = serde_json::from_str::<BackupTenantSnapshot>(r#"{"id":"a","id":"b"}"#).expect_err("a key twice");
    assert!(twice.to_string().starts_with("duplicate field `id`"), "{twice}");
}
