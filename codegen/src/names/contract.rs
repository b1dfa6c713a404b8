//! The names the runtime defines, read from the runtime's own source.
//!
//! The generated code adds methods to the runtime's `Client` (one per operation and
//! waiter) and to `Mock` (one rule per operation), fills the runtime's `builder!` and
//! `waiter!` macros with setters, and declares cargo features beside the runtime's. Each
//! of those names must stay clear of what the runtime already has, so the lists are taken
//! from the runtime files shipped into the crate (parsed once with `syn`, the first time a
//! spec is named), never copied by hand: a method added to the runtime is reserved at once.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use proc_macro2::{TokenStream, TokenTree};

/// What the runtime defines that generated names must not repeat.
#[derive(Debug, Default)]
pub struct Contract {
    /// Every method of `impl Client` blocks (private ones too: inherent methods of one type
    /// share a namespace whatever their visibility).
    pub client_methods: BTreeSet<String>,
    /// The methods `builder!` gives every request builder.
    pub builder_methods: BTreeSet<String>,
    /// The methods `waiter!` gives every waiter builder.
    pub waiter_methods: BTreeSet<String>,
    /// Every method of `impl Mock` blocks.
    pub mock_methods: BTreeSet<String>,
    /// The items of the mock's engine (`mock/runtime.rs`), which share `mock/` with the
    /// generated request views.
    pub mock_items: BTreeSet<String>,
    /// The cargo features the manifest template declares or the runtime tests.
    pub features: BTreeSet<String>,
}

/// The runtime's names, read once.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| read(crate::runtime::LIBRARY, crate::runtime::LIBRARY_MANIFEST))
}

/// The contract of runtime `files` (path in the generated crate, source) and the manifest
/// template `manifest`.
fn read(files: &[(&str, &str)], manifest: &str) -> Contract {
    let mut c = Contract::default();
    for (path, source) in files {
        // The runtime is the generator's own code, checked by its build and tests: a file
        // that does not parse only leaves its names out (a test below reads every file).
        let Ok(file) = syn::parse_file(source) else { continue };
        let mock = *path == MOCK_RUNTIME;
        for item in &file.items {
            match item {
                syn::Item::Impl(block) if block.trait_.is_none() => {
                    let methods = match self_name(&block.self_ty).as_deref() {
                        Some("Client") => &mut c.client_methods,
                        Some("Mock") => &mut c.mock_methods,
                        _ => continue,
                    };
                    for inner in &block.items {
                        if let syn::ImplItem::Fn(f) = inner {
                            methods.insert(f.sig.ident.to_string());
                        }
                    }
                }
                syn::Item::Macro(m) => {
                    let target = match m.ident.as_ref().map(ToString::to_string).as_deref() {
                        Some("builder") => &mut c.builder_methods,
                        Some("waiter") => &mut c.waiter_methods,
                        _ => continue,
                    };
                    // The `Client` method `builder!` prints takes the operation's name, a
                    // macro variable, so every `fn` name written out is a builder method.
                    fns_in(&m.mac.tokens, target);
                }
                _ => {}
            }
            if mock && let Some(name) = item_name(item) {
                c.mock_items.insert(name);
            }
        }
        if let Ok(tokens) = source.parse::<TokenStream>() {
            features_in(tokens, &mut c.features);
        }
    }
    c.features.extend(manifest_features(manifest));
    c
}

/// Where the mock's engine is shipped.
const MOCK_RUNTIME: &str = "src/mock/runtime.rs";

/// `Client` of `Client`, `crate::Client` or `Client<T>`.
fn self_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Struct(i) => &i.ident,
        syn::Item::Enum(i) => &i.ident,
        syn::Item::Type(i) => &i.ident,
        syn::Item::Trait(i) => &i.ident,
        syn::Item::Fn(i) => &i.sig.ident,
        syn::Item::Const(i) => &i.ident,
        syn::Item::Static(i) => &i.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

