//! The `ens` command; see the `capillary_ens_cli` library for everything it does.

use std::process::ExitCode;

fn main() -> ExitCode {
    capillary_ens_cli::main()
}
