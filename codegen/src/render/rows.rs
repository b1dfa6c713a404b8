//! The rows of the generated code (invocations of the runtime's macros, `crate::codec::new!(..)`,
//! `crate::request::setter!(..)`, ...) passed around `syn` and prettyplease.
//!
//! Why: half of the generated code is rows, and `syn` reads a macro invocation's tokens only
//! as a run (its grammar is the macro's), which prettyplease prints back as a run. Lexing and
//! printing them was a third of the render stage. So a row, which its template marks
//! ([`ROW`]), is cut out of an item's text before it is parsed ([`stand_in`]: the short
//! invocation `__atlas_row!(N)` takes its
//! place, which prettyplease prints on a line of its own at the row's indentation) and put
//! back laid out once the file is printed ([`restore`]). What `syn` checked of a row, that
//! its delimiters balance and its literals end, is checked here, and an error names the
//! template and item as a parse error does.
//!
//! A row is written the way prettyplease writes a macro invocation: on one line when that
//! fits in [`WIDTH`], else the path and `(` on a line, the tokens filled into lines one
//! indentation deeper, and `)` on a line of its own.

use std::fmt::Write as _;

/// The width prettyplease fills lines to (its margin).
const WIDTH: usize = 89;

/// The stand-in's macro name: nothing else in the generated code is called so.
const STAND_IN: &str = "__atlas_row!(";

/// A row as cut out: its head (`crate::a::b!(`) and its tokens split at white space
/// outside literals, one after the other in `text`, each ending where `ends` says; the
/// words that start a line of the template's text are the ones `lines` holds.
struct Row {
    head: String,
    text: String,
    ends: Vec<usize>,
    lines: Vec<usize>,
}

impl Row {
    fn words(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).map(|(from, to)| self.text.get(from..to).unwrap_or_default())
    }
}

thread_local! {
    /// The rows of this thread's file, by number, until [`forget`] (as the doc blocks of
    /// [`super::docs`]: rendering and printing a file happen on one thread).
    static ROWS: std::cell::RefCell<Vec<Row>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What a template writes before a row, at the start of its line (`{{ self::ROW }}crate::a::b!(..)`):
/// the rows are the ones the templates say they are, never guessed from the text. A
/// private-use character: no code holds it, and where a spec's text does (a literal), it
/// is not at the start of a line.
pub(crate) const ROW: &str = "\u{E001}";

/// `text` with each marked row ([`ROW`]) replaced by a stand-in, the rows kept for
/// [`restore`]; an error says what is wrong with a row that does not lex.
pub(crate) fn stand_in(text: &str) -> Result<std::borrow::Cow<'_, str>, String> {
    if !text.contains(ROW) {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len() / 2);
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(ROW) {
        let mark = from + found;
        let first = mark + ROW.len();
        let line = text[..mark].rfind('\n').map_or(0, |p| p + 1);
        if !text.as_bytes()[line..mark].iter().all(|&b| b == b' ') {
            // Not a template's mark: a character of some text.
            from = first;
            continue;
        }
        let open = row_head(&text[first..])
            .map(|len| first + len)
            .ok_or_else(|| format!("a row mark before `{}`, which is no macro invocation", head(&text[first..])))?;
        let (end, Words { text: words, ends, lines }) =
            lex_row(text, open).map_err(|e| format!("{e} in the row `{}`", head(&text[first..])))?;
        out.push_str(&text[copied..mark]);
        let id = ROWS.with_borrow_mut(|rows| {
            rows.push(Row { head: text[first..open].to_owned(), text: words, ends, lines });
            rows.len() - 1
        });
        let _ = write!(out, "{STAND_IN}{id})");
        copied = end;
        from = end;
    }
    out.push_str(&text[copied..]);
    Ok(std::borrow::Cow::Owned(out))
}

/// The first line of a row, for messages.
fn head(row: &str) -> &str {
    row.lines().next().unwrap_or(row)
}

/// The length of a row's head at the start of `text` (`crate::a::b!(`): a path, then `!(`.
fn row_head(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let path = bytes.iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b':').count();
    (path > 0 && bytes.get(path) == Some(&b'!') && bytes.get(path + 1) == Some(&b'(')).then_some(path + 2)
}

