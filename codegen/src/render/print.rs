//! Printing a generated file: each rendered item is parsed by `syn` on its own (so that
//! invalid text names its template and item) and printed by `prettyplease`, with the plain
//! inherent `impl` blocks of a type merged into one.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use super::timing;
use crate::error::Error;

/// `syn::parse_file`, timed.
fn parse_file(text: &str) -> syn::Result<syn::File> {
    timing::parse(|| syn::parse_file(text))
}

/// `prettyplease::unparse`, timed.
fn unparse(file: &syn::File) -> String {
    timing::print(|| prettyplease::unparse(file))
}

/// Parses a whole file's text and prints it formatted: for the files rendered in one piece
/// (module declarations, the crate root, tables); invalid text names `template` and `item`.
pub(crate) fn print_text(text: &str, template: &'static str, item: &str) -> Result<String, Error> {
    let file = check_item(text, template, item)?;
    restore(unparse(&file), template, item)
}

/// One rendered item of a file: its text, and the template and item it came from.
pub(crate) struct Piece {
    pub text: String,
    pub template: &'static str,
    pub item: String,
}

/// Parses a file's inner attributes and each of its items' text, and prints the file
/// formatted. Each item is parsed on its own, so that invalid text names its template and
/// item. (One `syn::parse_file` of the whole file, with a re-parse per item only on failure,
/// was measured: no fewer instructions, so it was not kept; README, Performance.)
///
/// Each piece is printed as soon as it is parsed, and its syntax tree dropped, so that no
/// more than one piece's tree is held (the whole file's had been the largest part of peak
/// memory, the two largest files being printed at once on two threads). prettyplease prints
/// a file's items one after the other with nothing between them, so the text is the same as
/// printing the file at once. The exception is the plain inherent `impl` blocks, which are
/// merged per type (see [`mergeable`]): they are kept and printed at the place of the
/// type's first block once the last piece is read.
pub(crate) fn print_file(inner: &str, pieces: &[Piece], template: &'static str, item: &str) -> Result<String, Error> {
    use quote::ToTokens;
    enum Part {
        Text(String),
        Impl(usize),
    }
    let head = parse_file(inner).map_err(|e| render_error(&e, inner, template, item))?;
    let mut parts = vec![Part::Text(unparse(&head))];
    let mut impls: Vec<syn::ItemImpl> = Vec::new();
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for piece in pieces {
        let file = check_item(&piece.text, piece.template, &piece.item)?;
        let mut run = items_file(Vec::new());
        for item in file.items {
            match item {
                syn::Item::Impl(block) if mergeable(&block) => {
                    if !run.items.is_empty() {
                        parts.push(Part::Text(unparse(&run)));
                        timing::parse(|| run.items.clear());
                    }
                    let key = block.self_ty.to_token_stream().to_string();
                    match first.get(&key).and_then(|&i| impls.get_mut(i)) {
                        Some(target) => target.items.extend(block.items),
                        None => {
                            first.insert(key, impls.len());
                            parts.push(Part::Impl(impls.len()));
                            impls.push(block);
                        }
                    }
                }
                other => run.items.push(other),
            }
        }
        if !run.items.is_empty() {
            parts.push(Part::Text(unparse(&run)));
        }
        // Freeing the tree is part of the cost of having parsed it.
        timing::parse(|| drop(run));
    }
    let mut out = String::new();
    let mut impls: Vec<Option<syn::ItemImpl>> = impls.into_iter().map(Some).collect();
    for part in parts {
        let text = match part {
            Part::Text(text) => text,
            Part::Impl(i) => match impls.get_mut(i).and_then(Option::take) {
                Some(block) => {
                    let file = items_file(vec![syn::Item::Impl(block)]);
                    let text = unparse(&file);
                    timing::parse(|| drop(file));
                    text
                }
                None => continue,
            },
        };
        // Printed alone, the inner attributes end without the line break that the first
        // item would have started with.
        if !out.is_empty() && !out.ends_with('\n') && !text.is_empty() {
            out.push('\n');
        }
        out.push_str(&text);
    }
    restore(out, template, item)
}

/// The printed text with its rows and doc comments in place ([`super::rows::restore`],
/// [`super::docs::restore`]).
fn restore(printed: String, template: &'static str, item: &str) -> Result<String, Error> {
    timing::print(|| super::rows::restore(printed).and_then(super::docs::restore)).map_err(|message| Error::Render {
        template,
        item: item.to_owned(),
        message,
    })
}

/// A file of only `items`, to print them.
fn items_file(items: Vec<syn::Item>) -> syn::File {
    syn::File { shebang: None, frontmatter: None, attrs: Vec::new(), items }
}

