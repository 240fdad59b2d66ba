//! Headless Chromium for the HTML reference test: Debian's `chromium` package.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::shell;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Returns the path of Chromium, installing Debian's package first when it is missing.
pub(crate) fn ensure() -> Result<PathBuf, String> {
    let path = Path::new(CHROMIUM);
    if path.exists() {
        eprintln!("xtask: chromium: {CHROMIUM} is installed");
        return Ok(path.to_path_buf());
    }
    eprintln!("xtask: chromium: {CHROMIUM} is missing; installing Debian's `chromium` package");
    let apt = |args: &[&str]| {
        let mut command = Command::new("apt-get");
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        shell::run(&mut command)
    };
    apt(&["update"])
        .and_then(|()| apt(&["install", "-y", "chromium"]))
        .map_err(|error| {
            format!("{error}; installing chromium needs root on Debian (or install it yourself so that {CHROMIUM} exists)")
        })?;
    if !path.exists() {
        return Err(format!(
            "the `chromium` package is installed but {CHROMIUM} does not exist"
        ));
    }
    Ok(path.to_path_buf())
}
