//! Spec descriptions made safe as rustdoc: the text must render as written and must not
//! trip rustdoc or clippy (bare URLs, `[x]` taken for intra-doc links, HTML-looking text,
//! indented lines taken for Rust code blocks, lazy list continuations).

/// The lines of a doc comment for `text`; each paragraph is one line, separated by blank
/// lines.
pub fn lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.starts_with("```") {
            // A fence from the spec holds examples in other languages, never Rust.
            out.push(if in_fence { "```".to_owned() } else { "```text".to_owned() });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(raw.trim_end().to_owned());
            continue;
        }
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() && out.last().is_some_and(|l: &String| !l.is_empty()) {
            out.push(String::new());
        }
        out.push(escape_line(line));
    }
    if in_fence {
        out.push("```".to_owned());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// The doc comment of `lines`, as one attribute that [`restore`] turns into the lines once
/// the file is printed.
///
/// Why: half of the rendered text is documentation, and `syn` parses each line of it as an
/// attribute of its own (a `#`, a bracket group, a path, a literal) only for prettyplease to
/// print it back as `///` and the same text. A block stands in for all its lines as one short
/// attribute, `#[doc = "\u{E000}N"]`, which prettyplease prints as `///\u{E000}N` at the
/// item's indentation; [`restore`] writes the lines there as prettyplease would have printed
/// them. No line of a real doc comment starts `///\u{E000}`: each one starts with a space or
/// is empty. (For the whole Atlas API, `syn` parses 40 % less text, and a fifth less time.)
/// A line that prettyplease would not print as `///` (a carriage return in it) keeps the
/// attributes of [`literal`].
pub fn attrs(lines: &[String]) -> String {
    if lines.is_empty() || lines.iter().any(|l| l.contains('\r')) {
        return attrs_with(lines, "#[doc = ");
    }
    let id = BLOCKS.with_borrow_mut(|blocks| {
        blocks.next += 1;
        blocks.pending.insert(blocks.next, lines.to_vec());
        blocks.next
    });
    format!("#[doc = r\"{MARK}{id}\"]\n")
}

/// The mark that starts the value of a block's stand-in attribute (a private-use character).
const MARK: char = '\u{E000}';

/// The lines of [`attrs`] as literals, one per line, for a runtime macro that makes them the
/// docs of what it writes (`request::setter!`): a stand-in would not be restored inside a
/// macro invocation, whose tokens prettyplease prints as a run.
pub fn literals(lines: &[String]) -> String {
    each_literal(lines, " ", "")
}

/// [`attrs`] as inner attributes (`#![doc = ...]`): the docs of the module they are in.
pub fn inner_attrs(lines: &[String]) -> String {
    attrs_with(lines, "#![doc = ")
}

fn attrs_with(lines: &[String], open: &str) -> String {
    each_literal(lines, open, "]\n")
}

/// Each of `lines` as the literal of a doc line (a space and the line, or `""` for an empty
/// one), between `open` and `close`.
fn each_literal(lines: &[String], open: &str, close: &str) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(open);
        if line.is_empty() {
            out.push_str("\"\"");
        } else {
            push_literal(&mut out, &format!(" {line}"));
        }
        out.push_str(close);
    }
    out
}

/// The value of a `#[doc = ...]` attribute: a raw string literal where that prints the same.
///
/// Why: half of the rendered text is documentation, and a cooked literal costs three passes
/// over it (escaping here, unescaping in syn's `LitStr::value`, and proc-macro2's lexing of
/// the escapes); a raw one is copied. prettyplease prints an outer doc attribute whose value
/// has no line break and does not start with `/` as `///` and the value, whatever the
/// literal's form, so the output is the same bytes. Anything else (a line break, a leading
/// `/`, a carriage return, which a raw string cannot hold) keeps proc-macro2's escaped
/// literal, which prettyplease would print as it is.
pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    push_literal(&mut out, text);
    out
}

fn push_literal(out: &mut String, text: &str) {
    if text.contains(['\n', '\r']) || text.starts_with('/') {
        out.push_str(&proc_macro2::Literal::string(text).to_string());
        return;
    }
    // As many `#` as the longest run after a `"` in the text, plus one.
    let hashes = text.match_indices('"').map(|(i, _)| text[i + 1..].bytes().take_while(|&b| b == b'#').count() + 1).max().unwrap_or(0);
    out.push('r');
    out.extend(std::iter::repeat_n('#', hashes));
    out.push('"');
    out.push_str(text);
    out.push('"');
    out.extend(std::iter::repeat_n('#', hashes));
}

