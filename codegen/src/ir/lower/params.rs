//! The parameters of an operation: path-level ones merged with the operation's own,
//! checked against the path template, each lowered to a [`Param`] with its rule (pattern,
//! length, bounds) and example.

use heck::ToUpperCamelCase;
use indexmap::IndexMap;
use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};

use super::{Lowerer, ref_problem};
use crate::error::{Error, pointer};
use crate::ir::*;

impl<'a> Lowerer<'a> {
    pub(super) fn pattern_supported(&mut self, pattern: &str) -> bool {
        if let Some(&ok) = self.patterns.get(pattern) {
            return ok;
        }
        let ok = regex::Regex::new(pattern).is_ok();
        self.patterns.insert(pattern.to_owned(), ok);
        ok
    }
    pub(super) fn parameter(&self, p: &'a ReferenceOr<Parameter>, at: &str) -> Result<(&'a Parameter, String), Error> {
        match p {
            ReferenceOr::Item(p) => Ok((p, at.to_owned())),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/parameters/")
                    .ok_or_else(|| self.source.error(&pointer(at, "$ref"), ref_problem(reference, "#/components/parameters/NAME")))?;
                let found = self.doc.components.as_ref().and_then(|c| c.parameters.get(name));
                match found {
                    Some(ReferenceOr::Item(p)) => Ok((p, pointer("#/components/parameters", name))),
                    Some(ReferenceOr::Reference { .. }) => Err(self
                        .source
                        .error(&pointer("#/components/parameters", name), "a parameter component that is itself a $ref is not supported")),
                    None => Err(self.source.error(
                        &pointer(at, "$ref"),
                        format!("dangling $ref {reference:?}: there is no parameter named {name:?} under #/components/parameters"),
                    )),
                }
            }
        }
    }

    /// The parameters of the operation at `at` (path `path`): the path item's `shared` ones
    /// first, replaced by the operation's own of the same name and location.
    pub(super) fn params(
        &mut self,
        path: &str,
        shared: &'a [ReferenceOr<Parameter>],
        op: &'a openapiv3::Operation,
        base: &str,
        owner: &str,
        at: &str,
    ) -> Result<Vec<Param>, Error> {
        // Path-level parameters first; an operation's own parameter of the same name and
        // location replaces it.
        // The location is `None` for a cookie, which has none in the IR.
        let mut declared: IndexMap<(String, Option<ParamLocation>), (&'a Parameter, String)> = IndexMap::new();
        let path_at = at.rsplit_once('/').map_or(at, |(p, _)| p).to_owned();
        for (list, list_at) in [(shared, pointer(&path_at, "parameters")), (&op.parameters[..], pointer(at, "parameters"))] {
            for (i, p) in list.iter().enumerate() {
                let (p, p_at) = self.parameter(p, &pointer(&list_at, &i.to_string()))?;
                let location = match p {
                    Parameter::Path { .. } => Some(ParamLocation::Path),
                    Parameter::Query { .. } => Some(ParamLocation::Query),
                    Parameter::Header { .. } => Some(ParamLocation::Header),
                    Parameter::Cookie { .. } => None,
                };
                declared.insert((p.parameter_data_ref().name.clone(), location), (p, p_at));
            }
        }
        let template: Vec<String> = path_params(path);
        for name in &template {
            if !declared.contains_key(&(name.clone(), Some(ParamLocation::Path))) {
                return Err(self
                    .source
                    .error(at, format!("the path template names {{{name}}} but the operation declares no path parameter {name:?}")));
            }
        }
        let mut params = Vec::new();
        for ((name, location), (p, p_at)) in &declared {
            let location = match *location {
                Some(ParamLocation::Path) => {
                    if !template.contains(name) {
                        return Err(self
                            .source
                            .error(p_at, format!("path parameter {name:?} does not appear in the path template {path:?}")));
                    }
                    ParamLocation::Path
                }
                Some(location) => location,
                None => {
                    self.warn("cookie-parameter", p_at, format!("cookie parameter {name:?} is not supported; no setter generated"));
                    continue;
                }
            };
            params.push(self.param(name, location, p, p_at, base, owner)?);
        }
        Ok(params)
    }

    /// One parameter, at `p_at`, of the operation whose types are named from `base`.
    fn param(
        &mut self,
        name: &str,
        location: ParamLocation,
        p: &'a Parameter,
        p_at: &str,
        base: &str,
        owner: &str,
    ) -> Result<Param, Error> {
        let data = p.parameter_data_ref();
        let hint = format!("{base}{}", name.to_upper_camel_case());
        let mut example = data.example.clone();
        let mut bounds = (None, None);
        let (ty, pattern, min_length, max_length, default) = match &data.format {
            ParameterSchemaOrContent::Schema(s) => {
                let ty = self.use_schema(s, &hint, owner, &pointer(p_at, "schema"))?;
                let item = match s {
                    ReferenceOr::Item(s) => Some(s),
                    ReferenceOr::Reference { reference } => {
                        let id = self.resolve_ref(reference, &pointer(p_at, "schema"))?;
                        self.resolve_schema(id)
                    }
                };
                let (pattern, min, max) = match item.map(|s| &s.schema_kind) {
                    Some(SchemaKind::Type(Type::String(st))) => (st.pattern.clone(), st.min_length, st.max_length),
                    Some(SchemaKind::Type(Type::Integer(it))) => {
                        bounds = (
                            it.minimum.map(|m| if it.exclusive_minimum { m.saturating_add(1) } else { m }),
                            it.maximum.map(|m| if it.exclusive_maximum { m.saturating_sub(1) } else { m }),
                        );
                        (None, None, None)
                    }
                    _ => (None, None, None),
                };
                if example.is_none() {
                    example = item.and_then(|s| s.schema_data.example.clone());
                }
                (ty, pattern, min, max, item.and_then(|s| s.schema_data.default.clone()))
            }
            ParameterSchemaOrContent::Content(_) => {
                self.warn("parameter-content", p_at, "parameter with `content` typed as a string");
                (TypeRef::String, None, None, None, None)
            }
        };
        let pattern = match pattern {
            Some(p) if !self.pattern_supported(&p) => {
                self.warn("pattern", p_at, format!("pattern {p:?} is not supported by the regex crate; not checked"));
                None
            }
            other => other,
        };
        Ok(Param {
            name: name.to_owned(),
            ident: String::new(),
            location,
            required: data.required || location == ParamLocation::Path,
            ty,
            pattern,
            rule_ident: String::new(),
            min_length,
            max_length,
            minimum: bounds.0,
            maximum: bounds.1,
            default,
            example,
            doc: data.description.clone(),
            deprecated: data.deprecated.unwrap_or(false),
        })
    }
}

