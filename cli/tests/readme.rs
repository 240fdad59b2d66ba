//! Every `ens` command line printed in the top-level README parses as printed: the flags,
//! values and subcommands it shows exist.

use clap::Parser as _;

/// Splits a shell command into words: quotes grouped, `$VARS` kept as text.
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for character in command.chars() {
        match (quote, character) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(character);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            (None, c) => current.push(c),
        }
    }
    if started || !current.is_empty() {
        words.push(current);
    }
    words
}

/// The `ens …` commands of the README's `sh` blocks and table cells.
fn commands(readme: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_sh = false;
    let mut joined = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if in_sh {
            joined.push_str(line.trim_end_matches('\\'));
            if line.ends_with('\\') {
                continue;
            }
            let command = std::mem::take(&mut joined);
            let command = command.split(" # ").next().unwrap_or_default();
            for segment in command.split(['|', ';', '&']) {
                let segment = segment.split(['>', '<']).next().unwrap_or_default().trim();
                if segment.starts_with("ens ") {
                    found.push(segment.to_owned());
                }
            }
        } else if line.starts_with("| `ens ") {
            for span in line.split('`').skip(1).step_by(2) {
                if span.starts_with("ens ") && span.split_whitespace().count() > 2 {
                    found.push(span.replace("\\|", "|"));
                }
            }
        }
    }
    found
}

#[test]
fn every_readme_command_parses() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).expect("the top-level README is readable");
    let commands = commands(&readme);
    assert!(commands.len() >= 15, "found {commands:?}");
    for command in commands {
        let words = words(&command);
        if let Err(error) = capillary_ens_cli::Cli::try_parse_from(&words) {
            panic!("README: `{command}` does not parse: {error}");
        }
    }
}

#[test]
fn words_keep_quoted_text_together() {
    assert_eq!(
        words(r#"ens verify b.json -H "x-signature: 5f0c" --x ''"#),
        [
            "ens",
            "verify",
            "b.json",
            "-H",
            "x-signature: 5f0c",
            "--x",
            ""
        ]
    );
}

/// The example lines (`ens …`, continuation lines joined) of a help text.
fn help_examples(help: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut joined = String::new();
    for line in help.lines() {
        let line = line.trim();
        if joined.is_empty() && !line.starts_with("ens ") {
            continue;
        }
        joined.push_str(line.trim_end_matches('\\'));
        joined.push(' ');
        if line.ends_with('\\') {
            continue;
        }
        let command = std::mem::take(&mut joined);
        let command = command.split(" # ").next().unwrap_or_default();
        let command = command
            .split(['|', ';', '&', '>', '<'])
            .next()
            .unwrap_or_default();
        found.push(command.trim().to_owned());
    }
    found
}

#[test]
fn every_example_in_every_help_parses() {
    use clap::CommandFactory as _;
    let mut root = capillary_ens_cli::Cli::command();
    root.build();
    let mut pending: Vec<clap::Command> = vec![root];
    let mut examples = Vec::new();
    while let Some(mut command) = pending.pop() {
        if command.get_name() == "help" {
            continue; // clap's own `ens help <command>`
        }
        let help = command.render_long_help().to_string();
        let name = command.get_name().to_owned();
        assert!(help.contains("Example"), "`{name} --help` shows no example");
        assert!(
            help.contains("Exit codes"),
            "`{name} --help` shows no exit codes"
        );
        assert!(command.get_about().is_some(), "`{name}` has no description");
        examples.extend(help_examples(&help));
        pending.extend(command.get_subcommands().cloned());
    }
    assert!(examples.len() >= 40, "found {examples:?}");
    for example in examples {
        if let Err(error) = capillary_ens_cli::Cli::try_parse_from(words(&example)) {
            panic!("help example `{example}` does not parse: {error}");
        }
    }
}
