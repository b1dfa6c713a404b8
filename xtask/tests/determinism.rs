//! The same spec gives the same bytes whatever the process: separate runs have different
//! hash seeds (Rust seeds `HashMap` per process), working directories and environments.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

fn largest_spec(test: &str) -> Option<PathBuf> {
    support::upstream(test, "atlas-api-2026-08-13.yaml")
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("prefix").to_string_lossy().into_owned();
                out.push((rel, std::fs::read(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn whole_api_output_is_identical_across_processes() {
    let Some(spec) = largest_spec("whole_api_output_is_identical_across_processes") else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let runs = [("a", "C", "UTC", "/"), ("b", "de_DE.UTF-8", "Asia/Tokyo", "/tmp")];
    for (name, lang, tz, cwd) in runs {
        let status = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["generate", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(tmp.path().join(name))
            .current_dir(cwd)
            .env("LANG", lang)
            .env("LC_ALL", lang)
            .env("TZ", tz)
            .status()
            .expect("xtask runs");
        assert!(status.success());
    }
    let (a, b) = (files(&tmp.path().join("a")), files(&tmp.path().join("b")));
    // Operations, mock and models: a file per tag, models one per set of tag features.
    assert!(a.len() > 150, "{} files", a.len());
    assert_eq!(a.len(), b.len());
    for ((pa, ca), (pb, cb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ca == cb, "{pa} differs between runs");
    }
}
