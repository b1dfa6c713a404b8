//! `src/patterns.rs` of the generated crate: one `static` rule (pattern and length) per
//! distinct rule of the spec's string parameters.

use super::features::Features;
use super::{docs, ident, lit, parse_file, unparse};
use crate::error::Error;
use crate::ir::Api;

pub(super) fn patterns_rs(api: &Api, features: &Features) -> Result<String, Error> {
    let mut seen = std::collections::BTreeMap::new();
    for op in &api.operations {
        for p in op.params.iter().filter(|p| !p.rule_ident.is_empty()) {
            seen.insert(p.rule_ident.clone(), (p.pattern.clone(), p.min_length, p.max_length));
        }
    }
    let mut text = String::from(
        "//! The rules of the spec's string parameters (pattern and length), one `static` per distinct rule;\n\
         //! each pattern is compiled once, on first use.\n",
    );
    let opt = |v: Option<usize>| v.map_or("None".to_owned(), |n| format!("Some({n})"));
    for (name, (pattern, min, max)) in &seen {
        let mut facts = Vec::new();
        if let Some(pattern) = pattern {
            facts.push(format!("matches `{pattern}`"));
        }
        match (min, max) {
            (Some(a), Some(b)) if a == b => facts.push(format!("{a} characters")),
            (Some(a), Some(b)) => facts.push(format!("{a} to {b} characters")),
            (Some(a), None) => facts.push(format!("at least {a} characters")),
            (None, Some(b)) => facts.push(format!("at most {b} characters")),
            (None, None) => {}
        }
        text.push_str(&format!(
            "#[doc = {}]\n{}\npub(crate) static {}: crate::request::Rule = crate::request::Rule::new({}, {}, {});\n",
            docs::literal(&format!(" {}.", facts.join(", "))),
            features.rule_cfg(name),
            ident(name),
            pattern.as_deref().map_or("None".to_owned(), |p| format!("Some({})", lit(p))),
            opt(*min),
            opt(*max),
        ));
    }
    let file = parse_file(&text).map_err(|e| Error::Render {
        template: "patterns",
        item: "the parameter patterns".to_owned(),
        message: e.to_string(),
    })?;
    Ok(unparse(&file))
}
