//! The library's runtime ([`crate::runtime::LIBRARY`]) as files of the generated crate.

use super::File;
use crate::runtime::LIBRARY as RUNTIME;

/// Whether `path` (relative to the crate's root) is one of the runtime's modules, copied
/// rather than generated from the spec.
pub fn is_runtime(path: &str) -> bool {
    RUNTIME.iter().any(|(p, _)| *p == path)
}

/// The runtime's files, each under `header` (the generated-file comment).
pub(super) fn files(header: &str) -> impl Iterator<Item = File> + '_ {
    RUNTIME.iter().map(move |(path, text)| File { path: (*path).to_owned(), contents: format!("{header}\n{text}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_modules_are_runtime_and_generated_ones_are_not() {
        assert!(is_runtime("src/client.rs"));
        assert!(is_runtime("src/mock/runtime.rs"));
        for generated in ["src/lib.rs", "src/patterns.rs", "src/mock/mod.rs", "src/operations/mod.rs", "Cargo.toml", "client.rs"] {
            assert!(!is_runtime(generated), "{generated}");
        }
    }

    #[test]
    fn every_runtime_file_is_its_source_under_the_header() {
        let files: Vec<File> = files("// header\n").collect();
        assert_eq!(files.len(), RUNTIME.len());
        let client = files.iter().find(|f| f.path == "src/client.rs").expect("client.rs is shipped");
        assert_eq!(client.contents, format!("// header\n\n{}", include_str!("../../runtime/client.rs")));
        let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        paths.dedup();
        assert_eq!(paths.len(), RUNTIME.len(), "no path is shipped twice");
    }
}
