//! What the xtask's tests share: the published specs in `../shared/upstream/` (beside the
//! clone, read in place and never copied in) and the honest skip when something is absent.

// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Runs the xtask binary with `args` in the workspace root.
pub fn xtask(args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).current_dir(root()).output() {
        Ok(out) => out,
        Err(e) => panic!("cannot run xtask {args:?}: {e}"),
    }
}

/// What a run printed, stdout then stderr.
pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The published spec `name`, or `None` after a SKIP when it is absent: under CI (`CI` set:
/// CI always has shared/ beside the clone) its absence fails `test`. `atlas-api-v2-*` are
/// v2.yaml as MongoDB publishes it (`../shared/upstream-v2/`), the others the older and
/// SDK-transformed copies (`../shared/upstream/`).
pub fn upstream(test: &str, name: &str) -> Option<PathBuf> {
    let dir = if name.starts_with("atlas-api-v2-") { "../shared/upstream-v2" } else { "../shared/upstream" };
    let path = root().join(dir).join(name);
    if path.is_file() {
        return Some(path);
    }
    missing(test, &format!("{} is absent", path.display()));
    None
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