/// `line` with what rustdoc would misread escaped: brackets (outside Markdown links with
/// an absolute URL), HTML-looking `<`/`>`, bare URLs (made autolinks) and a leading `* `
/// (a list item); code spans are kept as they are, an unbalanced backtick closed.
///
/// Why bytes: everything it looks for is ASCII, so the text between is copied a run at a
/// time (a per-character copy into a `Vec<char>` was most of the time of [`lines`]).
fn escape_line(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    let mut in_code = false;
    while i < bytes.len() {
        let rest = &line[i..];
        if in_code {
            // Code spans are copied as they are, up to the closing backtick.
            let end = rest.find('`').map_or(line.len(), |p| i + p);
            out.push_str(&line[i..end]);
            i = end;
            if i < bytes.len() {
                out.push('`');
                in_code = false;
                i += 1;
            }
            continue;
        }
        match bytes[i] {
            b'`' => {
                in_code = true;
                out.push('`');
                i += 1;
            }
            b'[' => match markdown_link_len(rest) {
                // A Markdown link `[text](http...)` stays as it is.
                Some(len) => {
                    out.push_str(&rest[..len]);
                    i += len;
                }
                None => push_ascii(&mut out, &mut i, "\\["),
            },
            b'h' if is_url(rest) => {
                let end = rest.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']')).unwrap_or(rest.len());
                let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
                out.push('<');
                out.push_str(url);
                out.push('>');
                out.push_str(&rest[url.len()..end]);
                i += end;
            }
            b']' => push_ascii(&mut out, &mut i, "\\]"),
            b'<' => push_ascii(&mut out, &mut i, "&lt;"),
            b'>' => push_ascii(&mut out, &mut i, "&gt;"),
            b'*' if i == 0 && bytes.get(1) == Some(&b' ') => push_ascii(&mut out, &mut i, "-"),
            _ => {
                // Up to the next byte that may start something to escape (all ASCII, so a
                // character boundary).
                let end = bytes[i + 1..]
                    .iter()
                    .position(|&b| matches!(b, b'`' | b'[' | b']' | b'<' | b'>' | b'h'))
                    .map_or(bytes.len(), |p| i + 1 + p);
                out.push_str(&line[i..end]);
                i = end;
            }
        }
    }
    if in_code {
        // An unbalanced backtick would swallow the rest of the comment.
        out.push('`');
    }
    out
}

/// `text` in place of the one ASCII character at `i`.
fn push_ascii(out: &mut String, i: &mut usize, text: &str) {
    out.push_str(text);
    *i += 1;
}

/// Whether `text` starts with an absolute web URL.
fn is_url(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://")
}

/// Length in bytes of `[text](url)` at the start of `text`, if it is one with an absolute
/// URL.
fn markdown_link_len(text: &str) -> Option<usize> {
    let close = text.find(']')?;
    if !text[close + 1..].starts_with('(') {
        return None;
    }
    let rest = &text[close + 2..];
    if !is_url(rest) {
        return None;
    }
    let end = rest.find(')')?;
    if rest[..end].chars().any(char::is_whitespace) || text[1..close].contains('[') {
        return None;
    }
    Some(close + 2 + end + 1)
}

/// The doc blocks of this thread, by number, until [`forget`]. Rendering and printing a
/// file happen on one thread (the render pool's jobs are whole files); a view's doc may be
/// used more than once in a template, so a block stays until the file is done.
#[derive(Default)]
struct Blocks {
    next: u64,
    pending: std::collections::HashMap<u64, Vec<String>>,
}

thread_local! {
    static BLOCKS: std::cell::RefCell<Blocks> = std::cell::RefCell::new(Blocks::default());
}

/// `printed` with every block stand-in of [`attrs`] replaced by its lines, each `///` and
/// the line as prettyplease prints a doc attribute (trailing spaces trimmed), at the
/// stand-in's indentation. A stand-in whose block this thread does not have (forgotten
/// before the file was printed) is an error naming it: a doc comment would go missing.
pub fn restore(printed: String) -> Result<String, String> {
    if !printed.contains(MARK) {
        return Ok(printed);
    }
    let mut out = String::with_capacity(printed.len() * 2);
    BLOCKS.with_borrow(|blocks| {
        // What is looked for is the stand-in this module wrote, as prettyplease prints it
        // (`///`, the mark, the number): nothing is decided from the generated code's text.
        // The text between stand-ins is copied a run at a time (line by line, that copy
        // was most of the time here).
        let mut rest = printed.as_str();
        while let Some(mark) = rest.find(MARK) {
            let start = rest[..mark].rfind('\n').map_or(0, |p| p + 1);
            let end = rest[mark..].find('\n').map_or(rest.len(), |p| mark + p + 1);
            let (before, line) = (&rest[..start], &rest[start..end]);
            rest = &rest[end..];
            out.push_str(before);
            let at = mark - start;
            if line[..at].trim_start() != "///" {
                out.push_str(line);
                continue;
            }
            let indent = &line[..line.len() - line.trim_start().len()];
            let id = &line[at + MARK.len_utf8()..];
            let block = id.trim_end().parse::<u64>().ok().and_then(|n| blocks.pending.get(&n));
            let Some(block) = block else {
                return Err(format!("a doc comment's stand-in `{}` has no block", id.trim_end()));
            };
            for doc in block {
                out.push_str(indent);
                out.push_str("///");
                if !doc.is_empty() {
                    out.push(' ');
                    out.push_str(doc.trim_end_matches(' '));
                }
                out.push('\n');
            }
        }
        out.push_str(rest);
        Ok(())
    })?;
    Ok(out)
}

