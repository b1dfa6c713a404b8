//! From `openapiv3::OpenAPI` to [`Api`]: resolves `$ref`s, turns inline schemas that need an
//! item of their own into [`TypeDef`]s, and checks what the parser cannot (dangling or
//! cyclic `$ref`s, duplicate operationIds, path templates against path parameters).
//!
//! One module per concern: [`schemas`], [`params`], [`responses`] (bodies and answers),
//! [`operations`] (which puts an operation together from those) and [`media`] (media-type
//! facts, shared with the drift engine).

mod media;
mod operations;
mod params;
mod responses;
mod schemas;

use std::collections::HashMap;

use openapiv3::{OpenAPI, ReferenceOr};

use super::*;
use crate::error::{Error, Warning, pointer};
use crate::load::schemas::{self as shared, Broken, Problem, SCHEMAS};
use crate::load::{Loaded, Source};
pub(crate) use media::{atlas_version, essence, newest_json};

/// Builds the IR of a parsed document.
pub fn lower(loaded: &Loaded) -> Result<Api, Error> {
    let doc = &loaded.doc;
    let mut cx = Lowerer {
        doc,
        source: &loaded.source,
        types: Vec::new(),
        components: HashMap::new(),
        warnings: Vec::new(),
        patterns: HashMap::new(),
    };
    let schemas = doc.components.as_ref().map(|c| &c.schemas);
    // Register every component first so that references can be resolved in any order.
    if let Some(schemas) = schemas {
        for (name, _) in schemas {
            let id = cx.push(TypeDef {
                wanted_name: name.clone(),
                ident: String::new(),
                pointer: pointer("#/components/schemas", name),
                owner: name.clone(),
                doc: None,
                deprecated: false,
                kind: TypeKind::Alias(TypeRef::Json),
                usage: Usage::default(),
                same_as: None,
            });
            cx.components.insert(name.clone(), id);
        }
        for (name, schema) in schemas {
            let at = pointer("#/components/schemas", name);
            let id = cx.components[name];
            let (kind, doc, deprecated) = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = cx.resolve_ref(reference, &at)?;
                    (TypeKind::Alias(TypeRef::Named(target)), None, false)
                }
                ReferenceOr::Item(schema) => {
                    (cx.definition(schema, name, name, &at)?, schema.schema_data.description.clone(), schema.schema_data.deprecated)
                }
            };
            let def = &mut cx.types[id.0];
            def.kind = kind;
            def.doc = doc;
            def.deprecated = deprecated;
        }
        cx.check_alias_cycles()?;
    }
    let operations = cx.operations()?;
    let error_model = cx.error_model();
    let security = security_schemes(doc);
    let crate_version = crate_version(loaded)?;
    let mut api = Api {
        title: doc.info.title.clone(),
        description: doc.info.description.clone(),
        version: doc.info.version.clone(),
        crate_version,
        default_server: doc.servers.first().map(|s| s.url.clone()),
        types: cx.types,
        operations,
        error_model,
        security,
        waiters: Vec::new(),
        wait_links: Vec::new(),
        warnings: cx.warnings,
        renames: Default::default(),
    };
    views::split_request_response(&mut api);
    views::box_cycles(&mut api);
    api.waiters = waiters::lower(loaded, &api)?;
    api.warnings.sort();
    api.warnings.dedup();
    Ok(api)
}

/// `info.x-crate-version`: a version `major.minor.patch`, as cargo takes it in a manifest.
fn crate_version(loaded: &Loaded) -> Result<String, Error> {
    let Some(value) = loaded.doc.info.extensions.get(super::CRATE_VERSION_EXTENSION) else {
        return Ok(super::INITIAL_CRATE_VERSION.to_owned());
    };
    let at = format!("#/info/{}", super::CRATE_VERSION_EXTENSION);
    match value.as_str() {
        Some(v) if v.split('.').count() == 3 && v.split('.').all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) => {
            Ok(v.to_owned())
        }
        _ => Err(loaded.source.error(&at, format!("the crates' version must be a string `major.minor.patch`, not {value}"))),
    }
}

struct Lowerer<'a> {
    doc: &'a OpenAPI,
    source: &'a Source,
    types: Vec<TypeDef>,
    components: HashMap<String, TypeId>,
    warnings: Vec<Warning>,
    /// Whether the regex crate takes a pattern, by pattern: a published spec repeats a few
    /// dozen patterns over hundreds of parameters, and compiling one is most of lowering an
    /// operation.
    patterns: HashMap<String, bool>,
}

impl<'a> Lowerer<'a> {
    pub(super) fn push(&mut self, def: TypeDef) -> TypeId {
        self.types.push(def);
        TypeId(self.types.len() - 1)
    }
    pub(super) fn warn(&mut self, kind: &'static str, at: &str, message: impl Into<String>) {
        self.warnings.push(Warning { kind, pointer: at.to_owned(), message: message.into() });
    }

    /// The component a schema `$ref` at `at` names.
    pub(super) fn resolve_ref(&self, reference: &str, at: &str) -> Result<TypeId, Error> {
        let (name, _) = shared::component(self.doc, reference, at).map_err(|b| self.broken(b))?;
        // Every component was registered before any schema was lowered, so this finds it.
        self.components.get(name).copied().ok_or_else(|| {
            let problem = Problem::Dangling { reference: reference.to_owned(), name: name.to_owned() };
            self.broken(Broken { at: pointer(at, "$ref"), problem })
        })
    }

