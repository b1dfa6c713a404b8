//! A cargo feature per tag: which feature turns on each `operations/` module, and which
//! features each `models/` module and parameter pattern needs.
//!
//! A tag's feature compiles its operations and every model they reach (parameters, bodies,
//! the answers of every version, pages, and what those types hold). A model reached by
//! several tags compiles when any of them is on. Models the runtime needs (the error model
//! and what it holds) and models no operation reaches are always compiled: the first are
//! used by every call, and leaving out the second would take them from the default build.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Api, TypeId};

/// Feature names the generated manifest already has (TLS, the default set, the umbrella
/// feature below, the mock transport); a tag whose name would clash takes a suffix.
const RESERVED: &[&str] = &["default", "rustls", "native-tls", "mock", ALL];

/// Every tag's feature at once, for builds without the default features.
pub(crate) const ALL: &str = "all-tags";

/// The features of one generated crate.
#[derive(Debug, Default)]
pub(crate) struct Features {
    /// The feature of each `operations/` module.
    by_tag_module: BTreeMap<String, String>,
    /// The tag of each `operations/` module, as the spec spells it.
    tag_names: BTreeMap<String, String>,
    /// The features any of which compiles a `models/` module; absent: always compiled.
    by_model_module: BTreeMap<String, BTreeSet<String>>,
    /// The features any of which compiles a pattern of `patterns.rs`, by its static.
    by_pattern: BTreeMap<String, BTreeSet<String>>,
}

impl Features {
    pub(crate) fn new(api: &Api) -> Features {
        let mut by_tag_module: BTreeMap<String, String> = BTreeMap::new();
        let mut taken: BTreeSet<String> = RESERVED.iter().map(|s| (*s).to_owned()).collect();
        let tag_names: BTreeMap<String, String> =
            api.operations.iter().map(|op| (op.module.clone(), op.tag.clone())).collect();
        for module in tag_names.keys() {
            let base = kebab(module);
            let mut name = base.clone();
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(name.clone());
            by_tag_module.insert(module.to_owned(), name);
        }

        // Per type: the features of the operations that reach it.
        let mut by_type: Vec<BTreeSet<String>> = vec![BTreeSet::new(); api.types.len()];
        let mut by_pattern: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for op in &api.operations {
            let Some(feature) = by_tag_module.get(&op.module) else { continue };
            for id in api.reached_by(op) {
                by_type[id.0].insert(feature.clone());
            }
            for p in op.params.iter().filter(|p| !p.rule_ident.is_empty()) {
                by_pattern.entry(p.rule_ident.clone()).or_default().insert(feature.clone());
            }
        }
        // Always compiled: the error model, the types no operation reaches, and whatever
        // those hold.
        let unreached = (0..api.types.len()).filter(|&i| by_type[i].is_empty()).map(TypeId);
        let always = api.reached_from(api.error_model.into_iter().chain(unreached));
        // Per module, the union of its types' features (`None`: always compiled).
        let mut by_model_module: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
        for (i, t) in api.types.iter().enumerate() {
            let needs = (!always.contains(&TypeId(i))).then(|| by_type[i].clone());
            let entry = by_model_module.entry(t.module.clone()).or_insert_with(|| Some(BTreeSet::new()));
            *entry = merge(entry.take(), needs);
        }
        // A module compiles as a whole, so every module one of its types names must compile
        // whenever it does: spread the features along the references until nothing changes.
        let mut edges: BTreeSet<(&str, &str)> = BTreeSet::new();
        for (i, t) in api.types.iter().enumerate() {
            for j in api.references(TypeId(i)) {
                let other = api.ty(j).module.as_str();
                if other != t.module {
                    edges.insert((t.module.as_str(), other));
                }
            }
        }
        let mut changed = true;
        while changed {
            changed = false;
            for (from, to) in &edges {
                let source = by_model_module.get(*from).cloned().flatten();
                let source_always = by_model_module.get(*from).is_some_and(Option::is_none);
                let Some(target) = by_model_module.get_mut(*to) else { continue };
                let before = target.clone();
                *target = merge(target.take(), if source_always { None } else { source });
                changed |= *target != before;
            }
        }
        let all: BTreeSet<String> = by_tag_module.values().cloned().collect();
        let by_model_module = by_model_module
            .into_iter()
            // Needed by every tag: the same as always, without the attribute.
            .filter_map(|(m, needs)| needs.filter(|n| !n.is_empty() && *n != all).map(|n| (m, n)))
            .collect();
        let by_pattern = by_pattern.into_iter().filter(|(_, n)| *n != all).collect();
        Features { by_tag_module, tag_names, by_model_module, by_pattern }
    }

