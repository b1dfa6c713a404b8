//! For the renderers' unit tests: a small spec, loaded, lowered, named and deduplicated as
//! `generate` does. (Its features are the caller's to make: `features` tests use this.)

use crate::ir::Api;

/// A spec's IR as rendering sees it; panics (in a test) if the spec is broken.
pub(super) fn api(spec: &str) -> Api {
    let loaded = crate::load::parse(std::path::Path::new("s.yaml"), spec.as_bytes()).expect("the spec loads");
    let mut api = crate::ir::lower(&loaded).expect("the spec lowers");
    crate::names::assign(&mut api).expect("the spec names");
    crate::ir::dedupe(&mut api);
    api
}

/// A spec of the operations `paths` (YAML of the `paths` object, indented by 2) and the
/// schemas `schemas` (YAML of `components.schemas`, indented by 4); either may be empty.
pub(super) fn spec(paths: &str, schemas: &str) -> String {
    let paths = if paths.is_empty() { "paths: {}\n".to_owned() } else { format!("paths:\n{paths}\n") };
    let components = if schemas.is_empty() { String::new() } else { format!("components:\n  schemas:\n{schemas}\n") };
    format!("openapi: 3.0.1\ninfo: {{title: t, version: '1'}}\n{paths}{components}")
}
