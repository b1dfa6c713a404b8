//! The hand-written runtimes shipped verbatim into the generated crates: the library's
//! (`codegen/runtime/`) and the command line's (`codegen/cli-runtime/`), each file under the
//! path it takes there. Below `names` (which reads what they define) and `render` (which
//! ships them), so that neither reaches into the other for them. Data only: `build.rs`
//! compiles this file too, to read the runtimes' names once (`names::read`).

/// The library's runtime modules: path in the generated crate, and source.
pub const LIBRARY: &[(&str, &str)] = &[
    ("src/auth.rs", include_str!("../runtime/auth.rs")),
    ("src/call.rs", include_str!("../runtime/call.rs")),
    ("src/client.rs", include_str!("../runtime/client.rs")),
    ("src/codec.rs", include_str!("../runtime/codec.rs")),
    ("src/digest.rs", include_str!("../runtime/digest.rs")),
    ("src/env.rs", include_str!("../runtime/env.rs")),
    ("src/error.rs", include_str!("../runtime/error.rs")),
    ("src/har.rs", include_str!("../runtime/har.rs")),
    ("src/interceptor.rs", include_str!("../runtime/interceptor.rs")),
    ("src/mock/runtime.rs", include_str!("../runtime/mock.rs")),
    ("src/paginate.rs", include_str!("../runtime/paginate.rs")),
    ("src/request.rs", include_str!("../runtime/request.rs")),
    ("src/response.rs", include_str!("../runtime/response.rs")),
    ("src/service_account.rs", include_str!("../runtime/service_account.rs")),
    ("src/version.rs", include_str!("../runtime/version.rs")),
    ("src/waiter.rs", include_str!("../runtime/waiter.rs")),
];

/// The library's manifest template, with explicit versions so that the crate builds on its
/// own: here beside the runtime because `names` reads the cargo features it declares (as it
/// reads the runtime's methods) without depending on how the manifest is rendered.
pub const LIBRARY_MANIFEST: &str = include_str!("render/templates/Cargo.toml");

/// The command line's runtime modules, paths relative to the library crate's root.
pub const CLI: &[(&str, &str)] = &[
    ("cli/src/app.rs", include_str!("../cli-runtime/app.rs")),
    ("cli/src/body.rs", include_str!("../cli-runtime/body.rs")),
    ("cli/src/call.rs", include_str!("../cli-runtime/call.rs")),
    ("cli/src/config.rs", include_str!("../cli-runtime/config.rs")),
    ("cli/src/exit.rs", include_str!("../cli-runtime/exit.rs")),
    ("cli/src/flags.rs", CLI_FLAGS),
    ("cli/src/json.rs", include_str!("../cli-runtime/json.rs")),
    ("cli/src/lib.rs", include_str!("../cli-runtime/lib.rs")),
    ("cli/src/main.rs", include_str!("../cli-runtime/main.rs")),
    ("cli/src/output.rs", include_str!("../cli-runtime/output.rs")),
    ("cli/src/spec.rs", include_str!("../cli-runtime/spec.rs")),
    ("cli/src/wait.rs", include_str!("../cli-runtime/wait.rs")),
];

/// The command line's module declaring its own flags (`names::contract` reserves them).
pub const CLI_FLAGS: &str = include_str!("../cli-runtime/flags.rs");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_file_parses() {
        for (path, source) in LIBRARY.iter().chain(CLI) {
            assert!(syn::parse_file(source).is_ok(), "{path} does not parse");
        }
    }
}
