//! `src/lib.rs` of the generated crate: the crate's documentation, its modules (from
//! `lib.askama`) and the error model the runtime decodes error bodies into.

use askama::Template;

use super::features::Features;
use super::{docs, ident, print_text, render_template};
use crate::error::Error;
use crate::ir::{Api, TypeRef};

#[derive(Template)]
#[template(path = "lib.askama", escape = "none")]
struct LibTemplate {
    crate_doc: String,
    doc_cfg: &'static str,
    partial_build: String,
    mock_cfg: String,
    error_model: String,
    error_details: String,
}

pub(super) fn lib_rs(api: &Api, features: &Features) -> Result<String, Error> {
    let mut doc = format!("Rust client of the {}.", api.title);
    if let Some(d) = &api.description {
        doc.push_str("\n\n");
        doc.push_str(d);
    }
    let crate_doc = docs::lines(&doc)
        .iter()
        .map(|l| format!("#![doc = {}]\n", docs::literal(&if l.is_empty() { String::new() } else { format!(" {l}") })))
        .collect::<String>();
    let (error_model, error_details) = match api.error_model {
        Some(id) => {
            let t = api.ty(id);
            let ty = format!("models::{}", ident(&t.ident));
            let mut methods = String::new();
            if let crate::ir::TypeKind::Struct(s) = &t.kind {
                for (json, method) in [("errorCode", "error_code"), ("detail", "detail")] {
                    if let Some(f) = s.fields.iter().find(|f| f.json_name == json && f.ty == TypeRef::String) {
                        let access = if f.required && !f.nullable {
                            format!("Some(self.{}.as_str())", ident(&f.ident))
                        } else {
                            format!("self.{}.as_deref()", ident(&f.ident))
                        };
                        methods.push_str(&format!("fn {method}(&self) -> Option<&str> {{ {access} }}\n"));
                    }
                }
            }
            let details = format!("impl error::ErrorDetails for {ty} {{ {methods} }}");
            (ty, details)
        }
        None => ("serde_json::Value".to_owned(), String::new()),
    };
    let t = LibTemplate {
        crate_doc,
        doc_cfg: super::features::DOC_CFG,
        partial_build: features.partial_build_allow(),
        mock_cfg: features.mock_cfg(),
        error_model,
        error_details,
    };
    let text = render_template(&t, "lib.askama", "the crate root")?;
    print_text(&text, "lib.askama", "the crate root")
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    fn lib_of(error_schema: &str) -> String {
        let paths = "  /a:\n    get:\n      operationId: getA\n      responses:\n        '204': {description: none}\n        '404': {description: gone, content: {application/json: {schema: {$ref: '#/components/schemas/ApiError'}}}}";
        let api = testing::api(&testing::spec(paths, error_schema));
        let features = Features::new(&api);
        assert!(api.error_model.is_some(), "the error responses name the error model");
        lib_rs(&api, &features).expect("renders")
    }

    /// The runtime reads `errorCode` and `detail` of the error model through
    /// `ErrorDetails`, each as the field's optionality says.
    #[test]
    fn the_error_model_gives_its_code_and_detail() {
        let text = lib_of(
            "    ApiError:\n      type: object\n      required: [errorCode]\n      properties:\n        errorCode: {type: string}\n        detail: {type: string}",
        );
        assert!(text.contains("impl error::ErrorDetails for models::ApiError"), "{text}");
        assert!(text.contains("Some(self.error_code.as_str())"), "{text}");
        assert!(text.contains("self.detail.as_deref()"), "{text}");
    }

    /// A field of another type is not read as a code.
    #[test]
    fn an_error_code_that_is_not_a_string_is_left_out() {
        let text = lib_of(
            "    ApiError:\n      type: object\n      properties:\n        errorCode: {type: integer}\n        detail: {type: string}",
        );
        assert!(!text.contains("fn error_code"), "{text}");
        assert!(text.contains("fn detail"), "{text}");
    }
}
