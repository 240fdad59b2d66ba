//! `capillary-ens-codegen`: regenerate, check, or document the ENS payload types.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use capillary_ens_codegen::{
    Stale, broken_links, by_folder, generate_docs, generate_rust, read_files, stale_files,
    write_files,
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
            let mut checked_in = Vec::new();
            for (folder, files) in by_folder(&pages) {
                let dir = docs.join(&folder);
                let stale_docs =
                    stale_files(&dir, &files).context("comparing the generated docs")?;
                stale.extend(stale_docs.into_iter().map(|file| in_folder(&folder, file)));
                for mut file in read_files(&dir).context("reading the docs")? {
                    file.path = folder.join(&file.path);
                    checked_in.push(file);
                }
            }
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
            for (folder, files) in by_folder(&files) {
                write_files(&out.join(folder), &files).context("writing the docs")?;
            }
            println!("wrote {} pages to {}", files.len(), out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A stale file of a docs folder, with its path from `docs/`.
fn in_folder(folder: &Path, stale: Stale) -> Stale {
    match stale {
        Stale::Missing(path) => Stale::Missing(folder.join(path)),
        Stale::Changed(path) => Stale::Changed(folder.join(path)),
        Stale::Extra(path) => Stale::Extra(folder.join(path)),
        other => other,
    }
}
