//! Which waiter follows the job an operation starts, from the spec's OpenAPI 3.0 response
//! `links`: on the starting operation's success response, a link named after a waiter
//! (`x-atlas-waiters`) to the operation that waiter polls, with each of its parameters
//! taken from the request (`$request.path.groupId`) or the answer (`$response.body#/id`).
//! Checked here, at generation, like the waiter tables: a link that could not fill the
//! polled operation's parameters is an error naming the file, pointer and line.

use openapiv3::{LinkOperation, ReferenceOr};

use super::{Api, ParamLocation, ResponseKind, TypeKind, TypeRef};
use crate::error::{Error, pointer};
use crate::load::Loaded;

/// A link from a starting operation to the waiter that follows its job.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitLink {
    /// The starting operation: an index into [`Api::operations`].
    pub operation: usize,
    /// The waiter: an index into [`Api::waiters`].
    pub waiter: usize,
    /// Each parameter of the polled operation the link fills, in the spec's order.
    pub params: Vec<(String, LinkSource)>,
    pub pointer: String,
}

/// Where a linked parameter's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkSource {
    /// `$request.path.X`, `$request.query.X`: the starting call's parameter `X`.
    Request(String),
    /// `$response.body#/pointer`: a value of the starting call's answer.
    Response(String),
}

/// Reads and checks every response link of the document; `api` is the lowered rest of it
/// (waiters included).
pub fn lower(loaded: &Loaded, api: &Api) -> Result<Vec<WaitLink>, Error> {
    let source = &loaded.source;
    let mut links = Vec::new();
    for (path, item) in &loaded.doc.paths.paths {
        let ReferenceOr::Item(item) = item else { continue };
        let path_at = pointer("#/paths", path);
        for (method, op) in item.iter() {
            let op_at = pointer(&path_at, method);
            let Some(index) = api.operations.iter().position(|o| o.pointer == op_at) else { continue };
            for (status, response) in &op.responses.responses {
                let ReferenceOr::Item(response) = response else { continue };
                let status_at = pointer(&pointer(&op_at, "responses"), &status.to_string());
                for (name, link) in &response.links {
                    let at = pointer(&pointer(&status_at, "links"), name);
                    let fail = |message: String| source.error(&at, format!("link {name:?}: {message}"));
                    let ReferenceOr::Item(link) = link else {
                        return Err(fail("a `$ref` link is not supported; write the link in place".to_owned()));
                    };
                    links.push(check(api, index, name, link, &at).map_err(fail)?);
                }
            }
        }
    }
    Ok(links)
}

fn check(api: &Api, index: usize, name: &str, link: &openapiv3::Link, at: &str) -> Result<WaitLink, String> {
    let waiter = api
        .waiters
        .iter()
        .position(|w| w.name == name)
        .ok_or_else(|| "names no waiter; a link's name is the waiter (`x-atlas-waiters`) that follows the job".to_owned())?;
    let polled = &api.operations[api.waiters[waiter].operation];
    match &link.operation {
        LinkOperation::OperationId(id) if *id == polled.operation_id => {}
        LinkOperation::OperationId(id) => {
            return Err(format!("links to `{id}`, but waiter {name:?} polls `{}`", polled.operation_id));
        }
        // A local reference to the operation (`#/paths/~1api~1.../get`): what an overlay
        // writes, since a path outlives an operationId that upstream renames.
        LinkOperation::OperationRef(r) if *r == polled.pointer => {}
        LinkOperation::OperationRef(r) => {
            return Err(format!("`operationRef` {r} is not `{}`, the operation waiter {name:?} polls", polled.pointer));
        }
    }
    let mut params = Vec::new();
    for (key, value) in &link.parameters {
        // A name may be qualified with its location (`path.snapshotId`).
        let target = ["path.", "query.", "header."].iter().find_map(|p| key.strip_prefix(p)).unwrap_or(key);
        if !polled.params.iter().any(|p| p.name == target) {
            return Err(format!("`{target}` is not a parameter of `{}`", polled.operation_id));
        }
        let expression = value.as_str().ok_or_else(|| format!("the value of `{key}` must be a runtime expression"))?;
        params.push((target.to_owned(), source(api, index, expression)?));
    }
    for p in polled.params.iter().filter(|p| p.required) {
        if !params.iter().any(|(n, _)| *n == p.name) {
            return Err(format!("does not fill `{}`, a required parameter of `{}`", p.name, polled.operation_id));
        }
    }
    Ok(WaitLink { operation: index, waiter, params, pointer: at.to_owned() })
}

/// The source of one runtime expression, checked against the starting operation.
fn source(api: &Api, index: usize, expression: &str) -> Result<LinkSource, String> {
    let start = &api.operations[index];
    for (prefix, location) in [("$request.path.", ParamLocation::Path), ("$request.query.", ParamLocation::Query)] {
        if let Some(name) = expression.strip_prefix(prefix) {
            return if start.params.iter().any(|p| p.name == name && p.location == location) {
                Ok(LinkSource::Request(name.to_owned()))
            } else {
                Err(format!("`{expression}`: `{}` has no such parameter", start.operation_id))
            };
        }
    }
    if let Some(ptr) = expression.strip_prefix("$response.body#") {
        let ResponseKind::Json(ty) = &start.response else {
            return Err(format!("`{expression}`: `{}` answers no JSON body", start.operation_id));
        };
        return if reaches(api, ty, &crate::error::pointer_segments(&format!("#{ptr}")), 0) {
            Ok(LinkSource::Response(ptr.to_owned()))
        } else {
            Err(format!("`{expression}`: no such value in the answer of `{}`", start.operation_id))
        };
    }
    Err(format!("`{expression}` is not supported; use `$request.path.NAME`, `$request.query.NAME` or `$response.body#/POINTER`"))
}

/// Whether the JSON pointer `segments` names a value of type `ty`.
fn reaches(api: &Api, ty: &TypeRef, segments: &[String], depth: usize) -> bool {
    let Some((first, rest)) = segments.split_first() else { return true };
    if depth > 64 {
        return false;
    }
    match ty {
        TypeRef::Vec(inner) => first.parse::<usize>().is_ok() && reaches(api, inner, rest, depth + 1),
        TypeRef::Map(inner) => reaches(api, inner, rest, depth + 1),
        TypeRef::Json => true,
        TypeRef::Named(id) => match &api.ty(*id).kind {
            TypeKind::Struct(s) => match s.fields.iter().find(|f| f.json_name == *first) {
                Some(f) => reaches(api, &f.ty, rest, depth + 1),
                None => s.additional.as_ref().is_some_and(|a| reaches(api, a, rest, depth + 1)),
            },
            TypeKind::Alias(inner) => reaches(api, inner, segments, depth + 1),
            TypeKind::Tagged(t) => t.variants.iter().any(|v| reaches(api, &TypeRef::Named(v.ty), segments, depth + 1)),
            TypeKind::Untagged(u) => u.variants.iter().any(|v| reaches(api, &v.ty, segments, depth + 1)),
            TypeKind::Enum(_) | TypeKind::IntEnum(_) => false,
        },
        _ => false,
    }
}
