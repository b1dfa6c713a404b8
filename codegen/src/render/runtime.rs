//! The runtime: hand-written modules shipped verbatim into every generated crate, under the
//! paths they take there.

use super::File;

/// Each runtime module: its path in the generated crate, and its source.
pub(crate) const RUNTIME: &[(&str, &str)] = &[
    ("src/auth.rs", include_str!("../../runtime/auth.rs")),
    ("src/client.rs", include_str!("../../runtime/client.rs")),
    ("src/codec.rs", include_str!("../../runtime/codec.rs")),
    ("src/digest.rs", include_str!("../../runtime/digest.rs")),
    ("src/env.rs", include_str!("../../runtime/env.rs")),
    ("src/error.rs", include_str!("../../runtime/error.rs")),
    ("src/har.rs", include_str!("../../runtime/har.rs")),
    ("src/interceptor.rs", include_str!("../../runtime/interceptor.rs")),
    ("src/mock/runtime.rs", include_str!("../../runtime/mock.rs")),
    ("src/paginate.rs", include_str!("../../runtime/paginate.rs")),
    ("src/request.rs", include_str!("../../runtime/request.rs")),
    ("src/response.rs", include_str!("../../runtime/response.rs")),
    ("src/service_account.rs", include_str!("../../runtime/service_account.rs")),
    ("src/version.rs", include_str!("../../runtime/version.rs")),
    ("src/waiter.rs", include_str!("../../runtime/waiter.rs")),
];

/// The manifest template, with explicit versions so that the crate builds on its own: here
/// beside the runtime because `names` reads the cargo features it declares (as it reads
/// the runtime's methods) without depending on how the manifest is rendered.
pub(crate) const MANIFEST: &str = include_str!("templates/Cargo.toml");

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
