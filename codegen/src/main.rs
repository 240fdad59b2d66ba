//! `capillary-ens-codegen`: regenerate, check, or document the ENS payload types.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use capillary_ens_codegen::{
    Stale, broken_links, generate_docs, generate_rust, read_files, stale_files, write_files,
};
use clap::{Parser, Subcommand};

/// Generates the capillary-ens-schemas Rust types and payload docs from the ENS JSON Schemas.
#[derive(Parser)]
#[command(version)]
struct Cli {
    /// The folder of JSON Schemas.
    #[arg(long, global = true, default_value = "schemas/json")]
    schemas: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes the generated Rust code.
    Generate {
        /// Where the generated code goes.
        #[arg(long, default_value = "schemas/src/generated")]
        out: PathBuf,
    },
    /// Exits non-zero when the checked-in generated code or docs are stale, or a relative link
    /// or anchor in the docs does not resolve.
    Check {
        /// Where the generated code is.
        #[arg(long, default_value = "schemas/src/generated")]
        out: PathBuf,
        /// Where the generated docs are.
        #[arg(long, default_value = "docs")]
        docs: PathBuf,
    },
    /// Writes the payload reference: Markdown (`events/`), the HTML site (`site/`), the bundled
    /// JSON Schema and the AsyncAPI document (`spec/`).
    Docs {
        /// Where the docs go.
        #[arg(long, default_value = "docs")]
        out: PathBuf,
    },
}

#[allow(clippy::print_stdout)]
fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate { out } => {
            let files = generate_rust(&cli.schemas).context("generating the Rust types")?;
            write_files(&out, &files).context("writing the Rust types")?;
            println!("wrote {} files to {}", files.len(), out.display());
        }
        Command::Check { out, docs } => {
            let files = generate_rust(&cli.schemas).context("generating the Rust types")?;
            let mut stale = stale_files(&out, &files).context("comparing the generated code")?;
            let pages = generate_docs(&cli.schemas).context("generating the docs")?;
            stale.extend(stale_files(&docs, &pages).context("comparing the generated docs")?);
            let checked_in = read_files(&docs).context("reading the docs")?;
            let broken = broken_links(&docs, &checked_in);
            for file in &stale {
                match file {
                    Stale::Missing(path) => println!("missing: {}", path.display()),
                    Stale::Changed(path) => println!("changed: {}", path.display()),
                    Stale::Extra(path) => println!("not generated: {}", path.display()),
                    _ => println!("stale: {file:?}"),
                }
            }
            for link in &broken {
                println!("{link}");
            }
            if !stale.is_empty() {
                println!(
                    "generated files are stale: run `cargo run -p capillary-ens-codegen -- generate` and `… -- docs`"
                );
            }
            if !broken.is_empty() {
                println!("{} broken links in {}", broken.len(), docs.display());
            }
            if !stale.is_empty() || !broken.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
            println!(
                "{} generated files are fresh; no broken links",
                files.len() + pages.len()
            );
        }
        Command::Docs { out } => {
            let files = generate_docs(&cli.schemas).context("generating the docs")?;
            write_files(&out, &files).context("writing the docs")?;
            println!("wrote {} pages to {}", files.len(), out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
