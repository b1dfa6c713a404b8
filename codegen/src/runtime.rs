//! The hand-written runtimes shipped verbatim into the generated crates: the library's
//! (`codegen/runtime/`) and the command line's (`codegen/cli-runtime/`), each file under the
//! path it takes there. Below `names` (which reads what they define) and `render` (which
//! ships them), so that neither reaches into the other for them.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use proc_macro2::{TokenStream, TokenTree};

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
    ("cli/src/flags.rs", include_str!("../cli-runtime/flags.rs")),
    ("cli/src/json.rs", include_str!("../cli-runtime/json.rs")),
    ("cli/src/lib.rs", include_str!("../cli-runtime/lib.rs")),
    ("cli/src/main.rs", include_str!("../cli-runtime/main.rs")),
    ("cli/src/output.rs", include_str!("../cli-runtime/output.rs")),
    ("cli/src/spec.rs", include_str!("../cli-runtime/spec.rs")),
    ("cli/src/wait.rs", include_str!("../cli-runtime/wait.rs")),
];

/// The command line's module declaring its own flags.
const CLI_FLAGS: &str = include_str!("../cli-runtime/flags.rs");

/// Every name and alias of the command line's own flags (`file`, `version`,
/// `api-version`, ...), read from its runtime's `flags.rs` once: a flag added there is
/// reserved at once, so no parameter of a spec can take it.
pub fn cli_flags() -> &'static BTreeSet<String> {
    static FLAGS: OnceLock<BTreeSet<String>> = OnceLock::new();
    FLAGS.get_or_init(|| flag_names(CLI_FLAGS))
}

/// The string after each `long:`, the strings of each `aliases: &[..]`, and the first
/// argument of each `switch(..)`/`value(..)` in `source`.
fn flag_names(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Ok(tokens) = source.parse::<TokenStream>() {
        scan(tokens, &mut out);
    }
    out
}

fn unquote(tt: &TokenTree) -> Option<String> {
    let TokenTree::Literal(l) = tt else { return None };
    let text = l.to_string();
    (text.len() >= 2 && text.starts_with('"') && text.ends_with('"')).then(|| text[1..text.len() - 1].to_owned())
}

fn scan(tokens: TokenStream, out: &mut BTreeSet<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tt) in tokens.iter().enumerate() {
        match tt {
            TokenTree::Ident(ident) if ident == "long" || ident == "aliases" => {
                let is_colon = matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
                if !is_colon {
                    continue;
                }
                match tokens.get(i + 2) {
                    Some(lit @ TokenTree::Literal(_)) => out.extend(unquote(lit)),
                    // `aliases: &["a", "b"]`
                    Some(TokenTree::Punct(p)) if p.as_char() == '&' => {
                        if let Some(TokenTree::Group(g)) = tokens.get(i + 3) {
                            out.extend(g.stream().into_iter().filter_map(|t| unquote(&t)));
                        }
                    }
                    _ => {}
                }
            }
            TokenTree::Ident(ident) if ident == "switch" || ident == "value" => {
                if let Some(TokenTree::Group(g)) = tokens.get(i + 1)
                    && let Some(first) = g.stream().into_iter().next()
                {
                    out.extend(unquote(&first));
                }
            }
            TokenTree::Group(g) => scan(g.stream(), out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_lines_flags_are_read_from_its_runtime() {
        let flags = cli_flags();
        for name in [
            "output",
            "outputFile",
            "profile",
            "base-url",
            "dry-run",
            "curl",
            "debug",
            "quiet",
            "version",
            "api-version",
            "file",
            "template",
            "all",
            "concurrency",
            "wait",
            "wait-timeout",
            "min-delay",
            "max-delay",
            "help",
        ] {
            assert!(flags.contains(name), "{name} missing from {flags:?}");
        }
        // Nothing else: the help texts and value names are not flags.
        assert!(!flags.contains("PATH") && !flags.contains("true|false"), "{flags:?}");
    }

    #[test]
    fn names_in_declarations() {
        let source = r#"const A: Flag = Flag { long: "a", short: None, aliases: &["b", "c"], takes: Takes::Value("X"), help: "h" };
                        const D: Flag = switch("d", "help d"); const E: Flag = value("e", "N", "help e");"#;
        let names: Vec<String> = flag_names(source).into_iter().collect();
        assert_eq!(names, ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn every_runtime_file_parses() {
        for (path, source) in LIBRARY.iter().chain(CLI) {
            assert!(syn::parse_file(source).is_ok(), "{path} does not parse");
        }
    }
}
