//! The HTML reference in a real browser: headless Chromium (Debian's `chromium`, or
//! `$ENS_CHROMIUM`) driven by playwright-core loads `docs/site/` from `file://`, filters the
//! index by typing in the search box (by event name and by field name), opens an event page,
//! copies an example, follows every local link of the pages it visits, and sees no console
//! error, page error or failed request. A phone-sized viewport does not scroll sideways.
//!
//! Why a Node script over playwright-core rather than a Rust CDP client: the npm packages the
//! other reference tests need are installed anyway (`tools/js/`), playwright waits for pages
//! and events itself (no hand-written CDP polling), and the workspace builds no extra crates.

mod support;

use serde_json::json;

#[test]
fn the_site_searches_navigates_and_has_no_broken_link_or_console_error() {
    let chromium = support::chromium();
    let site = support::repository().join("docs/site");
    let summary = support::run_script(
        "site_in_browser.cjs",
        &["playwright-core"],
        &[&site],
        &[("ENS_CHROMIUM", &chromium)],
    );

    assert_eq!(summary["problems"], json!([]), "console errors: {summary}");
    assert_eq!(summary["brokenLinks"], json!([]), "{summary}");
    let entries = summary["entries"].as_u64().unwrap();
    assert!(entries >= 66, "every event is listed: {summary}");
    assert_eq!(
        summary["afterName"],
        json!(["tierUpgraded"]),
        "typing a name filters the list"
    );
    assert_eq!(summary["status"], format!("1 of {entries} match"));
    assert_eq!(
        summary["afterField"],
        json!(["tierUpgraded"]),
        "typing a field name finds its event"
    );
    assert_eq!(
        summary["fieldHits"],
        json!(["events/tierUpgraded.html#field-upgradedTierNumber"]),
        "the matching field is listed under its event"
    );
    assert_eq!(
        summary["unresolvedFieldHits"],
        json!([]),
        "field hits lead to their rows"
    );
    assert_eq!(summary["afterNothing"], 0);
    assert_eq!(summary["noMatchShown"], true);
    assert_eq!(summary["eventTitle"], "tierUpgraded");
    assert!(summary["fieldRows"].as_u64().unwrap() >= 10, "{summary}");
    assert!(
        summary["copyButtons"].as_u64().unwrap() >= 2,
        "examples have copy buttons"
    );
    assert_eq!(summary["copyLabel"], "Copied");
    assert!(
        summary["pagesVisited"].as_u64().unwrap() > entries,
        "every event and shared page was opened: {summary}"
    );
    assert_eq!(
        summary["phoneOverflow"], 0,
        "readable on a phone: {summary}"
    );
}

/// The check above would pass on a quiet page that never ran: here a planted console error and
/// a planted broken link must both be seen.
#[test]
fn the_browser_check_sees_a_planted_console_error_and_broken_link() {
    let chromium = support::chromium();
    let copy = support::temp_dir("site-planted");
    copy_dir(&support::repository().join("docs/site"), &copy);
    let script = copy.join("assets/site.js");
    let mut text = std::fs::read_to_string(&script).unwrap();
    text.push_str("\nconsole.error(\"planted\");\n");
    std::fs::write(&script, text).unwrap();
    let index = copy.join("index.html");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(
        &index,
        text.replace(
            "href=\"shared/CustomerIdentifiers.html\"",
            "href=\"shared/Nobody.html\"",
        ),
    )
    .unwrap();

    let summary = support::run_script(
        "site_in_browser.cjs",
        &["playwright-core"],
        &[&copy],
        &[("ENS_CHROMIUM", &chromium)],
    );
    let problems = summary["problems"].to_string();
    assert!(
        problems.contains("console error") && problems.contains("planted"),
        "{summary}"
    );
    let broken = summary["brokenLinks"].to_string();
    assert!(
        broken.contains("shared/Nobody.html (no such file)"),
        "{summary}"
    );
    let _ = std::fs::remove_dir_all(copy);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
