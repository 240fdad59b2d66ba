//! Route paths with `{placeholder}` segments, such as `/rest/V1/orders/{id}/comments`.

/// Whether `path` matches `pattern`.
///
/// Segments are compared one by one; a pattern segment written `{anything}` matches any one
/// non-empty segment. A trailing `/` is not ignored: `/a/` and `/a` are different routes.
pub(crate) fn matches(pattern: &str, path: &str) -> bool {
    let mut pattern_segments = pattern.split('/');
    let mut path_segments = path.split('/');
    loop {
        match (pattern_segments.next(), path_segments.next()) {
            (None, None) => return true,
            (Some(expected), Some(actual)) if is_placeholder(expected) => {
                if actual.is_empty() {
                    return false;
                }
            }
            (Some(expected), Some(actual)) => {
                if expected != actual {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

fn is_placeholder(segment: &str) -> bool {
    segment.len() >= 2 && segment.starts_with('{') && segment.ends_with('}')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::matches;

    #[test]
    fn literal_paths_match_only_themselves() {
        assert!(matches("/v1/messages", "/v1/messages"));
        assert!(!matches("/v1/messages", "/v1/messages/"));
        assert!(!matches("/v1/messages", "/v1"));
        assert!(!matches("/v1/messages", "/v2/messages"));
    }

    #[test]
    fn placeholders_match_one_non_empty_segment() {
        let pattern = "/rest/V1/orders/{id}/comments";
        assert!(matches(pattern, "/rest/V1/orders/1001/comments"));
        assert!(!matches(pattern, "/rest/V1/orders//comments"));
        assert!(!matches(pattern, "/rest/V1/orders/1001/2/comments"));
    }

    proptest! {
        #[test]
        fn never_panics_and_every_path_matches_itself(path in ".*", pattern in ".*") {
            let _ = matches(&pattern, &path);
            prop_assert!(matches(&path, &path));
        }
    }
}
