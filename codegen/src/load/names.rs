//! The extensions that carry an operation's names, read by the IR and the drift engine alike
//! (NAMES-CONTRACT: `operationId` is upstream's long name, the override its short one).

/// Upstream's short name (the command of `atlas api`); `operationId` holds the long one.
pub const SHORT_NAME: &str = "x-xgen-operation-id-override";
/// Ours: the name the generated Rust is named after, set once when an operation is first
/// taken into spec/ and kept across updates, so no upstream rename renames Rust.
pub const RUST_NAME: &str = "x-rust-name";
/// Ours: names earlier publications gave the operation (old command lines keep working).
pub const FORMER_NAMES: &str = "x-former-operation-ids";

/// The stable name of an operation: `x-rust-name`, else `operationId`.
pub fn stable_name(op: &openapiv3::Operation) -> Option<&str> {
    op.extensions.get(RUST_NAME).and_then(serde_json::Value::as_str).or(op.operation_id.as_deref())
}
