//! Running the Node scripts of `codegen/tests/js/` with the packages of `tools/js/`.
//!
//! The packages are found at `$ENS_NODE_MODULES` or `<repository>/tools/js/node_modules`; when
//! they (or node, or Chromium) are missing the test fails and says how to install them: these
//! tests never pass by skipping.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const INSTALL: &str = "run `cargo xtask test` (or `npm ci --prefix tools/js`)";

/// The repository root.
pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_owned()
}

/// The `node_modules` folder holding `tools/js/package.json`'s packages, each of `packages`
/// installed.
pub fn node_modules(packages: &[&str]) -> PathBuf {
    let folder = std::env::var_os("ENS_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository().join("tools/js/node_modules"));
    for package in packages {
        assert!(
            folder.join(package).join("package.json").is_file(),
            "the npm package `{package}` is not installed in {}: {INSTALL}",
            folder.display()
        );
    }
    folder
}

/// Chromium for the browser test: `$ENS_CHROMIUM` or Debian's `/usr/bin/chromium`.
pub fn chromium() -> PathBuf {
    let path = std::env::var_os("ENS_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "Chromium is not installed at {} (set ENS_CHROMIUM to use another): run `cargo xtask test`, \
         which installs Debian's `chromium` package",
        path.display()
    );
    path
}

/// Runs `codegen/tests/js/<script>` with `args` under node and returns the JSON it prints last
/// on stdout. Panics, with node's output, when the script fails.
pub fn run_script(script: &str, packages: &[&str], args: &[&Path], env: &[(&str, &Path)]) -> Value {
    let node_modules = node_modules(packages);
    let script = repository().join("codegen/tests/js").join(script);
    let mut command = Command::new("node");
    command
        .arg(&script)
        .args(args)
        .env("NODE_PATH", &node_modules);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap_or_else(|error| {
        panic!("cannot run node ({error}): install Node.js 20 or newer, then {INSTALL}")
    });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed ({}):\n{stdout}\n{stderr}",
        script.display(),
        output.status
    );
    let last = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|error| {
        panic!(
            "{} printed no JSON summary ({error}):\n{stdout}\n{stderr}",
            script.display()
        )
    })
}

/// A fresh temporary folder for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "capillary-ens-codegen-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a temporary folder");
    dir
}