    /// A problem of the shared `$ref`/`allOf` walk, in the generator's words where it has
    /// its own (tests and users see these).
    pub(super) fn broken(&self, b: Broken) -> Error {
        let message = match &b.problem {
            Problem::Unsupported { reference } => ref_problem(reference, "#/components/schemas/NAME"),
            Problem::Dangling { reference, name } => {
                format!("dangling $ref {reference:?}: there is no schema named {name:?} under #/components/schemas")
            }
            Problem::AllOfCycle { reference, .. } => format!("cyclic allOf through {reference:?}"),
            other => other.message(),
        };
        self.source.error(&b.at, message)
    }
}

fn ref_problem(reference: &str, expected: &str) -> String {
    match reference.split_once('#') {
        Some((file, _)) if !file.is_empty() => {
            format!("external $ref {reference:?} is not supported (it points into the file {file:?}); inline the schema under {expected}")
        }
        None => {
            format!("external $ref {reference:?} is not supported (it names the file {reference:?}); inline the schema under {expected}")
        }
        _ => format!("unsupported $ref {reference:?}: expected {expected}"),
    }
}

fn security_schemes(doc: &OpenAPI) -> Vec<SecurityScheme> {
    let Some(components) = &doc.components else { return Vec::new() };
    components
        .security_schemes
        .iter()
        .filter_map(|(name, s)| s.as_item().map(|s| (name.clone(), s)))
        .map(|(name, s)| match s {
            openapiv3::SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("digest") => SecurityScheme::HttpDigest { name },
            openapiv3::SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => SecurityScheme::HttpBearer { name },
            openapiv3::SecurityScheme::OAuth2 { flows, .. } => match &flows.client_credentials {
                Some(cc) => SecurityScheme::OAuth2ClientCredentials { name, token_url: cc.token_url.clone() },
                None => SecurityScheme::Other { name },
            },
            _ => SecurityScheme::Other { name },
        })
        .collect()
}

/// Lowering small inline specs, for the tests of each module.
#[cfg(test)]
pub(super) mod test_spec {
    use super::*;

    /// Lowers a YAML document made of `info`, an `openapi` version and `rest` (its
    /// `paths`, `components`, ...).
    pub(crate) fn lower_yaml(rest: &str) -> Result<Api, Error> {
        let text = format!("openapi: 3.0.1\ninfo:\n  title: T\n  version: '1'\n{rest}");
        let loaded = crate::load::parse(std::path::Path::new("t.yaml"), text.as_bytes())?;
        lower(&loaded)
    }

    pub(crate) fn ok(rest: &str) -> Api {
        lower_yaml(rest).unwrap_or_else(|e| panic!("lowers: {e}"))
    }

    /// The message of the error lowering `rest` fails with.
    pub(crate) fn err(rest: &str) -> String {
        match lower_yaml(rest) {
            Ok(_) => panic!("expected an error lowering:\n{rest}"),
            Err(e) => e.to_string(),
        }
    }

    pub(crate) fn ty<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
        api.types.iter().find(|t| t.wanted_name == name).unwrap_or_else(|| panic!("no type {name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::test_spec::{err, ok, ty};
    use super::*;

    /// The crates' version comes from `info.x-crate-version`, 0.1.0 without it; anything
    /// but `major.minor.patch` is refused at its pointer.
    #[test]
    fn the_crate_version_is_read_from_info() {
        let lower_info = |extra: &str| {
            let text = format!("openapi: 3.0.1\ninfo:\n  title: T\n  version: '1'\n{extra}paths: {{}}\n");
            let loaded = crate::load::parse(std::path::Path::new("t.yaml"), text.as_bytes()).expect("parses");
            lower(&loaded).map(|api| api.crate_version).map_err(|e| e.to_string())
        };
        assert_eq!(lower_info(""), Ok("0.1.0".to_owned()));
        assert_eq!(lower_info("  x-crate-version: '1.20.3'\n"), Ok("1.20.3".to_owned()));
        for bad in ["'1.2'", "'1.x.0'", "3", "'1..2'"] {
            let e = lower_info(&format!("  x-crate-version: {bad}\n")).expect_err(bad);
            assert!(e.contains("#/info/x-crate-version") && e.contains("major.minor.patch"), "{bad}: {e}");
        }
    }

    #[test]
    fn components_refer_to_each_other_in_any_order() {
        let api = ok("paths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/B'\n    B:\n      type: string\n");
        let b = api.types.iter().position(|t| t.wanted_name == "B").expect("B");
        assert!(matches!(&ty(&api, "A").kind, TypeKind::Alias(TypeRef::Named(id)) if *id == TypeId(b)));
        assert!(matches!(&ty(&api, "B").kind, TypeKind::Alias(TypeRef::String)));
    }

    #[test]
    fn a_dangling_ref_names_its_pointer_and_target() {
        let message = err("paths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/Missing'\n");
        assert!(message.contains("#/components/schemas/A/$ref"), "{message}");
        assert!(message.contains("no schema named \"Missing\""), "{message}");
    }

    #[test]
    fn external_refs_are_refused_with_where_to_inline() {
        let message = err("paths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: 'other.yaml#/X'\n");
        assert!(message.contains("external $ref") && message.contains("other.yaml"), "{message}");
    }

    #[test]
    fn security_schemes_by_kind() {
        let api = ok(
            "paths: {}\ncomponents:\n  securitySchemes:\n    d:\n      type: http\n      scheme: digest\n    b:\n      type: http\n      scheme: Bearer\n    k:\n      type: apiKey\n      in: header\n      name: X\n",
        );
        assert!(
            matches!(
                api.security.as_slice(),
                [SecurityScheme::HttpDigest { name: d }, SecurityScheme::HttpBearer { name: b }, SecurityScheme::Other { name: k }]
                    if d == "d" && b == "b" && k == "k"
            ),
            "{:?}",
            api.security
        );
    }
}
