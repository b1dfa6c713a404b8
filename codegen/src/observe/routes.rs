//! Which operation of the IR a recorded request belongs to: its method and its URL's path
//! against each operation's path template (`{name}` matching any one segment).

use crate::ir::{Api, Operation};

/// The path of a URL, without scheme, host, query and fragment.
pub fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

/// The operation whose template matches `path` (or its end, for a base URL with a path of
/// its own) with `method`: of several, the one with the most literal segments
/// (`/snapshots/shardedClusters` before `/snapshots/{snapshotId}`), then the longest.
pub fn find<'a>(api: &'a Api, method: &str, path: &str) -> Option<&'a Operation> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    api.operations
        .iter()
        .filter(|op| op.method.as_str().eq_ignore_ascii_case(method))
        .filter_map(|op| {
            let template: Vec<&str> = op.path.trim_end_matches('/').split('/').skip(1).collect();
            let tail = segments.len().checked_sub(template.len()).map(|start| &segments[start..])?;
            let mut literals = 0;
            for (t, s) in template.iter().zip(tail) {
                if t.starts_with('{') && t.ends_with('}') {
                    if s.is_empty() {
                        return None;
                    }
                } else if t == s {
                    literals += 1;
                } else {
                    return None;
                }
            }
            Some((literals, template.len(), op))
        })
        .max_by_key(|(literals, len, _)| (*literals, *len))
        .map(|(_, _, op)| op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_of_a_url() {
        assert_eq!(url_path("https://cloud.mongodb.com/api/atlas/v2/groups/a?pageNum=2#x"), "/api/atlas/v2/groups/a");
        assert_eq!(url_path("http://127.0.0.1:8080"), "");
        assert_eq!(url_path("/api/x?y"), "/api/x");
    }
}
