//! Operations: every method of every path, with its operationId (derived when missing,
//! refused when repeated), lowered in named steps: parameters, request body, answers,
//! Atlas extensions and paging.

use std::collections::HashMap;

use heck::ToUpperCamelCase;
use openapiv3::{Parameter, ReferenceOr};

use super::{Lowerer, ref_problem};
use crate::error::{Error, pointer};
use crate::ir::*;
use crate::load::names::{FORMER_NAMES, RUST_NAME, SHORT_NAME};

impl<'a> Lowerer<'a> {
    pub(super) fn operations(&mut self) -> Result<Vec<Operation>, Error> {
        let doc = self.doc;
        let mut ops = Vec::new();
        let mut seen_ids: HashMap<String, String> = HashMap::new();
        for (path, item) in &doc.paths.paths {
            let path_at = pointer("#/paths", path);
            if !path.starts_with('/') {
                return Err(self.source.error(&path_at, format!("path {path:?} must start with '/'")));
            }
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    return Err(self.source.error(&pointer(&path_at, "$ref"), ref_problem(reference, "an inline path item")));
                }
            };
            let methods = [
                (Method::Get, &item.get),
                (Method::Put, &item.put),
                (Method::Post, &item.post),
                (Method::Delete, &item.delete),
                (Method::Options, &item.options),
                (Method::Head, &item.head),
                (Method::Patch, &item.patch),
                (Method::Trace, &item.trace),
            ];
            for (method, op) in methods {
                let Some(op) = op else { continue };
                let at = pointer(&path_at, &method.as_str().to_lowercase());
                let published = match &op.operation_id {
                    Some(id) if !id.trim().is_empty() => id.clone(),
                    _ => {
                        let derived = derive_operation_id(method, path);
                        self.warn("missing-operation-id", &at, format!("no operationId: named {derived:?} from the method and path"));
                        derived
                    }
                };
                let published = PublishedNames {
                    operation_id: published,
                    short: self.name_extension(op, SHORT_NAME, &at)?,
                    former: self.former_names(op, &at)?,
                };
                let operation_id = self.name_extension(op, RUST_NAME, &at)?.unwrap_or_else(|| published.operation_id.clone());
                if let Some(first) = seen_ids.insert(operation_id.clone(), at.clone()) {
                    return Err(self
                        .source
                        .error(&pointer(&at, "operationId"), format!("duplicate operationId {operation_id:?}: already used at {first}")));
                }
                ops.push(self.operation(method, path, &item.parameters, op, (operation_id, published), &at)?);
            }
        }
        Ok(ops)
    }

    pub(super) fn operation(
        &mut self,
        method: Method,
        path: &str,
        shared: &'a [ReferenceOr<Parameter>],
        op: &'a openapiv3::Operation,
        (operation_id, published): (String, PublishedNames),
        at: &str,
    ) -> Result<Operation, Error> {
        let owner = operation_id.clone();
        let base = operation_id.to_upper_camel_case();
        let params = self.params(path, shared, op, &base, &owner, at)?;
        let body = self.request_body(op, &base, &owner, at)?;
        let (success_status, response, versions) = self.success_response(op, &base, &owner, at)?;
        self.check_other_responses(op, at)?;
        Ok(Operation {
            operation_id,
            published,
            command: String::new(),
            command_aliases: Vec::new(),
            method_ident: String::new(),
            builder_ident: String::new(),
            params_ident: String::new(),
            module: String::new(),
            feature: String::new(),
            mock_rule_ident: String::new(),
            mock_view_ident: String::new(),
            method,
            path: path.to_owned(),
            tag: op.tags.first().cloned().unwrap_or_else(|| "Default".to_owned()),
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            sunset: sunset(op),
            roles: roles(op),
            params,
            body,
            versions,
            response,
            success_status,
            error_statuses: error_statuses(op),
            // Decided by `lower` once every type is defined (the page's may be a component's).
            pagination: None,
            pointer: at.to_owned(),
        })
    }

    /// A name-valued extension (`x-rust-name`, `x-xgen-operation-id-override`): a non-empty
    /// string when present.
    fn name_extension(&self, op: &openapiv3::Operation, key: &str, at: &str) -> Result<Option<String>, Error> {
        match op.extensions.get(key) {
            None => Ok(None),
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            Some(other) => Err(self.source.error(&pointer(at, key), format!("{key} must be a non-empty string, found {other}"))),
        }
    }

    /// `x-former-operation-ids`: the names earlier publications gave the operation.
    fn former_names(&self, op: &openapiv3::Operation, at: &str) -> Result<Vec<String>, Error> {
        let Some(value) = op.extensions.get(FORMER_NAMES) else { return Ok(Vec::new()) };
        let names = value
            .as_array()
            .map(|a| a.iter().map(|n| n.as_str().filter(|s| !s.trim().is_empty()).map(str::to_owned)).collect::<Option<Vec<_>>>());
        match names {
            Some(Some(names)) => Ok(names),
            _ => Err(self
                .source
                .error(&pointer(at, FORMER_NAMES), format!("{FORMER_NAMES} must be a list of non-empty names, found {value}"))),
        }
    }

    /// Atlas list operations: `pageNum` + `itemsPerPage` parameters and an object answer
    /// with an array `results`.
    pub(super) fn pagination(&self, params: &[Param], response: &ResponseKind) -> Option<Pagination> {
        let page = params.iter().find(|p| p.name == "pageNum" && p.location == ParamLocation::Query)?;
        let per_page = params.iter().find(|p| p.name == "itemsPerPage" && p.location == ParamLocation::Query)?;
        let numeric = |t: &TypeRef| matches!(t, TypeRef::I32 | TypeRef::I64);
        if !numeric(&page.ty) || !numeric(&per_page.ty) {
            return None;
        }
        let ResponseKind::Json(TypeRef::Named(page_type)) = response else { return None };
        let TypeKind::Struct(s) = &self.types[page_type.0].kind else { return None };
        let results = s.fields.iter().find(|f| f.json_name == "results")?;
        let TypeRef::Vec(item) = &results.ty else { return None };
        let total = s.fields.iter().find(|f| f.json_name == "totalCount" && numeric(&f.ty));
        Some(Pagination {
            item: (**item).clone(),
            page_type: *page_type,
            results_field: results.json_name.clone(),
            total_field: total.map(|f| f.json_name.clone()),
            page_param: page.name.clone(),
            per_page_param: per_page.name.clone(),
            default_per_page: per_page.default.as_ref().and_then(serde_json::Value::as_i64).unwrap_or(100),
        })
    }
}

