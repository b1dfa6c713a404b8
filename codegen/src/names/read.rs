//! Reading the names the runtime defines from its source: the methods of `Client` and
//! `Mock`, those the `builder!` and `waiter!` macros give, the mock engine's items, the cargo
//! features, and the command line's own flags.
//!
//! Compiled twice: by `build.rs`, which reads the shipped runtime once when the generator is
//! built and writes the tables [`super::contract`] and [`crate::runtime::cli_flags`] answer
//! from (parsing the runtime with `syn` in every run was 6 % of generating the whole Atlas
//! API), and by the tests, which check those tables against reading the runtime now. So
//! nothing here names the crate: only `std`, `syn` and `proc-macro2`.

use std::collections::BTreeSet;

use proc_macro2::{TokenStream, TokenTree};

/// What reading the runtime found, one set per kind of name (see `names::contract::Contract`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Names {
    pub client_methods: BTreeSet<String>,
    pub builder_methods: BTreeSet<String>,
    pub waiter_methods: BTreeSet<String>,
    pub mock_methods: BTreeSet<String>,
    pub mock_items: BTreeSet<String>,
    pub features: BTreeSet<String>,
}

/// The contract of runtime `files` (path in the generated crate, source) and the manifest
/// template `manifest`.
pub fn read(files: &[(&str, &str)], manifest: &str) -> Names {
    let mut c = Names::default();
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

/// The string after each `long:`, the strings of each `aliases: &[..]`, and the first
/// argument of each `switch(..)`/`value(..)` in `source`.
pub fn flag_names(source: &str) -> BTreeSet<String> {
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

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn names_in_declarations() {
        let source = r#"const A: Flag = Flag { long: "a", short: None, aliases: &["b", "c"], takes: Takes::Value("X"), help: "h" };
                        const D: Flag = switch("d", "help d"); const E: Flag = value("e", "N", "help e");"#;
        let names: Vec<String> = flag_names(source).into_iter().collect();
        assert_eq!(names, ["a", "b", "c", "d", "e"]);
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
