//! JSON text as Atlas sent it, handled as text: re-indented or put on one line without
//! being decoded (so every key keeps its place and every number its digits), the items of
//! a page cut out as they are, and the JSON pointer of a line and column (where a decode
//! error points).

use serde_json::value::RawValue;

/// `text` indented by two spaces a level, as `serde_json::to_string_pretty` prints, but
/// with every token as it came. `None` when `text` is not one JSON value.
pub fn pretty(text: &str) -> Option<String> {
    layout(text, true)
}

/// `text` on one line without spaces between tokens. `None` when it is not one JSON value.
pub fn compact(text: &str) -> Option<String> {
    layout(text, false)
}

fn layout(text: &str, indent: bool) -> Option<String> {
    // Checked first, so that only valid JSON is laid out (and the tokens below are sound).
    serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        if indent {
            out.push('\n');
            out.push_str(&"  ".repeat(depth));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    out.push(c);
                    match c {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                    chars.next();
                }
                // An empty object or array stays `{}` / `[]`.
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.extend(chars.next());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(if indent { ": " } else { ":" }),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// The items of a list's answer as they came: an array's elements, or the `results` of a
/// page; `None` for anything else.
pub fn items(text: &str) -> Option<Vec<&RawValue>> {
    if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) {
        return Some(items);
    }
    #[derive(serde::Deserialize)]
    struct Page<'a> {
        #[serde(borrow)]
        results: Vec<&'a RawValue>,
    }
    serde_json::from_str::<Page<'_>>(text).ok().map(|p| p.results)
}

/// The JSON pointer (`/results/0/status`) of the value at 1-based `line` and `column` of
/// `text` (a serde_json error's position: just past the token it stopped at).
pub fn pointer_at(text: &str, line: usize, column: usize) -> String {
    // Byte offset of the position.
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            // serde_json counts the column in bytes, not characters.
            offset += column.saturating_sub(1).min(l.len());
            break;
        }
        offset += l.len();
    }
    let end = offset.min(text.len());
    // Each open container: an object's last key, or an array's index.
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut expect_key = false;
    while i < end {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if expect_key && let Some(Frame::Object(key)) = stack.last_mut() {
                    let raw = text.get(start..i.min(text.len())).unwrap_or("");
                    *key = Some(serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_owned()));
                    expect_key = false;
                }
            }
            b'{' => {
                stack.push(Frame::Object(None));
                expect_key = true;
            }
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(n)) => *n += 1,
                Some(Frame::Object(_)) => expect_key = true,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut pointer = String::new();
    for frame in &stack {
        pointer.push('/');
        match frame {
            Frame::Object(Some(key)) => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Frame::Object(None) => {}
            Frame::Array(n) => pointer.push_str(&n.to_string()),
        }
    }
    if pointer.is_empty() { "/".to_owned() } else { pointer }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENT: &str = r#"{"zeta":1,"alpha":{"big":123456789012345678901234567890,"dec":0.1000,"s":"a\"b,{c}"},"list":[],"o":{}}"#;

    #[test]
    fn pretty_keeps_order_numbers_and_strings() {
        let text = pretty(SENT).expect("valid");
        assert_eq!(
            text,
            "{\n  \"zeta\": 1,\n  \"alpha\": {\n    \"big\": 123456789012345678901234567890,\n    \"dec\": 0.1000,\n    \"s\": \"a\\\"b,{c}\"\n  },\n  \"list\": [],\n  \"o\": {}\n}"
        );
        // The same layout as serde_json's, for what serde_json keeps.
        let plain = r#"{"a":[1,{"b":null}],"c":"d"}"#;
        let value: serde_json::Value = serde_json::from_str(plain).expect("valid");
        assert_eq!(pretty(plain).as_deref(), serde_json::to_string_pretty(&value).ok().as_deref());
    }

    #[test]
    fn compact_removes_only_the_space_between_tokens() {
        assert_eq!(compact("{ \"a b\" : [ 1 , 2 ],\n \"c\": \"x y\" }").as_deref(), Some(r#"{"a b":[1,2],"c":"x y"}"#));
        assert_eq!(compact(&pretty(SENT).expect("valid")).as_deref(), Some(SENT));
        assert_eq!(compact("{\"a\": 1"), None);
        assert_eq!(pretty("not json"), None);
    }

    #[test]
    fn items_of_a_page_or_an_array() {
        let page = r#"{"results":[{"id":"a","n":1.50},{"id":"b"}],"totalCount":2}"#;
        let got: Vec<&str> = items(page).expect("a page").iter().map(|r| r.get()).collect();
        assert_eq!(got, [r#"{"id":"a","n":1.50}"#, r#"{"id":"b"}"#]);
        assert_eq!(items("[1, 2]").map(|i| i.len()), Some(2));
        assert!(items(r#"{"id":"a"}"#).is_none());
    }

    #[test]
    fn pointer_of_a_position() {
        let text = "{\n  \"results\": [\n    {\"id\": \"a\"},\n    {\"id\": \"b\", \"status\": 7}\n  ]\n}";
        // `7`, the value of `status`, is at line 4, column 27.
        assert_eq!(pointer_at(text, 4, 27), "/results/1/status");
        assert_eq!(pointer_at(text, 4, 29), "/results/1");
        assert_eq!(pointer_at(text, 3, 14), "/results/0/id");
        assert_eq!(pointer_at("{\"a/b\": {\"c~\": true}}", 1, 19), "/a~1b/c~0");
        assert_eq!(pointer_at("42", 1, 2), "/");
        // From a real decode error.
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            id: String,
            status: Option<String>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Page {
            results: Vec<Item>,
        }
        let e = serde_json::from_str::<Page>(text).expect_err("status is a number");
        assert_eq!(pointer_at(text, e.line(), e.column()), "/results/1/status");
    }

    #[test]
    fn the_pointer_of_an_error_after_non_ascii_text_is_the_field_s() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Answer {
            d: String,
            n: i32,
        }
        let text = r#"{"d":"été, déjà","n":"x"}"#;
        let Err(e) = serde_json::from_str::<Answer>(text) else { panic!("`n` is not a number") };
        assert_eq!(pointer_at(text, e.line(), e.column()), "/n");
    }
}
