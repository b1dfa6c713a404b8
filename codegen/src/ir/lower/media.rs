//! Media types: which are JSON, which Atlas version one names, and which one a body is sent
//! or read in. Shared with the drift engine, so both read versions the same way.

use indexmap::IndexMap;

/// The media type the generated crate sends or accepts for a body: the newest JSON one (by
/// Atlas version date, then name). The drift engine compares bodies at the same one.
pub(crate) fn newest_json(content: &IndexMap<String, openapiv3::MediaType>) -> Option<(&String, &openapiv3::MediaType)> {
    content.iter().filter(|(mt, _)| is_json(mt)).max_by(|(a, _), (b, _)| atlas_version(a).cmp(&atlas_version(b)).then_with(|| a.cmp(b)))
}

pub(crate) fn is_json(media_type: &str) -> bool {
    let essence = essence(media_type);
    essence == "application/json" || essence.ends_with("+json")
}

/// The media type without its parameters (`application/json` of `application/json;
/// charset=utf-8`).
pub(crate) fn essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or("").trim()
}

/// `application/vnd.atlas.preview+json` (or `+gzip`, ...): the version Atlas is still
/// shaping. Having no date, it sorts before the dated ones and is never the newest.
pub(crate) fn is_preview(media_type: &str) -> bool {
    media_type.strip_prefix("application/vnd.atlas.preview").is_some_and(|rest| rest.starts_with('+'))
}

/// `2025-03-12` from `application/vnd.atlas.2025-03-12+json` (or `+gzip`, `+csv`).
pub(crate) fn atlas_version(media_type: &str) -> Option<&str> {
    let rest = media_type.strip_prefix("application/vnd.atlas.")?;
    let date = rest.split('+').next()?;
    let ok = date.len() == 10 && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    ok.then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn json_media_types() {
        for (mt, json) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("application/vnd.atlas.2025-03-12+json", true),
            ("application/vnd.atlas.2025-03-12+gzip", false),
            ("text/plain", false),
            ("application/jsonl", false),
        ] {
            assert_eq!(is_json(mt), json, "{mt}");
        }
    }

    #[test]
    pub(super) fn atlas_versions() {
        for (mt, date) in [
            ("application/vnd.atlas.2025-03-12+json", Some("2025-03-12")),
            ("application/vnd.atlas.2023-01-01+csv", Some("2023-01-01")),
            ("application/vnd.atlas.2025-3-12+json", None),
            ("application/vnd.atlas.preview+json", None),
            ("application/json", None),
        ] {
            assert_eq!(atlas_version(mt), date, "{mt}");
        }
        assert!(is_preview("application/vnd.atlas.preview+json"));
        assert!(!is_preview("application/vnd.atlas.previews+json") && !is_preview("application/vnd.atlas.2025-03-12+json"));
    }

    #[test]
    pub(super) fn the_newest_json_media_type_wins() {
        let mut content = IndexMap::new();
        for mt in
            ["application/vnd.atlas.2025-03-12+json", "application/vnd.atlas.2026-01-01+gzip", "application/vnd.atlas.2023-01-01+json"]
        {
            content.insert(mt.to_owned(), openapiv3::MediaType::default());
        }
        assert_eq!(newest_json(&content).map(|(mt, _)| mt.as_str()), Some("application/vnd.atlas.2025-03-12+json"));
        content.clear();
        content.insert("text/plain".to_owned(), openapiv3::MediaType::default());
        assert!(newest_json(&content).is_none());
    }
}
