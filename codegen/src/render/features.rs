//! A cargo feature per tag: which feature turns on each `operations/` module, and which
//! features each `models/` module and parameter rule needs.
//!
//! A tag's feature compiles its operations and every model they reach (parameters, bodies,
//! the answers of every version, pages, and what those types hold). A model reached by
//! several tags compiles when any of them is on, and one needed by every tag carries no
//! attribute (it compiles whenever any tag does).
//!
//! The models no operation reaches (and what they hold) are reached by one more feature,
//! [`UNREFERENCED`], as if it were a tag: it is on by default, so the default build keeps
//! every public type, and builds with a few tags leave them out. It is not in [`ALL`],
//! which is every tag's operations and what they need. Only the error model and what it
//! holds are always compiled: every call may answer it.
//!
//! The models are printed in one `models/` module per set of features: a module is
//! compiled as a whole, and a type's set always covers the sets of the types that name it
//! (whatever reaches a type, a tag or the unreached models, reaches what it holds: a type
//! held by an unreached type and reached by tag `a` needs `a` or [`UNREFERENCED`]), so
//! every type compiles whenever a type naming it does.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Api, TypeId};

/// Every tag's feature at once, for builds without the default features.
pub(crate) const ALL: &str = crate::names::ALL_TAGS;

/// The models that no operation reaches, and what they hold (on by default).
pub(crate) const UNREFERENCED: &str = crate::names::UNREFERENCED_MODELS;

/// The manifest template's feature of `atlas_backup::mock` (off by default).
pub(crate) const MOCK: &str = "mock";

/// The crate attribute that lets `doc(cfg(..))` (see [`cfg`]) mark items in rustdoc's
/// output under the `docsrs` cfg (docs.rs sets it; nightly only). Not `doc_auto_cfg`:
/// nightly folded it into `doc_cfg`, and naming it is now an error (E0557, "feature has
/// been removed", on 1.97.0-nightly of 2026-05-19).
pub(crate) const DOC_CFG: &str = "#![cfg_attr(docsrs, feature(doc_cfg))]";

/// The features of one generated crate.
#[derive(Debug, Default)]
pub(crate) struct Features {
    /// The feature of each `operations/` module.
    by_tag_module: BTreeMap<String, String>,
    /// The tag of each `operations/` module, as the spec spells it.
    tag_names: BTreeMap<String, String>,
    /// The features any of which compiles a `models/` module; absent: always compiled.
    by_model_module: BTreeMap<String, BTreeSet<String>>,
    /// The `models/` module of each type, by [`TypeId`].
    model_module_of: Vec<String>,
    /// The features any of which compiles a rule of `patterns.rs`, by its static.
    by_rule: BTreeMap<String, BTreeSet<String>>,
}

