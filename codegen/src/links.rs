//! Finding relative links and anchors in the generated docs that lead nowhere.
//!
//! Markdown links (`[text](target)`, outside code) and HTML `href`/`src` attributes are
//! checked. A target resolves when it names one of the generated files or a file in the
//! repository; an anchor resolves when the target page has that heading (Markdown, as GitHub
//! derives anchors) or that `id` (HTML). Absolute URLs are not fetched.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::docs::heading_anchor;
use crate::files::GeneratedFile;

/// A link in a generated page that does not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    /// The page, as `base` joined with the page's path.
    pub page: PathBuf,
    /// The link target as written.
    pub target: String,
    /// Why it does not resolve.
    pub reason: BrokenReason,
}

/// Why a link does not resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BrokenReason {
    /// No generated page and no file in the repository has that path.
    NoSuchFile,
    /// The page exists but has no heading or `id` for the anchor.
    NoSuchAnchor,
}

impl fmt::Display for BrokenLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = match self.reason {
            BrokenReason::NoSuchFile => "no such file",
            BrokenReason::NoSuchAnchor => "no such anchor",
        };
        write!(
            f,
            "{}: broken link `{}` ({reason})",
            self.page.display(),
            self.target
        )
    }
}

/// The broken relative links of `files`, which live below `base` (a path relative to the
/// current directory or absolute; links leaving the generated files are looked up on disk).
pub fn broken_links(base: &Path, files: &[GeneratedFile]) -> Vec<BrokenLink> {
    let pages: BTreeMap<PathBuf, &GeneratedFile> = files
        .iter()
        .map(|file| (normalize(&base.join(&file.path)), file))
        .collect();
    let mut anchors_on_disk: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut broken = Vec::new();
    for (page_path, file) in &pages {
        let Some(kind) = Kind::of(page_path) else {
            continue;
        };
        for target in kind.links(&file.contents) {
            if is_external(&target) {
                continue;
            }
            let (path_part, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let resolved = if path_part.is_empty() {
                page_path.clone()
            } else {
                let dir = page_path.parent().unwrap_or(Path::new(""));
                normalize(&dir.join(path_part))
            };
            let anchors = if let Some(page) = pages.get(&resolved) {
                Kind::of(&resolved).map(|kind| kind.anchors(&page.contents))
            } else if resolved.exists() {
                let anchors = anchors_on_disk.entry(resolved.clone()).or_insert_with(|| {
                    let text = fs::read_to_string(&resolved).unwrap_or_default();
                    Kind::of(&resolved).map_or_else(BTreeSet::new, |kind| kind.anchors(&text))
                });
                Some(anchors.clone())
            } else {
                broken.push(BrokenLink {
                    page: page_path.clone(),
                    target: target.clone(),
                    reason: BrokenReason::NoSuchFile,
                });
                continue;
            };
            if let Some(anchor) = anchor
                && !anchors.is_some_and(|anchors| anchors.contains(anchor))
            {
                broken.push(BrokenLink {
                    page: page_path.clone(),
                    target: target.clone(),
                    reason: BrokenReason::NoSuchAnchor,
                });
            }
        }
    }
    broken
}

#[derive(Clone, Copy)]
enum Kind {
    Markdown,
    Html,
}

impl Kind {
    fn of(path: &Path) -> Option<Self> {
        match path.extension().and_then(|ext| ext.to_str()) {
            Some("md") => Some(Self::Markdown),
            Some("html") => Some(Self::Html),
            _ => None,
        }
    }

    fn links(self, text: &str) -> Vec<String> {
        match self {
            Self::Markdown => markdown_lines(text)
                .flat_map(|line| markdown_links(&without_code_spans(line)))
                .collect(),
            Self::Html => ["href=\"", "src=\""]
                .iter()
                .flat_map(|attribute| attribute_values(text, attribute))
                .map(|value| unescape_html(&value))
                .collect(),
        }
    }

    fn anchors(self, text: &str) -> BTreeSet<String> {
        match self {
            Self::Markdown => markdown_lines(text)
                .filter(|line| line.starts_with('#'))
                .map(|line| heading_anchor(line.trim_start_matches('#')))
                .collect(),
            Self::Html => attribute_values(text, " id=\"").collect(),
        }
    }
}

/// The lines of a Markdown text outside fenced code blocks.
fn markdown_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut in_fence = false;
    text.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            return false;
        }
        !in_fence
    })
}

