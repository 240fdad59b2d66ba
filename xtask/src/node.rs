//! The npm packages under `tools/js/` (JavaScript tooling some tests drive).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::shell;

/// Returns the absolute path of `tools/js/node_modules`, running `npm ci` first when
/// `tools/js/package.json` exists and `node_modules` is missing or older than the manifests.
pub(crate) fn ensure(root: &Path) -> Result<PathBuf, String> {
    let tools_js = root.join("tools").join("js");
    let node_modules = tools_js.join("node_modules");
    let manifest = tools_js.join("package.json");
    if !manifest.exists() {
        eprintln!("xtask: npm: no tools/js/package.json, nothing to install");
        return Ok(node_modules);
    }
    if is_current(&tools_js, &node_modules) {
        eprintln!("xtask: npm: tools/js/node_modules is up to date");
        return Ok(node_modules);
    }
    eprintln!("xtask: npm: tools/js/node_modules is missing or stale; installing");
    let mut npm = Command::new("npm");
    npm.arg("ci").arg("--prefix").arg(&tools_js);
    shell::run(&mut npm).map_err(|error| format!("{error}; Node.js 20 and npm are needed"))?;
    Ok(node_modules)
}

/// npm records what it installed in `node_modules/.package-lock.json`; the install is current
/// when that record is at least as new as `package.json` and `package-lock.json`.
fn is_current(tools_js: &Path, node_modules: &Path) -> bool {
    let Some(installed) = modified(&node_modules.join(".package-lock.json")) else {
        return false;
    };
    ["package.json", "package-lock.json"]
        .iter()
        .filter_map(|name| modified(&tools_js.join(name)))
        .all(|manifest| manifest <= installed)
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|meta| meta.modified()).ok()
}