    /// The feature of an `operations/` module.
    pub(crate) fn of_tag_module(&self, module: &str) -> Option<&str> {
        self.by_tag_module.get(module).map(String::as_str)
    }

    /// `#[cfg(feature = "..")]` of an `operations/` module (empty when it has none).
    pub(crate) fn tag_module_cfg(&self, module: &str) -> String {
        self.of_tag_module(module).map(|f| cfg(&BTreeSet::from([f.to_owned()]))).unwrap_or_default()
    }

    /// The features any of which compiles a `models/` module; `None`: always compiled.
    pub(crate) fn of_model_module(&self, module: &str) -> Option<&BTreeSet<String>> {
        self.by_model_module.get(module)
    }

    /// `#[cfg(any(..))]` of a `models/` module (empty when always compiled).
    pub(crate) fn model_module_cfg(&self, module: &str) -> String {
        self.of_model_module(module).map(cfg).unwrap_or_default()
    }

    /// `#[cfg(any(..))]` of a pattern static (empty when every tag uses it).
    pub(crate) fn pattern_cfg(&self, pattern: &str) -> String {
        self.by_pattern.get(pattern).map(cfg).unwrap_or_default()
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

    /// The manifest's lines for the tags: the list added to `default`, and one feature per
    /// tag plus the umbrella feature.
    pub(crate) fn manifest(&self) -> (String, String) {
        let tags = self.tags();
        let default: String = tags.iter().map(|f| format!(", \"{f}\"")).collect();
        let mut section = String::from(
            "# One feature per tag of the spec: its operations and the models they reach (a model\n\
             # shared by several tags compiles when any of them is on). All on by default; for\n\
             # fewer, `default-features = false, features = [\"rustls\", \"<tag>\"]`.\n",
        );
        section.push_str(&format!(
            "{ALL} = [{}]\n",
            tags.iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(", ")
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

/// The features of a module with `a` and `b` among its needs: any of both (`None`, always,
/// wins).
fn merge(a: Option<BTreeSet<String>>, b: Option<BTreeSet<String>>) -> Option<BTreeSet<String>> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            a.extend(b);
            Some(a)
        }
        _ => None,
    }
}

/// `cloud_backups` → `cloud-backups` (keyword modules keep no trailing `_`).
fn kebab(module: &str) -> String {
    let name = module.trim_start_matches("r#").trim_matches('_').replace('_', "-");
    if name.is_empty() { "tag".to_owned() } else { name }
}

fn cfg(features: &BTreeSet<String>) -> String {
    let list: Vec<String> = features.iter().map(|f| format!("feature = {}", super::lit(f))).collect();
    match list.as_slice() {
        [one] => format!("#[cfg({one})]"),
        _ => format!("#[cfg(any({}))]", list.join(", ")),
    }
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
    fn kebab_case_of_module_names() {
        assert_eq!(kebab("cloud_backups"), "cloud-backups");
        assert_eq!(kebab("type_"), "type");
        assert_eq!(kebab("_"), "tag");
    }

    #[test]
    fn one_feature_or_any_of_several() {
        assert_eq!(cfg(&BTreeSet::from(["a".to_owned()])), "#[cfg(feature = \"a\")]");
        assert_eq!(cfg(&BTreeSet::from(["a".to_owned(), "b".to_owned()])), "#[cfg(any(feature = \"a\", feature = \"b\"))]");
    }
}
