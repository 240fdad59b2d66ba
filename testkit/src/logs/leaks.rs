//! Finding forbidden values in captured text and describing them without printing them.

use std::fmt::Write as _;
use std::ops::Range;

/// How forbidden values are compared with the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Case {
    /// Byte for byte.
    Exact,
    /// Letters compared in lower case.
    Ignored,
}

/// Lines up to this many characters are shown whole.
const WHOLE_LINE_CHARS: usize = 240;
/// Characters kept from the start of a longer line: level, spans and target.
const HEAD_CHARS: usize = 80;
/// Characters of context kept on each side of a leaked value in a longer line.
const CONTEXT_CHARS: usize = 60;

/// One forbidden value that appears in the text.
struct Leak {
    index: usize,
    masked: String,
    chars: usize,
    count: usize,
    line: usize,
    context: String,
}

/// A report naming every forbidden value found in `text` (masked) with the line it first
/// appears on, or `None` when none appears.
pub(super) fn report(text: &str, forbidden: &[&str], case: Case) -> Option<String> {
    let leaks: Vec<Leak> = forbidden
        .iter()
        .enumerate()
        .filter_map(|(index, value)| leak(text, forbidden, index, value, case))
        .collect();
    if leaks.is_empty() {
        return None;
    }
    let mut report = format!(
        "{} of {} forbidden values appeared in the captured logs ({} lines); values are \
         masked, and so is every forbidden value in the lines shown:",
        leaks.len(),
        forbidden.len(),
        text.lines().count(),
    );
    for leak in &leaks {
        let times = if leak.count == 1 { "time" } else { "times" };
        let _ = write!(
            report,
            "\n  - forbidden[{}] \"{}\" ({} chars), {} {times}, first on line {}:\n      {}",
            leak.index, leak.masked, leak.chars, leak.count, leak.line, leak.context,
        );
    }
    Some(report)
}

fn leak(text: &str, forbidden: &[&str], index: usize, value: &str, case: Case) -> Option<Leak> {
    let found = find_all(text, value, case);
    let first = found.first()?.clone();
    let line_start = text[..first.start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = text[first.end..]
        .find('\n')
        .map_or(text.len(), |at| first.end + at);
    let line = &text[line_start..line_end];
    Some(Leak {
        index,
        masked: mask(value),
        chars: value.chars().count(),
        count: found.len(),
        line: text[..first.start].matches('\n').count() + 1,
        context: masked_context(line, first.start - line_start, forbidden, case),
    })
}

/// `line` with every forbidden value masked, cut to some characters around the match that
/// starts at byte `at`.
fn masked_context(line: &str, at: usize, forbidden: &[&str], case: Case) -> String {
    let mut regions: Vec<Range<usize>> = forbidden
        .iter()
        .flat_map(|value| find_all(line, value, case))
        .collect();
    regions.sort_by_key(|region| region.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for region in regions {
        match merged.last_mut() {
            Some(last) if region.start < last.end => last.end = last.end.max(region.end),
            _ => merged.push(region),
        }
    }
    let mut masked = String::new();
    let mut target = 0..0;
    let mut copied = 0;
    for region in merged {
        masked.push_str(&line[copied..region.start]);
        let start = masked.chars().count();
        masked.push_str(&mask(&line[region.clone()]));
        if region.contains(&at) {
            target = start..masked.chars().count();
        }
        copied = region.end;
    }
    masked.push_str(&line[copied..]);
    window(&masked, target)
}

/// `text` whole if short; otherwise its head (where the level, spans and target are) and the
/// characters within [`CONTEXT_CHARS`] of the char range `target`.
fn window(text: &str, target: Range<usize>) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= WHOLE_LINE_CHARS {
        return text.to_owned();
    }
    let from = target.start.saturating_sub(CONTEXT_CHARS);
    let to = (target.end + CONTEXT_CHARS).min(chars.len());
    let mut shown: String = if from > HEAD_CHARS {
        let head: String = chars[..HEAD_CHARS].iter().collect();
        let near: String = chars[from..to].iter().collect();
        format!("{head} … {near}")
    } else {
        chars[..to].iter().collect()
    };
    if to < chars.len() {
        shown.push('…');
    }
    shown
}

/// A form of `value` that identifies it to its author without repeating it: a few characters
/// from each end of long values, one from each end of short ones, none of very short ones.
pub(super) fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let kept = match chars.len() {
        0..=3 => 0,
        4..=8 => 1,
        _ => 3,
    };
    let head: String = chars[..kept].iter().collect();
    let tail: String = chars[chars.len() - kept..].iter().collect();
    format!("{head}…{tail}")
}

/// Byte ranges of the non-overlapping occurrences of `needle` in `haystack`.
pub(super) fn find_all(haystack: &str, needle: &str, case: Case) -> Vec<Range<usize>> {
    if needle.is_empty() {
        return Vec::new();
    }
    match case {
        Case::Exact => haystack
            .match_indices(needle)
            .map(|(at, found)| at..at + found.len())
            .collect(),
        Case::Ignored => find_all_ignoring_case(haystack, needle),
    }
}

fn find_all_ignoring_case(haystack: &str, needle: &str) -> Vec<Range<usize>> {
    let needle: Vec<char> = needle.chars().map(fold).collect();
    let mut found = Vec::new();
    let mut from = 0;
    for (at, _) in haystack.char_indices() {
        if at < from {
            continue;
        }
        let mut rest = haystack[at..].char_indices();
        let matched = needle.iter().all(|wanted| {
            rest.next()
                .is_some_and(|(_, candidate)| fold(candidate) == *wanted)
        });
        if matched {
            let end = rest
                .next()
                .map_or(haystack.len(), |(offset, _)| at + offset);
            found.push(at..end);
            from = end;
        }
    }
    found
}

/// A character in lower case, one character for one, so positions stay comparable.
fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(mask("919876543210"), "919…210");
        assert_eq!(mask("Priya"), "P…a");
        assert_eq!(mask("abc"), "…");
        assert_eq!(mask(""), "…");
    }

    #[test]
    fn finds_values_in_any_case_with_multibyte_text_around() {
        let text = "é PRIYA said priya ✓";
        let found = find_all(text, "Priya", Case::Ignored);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].clone()], "PRIYA");
        assert_eq!(&text[found[1].clone()], "priya");
        assert!(find_all(text, "Priya", Case::Exact).is_empty());
    }

    #[test]
    fn reports_line_count_and_masked_context() {
        let text = "first line\nsecond mobile=919876543210 and 919876543210\n";
        let report = report(text, &["absent", "919876543210"], Case::Exact).expect("a leak");
        assert!(report.contains("forbidden[1] \"919…210\" (12 chars), 2 times, first on line 2"));
        assert!(
            report.contains("second mobile=919…210 and 919…210"),
            "{report}"
        );
        assert!(!report.contains("919876543210"), "{report}");
    }

    #[test]
    fn long_lines_keep_their_head_and_the_value_surroundings() {
        let line = format!("{}secret-value{}", "a".repeat(200), "b".repeat(200));
        let context = masked_context(&line, 200, &["secret-value"], Case::Exact);
        assert_eq!(
            context,
            format!(
                "{} … {}sec…lue{}…",
                "a".repeat(80),
                "a".repeat(60),
                "b".repeat(60)
            )
        );
    }

    #[test]
    fn short_lines_are_shown_whole() {
        let context = masked_context(
            "INFO app: to secret-value ok",
            13,
            &["secret-value"],
            Case::Exact,
        );
        assert_eq!(context, "INFO app: to sec…lue ok");
    }
}
