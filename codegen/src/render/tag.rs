//! The file of one tag (`operations/<tag>.rs`, `mock/<tag>.rs`): its items under a module
//! doc naming the tag and its cargo feature.

use super::features::{self, Features};
use super::{Piece, docs, print_file};
use crate::error::Error;
use crate::ir::Operation;

/// The file of one tag: each operation's items from `render` (text of `template`), then the
/// items `after` adds (the waiters of these operations), under a module doc of `doc`
/// followed by the tag and its cargo feature; `what` names the kind of file in errors.
pub(crate) fn tag_module(
    ops: &[&Operation],
    features: &Features,
    what: &'static str,
    template: &'static str,
    doc: &str,
    render: impl Fn(&Operation) -> Result<String, Error>,
    after: impl FnOnce(&mut Vec<Piece>) -> Result<(), Error>,
) -> Result<String, Error> {
    let module = ops.first().map_or("", |o| o.module.as_str());
    let mut pieces = Vec::new();
    for op in ops {
        let text = render(op)?;
        pieces.push(Piece { text, template, item: format!("operation {} ({})", op.operation_id, op.pointer) });
    }
    after(&mut pieces)?;
    let tag = ops.first().map(|o| o.tag.as_str()).unwrap_or_default();
    let mut doc = format!(" {doc} `{tag}`.");
    if let Some(feature) = features.of_tag_module(module) {
        doc.push(' ');
        doc.push_str(&features::doc_note(&std::collections::BTreeSet::from([feature.to_owned()])));
    }
    let inner = format!("#![doc = {}]\n#![allow(deprecated)]\n", docs::literal(&doc));
    print_file(&inner, &pieces, what, module)
}
