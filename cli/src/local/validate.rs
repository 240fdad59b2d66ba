//! `ens validate`: check payload files against the schemas and the types, and report drift.

use std::collections::HashMap;
use std::path::PathBuf;

use capillary_ens_schemas::json_path::JsonPath;
use capillary_ens_schemas::schema_walk::SchemaSet;
use capillary_ens_schemas::{Envelope, Event, EventName, WireForm, json_schema};
use clap::Args;
use jsonschema::{Registry, Validator};
use serde::Serialize;
use serde_json::Value;

use super::recording::read_input;
use crate::exit::{EXIT_CODES, Exit, Outcome, Stop};
use crate::output::Ui;

const VALIDATE_HELP: &str = "\
Examples:
  ens fixture pointsIssued > points.json && ens validate points.json
  ens validate deliveries.jsonl --deny-drift
  ens validate payloads/*.json --format json | jq '.[] | select(.errors != [])'

Exit 0 when every delivery is valid, 1 when one is not (or, with --deny-drift, carries keys
the schemas do not know), 3 when a file cannot be read.";

/// Check payload files against the schemas: does each parse into its typed event, which
/// fields are wrong (with their paths), and which keys are new to the schemas (drift)?
///
/// A file holds one delivery (a JSON object as ENS POSTs it, in either envelope form), a JSON
/// array of deliveries, or a recording written by `ens listen --record` (one per line).
#[derive(Debug, Args)]
#[command(after_help = format!("{VALIDATE_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct ValidateArgs {
    /// The files to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Count keys the schemas do not know as failures.
    #[arg(long)]
    deny_drift: bool,
}

/// What `ens validate` found in one delivery.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Verdict {
    /// The file, and the line or array index when a file holds several deliveries.
    pub(crate) source: String,
    /// The event name the delivery gives, if any.
    pub(crate) event_name: Option<String>,
    /// Whether the schemas know that event name.
    pub(crate) known_event: bool,
    /// `flat` or `wrapped`.
    pub(crate) wire_form: Option<&'static str>,
    /// Whether the delivery parsed into its typed `Event` variant.
    pub(crate) typed: bool,
    /// Everything wrong, with the path of the value.
    pub(crate) errors: Vec<Problem>,
    /// Keys the schemas do not know.
    pub(crate) unknown_keys: Vec<String>,
}

/// One thing wrong with a delivery.
#[derive(Debug, Serialize)]
pub(crate) struct Problem {
    /// Where: `types` (the Rust types) or `schema` (the JSON Schema) or `json`.
    pub(crate) check: &'static str,
    /// The path of the value, `data.coupons[0].code` style, when there is one.
    pub(crate) path: Option<String>,
    /// What is wrong, without quoting the value (it may be personal data).
    pub(crate) message: String,
}

impl Verdict {
    fn is_valid(&self, deny_drift: bool) -> bool {
        self.errors.is_empty() && (!deny_drift || self.unknown_keys.is_empty())
    }
}

pub(crate) fn run(args: ValidateArgs, ui: Ui) -> Outcome {
    let checker = Checker::new()?;
    let mut verdicts = Vec::new();
    let mut unreadable = false;
    for file in &args.files {
        match std::fs::read(file) {
            Ok(bytes) => {
                for input in read_input(&file.display().to_string(), &bytes) {
                    verdicts.push(checker.check(input.source, &input.body));
                }
            }
            Err(error) => {
                error_line!("error: cannot read {}: {error}", file.display());
                unreadable = true;
            }
        }
    }
    if ui.json() {
        ui.json_line(&verdicts);
    } else {
        print_text(&ui, &verdicts, args.deny_drift);
    }
    let all_valid = verdicts
        .iter()
        .all(|verdict| verdict.is_valid(args.deny_drift));
    if unreadable {
        return Err(Stop::not_found("a file could not be read"));
    }
    Ok(Exit::from_success(all_valid))
}

fn print_text(ui: &Ui, verdicts: &[Verdict], deny_drift: bool) {
    for verdict in verdicts {
        let status = if !verdict.errors.is_empty() {
            "invalid"
        } else if !verdict.unknown_keys.is_empty() {
            if deny_drift { "drift!" } else { "drift" }
        } else {
            "ok"
        };
        let name = verdict.event_name.as_deref().unwrap_or("(no event name)");
        let kind = match (verdict.known_event, verdict.typed) {
            (false, _) => "unknown event",
            (true, true) => "typed",
            (true, false) => "not typed",
        };
        let ok = status == "ok" || (status == "drift" && !deny_drift);
        ui.line(format!(
            "{} {}  {name} ({}, {kind})",
            ui.verdict(ok, &format!("{status:<8}")),
            verdict.source,
            verdict.wire_form.unwrap_or("?")
        ));
        for problem in &verdict.errors {
            match &problem.path {
                Some(path) => ui.line(format!(
                    "         {} error at {path}: {}",
                    problem.check, problem.message
                )),
                None => ui.line(format!(
                    "         {} error: {}",
                    problem.check, problem.message
                )),
            }
        }
        for key in &verdict.unknown_keys {
            ui.line(format!("         unknown key {key}"));
        }
    }
    let invalid = verdicts
        .iter()
        .filter(|verdict| !verdict.is_valid(deny_drift))
        .count();
    ui.line(format!("{} checked, {invalid} failed", verdicts.len()));
}

/// Checks deliveries against the embedded schemas and the generated types.
pub(crate) struct Checker {
    registry: Registry<'static>,
    walker: SchemaSet,
    validators: std::sync::Mutex<HashMap<EventName, std::sync::Arc<Validator>>>,
}

impl Checker {
    pub(crate) fn new() -> Result<Self, Stop> {
        // The schemas as the parser reads them, so a delivery that types is never invalid.
        let registry = Registry::new()
            .extend(json_schema::accepting_documents())
            .and_then(|registry| registry.prepare())
            .map_err(|error| {
                Stop::failed(format!("the embedded schemas do not resolve: {error}"))
            })?;
        Ok(Self {
            registry,
            walker: SchemaSet::embedded(),
            validators: std::sync::Mutex::new(HashMap::new()),
        })
    }

    fn validator(&self, name: &EventName) -> Option<std::sync::Arc<Validator>> {
        let mut validators = self
            .validators
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(validator) = validators.get(name) {
            return Some(validator.clone());
        }
        let document = json_schema::accepting(name.json_schema_id()?)?;
        let validator = jsonschema::options()
            .with_registry(&self.registry)
            .build(&document)
            .ok()?;
        let validator = std::sync::Arc::new(validator);
        validators.insert(name.clone(), validator.clone());
        Some(validator)
    }

    /// Checks one delivery's bytes.
    pub(crate) fn check(&self, source: String, body: &[u8]) -> Verdict {
        let mut verdict = Verdict {
            source,
            event_name: None,
            known_event: false,
            wire_form: None,
            typed: false,
            errors: Vec::new(),
            unknown_keys: Vec::new(),
        };
        let value = match serde_json::from_slice::<Value>(body) {
            Ok(value) => value,
            Err(error) => {
                verdict.errors.push(Problem {
                    check: "json",
                    path: None,
                    message: format!(
                        "not JSON (line {}, column {})",
                        error.line(),
                        error.column()
                    ),
                });
                return verdict;
            }
        };
        let name = match Envelope::parse(body) {
            Ok((envelope, _)) => {
                verdict.wire_form = Some(match envelope.wire_form {
                    WireForm::Flat => "flat",
                    _ => "wrapped",
                });
                envelope.event_name
            }
            Err(error) => {
                verdict.errors.push(Problem {
                    check: "types",
                    path: error.path().map(str::to_owned),
                    message: error.to_string(),
                });
                return verdict;
            }
        };
        verdict.event_name = Some(name.as_str().to_owned());
        verdict.known_event = name.is_known();
        match capillary_ens_schemas::parse(body) {
            Ok(delivery) => verdict.typed = !matches!(delivery.event, Event::Unknown { .. }),
            Err(error) => verdict.errors.push(Problem {
                check: "types",
                path: error.path().map(str::to_owned),
                message: error.to_string(),
            }),
        }
        if let Some(validator) = self.validator(&name) {
            for error in validator.iter_errors(&value) {
                for (pointer, message) in leaf_errors(&error) {
                    verdict.errors.push(Problem {
                        check: "schema",
                        path: Some(JsonPath::from_pointer(&pointer).to_string()),
                        message,
                    });
                }
            }
        }
        verdict.unknown_keys = self
            .walker
            .walk_delivery(&name, &value)
            .unknown_keys
            .iter()
            .map(ToString::to_string)
            .collect();
        verdict
    }
}

/// The errors of one schema error that say where: an `anyOf` (the two envelope forms, an
/// optional value) is reported by its closest branch, a missing property at its own path.
fn leaf_errors(error: &jsonschema::ValidationError<'_>) -> Vec<(String, String)> {
    use jsonschema::error::ValidationErrorKind;
    match error.kind() {
        ValidationErrorKind::AnyOf { context } => {
            match context.iter().min_by_key(|branch| branch.len()) {
                Some(closest) if !closest.is_empty() => {
                    closest.iter().flat_map(leaf_errors).collect()
                }
                _ => vec![(
                    error.instance_path().to_string(),
                    error.masked().to_string(),
                )],
            }
        }
        ValidationErrorKind::Required { property } => vec![(
            format!(
                "{}/{}",
                error.instance_path(),
                property.as_str().unwrap_or_default()
            ),
            error.masked().to_string(),
        )],
        _ => vec![(
            error.instance_path().to_string(),
            error.masked().to_string(),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn example(name: &EventName) -> Value {
        let document: Value = serde_json::from_str(name.json_schema().unwrap()).unwrap();
        document["examples"][0].clone()
    }

    #[test]
    fn every_example_is_valid_and_typed() {
        let checker = Checker::new().unwrap();
        for name in EventName::ALL {
            let body = example(name).to_string();
            let verdict = checker.check(name.to_string(), body.as_bytes());
            assert!(verdict.typed, "{name}: {verdict:?}");
            assert!(verdict.errors.is_empty(), "{name}: {verdict:?}");
            assert!(verdict.unknown_keys.is_empty(), "{name}: {verdict:?}");
        }
    }

    #[test]
    fn a_mistyped_field_is_reported_by_path_without_its_value() {
        let checker = Checker::new().unwrap();
        let mut delivery = example(&EventName::PointsIssued);
        delivery["data"]["loyaltyProgramId"] = Value::from("secret-looking-value");
        let verdict = checker.check("f".into(), delivery.to_string().as_bytes());
        assert!(!verdict.typed);
        let paths: Vec<_> = verdict
            .errors
            .iter()
            .filter_map(|problem| problem.path.clone())
            .collect();
        assert!(
            paths.iter().any(|path| path == "data.loyaltyProgramId"),
            "{paths:?}"
        );
        let printed = serde_json::to_string(&verdict).unwrap();
        assert!(!printed.contains("secret-looking-value"), "{printed}");
    }

    #[test]
    fn a_loose_but_typed_delivery_is_valid_and_schema_errors_have_paths() {
        let checker = Checker::new().unwrap();
        let mut delivery = example(&EventName::PointsIssued);
        delivery["data"]["programCurrentPoints"] = Value::from("2261.50");
        delivery["data"]["programLifetimePoints"] = Value::from("");
        delivery["data"]["regularPointsIssued"] = Value::Null;
        let verdict = checker.check("f".into(), delivery.to_string().as_bytes());
        assert!(verdict.typed, "{verdict:?}");
        assert!(verdict.errors.is_empty(), "{verdict:?}");
        delivery["data"]
            .as_object_mut()
            .unwrap()
            .remove("customerIdentifiers");
        let verdict = checker.check("f".into(), delivery.to_string().as_bytes());
        assert!(!verdict.errors.is_empty());
        for problem in &verdict.errors {
            assert!(
                problem.path.as_deref().is_some_and(|path| !path.is_empty()),
                "{verdict:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn checking_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let checker = Checker::new().unwrap();
            for input in read_input("f", &bytes) {
                let _ = checker.check(input.source, &input.body);
            }
        }
    }
}