/// `{name}` segments of a path template, in order.
pub(crate) fn path_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_spec::{err, ok};
    use super::*;

    const OP: &str = "paths:\n  /groups/{groupId}/jobs:\n    parameters:\n      - {name: groupId, in: path, required: true, schema: {type: string}}\n      - {name: limit, in: query, schema: {type: integer}}\n    get:\n      operationId: listJobs\n";

    #[test]
    fn path_template_segments_in_order() {
        for (path, want) in [("/a/{b}/c/{d}", vec!["b", "d"]), ("/plain", vec![]), ("/{open", vec![])] {
            assert_eq!(path_params(path), want, "{path}");
        }
    }

    #[test]
    fn an_operations_own_parameter_replaces_the_path_levels() {
        let spec = format!(
            "{OP}      parameters:\n        - {{name: limit, in: query, schema: {{type: integer, minimum: 1, maximum: 10, exclusiveMaximum: true}}}}\n        - {{name: groupId, in: header, schema: {{type: string, pattern: '^[a-f0-9]{{24}}$', minLength: 24}}}}\n      responses:\n        '204': {{description: none}}\n"
        );
        let api = ok(&spec);
        let params = &api.operations[0].params;
        let summary: Vec<(&str, ParamLocation, bool)> = params.iter().map(|p| (p.name.as_str(), p.location, p.required)).collect();
        assert_eq!(
            summary,
            [("groupId", ParamLocation::Path, true), ("limit", ParamLocation::Query, false), ("groupId", ParamLocation::Header, false)]
        );
        assert_eq!((params[1].minimum, params[1].maximum), (Some(1), Some(9)));
        assert_eq!((params[2].pattern.as_deref(), params[2].min_length), (Some("^[a-f0-9]{24}$"), Some(24)));
    }

    #[test]
    fn a_template_segment_without_a_parameter_is_refused() {
        let message =
            err("paths:\n  /groups/{groupId}:\n    get:\n      operationId: g\n      responses:\n        '204': {description: none}\n");
        assert!(message.contains("names {groupId} but the operation declares no path parameter"), "{message}");
    }

    #[test]
    fn cookies_and_unsupported_patterns_are_warnings() {
        let spec = format!(
            "{OP}      parameters:\n        - {{name: c, in: cookie, schema: {{type: string}}}}\n        - {{name: q, in: query, schema: {{type: string, pattern: '(?<=a)b'}}}}\n      responses:\n        '204': {{description: none}}\n"
        );
        let api = ok(&spec);
        let kinds: Vec<&str> = api.warnings.iter().map(|w| w.kind).collect();
        assert!(kinds.contains(&"cookie-parameter") && kinds.contains(&"pattern"), "{kinds:?}");
        let q = api.operations[0].params.iter().find(|p| p.name == "q").expect("q");
        assert_eq!(q.pattern, None);
        assert!(api.operations[0].params.iter().all(|p| p.name != "c"));
    }
}