/// Whether an `impl` block is a plain inherent one (no trait, generics or attributes), whose
/// items go into the first block of the same type in the file. Templates render one
/// operation at a time, each with its own blocks (a mock rule's `impl crate::mock::Mock`, a
/// list builder's paging beside its setters); the file prints one per type, items in
/// operation order, instead of a header and a brace per operation.
fn mergeable(block: &syn::ItemImpl) -> bool {
    block.trait_.is_none() && block.generics.params.is_empty() && block.attrs.is_empty()
}

/// Parses one item's rendered text, naming the template and item when it is not valid Rust.
/// Its rows are cut out first ([`super::rows::stand_in`]), and their faults named the same way.
fn check_item(text: &str, template: &'static str, item: &str) -> Result<syn::File, Error> {
    let text =
        timing::parse(|| super::rows::stand_in(text)).map_err(|message| Error::Render { template, item: item.to_owned(), message })?;
    parse_file(&text).map_err(|e| render_error(&e, &text, template, item))
}

/// The error of invalid rendered text, pointing at the fault.
///
/// proc-macro2 is built without `span-locations` (which made every token of every parse
/// carry a line and column, 12 % of syn's time, for this error only), so syn's error says
/// what is wrong but not where. The place is found again here, on the error path only: the
/// item of the text that does not parse, and the tokens that end at the fault.
fn render_error(e: &syn::Error, text: &str, template: &'static str, item: &str) -> Error {
    let message = match text.parse::<TokenStream>() {
        Ok(tokens) => {
            let at = fault(e, &tokens).map(|context| format!(" at `{context}`")).unwrap_or_default();
            match failing_item(tokens) {
                Some((index, head)) => format!("{e} (rendered item {index}, `{head}`{at})"),
                None => format!("{e}{at}"),
            }
        }
        // Text that does not split into tokens (a delimiter or literal left open, a stray
        // character): the last line up to which it does is where the fault starts.
        Err(_) => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            let good = (0..lines.len()).rev().find(|&n| lines[..n].concat().parse::<TokenStream>().is_ok()).unwrap_or(0);
            let line = lines.get(good).map_or("", |l| l.trim());
            format!("{e} (the rendered text splits into tokens up to line {good}, not with line {}: `{line}`)", good + 1)
        }
    };
    Error::Render { template, item: item.to_owned(), message }
}

/// The last tokens up to the fault of `e` in `tokens`: the fewest leading tokens (the
/// groups they open closed) that give syn the same error. Tokens before the fault give an
/// error of the input ending early instead, or none. `None` when the tokens alone do not
/// give `e` again.
fn fault(e: &syn::Error, tokens: &TokenStream) -> Option<String> {
    let wanted = e.to_string();
    let same = |n: usize| syn::parse2::<syn::File>(truncate(tokens, &mut { n })).is_err_and(|e| e.to_string() == wanted);
    let mut flat = Vec::new();
    flatten(tokens.clone(), &mut flat);
    if !same(flat.len()) {
        return None;
    }
    let (mut lo, mut hi) = (0, flat.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if same(mid) { hi = mid } else { lo = mid + 1 }
    }
    Some(flat[lo.saturating_sub(5)..lo].join(" "))
}

/// `stream`'s tokens in order, a group as its opening delimiter, its tokens and its closing
/// one.
fn flatten(stream: TokenStream, out: &mut Vec<String>) {
    for tree in stream {
        match tree {
            TokenTree::Group(g) => {
                let (open, close) = delimiters(g.delimiter());
                out.push(open.to_owned());
                flatten(g.stream(), out);
                out.push(close.to_owned());
            }
            other => out.push(other.to_string()),
        }
    }
}

fn delimiters(d: Delimiter) -> (&'static str, &'static str) {
    match d {
        Delimiter::Parenthesis => ("(", ")"),
        Delimiter::Brace => ("{", "}"),
        Delimiter::Bracket => ("[", "]"),
        Delimiter::None => ("", ""),
    }
}

/// The first `n` tokens of `stream` in [`flatten`]'s order, the groups they open closed.
fn truncate(stream: &TokenStream, n: &mut usize) -> TokenStream {
    let mut out = TokenStream::new();
    for tree in stream.clone() {
        if *n == 0 {
            break;
        }
        *n -= 1;
        match tree {
            TokenTree::Group(g) => {
                let inner = truncate(&g.stream(), n);
                // Its closing delimiter, when the tokens reach it.
                *n = n.saturating_sub(1);
                out.extend([TokenTree::Group(Group::new(g.delimiter(), inner))]);
            }
            other => out.extend([other]),
        }
    }
    out
}