/// Lexes a row from just past its `(` to just past the `)` that closes it: where that is,
/// and its words ([`Row`]). Refuses what would not lex: a delimiter closed by
/// another kind or not at all, an unterminated literal, a character no Rust token starts
/// with.
fn lex_row(text: &str, open: usize) -> Result<(usize, Words), String> {
    let bytes = text.as_bytes();
    let mut words = Words { text: String::with_capacity(128), ends: Vec::with_capacity(16), lines: Vec::new() };
    let mut stack = vec![b')'];
    let mut word = open;
    let mut i = open;
    // Whether a line break came since the last word.
    let mut new_line = false;
    let end_word = |words: &mut Words, new_line: &mut bool, word: usize, i: usize| {
        if word < i {
            if std::mem::take(new_line) {
                words.lines.push(words.ends.len());
            }
            words.text.push_str(&text[word..i]);
            words.ends.push(words.text.len());
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\n' | b'\t' | b'\r' => {
                end_word(&mut words, &mut new_line, word, i);
                new_line |= b == b'\n';
                i += 1;
                word = i;
            }
            b'(' => {
                stack.push(b')');
                i += 1;
            }
            b'[' => {
                stack.push(b']');
                i += 1;
            }
            b'{' => {
                stack.push(b'}');
                i += 1;
            }
            b')' | b']' | b'}' => {
                if stack.pop() != Some(b) {
                    return Err(format!("`{}` closes nothing open", b as char));
                }
                if stack.is_empty() {
                    end_word(&mut words, &mut new_line, word, i);
                    return Ok((i + 1, words));
                }
                i += 1;
            }
            b'"' | b'\'' | b'r' | b'b' | b'/' | b'\\' | b'`' => i = token_end(text, i)?,
            b if b >= 0x80 => i += text[i..].chars().next().map_or(1, char::len_utf8),
            _ => i += 1,
        }
    }
    Err("a delimiter is not closed".to_owned())
}

/// A row's words as [`lex_row`] finds them ([`Row`]'s fields).
struct Words {
    text: String,
    ends: Vec<usize>,
    lines: Vec<usize>,
}

/// The end of the token at `i` when it starts with a quote, `r`, `b` or `/` (a literal, a
/// comment, a lifetime's quote or one byte), refusing an unterminated literal and a byte
/// no Rust token starts with.
fn token_end(text: &str, i: usize) -> Result<usize, String> {
    let bytes = text.as_bytes();
    let ident_before = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
    match bytes[i] {
        b'"' => quoted_end(text, i + 1, b'"'),
        b'r' | b'b' if !ident_before => {
            // `r"..."`, `r#"..."#`, `b"..."`, `br"..."`.
            let mut j = i + 1;
            if bytes[i] == b'b' && bytes.get(j) == Some(&b'r') {
                j += 1;
            }
            let raw = j > i + 1 || bytes[i] == b'r';
            let hashes = if raw { bytes[j..].iter().take_while(|&&b| b == b'#').count() } else { 0 };
            match bytes.get(j + hashes) {
                Some(b'"') if raw => {
                    let close = format!("\"{}", "#".repeat(hashes));
                    text[j + hashes + 1..]
                        .find(&close)
                        .map(|p| j + hashes + 1 + p + close.len())
                        .ok_or_else(|| "a raw string is not closed".to_owned())
                }
                Some(b'"') if bytes[i] == b'b' => quoted_end(text, j + 1, b'"'),
                Some(b'\'') if bytes[i] == b'b' && !raw => quoted_end(text, j + 1, b'\''),
                _ => Ok(i + 1),
            }
        }
        // A character literal (`'a'`, `'\n'`), else a lifetime's quote.
        b'\'' => {
            let rest = &text[i + 1..];
            match rest.chars().next() {
                Some('\\') => quoted_end(text, i + 1, b'\''),
                Some(c) if rest[c.len_utf8()..].starts_with('\'') => Ok(i + 1 + c.len_utf8() + 1),
                _ => Ok(i + 1),
            }
        }
        // The layout joins a row's lines, which would comment out what follows.
        b'/' if bytes.get(i + 1) == Some(&b'/') => Err("a line comment (the layout would join the next line to it)".to_owned()),
        b'/' if bytes.get(i + 1) == Some(&b'*') => {
            text[i + 2..].find("*/").map(|p| i + 2 + p + 2).ok_or_else(|| "a block comment is not closed".to_owned())
        }
        b'\\' | b'`' => Err(format!("`{}` starts no Rust token", bytes[i] as char)),
        _ => Ok(i + 1),
    }
}

/// The end of a literal whose text starts at `from`, closed by `quote` (escapes skipped).
fn quoted_end(text: &str, from: usize, quote: u8) -> Result<usize, String> {
    let bytes = text.as_bytes();
    let mut j = from;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b if b == quote => return Ok(j + 1),
            _ => j += 1,
        }
    }
    Err("a literal is not closed".to_owned())
}

