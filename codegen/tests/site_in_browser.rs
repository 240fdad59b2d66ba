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
