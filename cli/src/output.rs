//! Where output goes: results on stdout (text or JSON), everything else on stderr, colour only
//! when asked or on a terminal, and a closed stdout ending the command quietly with success.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::ValueEnum;
use serde::Serialize;

static QUIET: AtomicBool = AtomicBool::new(false);

/// `-q`: from now on, only errors go to stderr.
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `-q` was given.
pub(crate) fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// A banner, progress line or warning on stderr, unless `-q`.
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::output::is_quiet() {
            $crate::output::write_stderr(&format!($($arg)*));
        }
    };
}

/// An error on stderr, even with `-q`.
macro_rules! error_line {
    ($($arg:tt)*) => {
        $crate::output::write_stderr(&format!($($arg)*))
    };
}

/// Writes one line to stderr; a closed stderr is ignored rather than a panic.
pub(crate) fn write_stderr(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// How a command prints its results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Text for people.
    #[default]
    #[value(alias = "table")]
    Text,
    /// JSON for scripts: one JSON value per line (a stream prints one line per item).
    Json,
}

/// When to colour text output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// When the output is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub(crate) fn enabled(self, is_terminal: bool) -> bool {
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        }
    }
}

/// The output settings every command gets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ui {
    /// Text or JSON.
    pub(crate) format: Format,
    color: bool,
}

impl Ui {
    /// Settings for this process's stdout.
    pub(crate) fn new(format: Format, color: ColorChoice) -> Self {
        Self {
            format,
            color: color.enabled(std::io::stdout().is_terminal()),
        }
    }

    /// Whether results are JSON.
    pub(crate) fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// Writes one line of text to stdout.
    pub(crate) fn line(&self, text: impl AsRef<str>) {
        let mut bytes = text.as_ref().as_bytes().to_vec();
        bytes.push(b'\n');
        write_stdout(&bytes);
    }

    /// Writes `value` as one line of JSON to stdout.
    pub(crate) fn json_line(&self, value: &impl Serialize) {
        match serde_json::to_string(value) {
            Ok(text) => self.line(text),
            Err(error) => {
                write_stderr(&format!("error: cannot print the result as JSON: {error}"));
                std::process::exit(1);
            }
        }
    }

    /// `text` in the colour of an HTTP status: green 2xx, yellow retriable, red otherwise.
    pub(crate) fn status(&self, status: u16, text: &str) -> String {
        let code = match status {
            200..=299 => "32",
            429 | 500..=599 => "33",
            _ => "31",
        };
        self.paint(code, text)
    }

    /// Green when `ok`, red otherwise.
    pub(crate) fn verdict(&self, ok: bool, text: &str) -> String {
        self.paint(if ok { "32" } else { "31" }, text)
    }

    /// Dimmed text.
    pub(crate) fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Writes to stdout; a reader that went away (`ens … | head`) ends the process with success,
/// any other write error with exit 1.
pub(crate) fn write_stdout(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_all(bytes).and_then(|()| stdout.flush());
    if let Err(error) = written {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        write_stderr(&format!("error: cannot write the output: {error}"));
        std::process::exit(1);
    }
}