impl Features {
    pub(crate) fn new(api: &Api) -> Features {
        // The features' names are decided with every other name (`crate::names`).
        let by_tag_module: BTreeMap<String, String> = api.operations.iter().map(|op| (op.module.clone(), op.feature.clone())).collect();
        let tag_names: BTreeMap<String, String> = api.operations.iter().map(|op| (op.module.clone(), op.tag.clone())).collect();

        // Per type: the features of the operations that reach it.
        let mut by_type: Vec<BTreeSet<String>> = vec![BTreeSet::new(); api.types.len()];
        let mut by_rule: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for op in &api.operations {
            let Some(feature) = by_tag_module.get(&op.module) else { continue };
            for id in api.reached_by(op) {
                by_type[id.0].insert(feature.clone());
            }
            for p in op.params.iter().filter(|p| !p.rule_ident.is_empty()) {
                by_rule.entry(p.rule_ident.clone()).or_default().insert(feature.clone());
            }
        }
        // Always compiled: the error model and what it holds.
        let always = api.reached_from(api.error_model.into_iter());
        // The types no operation reaches, and what they hold, as if one more tag reached them.
        let unreached: Vec<TypeId> =
            (0..api.types.len()).map(TypeId).filter(|id| by_type[id.0].is_empty() && !always.contains(id)).collect();
        for id in api.reached_from(unreached.into_iter()) {
            by_type[id.0].insert(UNREFERENCED.to_owned());
        }
        // Needed by every tag (the unreached models' feature or not): compiled whenever any
        // tag is, so without the attribute, like what is always compiled.
        let tags: BTreeSet<String> = by_tag_module.values().cloned().collect();
        let every_tag = |n: &BTreeSet<String>| !tags.is_empty() && tags.is_subset(n);
        let needs: Vec<Option<&BTreeSet<String>>> = (0..api.types.len())
            .map(|i| Some(&by_type[i]).filter(|n| !always.contains(&TypeId(i)) && !n.is_empty() && !every_tag(n)))
            .collect();
        // One module per set, named by `crate::names` after what needs it: each feature of
        // the set as the tag's `operations/` module or `unreferenced`.
        let sets: Vec<Option<&BTreeSet<String>>> = needs.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
        let members: Vec<Option<Vec<&str>>> = sets
            .iter()
            .map(|set| {
                set.map(|set| {
                    set.iter()
                        .map(|f| match by_tag_module.iter().find(|(_, tf)| *tf == f) {
                            Some((module, _)) => module.as_str(),
                            None => "unreferenced",
                        })
                        .collect()
                })
            })
            .collect();
        let module_of_set: BTreeMap<Option<&BTreeSet<String>>, String> =
            sets.iter().copied().zip(crate::names::model_modules(&members)).collect();
        let model_module_of: Vec<String> = needs.iter().map(|n| module_of_set.get(n).cloned().unwrap_or_default()).collect();
        let by_model_module: BTreeMap<String, BTreeSet<String>> =
            module_of_set.iter().filter_map(|(set, m)| set.map(|s| (m.clone(), s.clone()))).collect();
        // Rules are only named by operations, so only tags reach them.
        let by_rule = by_rule.into_iter().filter(|(_, n)| *n != tags).collect();
        Features { by_tag_module, tag_names, by_model_module, model_module_of, by_rule }
    }

    /// The feature of an `operations/` module.
    pub(crate) fn of_tag_module(&self, module: &str) -> Option<&str> {
        self.by_tag_module.get(module).map(String::as_str)
    }

    /// `#[cfg(feature = "..")]` of an `operations/` module (empty when it has none).
    pub(crate) fn tag_module_cfg(&self, module: &str) -> String {
        self.of_tag_module(module).map(|f| cfg(&BTreeSet::from([f.to_owned()]))).unwrap_or_default()
    }

    /// The `models/` module type `id` is printed in.
    pub(crate) fn model_module_of(&self, id: TypeId) -> &str {
        self.model_module_of.get(id.0).map_or("common", String::as_str)
    }

    /// The features any of which compiles a `models/` module; `None`: always compiled.
    pub(crate) fn of_model_module(&self, module: &str) -> Option<&BTreeSet<String>> {
        self.by_model_module.get(module)
    }

    /// `#[cfg(any(..))]` of a `models/` module (empty when always compiled).
    pub(crate) fn model_module_cfg(&self, module: &str) -> String {
        self.of_model_module(module).map(cfg).unwrap_or_default()
    }

    /// `#[cfg(any(..))]` of a rule static of `patterns.rs` (empty when every tag uses it).
    pub(crate) fn rule_cfg(&self, rule: &str) -> String {
        self.by_rule.get(rule).map(cfg).unwrap_or_default()
    }

    /// `#[cfg(feature = "mock")]` of the `mock` module.
    pub(crate) fn mock_cfg(&self) -> String {
        cfg(&BTreeSet::from([MOCK.to_owned()]))
    }

    /// The features docs.rs builds with, as the manifest lists them: every tag, the
    /// unreached models and the mock, so that every item is documented (each marked with
    /// what it needs).
    pub(crate) fn docs_rs(&self) -> String {
        [ALL, UNREFERENCED, MOCK].iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ")
    }

