//! JSON text as Atlas sent it, handled as text: re-indented or put on one line without
//! being decoded (so every key keeps its place and every number its digits), the items of
//! a page cut out as they are. (The JSON pointer of where an answer differs from its model
//! is the library's: `Received::mismatch_pointer`.)

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
}
