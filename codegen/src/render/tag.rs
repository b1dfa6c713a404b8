//! The file of one tag (`operations/<tag>.rs`, `mock/<tag>.rs`): its items under a module
//! doc naming the tag and its cargo feature.

use std::collections::BTreeSet;

use super::features::{self, Features};
use super::{Piece, docs, print_file};
use crate::error::Error;
use crate::ir::Operation;

/// What differs between the files of a tag: the kind of file and its items, rendered.
pub(crate) struct TagFile<'a> {
    /// The tag's operations (they name the module and the tag).
    pub ops: &'a [&'a Operation],
    /// The kind of file, for errors (`operations`, `mock`).
    pub what: &'static str,
    /// The module doc's opening words, which the tag's name ends (`Operations tagged`).
    pub doc: &'static str,
    /// The items, in file order.
    pub pieces: Vec<Piece>,
}

/// The pieces of `ops`, one per operation, each rendered by `render` from `template`.
pub(crate) fn operation_pieces(
    ops: &[&Operation],
    template: &'static str,
    render: impl Fn(&Operation) -> Result<String, Error>,
) -> Result<Vec<Piece>, Error> {
    ops.iter()
        .map(|op| Ok(Piece { text: render(op)?, template, item: format!("operation {} ({})", op.operation_id, op.pointer) }))
        .collect()
}

/// The file of one tag: `file`'s items under a module doc of its words, the tag and the
/// tag's cargo feature.
pub(crate) fn tag_module(file: TagFile<'_>, features: &Features) -> Result<String, Error> {
    let module = file.ops.first().map_or("", |o| o.module.as_str());
    let tag = file.ops.first().map(|o| o.tag.as_str()).unwrap_or_default();
    let mut doc = format!(" {} `{tag}`.", file.doc);
    if let Some(feature) = features.of_tag_module(module) {
        doc.push(' ');
        doc.push_str(&features::doc_note(&BTreeSet::from([feature.to_owned()])));
    }
    let inner = format!("#![doc = {}]\n#![allow(deprecated)]\n", docs::literal(&doc));
    print_file(&inner, &file.pieces, file.what, module)
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn the_module_doc_names_the_tag_and_its_feature() {
        let paths = "  /a:\n    get:\n      tags: [Cloud Backups]\n      operationId: getA\n      responses: {'204': {description: none}}";
        let api = testing::api(&testing::spec(paths, ""));
        let features = Features::new(&api);
        let ops: Vec<&Operation> = api.operations.iter().collect();
        let pieces = operation_pieces(&ops, "t", |op| Ok(format!("pub struct {};", op.builder_ident))).expect("renders");
        let text = tag_module(TagFile { ops: &ops, what: "operations", doc: "Operations tagged", pieces }, &features).expect("prints");
        assert!(text.starts_with("//! Operations tagged `Cloud Backups`. Needs the cargo feature `cloud-backups`"), "{text}");
        assert!(text.contains("pub struct GetA;"), "{text}");
    }
}
