//! `src/patterns.rs` of the generated crate: one `static` rule (pattern and length) per
//! distinct rule of the spec's string parameters.

use super::features::Features;
use super::{docs, ident, lit, print_text};
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
    print_text(&text, "patterns", "the parameter patterns")
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    /// `groupId` and `clusterId` share a pattern (one static, named after what both names end
    /// with); `name` has only a length; `tag` has no rule.
    #[test]
    fn one_static_per_distinct_rule_named_after_what_it_checks() {
        let id = "{name: X, in: path, required: true, schema: {type: string, pattern: '^[0-9a-f]{24}$'}}";
        let paths = format!(
            "  /g/{{groupId}}/c/{{clusterId}}:\n    get:\n      operationId: getC\n      parameters:\n      - {}\n      - {}\n      - {{name: name, in: query, schema: {{type: string, maxLength: 64}}}}\n      - {{name: tag, in: query, schema: {{type: string}}}}\n      responses: {{'204': {{description: none}}}}",
            id.replace('X', "groupId"),
            id.replace('X', "clusterId"),
        );
        let api = testing::api(&testing::spec(&paths, "    Unused: {type: string}"));
        let features = Features::new(&api);
        let text = patterns_rs(&api, &features).expect("renders");
        assert_eq!(text.matches("pub(crate) static ").count(), 2, "{text}");
        // Whatever the printer's line breaks.
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(flat.contains("staticID:crate::request::Rule=crate::request::Rule::new(Some(\"^[0-9a-f]{24}$\"),None,None,);"), "{text}");
        assert!(flat.contains("staticNAME:crate::request::Rule=crate::request::Rule::new(None,None,Some(64),);"), "{text}");
        assert!(text.contains("/// at most 64 characters."), "{text}");
    }
}
