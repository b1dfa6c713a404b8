//! The published Atlas specs in `../shared/upstream/` and `../shared/upstream-v2/` (beside
//! the clone, read in place and never copied in), for the tests that read them, and the
//! honest skip when they are absent.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where the published specs are.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/upstream")
}

/// Where v2.yaml is, as MongoDB publishes it (two revisions).
pub fn v2_dir() -> PathBuf {
    dir().join("../upstream-v2")
}

/// Every published spec (`*.yaml`, `*.json`): the older copies ([`dir`]), then v2.yaml as
/// published ([`v2_dir`]), each folder in name order (so by date). When a folder has none,
/// `test` fails under CI (`CI` set: CI always has shared/ beside the clone) and is
/// skipped, loudly, elsewhere.
pub fn specs(test: &str) -> Option<Vec<PathBuf>> {
    let mut specs = Vec::new();
    for dir in [dir(), v2_dir()] {
        let found = atlas_codegen::load::spec_files(&dir);
        if found.is_empty() {
            missing(test, &format!("no published specs under {}", dir.display()));
            return None;
        }
        specs.extend(found);
    }
    Some(specs)
}

/// `test` cannot run for `why`: a failure under CI, a SKIP on the terminal elsewhere.
pub fn missing(test: &str, why: &str) {
    assert!(std::env::var_os("CI").is_none(), "{test}: {why} (CI is set, so this test may not be skipped)");
    skip(test, why);
}

/// Says that `test` did not run. Written to stderr directly, past the test harness's
/// capture, so that it shows even though the test passes.
pub fn skip(test: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "\n*** SKIP {test}: {why} ***\n");
}