/// Drops this thread's doc blocks: the file they were rendered for is printed.
pub fn forget() {
    BLOCKS.with_borrow_mut(|blocks| blocks.pending.clear());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(escape_line("see https://x.io/a."), "see <https://x.io/a>.");
    }

    #[test]
    fn brackets_and_html_are_escaped_but_links_kept() {
        assert_eq!(escape_line("[a](https://b.c) [x] <br>"), "[a](https://b.c) \\[x\\] &lt;br&gt;");
        assert_eq!(escape_line("`[x] <y>`"), "`[x] <y>`");
    }

    #[test]
    fn paragraphs_are_separated_and_fences_marked_text() {
        assert_eq!(lines("a\n    b\n```\ncode\n```"), vec!["a", "", "b", "```text", "code", "```"]);
    }

    #[test]
    fn attrs_are_raw_string_literals_with_enough_hashes() {
        assert_eq!(attrs_with(&["say hi".to_owned(), String::new()], "#[doc = "), "#[doc = r\" say hi\"]\n#[doc = \"\"]\n");
        assert_eq!(inner_attrs(&["say hi".to_owned()]), "#![doc = r\" say hi\"]\n");
        assert_eq!(literal(" say \"hi\""), "r#\" say \"hi\"\"#");
        assert_eq!(literal(" a \"## b \"#"), "r###\" a \"## b \"#\"###");
    }

    #[test]
    fn what_a_raw_string_cannot_hold_stays_escaped() {
        assert_eq!(literal(" a\rb"), "\" a\\rb\"");
        assert_eq!(literal("/x"), "\"/x\"");
    }

    /// The literal's value is the text: what prettyplease prints after `///`.
    #[test]
    fn literals_parse_back_to_their_text() {
        for text in [" plain", " \"quoted\"", " \"# and \"##", " back\\slash {x}", " tab\there", " a\rb", "/x", " ünïcode ✓"] {
            let parsed: syn::LitStr =
                syn::parse_str(&literal(text)).map_err(|e| format!("{text:?}: {e}")).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(parsed.value(), text);
        }
    }
    /// A block printed through its stand-in is the same text as its lines printed as
    /// attributes, at every indentation prettyplease gives, and may be used twice.
    #[test]
    fn a_restored_block_prints_as_its_lines_would() {
        let lines =
            vec!["First `line`, \"quoted\" r\"#".to_owned(), String::new(), "```text".to_owned(), "  code  ".to_owned(), "```".to_owned()];
        let item = |doc: &str| format!("{doc}pub struct A {{\n{doc}pub x: u8,\n}}\nimpl A {{\n{doc}pub fn f() {{}}\n}}\n");
        let print = |text: &str| prettyplease::unparse(&syn::parse_file(text).unwrap_or_else(|e| panic!("{e}: {text}")));
        let plain = print(&item(&attrs_with(&lines, "#[doc = ")));
        let marked = item(&attrs(&lines));
        assert!(marked.len() < item(&attrs_with(&lines, "#[doc = ")).len());
        assert_eq!(restore(print(&marked)).as_deref(), Ok(plain.as_str()));
        forget();
    }

    #[test]
    fn a_stand_in_without_its_block_is_an_error() {
        let marked = format!("{}pub struct A;\n", attrs(&["lost".to_owned()]));
        forget();
        let printed = prettyplease::unparse(&syn::parse_file(&marked).unwrap_or_else(|e| panic!("{e}")));
        assert!(restore(printed).is_err_and(|e| e.contains("has no block")));
    }

    /// Only a line whose first mark follows `///` is a stand-in; the text around, up to
    /// a last line without a line break, is copied as it is.
    #[test]
    fn only_stand_in_lines_are_replaced() {
        let marked = attrs(&["one".to_owned(), String::new(), "two  ".to_owned()]);
        let id = marked.split(MARK).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned();
        let printed = format!("a\n    ///{MARK}{id}\nb {MARK}{id} ///{MARK}{id}\n\n///{MARK}{id} \n///{MARK}{id}");
        let want = "a\n    /// one\n    ///\n    /// two\nb \u{E000}ID ///\u{E000}ID\n\n/// one\n///\n/// two\n/// one\n///\n/// two\n";
        assert_eq!(restore(printed), Ok(want.replace("ID", &id)));
        assert_eq!(restore("x\ny".to_owned()), Ok("x\ny".to_owned()));
        forget();
    }

    #[test]
    fn real_doc_lines_are_kept() {
        let text = "/// \u{E000}1 in a real doc line\n//! \u{E000}2\n".to_owned();
        assert_eq!(restore(text.clone()), Ok(text));
    }

    #[test]
    fn a_carriage_return_keeps_the_attributes() {
        assert_eq!(attrs(&["a\rb".to_owned()]), "#[doc = \" a\\rb\"]\n");
    }

    // The character-by-character version [`escape_line`] replaced, kept as the reference
    // its output is checked against.
    fn escape_line_by_chars(line: &str) -> String {
        let mut out = String::with_capacity(line.len() + 8);
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        let mut in_code = false;
        while i < chars.len() {
            let c = chars[i];
            if c == '`' {
                in_code = !in_code;
                out.push(c);
                i += 1;
                continue;
            }
            if in_code {
                out.push(c);
                i += 1;
                continue;
            }
            // A Markdown link `[text](http...)` stays as it is.
            if c == '['
                && let Some(len) = link_len_by_chars(&chars[i..])
            {
                out.extend(&chars[i..i + len]);
                i += len;
                continue;
            }
            if starts_with(&chars[i..], "http://") || starts_with(&chars[i..], "https://") {
                let end = chars[i..]
                    .iter()
                    .position(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`' | ')' | ']'))
                    .map_or(chars.len(), |p| i + p);
                let mut url: String = chars[i..end].iter().collect();
                let trailing: String = {
                    let t = url.trim_end_matches(['.', ',', ';', ':']).len();
                    url.split_off(t)
                };
                out.push('<');
                out.push_str(&url);
                out.push('>');
                out.push_str(&trailing);
                i = end;
                continue;
            }
            match c {
                '[' => out.push_str("\\["),
                ']' => out.push_str("\\]"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '*' if i == 0 && chars.get(1) == Some(&' ') => out.push('-'),
                c => out.push(c),
            }
            i += 1;
        }
        if in_code {
            // An unbalanced backtick would swallow the rest of the comment.
            out.push('`');
        }
        out
    }

    fn starts_with(chars: &[char], prefix: &str) -> bool {
        let mut it = chars.iter();
        prefix.chars().all(|p| it.next() == Some(&p))
    }

    /// Length of `[text](url)` at the start of `chars`, if it is one with an absolute URL.
    fn link_len_by_chars(chars: &[char]) -> Option<usize> {
        let close = chars.iter().position(|&c| c == ']')?;
        if chars.get(close + 1) != Some(&'(') {
            return None;
        }
        let rest = &chars[close + 2..];
        if !(starts_with(rest, "http://") || starts_with(rest, "https://")) {
            return None;
        }
        let end = rest.iter().position(|&c| c == ')')?;
        if rest[..end].iter().any(|c| c.is_whitespace()) || chars[1..close].contains(&'[') {
            return None;
        }
        Some(close + 2 + end + 1)
    }

    #[test]
    fn escape_line_matches_the_reference() {
        let cases = [
            "",
            "plain words",
            "* item with [x] and <b>",
            "*not an item",
            "see https://x.io/a. and http://y.io/b, then (https://z.io/c) `https://code.io`",
            "[a](https://b.c) [b](http://d.e f) [c](ftp://x) [[d](https://e)] [e](https://f",
            "`unbalanced [x] <y>",
            "``double`` h http:/ https:/ hhttp://x.io",
            "ünïcode ✓ <ü> [ü](https://ü.io/ü) https://ü.io/ü\u{a0}x https://x.io/\u{2003}y",
        ];
        for line in cases {
            assert_eq!(escape_line(line), escape_line_by_chars(line), "{line:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn escape_line_matches_the_reference_on_any_line(
            line in "([`\\[\\]()<>*. ,;:\"hpst/x]|http://|https://|\\PC|\\s){0,40}"
        ) {
            proptest::prop_assert_eq!(escape_line(&line), escape_line_by_chars(&line));
        }
    }
}
