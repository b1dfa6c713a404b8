//! Where the published copies a spec is compared with are found: shared by `spec check` and
//! `spec update`, which both read a newest copy and the older copy beside it.

use std::path::{Path, PathBuf};

/// The name of the older upstream copy looked for next to the newest one when
/// `--upstream-legacy` is not given: it still has the sunset (shared-tier) endpoints and the
/// enums the newest copy dropped.
pub const DEFAULT_LEGACY: &str = "atlas-api-2025-06-30.yaml";

/// Relative paths are taken from the workspace root, wherever cargo was run from.
pub fn at_root(root: &Path, p: PathBuf) -> PathBuf {
    if p.is_absolute() { p } else { root.join(p) }
}

/// The legacy copy: the one given, else [`DEFAULT_LEGACY`] beside `newest` when it exists
/// and is another file.
pub fn legacy(root: &Path, newest: &Path, given: Option<PathBuf>) -> Option<PathBuf> {
    match given {
        Some(p) => Some(at_root(root, p)),
        None => newest.parent().map(|d| d.join(DEFAULT_LEGACY)).filter(|p| p.is_file() && p != newest),
    }
}