/// The statuses of the operation's error answers (every non-2xx one, and `default`).
fn error_statuses(op: &openapiv3::Operation) -> Vec<String> {
    op.responses
        .responses
        .keys()
        .map(ToString::to_string)
        .filter(|s| !s.starts_with('2'))
        .chain(op.responses.default.iter().map(|_| "default".to_owned()))
        .collect()
}

/// Atlas's `x-sunset`: the date the operation goes away.
fn sunset(op: &openapiv3::Operation) -> Option<String> {
    op.extensions.get("x-sunset").map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Atlas's `x-rolesRequirements`: the roles a caller needs.
fn roles(op: &openapiv3::Operation) -> Vec<String> {
    op.extensions
        .get("x-rolesRequirements")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn derive_operation_id(method: Method, path: &str) -> String {
    let mut id = method.as_str().to_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let word = segment.trim_start_matches('{').trim_end_matches('}');
        id.push_str(&word.to_upper_camel_case());
    }
    id
}

#[cfg(test)]
mod tests {
    use super::super::test_spec::{err, ok};
    use super::*;

    #[test]
    fn a_missing_operation_id_is_derived_from_the_method_and_path_with_a_warning() {
        assert_eq!(derive_operation_id(Method::Get, "/groups/{groupId}/backup-jobs"), "getGroupsGroupIdBackupJobs");
        let api = ok(
            "paths:\n  /a/{id}:\n    delete:\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses:\n        '204': {description: none}\n",
        );
        assert_eq!(api.operations[0].operation_id, "deleteAId");
        assert_eq!(api.warnings.iter().map(|w| w.kind).collect::<Vec<_>>(), ["missing-operation-id"]);
    }

    #[test]
    fn a_repeated_operation_id_names_both_places() {
        let message = err(
            "paths:\n  /a:\n    get: {operationId: x, responses: {'204': {description: n}}}\n  /b:\n    get: {operationId: x, responses: {'204': {description: n}}}\n",
        );
        assert!(message.contains("#/paths/~1b/get/operationId") && message.contains("already used at #/paths/~1a/get"), "{message}");
    }

    #[test]
    fn atlas_extensions_tag_and_paging() {
        let api = ok(
            "paths:\n  /items:\n    get:\n      operationId: listItems\n      x-sunset: '2026-01-01'\n      x-rolesRequirements: [GROUP_OWNER, 3]\n      parameters:\n        - {name: pageNum, in: query, schema: {type: integer}}\n        - {name: itemsPerPage, in: query, schema: {type: integer, default: 50}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  results: {type: array, items: {type: string}}\n                  totalCount: {type: integer}\n",
        );
        let op = &api.operations[0];
        assert_eq!(
            (op.sunset.as_deref(), op.roles.as_slice(), op.tag.as_str()),
            (Some("2026-01-01"), &["GROUP_OWNER".to_owned()][..], "Default")
        );
        let paging = op.pagination.as_ref().expect("a list operation");
        assert_eq!(
            (paging.item.clone(), paging.total_field.as_deref(), paging.default_per_page),
            (TypeRef::String, Some("totalCount"), 50)
        );
    }

    #[test]
    fn the_rust_name_wins_and_every_other_published_name_is_an_alias() {
        let api = ok(
            "paths:\n  /a:\n    post:\n      operationId: takeGroupThings\n      x-xgen-operation-id-override: takeThings\n      x-rust-name: takeThing\n      x-former-operation-ids: [takeThing, makeThings, takeThings]\n      responses: {'204': {description: n}}\n  /b:\n    get: {operationId: getB, responses: {'204': {description: n}}}\n",
        );
        let (a, b) = (&api.operations[0], &api.operations[1]);
        assert_eq!(a.operation_id, "takeThing");
        assert_eq!(
            a.published,
            PublishedNames {
                operation_id: "takeGroupThings".into(),
                short: Some("takeThings".into()),
                former: vec!["takeThing".into(), "makeThings".into(), "takeThings".into()]
            }
        );
        assert_eq!(a.aliases(), ["takeThings", "takeGroupThings", "makeThings"]);
        assert_eq!((b.operation_id.as_str(), b.aliases()), ("getB", Vec::<&str>::new()));
    }

    #[test]
    fn a_malformed_name_extension_names_its_pointer() {
        let message = err("paths:\n  /a:\n    get: {operationId: a, x-rust-name: 3, responses: {'204': {description: n}}}\n");
        assert!(message.contains("#/paths/~1a/get/x-rust-name") && message.contains("non-empty string"), "{message}");
        let message =
            err("paths:\n  /a:\n    get: {operationId: a, x-former-operation-ids: [b, ''], responses: {'204': {description: n}}}\n");
        assert!(message.contains("#/paths/~1a/get/x-former-operation-ids"), "{message}");
    }

    #[test]
    fn a_path_item_ref_is_refused() {
        let message = err("paths:\n  /a:\n    $ref: '#/x'\n");
        assert!(message.contains("#/paths/~1a/$ref"), "{message}");
    }
}
