//! Bodies and answers: the request body, the success response per media type (Atlas
//! versions), the other answers (checked to resolve) and the API's error model.

use std::collections::BTreeMap;

use openapiv3::{ReferenceOr, StatusCode};

use super::media::{atlas_version, is_json, is_preview, newest_json};
use super::{Lowerer, SCHEMAS};
use crate::error::{Error, pointer};
use crate::ir::*;
use crate::load::refs::{self, REQUEST_BODIES, RESPONSES, Section};

impl<'a> Lowerer<'a> {
    /// The request body of the operation at `at`, in its newest JSON media type (or as
    /// bytes when it has none).
    pub(super) fn request_body(&mut self, op: &'a openapiv3::Operation, base: &str, owner: &str, at: &str) -> Result<Option<Body>, Error> {
        Ok(match &op.request_body {
            None => None,
            Some(rb) => {
                let rb_at = pointer(at, "requestBody");
                let (rb, rb_at) = self.component(&REQUEST_BODIES, rb, &rb_at)?;
                match newest_json(&rb.content) {
                    Some((mt, media)) => {
                        let schema_at = pointer(&pointer(&pointer(&rb_at, "content"), mt), "schema");
                        let ty = match &media.schema {
                            Some(s) => self.use_schema(s, &format!("{base}Request"), owner, &schema_at)?,
                            None => TypeRef::Json,
                        };
                        Some(Body { media_type: mt.clone(), ty, required: rb.required, doc: rb.description.clone() })
                    }
                    None => rb.content.first().map(|(mt, _)| Body {
                        media_type: mt.clone(),
                        ty: TypeRef::Bytes,
                        required: rb.required,
                        doc: rb.description.clone(),
                    }),
                }
            }
        })
    }

    /// Every answer but the success one must resolve too, though only its status is used.
    pub(super) fn check_other_responses(&self, op: &'a openapiv3::Operation, at: &str) -> Result<(), Error> {
        let responses_at = pointer(at, "responses");
        for (code, r) in &op.responses.responses {
            let (r, r_at) = self.response(r, &pointer(&responses_at, &code.to_string()))?;
            for (mt, media) in &r.content {
                if let Some(ReferenceOr::Reference { reference }) = &media.schema {
                    self.resolve_ref(reference, &pointer(&pointer(&pointer(&r_at, "content"), mt), "schema"))?;
                }
            }
        }
        Ok(())
    }

    pub(super) fn response(&self, r: &'a ReferenceOr<openapiv3::Response>, at: &str) -> Result<(&'a openapiv3::Response, String), Error> {
        self.component(&RESPONSES, r, at)
    }

    /// The item `r` is or the component its `$ref` names, with its pointer.
    fn component<T>(&self, section: &Section<T>, r: &'a ReferenceOr<T>, at: &str) -> Result<(&'a T, String), Error> {
        refs::resolve(self.doc, section, r, at).map_err(|d| self.source.error(&d.at, d.message))
    }

    pub(super) fn success_response(
        &mut self,
        op: &'a openapiv3::Operation,
        base: &str,
        owner: &str,
        at: &str,
    ) -> Result<(u16, ResponseKind, Vec<ApiVersion>), Error> {
        let success = op.responses.responses.iter().find_map(|(code, r)| match code {
            StatusCode::Code(c) if (200..300).contains(c) => Some((*c, r)),
            StatusCode::Range(2) => Some((200, r)),
            _ => None,
        });
        let Some((status, r)) = success else {
            return Ok((200, ResponseKind::Empty, Vec::new()));
        };
        let r_at = pointer(&pointer(at, "responses"), &status.to_string());
        let (r, r_at) = self.response(r, &r_at)?;
        let mut media: Vec<(&String, &openapiv3::MediaType)> = r.content.iter().collect();
        media.sort_by(|a, b| atlas_version(a.0).cmp(&atlas_version(b.0)).then_with(|| a.0.cmp(b.0)));
        let several = media.iter().filter(|(mt, _)| is_json(mt)).count() > 1;
        let mut versions = Vec::with_capacity(media.len());
        for (mt, m) in media {
            let date = atlas_version(mt).map(str::to_owned);
            let response = if status == 204 {
                ResponseKind::Empty
            } else if is_json(mt) {
                match &m.schema {
                    Some(s) => {
                        let s_at = pointer(&pointer(&pointer(&r_at, "content"), mt), "schema");
                        // Inline answers of older versions get the version in their name.
                        let hint = match (&date, several) {
                            (Some(d), true) => format!("{base}Response{}", d.replace('-', "")),
                            _ => format!("{base}Response"),
                        };
                        ResponseKind::Json(self.use_schema(s, &hint, owner, &s_at)?)
                    }
                    None => ResponseKind::Json(TypeRef::Json),
                }
            } else {
                ResponseKind::Bytes
            };
            let sunset = m.extensions.get("x-sunset").and_then(serde_json::Value::as_str).map(str::to_owned);
            versions.push(ApiVersion {
                media_type: mt.clone(),
                date,
                sunset,
                preview: is_preview(mt),
                response,
                marker_ident: String::new(),
            });
        }
        if status == 204 || versions.is_empty() {
            return Ok((status, ResponseKind::Empty, versions));
        }
        // The newest JSON media type decides the default answer.
        let newest = newest_json(&r.content).map(|(mt, _)| mt);
        let kind = versions.iter().find(|v| Some(&v.media_type) == newest).map_or(ResponseKind::Bytes, |v| v.response.clone());
        Ok((status, kind, versions))
    }

