//! Local `$ref`s to `#/components/<section>/NAME` of the document, resolved one way for
//! every reader (the IR's lowering, drift), each with the JSON pointer of what it found.

use indexmap::IndexMap;
use openapiv3::{Components, OpenAPI, Parameter, ReferenceOr, RequestBody, Response};

use crate::error::pointer;

/// A section of `#/components` that `$ref`s name items of.
pub struct Section<T: 'static> {
    /// The section's key (`responses`).
    pub key: &'static str,
    /// What an item is called in messages (`response`).
    pub what: &'static str,
    pub items: fn(&Components) -> &IndexMap<String, ReferenceOr<T>>,
}

pub const PARAMETERS: Section<Parameter> = Section { key: "parameters", what: "parameter", items: |c| &c.parameters };
pub const REQUEST_BODIES: Section<RequestBody> = Section { key: "requestBodies", what: "request body", items: |c| &c.request_bodies };
pub const RESPONSES: Section<Response> = Section { key: "responses", what: "response", items: |c| &c.responses };

/// A `$ref` that names nothing usable: where (the `$ref`'s pointer) and why.
#[derive(Debug)]
pub struct Dangling {
    pub at: String,
    pub message: String,
}

/// The item `r` is, or the component of `section` its `$ref` names, with its pointer: `at`
/// for an inline item, the component's own for a `$ref`. A `$ref` outside the section, to
/// a missing component or to a component that is itself a `$ref` is [`Dangling`].
pub fn resolve<'a, T>(doc: &'a OpenAPI, section: &Section<T>, r: &'a ReferenceOr<T>, at: &str) -> Result<(&'a T, String), Dangling> {
    let reference = match r {
        ReferenceOr::Item(item) => return Ok((item, at.to_owned())),
        ReferenceOr::Reference { reference } => reference,
    };
    let parent = format!("#/components/{}", section.key);
    let name = reference.strip_prefix(parent.as_str()).and_then(|rest| rest.strip_prefix('/'));
    match (name, name.and_then(|n| (section.items)(doc.components.as_ref()?).get(n))) {
        (Some(n), Some(ReferenceOr::Item(item))) => Ok((item, pointer(&parent, n))),
        _ => Err(Dangling {
            at: pointer(at, "$ref"),
            message: format!("dangling $ref {reference:?}: no such {} under {parent}", section.what),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> OpenAPI {
        let yaml = "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  responses:\n    Ok: {description: ok}\n    Again: {$ref: '#/components/responses/Ok'}\n";
        match serde_yaml::from_str(yaml) {
            Ok(doc) => doc,
            Err(e) => panic!("{e}"),
        }
    }

    fn to(reference: &str) -> ReferenceOr<Response> {
        ReferenceOr::Reference { reference: reference.to_owned() }
    }

    #[test]
    fn items_stay_where_they_are_and_refs_point_at_the_component() {
        let doc = doc();
        let inline = ReferenceOr::Item(Response::default());
        assert_eq!(resolve(&doc, &RESPONSES, &inline, "#/x").map(|(_, at)| at).ok().as_deref(), Some("#/x"));
        let ok = to("#/components/responses/Ok");
        let found = resolve(&doc, &RESPONSES, &ok, "#/x");
        assert_eq!(found.map(|(r, at)| (r.description.clone(), at)).ok(), Some(("ok".to_owned(), "#/components/responses/Ok".to_owned())));
    }

    #[test]
    fn a_ref_to_nothing_usable_is_dangling_at_its_pointer() {
        let doc = doc();
        for reference in
            ["#/components/responses/Missing", "#/components/responses/Again", "#/components/responsesOk", "#/components/parameters/Ok"]
        {
            match resolve(&doc, &RESPONSES, &to(reference), "#/x") {
                Ok(_) => panic!("{reference} resolved"),
                Err(d) => {
                    assert_eq!(d.at, "#/x/$ref");
                    assert!(d.message.contains("no such response under #/components/responses"), "{}", d.message);
                }
            }
        }
    }
}
