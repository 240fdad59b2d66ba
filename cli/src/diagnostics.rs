//! `-v`, `-q` and `RUST_LOG`: diagnostics on stderr through a tracing subscriber.
//!
//! Log lines carry event names, event ids, statuses, URLs and timings, never a header value,
//! a secret or a body.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::output::ColorChoice;

/// The crates of this workspace, whose debug lines `-v` turns on.
const OUR_CRATES: [&str; 6] = [
    "capillary_ens_cli",
    "capillary_ens_admin",
    "capillary_ens_receiver",
    "capillary_ens_testkit",
    "capillary_ens_inbox",
    "capillary_ens_schemas",
];

/// The filter for `-v` given `verbose` times, or `-q`; `calm` commands (the demo, whose
/// receivers fail on purpose) show only errors unless `-v`.
fn default_filter(verbose: u8, quiet: bool, calm: bool) -> String {
    if quiet || (calm && verbose == 0) {
        return "error".to_owned();
    }
    let ours = match verbose {
        0 => return "warn".to_owned(),
        1 => "debug",
        _ => "trace",
    };
    let mut filter = "warn".to_owned();
    for name in OUR_CRATES {
        filter.push_str(&format!(",{name}={ours}"));
    }
    filter
}

/// Installs the subscriber; `RUST_LOG`, when set, wins over `-v`/`-q`.
pub(crate) fn install(verbose: u8, quiet: bool, calm: bool, color: ColorChoice) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => EnvFilter::new(directives),
        _ => EnvFilter::new(default_filter(verbose, quiet, calm)),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color.enabled(std::io::stderr().is_terminal()))
        .with_target(verbose > 0)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbosity_selects_our_crates_only() {
        assert_eq!(default_filter(0, false, false), "warn");
        assert_eq!(default_filter(3, true, false), "error");
        assert_eq!(default_filter(0, false, true), "error");
        assert!(default_filter(1, false, true).contains("capillary_ens_receiver=debug"));
        assert!(default_filter(1, false, false).contains("capillary_ens_admin=debug"));
        assert!(default_filter(2, false, false).contains("capillary_ens_cli=trace"));
        assert!(default_filter(1, false, false).starts_with("warn,"));
    }
}
