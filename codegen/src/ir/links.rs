//! Which waiter follows the job an operation starts, from the spec's OpenAPI 3.0 response
//! `links`: on the starting operation's success response, a link named after a waiter
//! (`x-atlas-waiters`) to the operation that waiter polls, with each of its parameters
//! taken from the request (`$request.path.groupId`) or the answer (`$response.body#/id`).
//! Checked here, at generation, like the waiter tables: a link that could not fill the
//! polled operation's parameters is an error naming the file, pointer and line of the
//! offending node. Links usually come from the overlay (`spec/atlas-backup.overlay.yaml`),
//! so errors go through [`Loaded::error`], which names the overlay file and its line when
//! an overlay action brought the node in.

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
                    // Point at the node at fault (`.../parameters/snapshotId`), not the whole link.
                    let fail = |(node, message): Refusal| {
                        let node_at = node.iter().fold(at.clone(), |at, s| pointer(&at, s));
                        loaded.error(&node_at, format!("link {name:?}: {message}"))
                    };
                    let ReferenceOr::Item(link) = link else {
                        return Err(fail((vec![], "a `$ref` link is not supported; write the link in place".to_owned())));
                    };
                    links.push(check(api, index, name, link, &at).map_err(fail)?);
                }
            }
        }
    }
    Ok(links)
}

/// Why a link is refused: the path below the link to the node at fault, and the message.
type Refusal = (Vec<String>, String);

