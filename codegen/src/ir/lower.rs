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
    lower_in(loaded, true)
}

/// [`lower`], the operations on a second thread when `beside` (the tests compare the two).
fn lower_in(loaded: &Loaded, beside: bool) -> Result<Api, Error> {
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
    }
    // The components' definitions here and the operations on a second thread (each about
    // half of lowering a published spec, 6 and 8 ms of 2024-12-10's): neither reads what the
    // other makes. The operations resolve `$ref`s to the ids registered above and read the
    // spec; paging, which reads the definition of the page's type, is decided once both are
    // done. The operations' own types are then numbered after the components', as lowering
    // one after the other numbers them, so the IR is the same; errors come in the same order.
    let registered = cx.types.len();
    let (there, defined) = if beside {
        let ops = cx.fork();
        crate::process::beside("atlas-codegen-ops", move || ops.operations_owned(), || cx.components_defined())
    } else {
        (None, cx.components_defined())
    };
    defined?;
    if schemas.is_some() {
        cx.check_alias_cycles()?;
    }
    let mut operations = match there {
        Some((operations, ops)) => cx.adopt(operations?, ops, registered),
        // No second thread (or not asked for): one after the other.
        None => cx.operations()?,
    };
    for op in &mut operations {
        op.pagination = cx.pagination(&op.params, &op.response);
    }
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
    /// A lowerer that starts from this one's registered types and components, with no
    /// warnings of its own yet (for the operations, lowered beside the components).
    fn fork(&self) -> Lowerer<'a> {
        Lowerer {
            doc: self.doc,
            source: self.source,
            types: self.types.clone(),
            components: self.components.clone(),
            warnings: Vec::new(),
            patterns: HashMap::new(),
        }
    }

    /// Defines every registered component: its kind, doc and deprecation.
    fn components_defined(&mut self) -> Result<(), Error> {
        let Some(schemas) = self.doc.components.as_ref().map(|c| &c.schemas) else { return Ok(()) };
        for (name, schema) in schemas {
            let at = pointer("#/components/schemas", name);
            let id = self.components[name];
            let (kind, doc, deprecated) = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = self.resolve_ref(reference, &at)?;
                    (TypeKind::Alias(TypeRef::Named(target)), None, false)
                }
                ReferenceOr::Item(schema) => {
                    (self.definition(schema, name, name, &at)?, schema.schema_data.description.clone(), schema.schema_data.deprecated)
                }
            };
            let def = &mut self.types[id.0];
            def.kind = kind;
            def.doc = doc;
            def.deprecated = deprecated;
        }
        Ok(())
    }

    /// [`Self::operations`] of a lowerer that is then given back, for [`Self::adopt`].
    fn operations_owned(mut self) -> (Result<Vec<Operation>, Error>, Lowerer<'a>) {
        let operations = self.operations();
        (operations, self)
    }

    /// Takes in the operations that `ops` (a [`Self::fork`] made when `registered` types
    /// were registered) lowered: its types past those are appended here, renumbered after
    /// this lowerer's, and its warnings joined to these.
    fn adopt(&mut self, mut operations: Vec<Operation>, ops: Lowerer<'a>, registered: usize) -> Vec<Operation> {
        let by = self.types.len() - registered;
        let shift = |id: &mut TypeId| {
            if id.0 >= registered {
                id.0 += by;
            }
        };
        let mut types = ops.types;
        for def in types.iter_mut().skip(registered) {
            super::views::each_type_id(&mut def.kind, &mut |id| shift(id));
            if let Some(id) = &mut def.same_as {
                shift(id);
            }
        }
        for op in &mut operations {
            super::views::operation_type_ids(op, &mut |id| shift(id));
        }
        self.types.extend(types.into_iter().skip(registered));
        self.warnings.extend(ops.warnings);
        operations
    }

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

    /// Lowering the operations beside the components gives the IR of lowering them after:
    /// the same types in the same order (the operations' own numbered after the
    /// components'), the same paging (decided from a component's definition, which the
    /// operations' thread does not have), the same warnings, and errors in the same order.
    #[test]
    fn operations_beside_the_components_lower_as_after_them() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut specs = vec![dir.join("../spec/atlas-backup.yaml")];
        specs.extend(crate::load::spec_files(&dir.join("tests/fixtures")));
        let (mut paged, mut shifted) = (0, 0);
        for spec in &specs {
            let Ok(loaded) = crate::load::load(spec) else { continue };
            let (two, one) = (lower_in(&loaded, true), lower_in(&loaded, false));
            match (two, one) {
                (Ok(two), Ok(one)) => {
                    assert_eq!(format!("{two:?}"), format!("{one:?}"), "{}", spec.display());
                    paged += two.operations.iter().filter(|op| op.pagination.is_some()).count();
                    // Renumbered: types of the operations after inline types of components.
                    let first_of_paths = two.types.iter().position(|t| t.pointer.starts_with("#/paths/"));
                    let inline_in_components = two.types.iter().position(|t| t.pointer.matches('/').count() > 3);
                    shifted += usize::from(matches!((inline_in_components, first_of_paths), (Some(c), Some(p)) if c < p));
                }
                (two, one) => assert_eq!(two.map(|_| ()).map_err(|e| e.to_string()), one.map(|_| ()).map_err(|e| e.to_string())),
            }
        }
        assert!(paged > 0, "a spec pages through a component's results");
        assert!(shifted > 0, "a spec has inline types in both components and operations");
        // A broken component and a broken operation: the component's error, as one after the other.
        let text = "openapi: 3.0.1\ninfo:\n  title: T\n  version: '1'\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Missing'\ncomponents:\n  schemas:\n    B:\n      $ref: '#/components/schemas/Gone'\n";
        let loaded = crate::load::parse(std::path::Path::new("t.yaml"), text.as_bytes()).expect("parses");
        let (two, one) = (lower_in(&loaded, true).map(|_| ()), lower_in(&loaded, false).map(|_| ()));
        let two = two.expect_err("a dangling $ref").to_string();
        assert!(two.contains("Gone"), "{two}");
        assert_eq!(Err(two), one.map_err(|e| e.to_string()));
    }

    /// A type sent and answered whose request view differs (a `readOnly` field) is split, and
    /// what holds it refers to its request view in the request view: through a field, and
    /// through additional properties.
    #[test]
    fn request_views_hold_request_views_through_fields_and_maps() {
        let api = ok("paths:
  /m:
    post:
      operationId: make
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Holder'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Holder'}
components:
  schemas:
    Item:
      type: object
      properties:
        id: {type: string, readOnly: true}
        name: {type: string}
    Holder:
      type: object
      properties:
        one: {$ref: '#/components/schemas/Item'}
        byName:
          type: object
          additionalProperties: {$ref: '#/components/schemas/Item'}
      additionalProperties: {$ref: '#/components/schemas/Item'}
");
        let id_of = |name: &str| TypeId(api.types.iter().position(|t| t.wanted_name == name).unwrap_or_else(|| panic!("no {name}")));
        let (item, item_request) = (id_of("Item"), id_of("ItemRequest"));
        let TypeKind::Struct(holder) = &ty(&api, "Holder").kind else { panic!("Holder is a struct") };
        let TypeKind::Struct(request) = &ty(&api, "HolderRequest").kind else { panic!("HolderRequest is a struct") };
        let field = |s: &Struct, name: &str| s.fields.iter().find(|f| f.json_name == name).map(|f| f.ty.clone());
        assert_eq!(field(holder, "one"), Some(TypeRef::Named(item)));
        assert_eq!(field(request, "one"), Some(TypeRef::Named(item_request)));
        assert_eq!(holder.additional, Some(TypeRef::Named(item)));
        assert_eq!(request.additional, Some(TypeRef::Named(item_request)), "the request view's additional properties");
        assert_eq!(field(request, "byName"), Some(TypeRef::Map(Box::new(TypeRef::Named(item_request)))));
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
