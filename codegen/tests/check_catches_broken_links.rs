//! `capillary-ens-codegen check` fails on a relative link or anchor in the checked-in docs that
//! does not resolve, and passes on the docs as generated.

mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// A copy of the repository's `docs/` beside links to its `schemas/` and `receiver/` (the docs
/// link into both), so the copy can be broken without touching the real one.
fn repository_copy(name: &str) -> std::path::PathBuf {
    let root = support::temp_dir(name);
    copy_dir(&support::repository().join("docs"), &root.join("docs"));
    for linked in ["schemas", "receiver"] {
        std::os::unix::fs::symlink(support::repository().join(linked), root.join(linked)).unwrap();
    }
    root
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn check(root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capillary-ens-codegen"))
        .arg("check")
        .current_dir(root)
        .output()
        .unwrap()
}

#[test]
fn check_passes_on_the_generated_docs_and_leaves_hand_written_ones_alone() {
    let root = repository_copy("links-fresh");
    let notes = root.join("docs/NOTES.md");
    fs::write(&notes, "# Hand-written\n").unwrap();
    let docs = Command::new(env!("CARGO_BIN_EXE_capillary-ens-codegen"))
        .arg("docs")
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        docs.status.success(),
        "{}",
        String::from_utf8_lossy(&docs.stderr)
    );
    assert!(
        notes.is_file(),
        "`docs` removed a file it does not generate"
    );
    let output = check(&root);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("no broken links"), "{stdout}");
    let _ = fs::remove_dir_all(root);
}

#[test]
fn check_fails_on_a_broken_link_or_anchor() {
    let root = repository_copy("links-broken");
    let page = root.join("docs/events/tierUpgraded.md");
    let text = fs::read_to_string(&page).unwrap();
    fs::write(
        &page,
        text.replace(
            "(shared/CustomerIdentifiers.md)",
            "(../shared/CustomerIdentifiers.md)",
        )
        .replace("(README.md#tier)", "(README.md#no-such-group)"),
    )
    .unwrap();
    let html = root.join("docs/site/events/pointsIssued.html");
    let text = fs::read_to_string(&html).unwrap();
    fs::write(
        &html,
        text.replace(
            "../shared/CustomerIdentifiers.html",
            "../shared/Nobody.html",
        ),
    )
    .unwrap();

    let output = check(&root);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    for expected in [
        "docs/events/tierUpgraded.md: broken link `../shared/CustomerIdentifiers.md` (no such file)",
        "docs/events/tierUpgraded.md: broken link `README.md#no-such-group` (no such anchor)",
        "docs/site/events/pointsIssued.html: broken link `../shared/Nobody.html` (no such file)",
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
    let _ = fs::remove_dir_all(root);
}