fn without_code_spans(line: &str) -> String {
    line.split('`')
        .enumerate()
        .filter(|(index, _)| index % 2 == 0)
        .map(|(_, part)| part)
        .collect::<Vec<_>>()
        .join("")
}

fn markdown_links(line: &str) -> Vec<String> {
    let mut links = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("](") {
        let after = &rest[start + 2..];
        match after.find(')') {
            Some(end) => {
                links.push(after[..end].trim().to_owned());
                rest = &after[end..];
            }
            None => break,
        }
    }
    links
}

fn attribute_values<'t>(text: &'t str, attribute: &'t str) -> impl Iterator<Item = String> + 't {
    text.match_indices(attribute).filter_map(move |(start, _)| {
        let value = &text[start + attribute.len()..];
        value.find('"').map(|end| value[..end].to_owned())
    })
}

fn unescape_html(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn is_external(target: &str) -> bool {
    let scheme_end = target.find(':');
    let path_start = target.find(['/', '#', '?']);
    match (scheme_end, path_start) {
        (Some(colon), Some(slash)) => colon < slash,
        (Some(_), None) => true,
        _ => false,
    }
}

/// `a/b/../c` → `a/c`, lexically; leading `..` are kept.
fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                _ => parts.push(component),
            },
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.into(),
            contents: contents.to_owned(),
        }
    }

    #[test]
    fn resolving_links_and_anchors_pass() {
        let files = [
            file(
                "events/README.md",
                "# Index\n\n## Tier changes\n\n[a](a.md) [b](shared/B.md#fields) [t](#tier-changes) [w](https://x.dev/y)",
            ),
            file(
                "events/a.md",
                "# A\n\n[back](README.md#index)\n```\n[not a link](nowhere.md)\n```\n`[code](gone.md)`",
            ),
            file(
                "events/shared/B.md",
                "# B\n\n## Fields\n\n[up](../README.md)",
            ),
            file(
                "site/index.html",
                "<a href=\"events/a.html#top\">a</a><link href=\"style.css\">",
            ),
            file(
                "site/events/a.html",
                "<h1 id=\"top\">A</h1><a href=\"../index.html\">",
            ),
            file("site/style.css", "body{}"),
        ];
        assert_eq!(broken_links(Path::new("/nonexistent/docs"), &files), []);
    }

    #[test]
    fn a_missing_page_and_a_missing_anchor_are_reported() {
        let files = [
            file(
                "events/README.md",
                "# Index\n\n[a](../shared/A.md) [b](b.md#nope)",
            ),
            file("events/b.md", "# B"),
            file(
                "site/index.html",
                "<a href=\"gone.html\">x</a><p id=\"here\"><a href=\"#there\">",
            ),
        ];
        let broken = broken_links(Path::new("/nonexistent/docs"), &files);
        let found: Vec<(String, &str, BrokenReason)> = broken
            .iter()
            .map(|link| {
                (
                    link.page.display().to_string(),
                    link.target.as_str(),
                    link.reason,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "/nonexistent/docs/events/README.md".to_owned(),
                    "../shared/A.md",
                    BrokenReason::NoSuchFile
                ),
                (
                    "/nonexistent/docs/events/README.md".to_owned(),
                    "b.md#nope",
                    BrokenReason::NoSuchAnchor
                ),
                (
                    "/nonexistent/docs/site/index.html".to_owned(),
                    "gone.html",
                    BrokenReason::NoSuchFile
                ),
                (
                    "/nonexistent/docs/site/index.html".to_owned(),
                    "#there",
                    BrokenReason::NoSuchAnchor
                ),
            ]
        );
    }

    #[test]
    fn paths_normalize_lexically() {
        assert_eq!(
            normalize(Path::new("docs/events/../../schemas/x.json")),
            Path::new("schemas/x.json")
        );
        assert_eq!(normalize(Path::new("../a/./b")), Path::new("../a/b"));
    }
}