    /// Every tag feature, in name order.
    pub(crate) fn tags(&self) -> BTreeSet<&str> {
        self.by_tag_module.values().map(String::as_str).collect()
    }

    /// An inner attribute that quiets the runtime's unused parts when some tag is off (the
    /// default build, with every tag, is still checked in full).
    pub(crate) fn partial_build_allow(&self) -> String {
        let tags = self.tags();
        if tags.is_empty() {
            return String::new();
        }
        let all = tags.iter().map(|f| format!("feature = {}", super::lit(f))).collect::<Vec<_>>().join(", ");
        format!("#![cfg_attr(not(all({all})), allow(dead_code, unused_imports))]\n")
    }

    /// The manifest's lines for the tags: the list added to `default` (every tag and the
    /// unreached models), and one feature per tag plus the umbrella feature and that of the
    /// unreached models.
    pub(crate) fn manifest(&self) -> (String, String) {
        let tags = self.tags();
        let default: String = tags.iter().chain(&[UNREFERENCED]).map(|f| format!(", \"{f}\"")).collect();
        let mut section = String::from(
            "# One feature per tag of the spec: its operations and the models they reach (a model\n\
             # shared by several tags compiles when any of them is on). All on by default; for\n\
             # fewer, `default-features = false, features = [\"rustls\", \"<tag>\"]`.\n",
        );
        section.push_str(&format!(
            "# Every tag's operations and the models they need (not `{UNREFERENCED}`).\n{ALL} = [{}]\n",
            tags.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ")
        ));
        section.push_str(&format!(
            "# The schemas that no operation uses, and the types they hold (on by default, so that\n\
             # every type of the spec is there; off, builds with a few tags compile less).\n{UNREFERENCED} = []\n"
        ));
        for (module, feature) in &self.by_tag_module {
            if let Some(tag) = self.tag_names.get(module) {
                section.push_str(&format!("# Operations tagged `{}`.\n", tag.replace('\n', " ")));
            }
            section.push_str(&format!("{feature} = []\n"));
        }
        (default, section)
    }
}

/// The attributes of an item that `features` (any of them) compile: the `cfg`, and the same
/// predicate as `doc(cfg)` under `docsrs`, which rustdoc shows on the item's page and in
/// its module's list ("Available on crate feature ... only"). Every feature-gated item of
/// the generated code gets its attributes here, so none lacks the mark.
fn cfg(features: &BTreeSet<String>) -> String {
    let list: Vec<String> = features.iter().map(|f| format!("feature = {}", super::lit(f))).collect();
    let predicate = match list.as_slice() {
        [one] => one.clone(),
        _ => format!("any({})", list.join(", ")),
    };
    format!("#[cfg({predicate})]\n#[cfg_attr(docsrs, doc(cfg({predicate})))]")
}

/// A doc line naming the features an item needs.
pub(crate) fn doc_note(features: &BTreeSet<String>) -> String {
    let list: Vec<String> = features.iter().map(|f| format!("`{f}`")).collect();
    match list.as_slice() {
        [one] => format!("Needs the cargo feature {one} (on by default)."),
        _ => format!("Needs one of the cargo features {} (all on by default).", list.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_feature_or_any_of_several() {
        assert_eq!(cfg(&BTreeSet::from(["a".to_owned()])), "#[cfg(feature = \"a\")]\n#[cfg_attr(docsrs, doc(cfg(feature = \"a\")))]");
        assert_eq!(
            cfg(&BTreeSet::from(["a".to_owned(), "b".to_owned()])),
            "#[cfg(any(feature = \"a\", feature = \"b\"))]\n#[cfg_attr(docsrs, doc(cfg(any(feature = \"a\", feature = \"b\"))))]"
        );
    }

    /// Tags `Alpha` and `Beta`; `Orphan` is reached by no operation and holds `OnlyOrphan`,
    /// `Held` (also reached by `Alpha`) and `Everywhere` (also reached by both tags).
    const SPEC: &str = r#"
openapi: 3.0.1
info: {title: t, version: '1'}
paths:
  /a:
    get:
      tags: [Alpha]
      operationId: getA
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}
  /b:
    get:
      tags: [Beta]
      operationId: getB
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}}
components:
  schemas:
    A:
      type: object
      properties:
        held: {$ref: '#/components/schemas/Held'}
        everywhere: {$ref: '#/components/schemas/Everywhere'}
    B:
      type: object
      properties:
        count: {type: integer}
        everywhere: {$ref: '#/components/schemas/Everywhere'}
    Held: {type: object, properties: {name: {type: string}}}
    Everywhere: {type: object, properties: {flag: {type: boolean}}}
    Orphan:
      type: object
      properties:
        only: {$ref: '#/components/schemas/OnlyOrphan'}
        held: {$ref: '#/components/schemas/Held'}
        everywhere: {$ref: '#/components/schemas/Everywhere'}
    OnlyOrphan: {type: object, properties: {size: {type: number}}}