    /// The schema that most error responses use.
    pub(super) fn error_model(&self) -> Option<TypeId> {
        let mut counts: BTreeMap<TypeId, usize> = BTreeMap::new();
        let doc = self.doc;
        let mut count = |r: &ReferenceOr<openapiv3::Response>| {
            // A dangling `$ref` is reported where the response is lowered; here it counts for nothing.
            let r = refs::resolve(doc, &RESPONSES, r, "").ok().map(|(r, _)| r);
            for media in r.iter().flat_map(|r| r.content.values()) {
                if let Some(ReferenceOr::Reference { reference }) = &media.schema
                    && let Some(id) = reference.strip_prefix(SCHEMAS).and_then(|n| self.components.get(n))
                {
                    *counts.entry(*id).or_default() += 1;
                }
            }
        };
        for (_, _, op) in self.doc.operations() {
            for (code, r) in &op.responses.responses {
                if !matches!(code, StatusCode::Code(c) if *c < 400) && !matches!(code, StatusCode::Range(r) if *r < 4) {
                    count(r);
                }
            }
            if let Some(r) = &op.responses.default {
                count(r);
            }
        }
        counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(id, _)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_spec::{err, ok, ty};
    use super::*;

    #[test]
    fn the_newest_json_version_decides_the_answer_and_older_inline_ones_are_named_by_date() {
        let api = ok(
            "paths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/vnd.atlas.2023-01-01+json:\n              schema: {type: object, properties: {old: {type: string}}}\n            application/vnd.atlas.2024-05-30+json:\n              schema: {type: object, properties: {new: {type: string}}}\n            application/vnd.atlas.2024-05-30+csv:\n              schema: {type: string}\n",
        );
        let op = &api.operations[0];
        assert_eq!(op.success_status, 200);
        let dates: Vec<Option<&str>> = op.versions.iter().map(|v| v.date.as_deref()).collect();
        assert_eq!(dates, [Some("2023-01-01"), Some("2024-05-30"), Some("2024-05-30")]);
        let csv = op.versions.iter().find(|v| v.media_type.ends_with("+csv")).expect("csv");
        assert!(matches!(csv.response, ResponseKind::Bytes));
        let newest = api.types.iter().position(|t| t.wanted_name == "GetAResponse20240530").expect("dated name");
        assert!(matches!(&op.response, ResponseKind::Json(TypeRef::Named(id)) if id.0 == newest));
        assert!(api.types.iter().any(|t| t.wanted_name == "GetAResponse20230101"));
    }

    #[test]
    fn every_version_keeps_its_sunset_and_preview_sorts_first_so_the_newest_stable_is_last() {
        let api = ok(
            "paths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/vnd.atlas.2025-03-12+json:\n              schema: {type: string}\n            application/vnd.atlas.preview+json:\n              x-sunset: '2026-08-10'\n              schema: {type: string}\n            application/vnd.atlas.2023-01-01+json:\n              x-sunset: '2027-07-01'\n              schema: {type: integer}\n",
        );
        let op = &api.operations[0];
        let seen: Vec<(Option<&str>, bool, Option<&str>)> =
            op.versions.iter().map(|v| (v.date.as_deref(), v.preview, v.sunset.as_deref())).collect();
        assert_eq!(
            seen,
            [(None, true, Some("2026-08-10")), (Some("2023-01-01"), false, Some("2027-07-01")), (Some("2025-03-12"), false, None)]
        );
        assert!(matches!(op.response, ResponseKind::Json(TypeRef::String)), "the default answer is the newest stable version's");
        assert!(op.is_versioned());
    }

    #[test]
    fn no_content_is_empty_and_a_non_json_body_is_bytes() {
        let api = ok(
            "paths:\n  /a:\n    post:\n      operationId: upload\n      requestBody:\n        required: true\n        content:\n          application/gzip: {}\n      responses:\n        '204': {description: none}\n        '404': {description: missing}\n      default: {description: error}\n",
        );
        let op = &api.operations[0];
        assert!(matches!(op.response, ResponseKind::Empty));
        let body = op.body.as_ref().expect("body");
        assert_eq!((body.media_type.as_str(), &body.ty, body.required), ("application/gzip", &TypeRef::Bytes, true));
        assert_eq!(op.error_statuses, ["404"]);
    }

    #[test]
    fn a_request_body_ref_resolves_and_a_dangling_one_is_refused() {
        let good = "paths:\n  /a:\n    post:\n      operationId: make\n      requestBody:\n        $ref: '#/components/requestBodies/Make'\n      responses:\n        '204': {description: none}\ncomponents:\n  requestBodies:\n    Make:\n      content:\n        application/json:\n          schema: {type: object, properties: {n: {type: integer}}}\n";
        let api = ok(good);
        assert!(
            matches!(&api.operations[0].body, Some(Body { ty: TypeRef::Named(id), .. }) if api.types[id.0].wanted_name == "MakeRequest")
        );
        let message = err(&good.replace("requestBodies/Make'", "requestBodies/Nope'"));
        assert!(message.contains("#/paths/~1a/post/requestBody/$ref") && message.contains("no such request body"), "{message}");
    }

    #[test]
    fn the_error_model_is_the_schema_most_error_answers_use() {
        let api = ok(
            "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Ok'}}}}\n        '400': {description: bad, content: {application/json: {schema: {$ref: '#/components/schemas/ApiError'}}}}\n        '500': {description: bad, content: {application/json: {schema: {$ref: '#/components/schemas/ApiError'}}}}\ncomponents:\n  schemas:\n    Ok: {type: object, properties: {x: {type: string}}}\n    ApiError: {type: object, properties: {detail: {type: string}}}\n",
        );
        assert_eq!(api.error_model.map(|id| api.types[id.0].wanted_name.as_str()), Some("ApiError"));
        assert_eq!(ty(&api, "ApiError").pointer, "#/components/schemas/ApiError");
    }
}
