//! Workspace tasks, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! `cargo xtask test [ARGS…]` is the one command that runs the whole test suite on a fresh
//! machine: it installs or checks what the tests need (Debian's `chromium`, the npm packages
//! under `tools/js/`, PostgreSQL and Redis on loopback), tells the tests where they are through
//! `ENS_*` variables, then runs `cargo test --workspace ARGS…` and exits with its status.
//! Every step says what it does; a prerequisite it cannot provide stops the run with the reason.

mod chromium;
mod node;
mod services;
mod shell;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: cargo xtask test [ARGS…]
  installs or checks the test prerequisites (chromium, tools/js npm packages, PostgreSQL, Redis),
  then runs `cargo test --workspace ARGS…` and exits with its status";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("test") => match test(&workspace_root(), args.collect()) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("xtask: error: {message}");
                ExitCode::FAILURE
            }
        },
        Some("help" | "--help" | "-h") => {
            eprintln!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root: this package lives in `<root>/xtask`.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Prepares the prerequisites, then runs the workspace's tests with `extra_args` appended.
fn test(root: &Path, extra_args: Vec<String>) -> Result<ExitCode, String> {
    let chromium = chromium::ensure()?;
    let node_modules = node::ensure(root)?;
    services::ensure(&services::POSTGRES)?;
    services::ensure(&services::REDIS)?;

    let test_env = [
        ("ENS_CHROMIUM", chromium.display().to_string()),
        ("ENS_NODE_MODULES", node_modules.display().to_string()),
        ("ENS_TEST_POSTGRES_URL", services::POSTGRES.url.to_string()),
        ("ENS_TEST_REDIS_URL", services::REDIS.url.to_string()),
    ];
    for (name, value) in &test_env {
        eprintln!("xtask: {name}={value}");
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cargo_test = Command::new(cargo);
    cargo_test
        .current_dir(root)
        .args(["test", "--workspace"])
        .args(&extra_args)
        .envs(test_env);
    let status = shell::status(&mut cargo_test)?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        // Killed by a signal: no exit code to pass on.
        None => ExitCode::FAILURE,
    })
}