"#;

    fn features_of(spec: &str) -> (Api, Features) {
        {
            let api = super::super::testing::api(spec);
            let features = Features::new(&api);
            (api, features)
        }
    }

    fn id(api: &Api, name: &str) -> TypeId {
        TypeId(api.types.iter().position(|t| t.wanted_name == name).unwrap_or_else(|| panic!("no type {name}")))
    }

    /// The features of the module that the schema `name` is printed in (`None`: always
    /// compiled).
    fn needs(api: &Api, features: &Features, name: &str) -> Option<Vec<String>> {
        features.of_model_module(features.model_module_of(id(api, name))).map(|set| set.iter().cloned().collect())
    }

    fn set(names: &[&str]) -> Option<Vec<String>> {
        Some(names.iter().map(|n| (*n).to_owned()).collect())
    }

    #[test]
    fn unreached_models_have_a_feature_of_their_own() {
        let (api, features) = features_of(SPEC);
        let of = |name: &str| needs(&api, &features, name);
        assert_eq!(of("A"), set(&["alpha"]));
        assert_eq!(of("B"), set(&["beta"]));
        // Reached only from an unreached schema: the unreached models' feature alone.
        assert_eq!(of("Orphan"), set(&[UNREFERENCED]));
        assert_eq!(of("OnlyOrphan"), set(&[UNREFERENCED]));
        assert_eq!(features.model_module_of(id(&api, "OnlyOrphan")), "unreferenced");
        // Held by an unreached schema and reached by a tag: either compiles it.
        assert_eq!(of("Held"), set(&["alpha", UNREFERENCED]));
        assert!(
            features
                .model_module_cfg(features.model_module_of(id(&api, "Held")))
                .starts_with("#[cfg(any(feature = \"alpha\", feature = \"unreferenced-models\"))]\n")
        );
        // Needed by every tag: no attribute, whatever else holds it.
        assert_eq!(of("Everywhere"), None);
        assert_eq!(features.model_module_of(id(&api, "Everywhere")), "common");
    }

    #[test]
    fn the_manifest_declares_the_unreached_models_feature_on_by_default_and_not_in_all_tags() {
        let (_, features) = features_of(SPEC);
        let (default, section) = features.manifest();
        assert_eq!(default, ", \"alpha\", \"beta\", \"unreferenced-models\"");
        assert!(section.contains("\nall-tags = [\"alpha\", \"beta\"]\n"), "{section}");
        assert!(section.contains("\nunreferenced-models = []\n"), "{section}");
    }

    #[test]
    fn a_tag_named_like_the_unreached_models_feature_takes_a_suffix() {
        let (api, features) = features_of(&SPEC.replace("Beta", "Unreferenced Models"));
        assert_eq!(features.tags(), BTreeSet::from(["alpha", "unreferenced-models-2"]));
        assert_eq!(needs(&api, &features, "B"), set(&["unreferenced-models-2"]));
        assert_eq!(needs(&api, &features, "Orphan"), set(&[UNREFERENCED]));
    }
}