/// Every `fn name` in `tokens`, at any depth (a macro body is tokens, not items).
fn fns_in(tokens: &TokenStream, out: &mut BTreeSet<String>) {
    let mut after_fn = false;
    for tt in tokens.clone() {
        match &tt {
            TokenTree::Ident(i) if after_fn => {
                out.insert(i.to_string());
                after_fn = false;
            }
            TokenTree::Ident(i) => after_fn = i == "fn",
            TokenTree::Group(g) => {
                fns_in(&g.stream(), out);
                after_fn = false;
            }
            _ => after_fn = false,
        }
    }
}

/// Every `feature = "name"` in `tokens`, at any depth (`cfg` attributes of the runtime).
fn features_in(tokens: TokenStream, out: &mut BTreeSet<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tt) in tokens.iter().enumerate() {
        match tt {
            TokenTree::Group(g) => features_in(g.stream(), out),
            TokenTree::Ident(ident) if ident == "feature" => {
                if let (Some(TokenTree::Punct(p)), Some(TokenTree::Literal(l))) = (tokens.get(i + 1), tokens.get(i + 2)) {
                    let text = l.to_string();
                    if p.as_char() == '=' && text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
                        out.insert(text[1..text.len() - 1].to_owned());
                    }
                }
            }
            _ => {}
        }
    }
}

/// The keys of the manifest template's `[features]` table.
fn manifest_features(manifest: &str) -> impl Iterator<Item = String> + '_ {
    manifest
        .lines()
        .map(str::trim)
        .skip_while(|l| *l != "[features]")
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
        .filter(|k| !k.is_empty() && !k.starts_with('#'))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    /// The names the issue found stale in the hand-copied lists are read now.
    #[test]
    fn the_shipped_runtime_reserves_what_it_defines() {
        let c = contract();
        for (set, names) in [
            (&c.client_methods, &["builder", "base_url", "from_env", "execute", "execute_json", "execute_empty", "execute_bytes"][..]),
            (&c.builder_methods, &["send", "send_with_metadata", "timeout", "envelope", "pretty", "concurrency"]),
            (&c.waiter_methods, &["wait", "min_delay", "max_delay", "timeout", "into_stream"]),
            (&c.mock_methods, &["new", "client", "client_builder", "calls", "verify"]),
            (&c.mock_items, &["Mock", "Rule", "Call", "Answer", "RequestView", "MOCK_BASE_URL"]),
            (&c.features, &["default", "rustls", "native-tls", "mock"]),
        ] {
            for name in names {
                assert!(set.contains(*name), "{name} missing from {set:?}");
            }
        }
    }

    #[test]
    fn names_are_read_from_source() {
        let client = "impl Client { pub fn a(&self) {} fn b() {} }\nimpl fmt::Debug for Client { fn fmt(&self) {} }\n\
                      impl crate::Client { pub fn c(&self) {} }\nimpl Other { fn d() {} }\n\
                      macro_rules! builder { (@x) => { pub fn e(self) -> Self { self } fn $m() {} }; }\n\
                      #[cfg(feature = \"f\")] fn g() {}";
        let mock = "pub struct Mock; impl Mock { pub fn h(&self) {} } pub const K: u8 = 0;";
        let manifest = "[package]\nname = \"x\"\n[features]\ndefault = []\n# note\nextra = [\"dep:y\"]\n[dependencies]\nz = \"1\"\n";
        let c = read(&[("src/client.rs", client), (MOCK_RUNTIME, mock)], manifest);
        assert_eq!(c.client_methods, set(&["a", "b", "c"]));
        assert_eq!(c.builder_methods, set(&["e"]));
        assert_eq!(c.mock_methods, set(&["h"]));
        assert_eq!(c.mock_items, set(&["K", "Mock"]));
        assert_eq!(c.features, set(&["default", "extra", "f"]));
    }
}