fn check(api: &Api, index: usize, name: &str, link: &openapiv3::Link, at: &str) -> Result<WaitLink, Refusal> {
    let waiter = api.waiters.iter().position(|w| w.name == name).ok_or_else(|| {
        let known: Vec<&str> = api.waiters.iter().map(|w| w.name.as_str()).collect();
        (
            vec![],
            format!(
                "names no waiter; a link's name is the waiter (`x-atlas-waiters`) that follows the job (waiters: {})",
                known.join(", ")
            ),
        )
    })?;
    let polled = &api.operations[api.waiters[waiter].operation];
    match &link.operation {
        LinkOperation::OperationId(id) if *id == polled.operation_id => {}
        LinkOperation::OperationId(id) => {
            return Err((vec!["operationId".to_owned()], format!("links to `{id}`, but waiter {name:?} polls `{}`", polled.operation_id)));
        }
        // A local reference to the operation (`#/paths/~1api~1.../get`): what an overlay
        // writes, since a path outlives an operationId that upstream renames.
        LinkOperation::OperationRef(r) if *r == polled.pointer => {}
        LinkOperation::OperationRef(r) => {
            return Err((
                vec!["operationRef".to_owned()],
                format!("`operationRef` {r} is not `{}`, the operation waiter {name:?} polls", polled.pointer),
            ));
        }
    }
    let mut params = Vec::new();
    for (key, value) in &link.parameters {
        let fail = |message: String| (vec!["parameters".to_owned(), key.clone()], message);
        // A name may be qualified with its location (`path.snapshotId`).
        let target = ["path.", "query.", "header."].iter().find_map(|p| key.strip_prefix(p)).unwrap_or(key);
        if !polled.params.iter().any(|p| p.name == target) {
            return Err(fail(format!("`{target}` is not a parameter of `{}`", polled.operation_id)));
        }
        let expression = value.as_str().ok_or_else(|| fail(format!("the value of `{key}` must be a runtime expression")))?;
        params.push((target.to_owned(), source(api, index, expression).map_err(fail)?));
    }
    for p in polled.params.iter().filter(|p| p.required) {
        if !params.iter().any(|(n, _)| *n == p.name) {
            return Err((
                vec!["parameters".to_owned()],
                format!("does not fill `{}`, a required parameter of `{}`", p.name, polled.operation_id),
            ));
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::load::overlay::Overlay;

    /// A spec where `take` (POST) starts a job that waiter `done` follows by polling
    /// `getSnap` (GET); `links` is the YAML of `take`'s 200 response links, indented by 12.
    fn spec(links: &str) -> String {
        format!(
            r#"openapi: 3.0.1
info: {{title: T, version: '1'}}
paths:
  /g/{{groupId}}/snaps:
    post:
      operationId: take
      parameters:
        - {{name: groupId, in: path, required: true, schema: {{type: string}}}}
        - {{name: pretty, in: query, schema: {{type: boolean}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Snap'}}
          links:
{links}
  /g/{{groupId}}/snaps/{{snapshotId}}:
    get:
      operationId: getSnap
      parameters:
        - {{name: groupId, in: path, required: true, schema: {{type: string}}}}
        - {{name: snapshotId, in: path, required: true, schema: {{type: string}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Snap'}}
      x-atlas-waiters:
        - name: done
          minDelay: 1
          maxDelay: 2
          acceptors:
            - {{state: success, matcher: {{status: 200}}}}
components:
  schemas:
    Snap:
      type: object
      properties:
        id: {{type: string}}
        parts: {{type: array, items: {{type: object, properties: {{name: {{type: string}}}}}}}}
"#
        )
    }

    const POLLED: &str = "'#/paths/~1g~1{groupId}~1snaps~1{snapshotId}/get'";

    fn lower_with(text: &str, overlay: Option<&Overlay>) -> Result<Vec<WaitLink>, Error> {
        let loaded = crate::load::parse_with(Path::new("t.yaml"), text.as_bytes(), overlay)?;
        let api = super::super::lower::lower(&loaded)?;
        lower(&loaded, &api)
    }

    /// A link `name` with `operation` (`operationId: x` or `operationRef: ...`) and
    /// `params` (`groupId: $request.path.groupId` lines).
    fn link(name: &str, operation: &str, params: &[&str]) -> String {
        let mut s = format!("            {name}:\n              {operation}\n              parameters:\n");
        for p in params {
            s.push_str(&format!("                {p}\n"));
        }
        s
    }

    const GOOD: [&str; 2] = ["groupId: $request.path.groupId", "snapshotId: $response.body#/id"];

    fn refusal(name: &str, operation: &str, params: &[&str]) -> String {
        match lower_with(&spec(&link(name, operation, params)), None) {
            Ok(links) => panic!("expected a refusal, got {links:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_good_link_names_its_waiter_and_sources() {
        for operation in ["operationId: getSnap".to_owned(), format!("operationRef: {POLLED}")] {
            let links = lower_with(&spec(&link("done", &operation, &GOOD)), None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(links.len(), 1);
            assert_eq!(
                links[0].params,
                [
                    ("groupId".to_owned(), LinkSource::Request("groupId".to_owned())),
                    ("snapshotId".to_owned(), LinkSource::Response("/id".to_owned()))
                ]
            );
        }
    }

    #[test]
    fn a_link_that_names_no_waiter() {
        let m = refusal("finished", "operationId: getSnap", &GOOD);
        assert!(m.contains("t.yaml:") && m.contains("links/finished"), "{m}");
        assert!(m.contains("link \"finished\": names no waiter") && m.contains("waiters: done"), "{m}");
    }

    #[test]
    fn a_link_to_another_operation_by_id() {
        let m = refusal("done", "operationId: take", &GOOD);
        assert!(m.contains("links/done/operationId"), "{m}");
        assert!(m.contains("links to `take`, but waiter \"done\" polls `getSnap`"), "{m}");
    }

    #[test]
    fn a_link_to_another_operation_by_ref() {
        let m = refusal("done", "operationRef: '#/paths/~1g~1{groupId}~1snaps/post'", &GOOD);
        assert!(m.contains("links/done/operationRef"), "{m}");
        assert!(m.contains("is not `#/paths/~1g~1{groupId}~1snaps~1{snapshotId}/get`, the operation waiter \"done\" polls"), "{m}");
    }

    #[test]
    fn a_required_parameter_left_unfilled() {
        let m = refusal("done", "operationId: getSnap", &GOOD[..1]);
        assert!(m.contains("links/done/parameters"), "{m}");
        assert!(m.contains("does not fill `snapshotId`, a required parameter of `getSnap`"), "{m}");
    }

    #[test]
    fn an_unknown_parameter() {
        let m = refusal("done", "operationId: getSnap", &[GOOD[0], GOOD[1], "path.clusterName: $request.path.groupId"]);
        assert!(m.contains("links/done/parameters/path.clusterName"), "{m}");
        assert!(m.contains("`clusterName` is not a parameter of `getSnap`"), "{m}");
    }

    #[test]
    fn an_unsupported_expression() {
        for expression in ["$request.header.X", "$url", "'{$response.body#/id}'"] {
            let m = refusal("done", "operationId: getSnap", &[GOOD[0], &format!("snapshotId: {expression}")]);
            assert!(m.contains("links/done/parameters/snapshotId"), "{m}");
            assert!(m.contains("is not supported; use `$request.path.NAME`"), "{m}");
        }
    }

    #[test]
    fn a_value_that_is_not_an_expression() {
        let m = refusal("done", "operationId: getSnap", &[GOOD[0], "snapshotId: 12"]);
        assert!(m.contains("the value of `snapshotId` must be a runtime expression"), "{m}");
    }

    #[test]
    fn a_response_pointer_the_answer_lacks() {
        for pointer in ["/snapshotId", "/parts/x/name", "/id/more"] {
            let m = refusal("done", "operationId: getSnap", &[GOOD[0], &format!("snapshotId: $response.body#{pointer}")]);
            assert!(m.contains(&format!("`$response.body#{pointer}`: no such value in the answer of `take`")), "{m}");
        }
        // An item of a list is reached by its index.
        let ok = lower_with(&spec(&link("done", "operationId: getSnap", &[GOOD[0], "snapshotId: $response.body#/parts/0/name"])), None);
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn a_request_parameter_the_start_lacks() {
        let m = refusal("done", "operationId: getSnap", &["groupId: $request.path.projectId", GOOD[1]]);
        assert!(m.contains("links/done/parameters/groupId"), "{m}");
        assert!(m.contains("`$request.path.projectId`: `take` has no such parameter"), "{m}");
        // A query parameter is not a path parameter.
        let m = refusal("done", "operationId: getSnap", &["groupId: $request.path.pretty", GOOD[1]]);
        assert!(m.contains("`take` has no such parameter"), "{m}");
    }

    #[test]
    fn a_ref_link_is_refused() {
        let m = match lower_with(&spec("            done: {$ref: '#/components/links/Done'}\n"), None) {
            Ok(links) => panic!("expected a refusal, got {links:?}"),
            Err(e) => e.to_string(),
        };
        assert!(m.contains("a `$ref` link is not supported"), "{m}");
    }

    /// A link an overlay brought in is reported in the overlay file, at its line.
    #[test]
    fn a_refused_link_from_the_overlay_names_the_overlay_file_and_line() {
        let overlay = r#"overlay: 1.0.0
info: {title: O, version: '1'}
actions:
  - target: $.paths['/g/{groupId}/snaps'].post.responses['200']
    update:
      links:
        done:
          operationId: getSnap
          parameters:
            groupId: $request.path.groupId
            snapshotId: $response.body#/snapshotId
"#;
        let overlay = Overlay::parse(Path::new("o.overlay.yaml"), overlay.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        // The spec's response has no links of its own.
        let text = spec("            {}\n").replace("          links:\n            {}\n", "");
        let m = match lower_with(&text, Some(&overlay)) {
            Ok(links) => panic!("expected a refusal, got {links:?}"),
            Err(e) => e.to_string(),
        };
        assert!(m.starts_with("o.overlay.yaml:11:"), "{m}");
        assert!(m.contains("#/actions/0/update/links/done/parameters/snapshotId"), "{m}");
        assert!(m.contains("no such value in the answer of `take`"), "{m}");
    }
}