/// The position (from 1) of the item of `tokens` that does not parse, and its first tokens.
fn failing_item(tokens: TokenStream) -> Option<(usize, String)> {
    use syn::parse::Parser;
    let found = std::cell::Cell::new(None);
    let parser = |input: syn::parse::ParseStream| -> syn::Result<()> {
        input.call(syn::Attribute::parse_inner)?;
        let mut index = 1;
        while !input.is_empty() {
            let mut head = Vec::new();
            let mut cursor = input.cursor();
            while head.len() < 4
                && let Some((tree, next)) = cursor.token_tree()
            {
                match tree {
                    TokenTree::Group(g) => {
                        head.push(delimiters(g.delimiter()).0.to_owned());
                        break;
                    }
                    other => head.push(other.to_string()),
                }
                cursor = next;
            }
            if let Err(e) = input.parse::<syn::Item>() {
                found.set(Some((index, head.join(" "))));
                return Err(e);
            }
            index += 1;
        }
        Ok(())
    };
    let _ = parser.parse2(tokens);
    found.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(text: &str, item: &str) -> Piece {
        Piece { text: text.to_owned(), template: "struct.askama", item: item.to_owned() }
    }

    #[test]
    fn items_are_printed_in_order_after_the_inner_attributes() {
        let out = print_file("#![allow(deprecated)]\n", &[piece("pub struct A;", "A"), piece("pub struct B ;", "B")], "models", "m")
            .expect("valid");
        assert_eq!(out, "#![allow(deprecated)]\npub struct A;\npub struct B;\n");
    }

    #[test]
    fn invalid_text_names_the_template_and_item_at_fault() {
        let pieces = [
            piece("pub struct A;", "schema A"),
            piece("pub struct A2;\npub struct B {\n    x: ,\n    y: u8,\n}\npub struct D;", "schema B"),
            piece("pub struct C;", "schema C"),
        ];
        match print_file("", &pieces, "models", "m") {
            Err(Error::Render { template, item, message }) => {
                assert_eq!((template, item.as_str()), ("struct.askama", "schema B"));
                // The piece's second item, and the tokens that end at the fault.
                assert!(message.contains("(rendered item 2, `pub struct B {` at `B { x : ,`)"), "{message}");
            }
            other => panic!("expected a render error, got {other:?}"),
        }
    }

    #[test]
    fn a_fault_deep_in_an_item_is_named_by_the_tokens_ending_at_it() {
        let text = "impl A {\n    pub fn one() -> u8 {\n        1\n    }\n    pub fn two() -> u8 {\n        let x = ;\n        x\n    }\n}";
        match print_file("", &[piece(text, "op")], "operations", "m") {
            Err(Error::Render { message, .. }) => {
                assert!(message.contains("(rendered item 1, `impl A {` at `{ let x = ;`)"), "{message}");
            }
            other => panic!("expected a render error, got {other:?}"),
        }
    }

    #[test]
    fn text_that_does_not_split_into_tokens_says_so() {
        match print_file("", &[piece("pub struct A;\npub struct B {\n    x: u8,\n", "B")], "models", "m") {
            Err(Error::Render { item, message, .. }) => {
                assert_eq!(item, "B");
                assert!(message.contains("up to line 1, not with line 2: `pub struct B {`"), "{message}");
            }
            other => panic!("expected a render error, got {other:?}"),
        }
    }

    #[test]
    fn plain_impl_blocks_of_a_type_merge_at_its_first_block() {
        let pieces = [
            piece("pub struct A;\nimpl A { pub fn one() {} }", "one"),
            piece("pub struct B;\nimpl B { pub fn two() {} }", "two"),
            piece("impl A { pub fn three() {} }", "three"),
        ];
        let out = print_file("", &pieces, "operations", "m").expect("valid");
        let a = out.find("impl A").expect("A's block");
        assert_eq!(out.matches("impl A").count(), 1, "{out}");
        let (one, three, b) = (out.find("fn one").unwrap(), out.find("fn three").unwrap(), out.find("pub struct B").unwrap());
        assert!(a < one && one < three && three < b, "A's methods in one block before B:\n{out}");
    }

    #[test]
    fn trait_generic_and_attributed_impls_are_kept_apart() {
        let pieces = [
            piece("pub struct A;\nimpl Clone for A { fn clone(&self) -> Self { A } }", "one"),
            piece("impl Clone for A { fn clone(&self) -> Self { A } }", "two"),
            piece("#[cfg(test)]\nimpl A { fn x() {} }\n#[cfg(test)]\nimpl A { fn y() {} }", "three"),
        ];
        let out = print_file("", &pieces, "models", "m").expect("valid");
        assert_eq!(out.matches("impl Clone for A").count(), 2, "{out}");
        assert_eq!(out.matches("impl A {").count(), 2, "{out}");
    }

    #[test]
    fn invalid_inner_attributes_are_a_render_error_of_the_file() {
        match print_file("#![doc = ]", &[], "operations", "backups") {
            Err(Error::Render { template, item, .. }) => assert_eq!((template, item.as_str()), ("operations", "backups")),
            other => panic!("expected a render error, got {other:?}"),
        }
    }
}