/// `printed` with each stand-in line of [`stand_in`] replaced by its row, laid out at the
/// stand-in's indentation. A stand-in left anywhere else (inside an expression, say), or
/// one whose row this thread does not have, is an error: the row would be lost.
pub(crate) fn restore(printed: String) -> Result<String, String> {
    if !printed.contains(STAND_IN) {
        return Ok(printed);
    }
    let mut out = String::with_capacity(printed.len() * 2);
    ROWS.with_borrow(|rows| {
        let mut rest = printed.as_str();
        while let Some(at) = rest.find(STAND_IN) {
            let start = rest[..at].rfind('\n').map_or(0, |p| p + 1);
            let end = rest[at..].find('\n').map_or(rest.len(), |p| at + p);
            let (indent, line) = (&rest[start..at], &rest[at..end]);
            let call = line.strip_prefix(STAND_IN).and_then(|l| l.split_once(')'));
            let row = call.and_then(|(id, _)| id.parse::<usize>().ok()).and_then(|id| rows.get(id));
            let suffix = call.map_or("", |(_, suffix)| suffix);
            let (Some(row), true, true) = (row, indent.bytes().all(|b| b == b' '), matches!(suffix, "" | ";" | ",")) else {
                return Err(format!("a row's stand-in is not on a line of its own: `{}`", rest[start..end].trim()));
            };
            out.push_str(&rest[..start]);
            layout(row, indent, suffix, &mut out);
            rest = &rest[end..];
        }
        out.push_str(rest);
        Ok(())
    })?;
    Ok(out)
}

/// `row` written at `indent` with `suffix` after its `)`, as prettyplease writes a macro
/// invocation: one line if it fits, else the words filled into lines one indentation
/// deeper between the `(` line and the `)` line. A word that starts a line of the
/// template's text starts one here too (a view's fields one to a line, say).
fn layout(row: &Row, indent: &str, suffix: &str, out: &mut String) {
    let words = || row.words();
    // A word that starts with a separator or a closing delimiter is written against the one
    // before it (`"a" ;` as `"a";`, `x, ]` as `x,]`), as prettyplease writes those tokens.
    let glued = |w: &str| w.starts_with([';', ',', ')', ']']);
    let spaces = words().skip(1).filter(|w| !glued(w)).count();
    let chars = |w: &str| if w.is_ascii() { w.len() } else { w.chars().count() };
    let one_line = indent.len() + row.head.len() + words().map(chars).sum::<usize>() + spaces + 1 + suffix.len();
    out.push_str(indent);
    out.push_str(&row.head);
    if one_line <= WIDTH {
        for (n, word) in words().enumerate() {
            if n > 0 && !glued(word) {
                out.push(' ');
            }
            out.push_str(word);
        }
    } else {
        let inner = indent.len() + 4;
        let mut column = usize::MAX;
        let mut words = words().enumerate().peekable();
        let mut lines = row.lines.iter().copied().peekable();
        while let Some((n, word)) = words.next() {
            let len = chars(word);
            let starts_line = lines.next_if_eq(&n).is_some();
            if glued(word) {
                out.push_str(word);
                column = column.saturating_add(len);
                continue;
            }
            // The word with the glued one after it, if any.
            let unit = len + words.peek().filter(|(_, w)| glued(w)).map_or(0, |(_, w)| chars(w));
            if column != usize::MAX && !starts_line && column + 1 + unit <= WIDTH {
                out.push(' ');
                column += 1 + len;
            } else {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', inner));
                column = inner + len;
            }
            out.push_str(word);
        }
        out.push('\n');
        out.push_str(indent);
    }
    out.push(')');
    out.push_str(suffix);
}

