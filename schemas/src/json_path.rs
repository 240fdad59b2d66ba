//! [`JsonPath`]: a path into a delivery, written `data.coupons[0].code`, as error messages,
//! drift reports, redaction and `ens trigger --set` all name values.
//!
//! ```
//! use capillary_ens_schemas::json_path::{JsonPath, PathSegment};
//! use serde_json::json;
//!
//! let path: JsonPath = "data.coupons[0].code".parse()?;
//! assert_eq!(path.segments()[2], PathSegment::Index(0));
//! assert_eq!(path.to_string(), "data.coupons[0].code");
//! let delivery = json!({"data": {"coupons": [{"code": "WELCOME"}]}});
//! assert_eq!(path.get(&delivery), Some(&json!("WELCOME")));
//! assert_eq!(JsonPath::from_pointer("/data/coupons/0/code"), path);
//! # Ok::<(), capillary_ens_schemas::json_path::JsonPathError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// One step of a path: an object key or an array index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSegment {
    /// A key of an object.
    Key(String),
    /// A position in an array, from 0.
    Index(usize),
}

/// A path into a JSON value, printed (and parsed) as `data.coupons[0].code`.
///
/// The empty path names the value itself and prints as the empty string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPath(Vec<PathSegment>);

/// Text that is not a path, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonPathError {
    path: String,
    reason: &'static str,
}

impl JsonPathError {
    /// Why the text is not a path.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for JsonPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a path: {}", self.path, self.reason)
    }
}

impl std::error::Error for JsonPathError {}

impl JsonPath {
    /// The path of the value itself.
    pub fn root() -> Self {
        Self::default()
    }

    /// The steps, outermost first.
    pub fn segments(&self) -> &[PathSegment] {
        &self.0
    }

    /// Whether this is the root path.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// This path with one more step.
    pub fn child(&self, segment: PathSegment) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment);
        Self(segments)
    }

    /// This path followed by `key`.
    pub fn key(&self, key: &str) -> Self {
        self.child(PathSegment::Key(key.to_owned()))
    }

    /// This path followed by `[index]`.
    pub fn index(&self, index: usize) -> Self {
        self.child(PathSegment::Index(index))
    }

    /// The path without its last step (the root stays the root).
    pub fn parent(&self) -> Self {
        let mut segments = self.0.clone();
        segments.pop();
        Self(segments)
    }

    /// Whether the path begins with `prefix`.
    pub fn starts_with(&self, prefix: &JsonPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// Whether the path lies under the event's `data` (`data…` or `attributes.data…`).
    pub fn is_under_data(&self) -> bool {
        let key = |position: usize, wanted: &str| matches!(self.0.get(position), Some(PathSegment::Key(key)) if key == wanted);
        key(0, "data") || (key(0, "attributes") && key(1, "data"))
    }

    /// Reads a JSON Pointer (RFC 6901) such as `/data/coupons/0/code`; a segment of digits is
    /// read as an index.
    pub fn from_pointer(pointer: &str) -> Self {
        Self(
            pointer
                .split('/')
                .skip(1)
                .map(|segment| {
                    let segment = segment.replace("~1", "/").replace("~0", "~");
                    match segment.parse::<usize>() {
                        Ok(index) if segment.bytes().all(|byte| byte.is_ascii_digit()) => {
                            PathSegment::Index(index)
                        }
                        _ => PathSegment::Key(segment),
                    }
                })
                .collect(),
        )
    }

    /// The value at this path, if there is one.
    pub fn get<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        self.0
            .iter()
            .try_fold(root, |value, segment| match (value, segment) {
                (Value::Object(object), PathSegment::Key(key)) => object.get(key),
                (Value::Array(items), PathSegment::Index(index)) => items.get(*index),
                _ => None,
            })
    }

    /// The value at this path, mutably, if there is one.
    pub fn get_mut<'v>(&self, root: &'v mut Value) -> Option<&'v mut Value> {
        self.0
            .iter()
            .try_fold(root, |value, segment| match (value, segment) {
                (Value::Object(object), PathSegment::Key(key)) => object.get_mut(key),
                (Value::Array(items), PathSegment::Index(index)) => items.get_mut(*index),
                _ => None,
            })
    }
}

impl From<Vec<PathSegment>> for JsonPath {
    fn from(segments: Vec<PathSegment>) -> Self {
        Self(segments)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if position == 0 => f.write_str(key)?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

impl FromStr for JsonPath {
    type Err = JsonPathError;

    /// Reads `data.coupons[0].code`. A path starts with a key and is never empty.
    fn from_str(path: &str) -> Result<Self, Self::Err> {
        let error = |reason: &'static str| JsonPathError {
            path: path.to_owned(),
            reason,
        };
        let mut segments = Vec::new();
        let mut rest = path;
        let mut expect_key = true;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('[') {
                let (index, after) = after
                    .split_once(']')
                    .ok_or_else(|| error("an index `[` is not closed"))?;
                let index = index
                    .parse::<usize>()
                    .map_err(|_| error("an index must be a whole number such as `[0]`"))?;
                if segments.is_empty() {
                    return Err(error("a path starts with a key, not an index"));
                }
                segments.push(PathSegment::Index(index));
                rest = after;
                expect_key = false;
            } else if !expect_key {
                rest = rest
                    .strip_prefix('.')
                    .ok_or_else(|| error("expected `.` or `[` after an index"))?;
                expect_key = true;
                if rest.is_empty() {
                    return Err(error("a path does not end with `.`"));
                }
            } else {
                let end = rest.find(['.', '[', ']']).unwrap_or(rest.len());
                let key = &rest[..end];
                if key.is_empty() {
                    return Err(error("a key is empty"));
                }
                segments.push(PathSegment::Key(key.to_owned()));
                rest = &rest[end..];
                if rest.starts_with(']') {
                    return Err(error("a `]` has no opening `[`"));
                }
                expect_key = false;
            }
        }
        if segments.is_empty() {
            return Err(error("the path is empty"));
        }
        Ok(Self(segments))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_keys_and_indices() {
        let path: JsonPath = "data.coupons[0][2].code".parse().unwrap();
        assert_eq!(
            path.segments(),
            [
                PathSegment::Key("data".into()),
                PathSegment::Key("coupons".into()),
                PathSegment::Index(0),
                PathSegment::Index(2),
                PathSegment::Key("code".into()),
            ]
        );
        assert_eq!(path.to_string(), "data.coupons[0][2].code");
    }

    #[test]
    fn rejects_what_is_not_a_path() {
        for bad in ["", "[0]", "a.", "a..b", "a[x]", "a[0", "a]", "a[0]b"] {
            assert!(bad.parse::<JsonPath>().is_err(), "{bad}");
        }
    }

    #[test]
    fn data_paths_are_recognised_in_both_envelopes() {
        assert!("data.x".parse::<JsonPath>().unwrap().is_under_data());
        assert!(
            "attributes.data.x"
                .parse::<JsonPath>()
                .unwrap()
                .is_under_data()
        );
        assert!(!"eventId".parse::<JsonPath>().unwrap().is_under_data());
    }

    proptest! {
        #[test]
        fn any_text_parses_or_errs_and_round_trips(text in "[a-z.\\[\\]0-9]{0,12}|\\PC{0,12}") {
            if let Ok(path) = text.parse::<JsonPath>() {
                prop_assert_eq!(path.to_string().parse::<JsonPath>().unwrap(), path);
            }
        }
    }
}