/// Drops this thread's rows: the file they were cut from is printed.
pub(crate) fn forget() {
    ROWS.with_borrow_mut(Vec::clear);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, printed_as: impl Fn(&str) -> String) -> Result<String, String> {
        forget();
        let cut = stand_in(text)?.into_owned();
        restore(printed_as(&cut))
    }

    #[test]
    fn marked_rows_are_cut_out_and_laid_out_again() {
        let text = format!(
            "pub struct A;\n{ROW}crate::codec::new!(A default);\nimpl A {{\n    {ROW}crate::request::setter!(x(into) r\" doc ) ( \" \"\");\n}}\n"
        );
        let cut = {
            forget();
            stand_in(&text).map(|c| c.into_owned())
        };
        assert_eq!(cut.as_deref(), Ok("pub struct A;\n__atlas_row!(0);\nimpl A {\n    __atlas_row!(1);\n}\n"));
        let restored = restore("pub struct A;\n__atlas_row!(0);\nimpl A {\n    __atlas_row!(1);\n}\n".to_owned());
        assert_eq!(
            restored.as_deref(),
            Ok("pub struct A;\ncrate::codec::new!(A default);\nimpl A {\n    crate::request::setter!(x(into) r\" doc ) ( \" \"\");\n}\n")
        );
    }

    #[test]
    fn long_rows_fill_lines_as_prettyplease_does() {
        let words: Vec<String> = (0..30).map(|i| format!("field_{i}[\"f{i}\"],")).collect();
        let text = format!("{ROW}crate::codec::object!(\n  Name;   {}\n);\n", words.join(" "));
        let restored = round_trip(&text, ToOwned::to_owned).unwrap_or_else(|e| panic!("{e}"));
        let lines: Vec<&str> = restored.lines().collect();
        assert_eq!(lines[0], "crate::codec::object!(");
        assert_eq!(lines[1].split_whitespace().next(), Some("Name;"));
        assert_eq!(lines[lines.len() - 1], ");");
        assert!(lines[1..lines.len() - 1].iter().all(|l| l.starts_with("    ") && l.len() <= WIDTH), "{restored}");
        let again: Vec<&str> = lines[1..lines.len() - 1].iter().flat_map(|l| l.split_whitespace()).collect();
        assert_eq!(again[1..], words.iter().map(String::as_str).collect::<Vec<_>>()[..]);
    }

    #[test]
    fn a_long_row_keeps_the_lines_of_its_template() {
        let field = |n: usize| format!("    field_{n} (opt copy(bool) query_opt(\"f{n}\")) r\" `f{n}`, as the call sent it.\",");
        let fields: Vec<String> = (0..3).map(field).collect();
        let text = format!("{ROW}crate::mock::runtime::view!(r\" A view.\" V {{\n{}\n}});\n", fields.join("\n"));
        let restored = round_trip(&text, ToOwned::to_owned).unwrap_or_else(|e| panic!("{e}"));
        let want: Vec<String> = std::iter::once("crate::mock::runtime::view!(".to_owned())
            .chain(std::iter::once("    r\" A view.\" V {".to_owned()))
            .chain(fields.iter().cloned())
            .chain(["    }".to_owned(), ");".to_owned()])
            .collect();
        assert_eq!(restored.lines().collect::<Vec<_>>(), want);
    }

    #[test]
    fn separators_after_white_space_are_written_against_the_word_before() {
        let restored = round_trip(&format!("{ROW}crate::a!(x \"s\" ;\n  [a, ] ; b )\n"), ToOwned::to_owned);
        assert_eq!(restored.as_deref(), Ok("crate::a!(x \"s\"; [a,]; b)\n"));
    }

    #[test]
    fn what_is_not_a_marked_row_stays() {
        for text in [
            "crate::codec::new!(A default);\n".to_owned(),
            format!("let x = {ROW}crate::a!(1);\n"),
            format!("#[doc = \"{ROW}crate::a!(\"]\n"),
        ] {
            forget();
            assert_eq!(stand_in(&text).as_deref(), Ok(text.as_str()), "{text:?}");
        }
    }

    #[test]
    fn literals_and_comments_do_not_close_a_row() {
        let text = format!("{ROW}crate::a!(r#\")\"#, \"\\\")\", ')', 'a, b\"x\"\n /* ) */ [{{}}])\n");
        forget();
        assert_eq!(stand_in(&text).as_deref(), Ok("__atlas_row!(0)\n"));
    }

    #[test]
    fn rows_that_would_not_lex_are_refused() {
        for (text, why) in [
            ("crate::a!(b \"c)\n", "a literal is not closed"),
            ("crate::a!(b [c)\n", "`)` closes nothing open"),
            ("crate::a!(b (c)\n", "a delimiter is not closed"),
            ("crate::a!(b \\ c)\n", "`\\` starts no Rust token"),
            ("pub struct A;\n", "a row mark before `pub struct A;`"),
            ("crate::a!(b // c\n d)\n", "a line comment"),
        ] {
            forget();
            let got = stand_in(&format!("{ROW}{text}")).map(|c| c.into_owned());
            assert!(got.as_ref().is_err_and(|e| e.starts_with(why)), "{text:?}: {got:?}");
        }
    }

    #[test]
    fn a_stand_in_not_on_its_own_line_is_an_error() {
        forget();
        let _ = stand_in(&format!("{ROW}crate::a!(b)\n"));
        assert!(restore("let x = __atlas_row!(0) + 1;\n".to_owned()).is_err());
        assert!(restore("__atlas_row!(7);\n".to_owned()).is_err(), "no row 7 on this thread");
        assert_eq!(restore("    __atlas_row!(0),\n".to_owned()).as_deref(), Ok("    crate::a!(b),\n"));
    }
}
