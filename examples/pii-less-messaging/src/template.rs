//! [`Template`]: message text with `{placeholder}`s, and the [`Vars`] that fill them.

use std::collections::BTreeMap;
use std::fmt;

/// Message text with `{name}` placeholders; `{{` and `}}` stand for literal braces.
///
/// Placeholders are checked when the template is parsed, against the names the event
/// provides, so rendering never fails. The default template is the empty text.
///
/// ```
/// use example_pii_less_messaging::{Template, Vars};
///
/// let template = Template::parse("Hi {first_name}, you earned {points} points.", &["first_name", "points"])?;
/// let vars = Vars::new().set("first_name", "Asha").set("points", "150");
/// assert_eq!(template.render(&vars), "Hi Asha, you earned 150 points.");
/// assert!(Template::parse("Hi {name}", &["first_name"]).is_err());
/// # Ok::<(), example_pii_less_messaging::TemplateError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Text(String),
    Var(String),
}

impl Template {
    /// Parses `text`, allowing only the placeholders in `known`.
    pub fn parse(text: &str, known: &[&str]) -> Result<Self, TemplateError> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, character)) = chars.next() {
            match character {
                '{' if chars.peek().is_some_and(|(_, next)| *next == '{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek().is_some_and(|(_, next)| *next == '}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let closed = loop {
                        match chars.next() {
                            Some((_, '}')) => break true,
                            Some((_, next)) => name.push(next),
                            None => break false,
                        }
                    };
                    if !closed {
                        return Err(TemplateError::Unclosed { at });
                    }
                    if !known.contains(&name.as_str()) {
                        return Err(TemplateError::UnknownPlaceholder {
                            name,
                            known: known.iter().map(|name| (*name).to_owned()).collect(),
                        });
                    }
                    if !literal.is_empty() {
                        segments.push(Segment::Text(std::mem::take(&mut literal)));
                    }
                    segments.push(Segment::Var(name));
                }
                '}' => return Err(TemplateError::StrayBrace { at }),
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Text(literal));
        }
        Ok(Self { segments })
    }

    /// The text with every placeholder replaced; a name missing from `vars` renders empty.
    pub fn render(&self, vars: &Vars) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Var(name) => out.push_str(vars.get(name).unwrap_or_default()),
            }
        }
        out
    }

    /// The placeholder names used, in order of appearance.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Var(name) => Some(name.as_str()),
            Segment::Text(_) => None,
        })
    }
}

/// A template that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateError {
    /// A `{` without its `}`.
    Unclosed {
        /// Byte offset of the `{`.
        at: usize,
    },
    /// A `}` that closes nothing (write `}}` for a literal brace).
    StrayBrace {
        /// Byte offset of the `}`.
        at: usize,
    },
    /// A placeholder the event does not provide.
    UnknownPlaceholder {
        /// The placeholder's name.
        name: String,
        /// The names that may be used.
        known: Vec<String>,
    },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unclosed { at } => write!(f, "the placeholder at byte {at} is not closed"),
            Self::StrayBrace { at } => {
                write!(f, "unexpected `}}` at byte {at} (write `}}}}` for a brace)")
            }
            Self::UnknownPlaceholder { name, known } => write!(
                f,
                "unknown placeholder `{{{name}}}`; this message can use {}",
                known
                    .iter()
                    .map(|name| format!("{{{name}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl std::error::Error for TemplateError {}

/// The values for a template's placeholders. They may be personal (a first name), so `Debug`
/// shows the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Vars(BTreeMap<String, String>);

impl Vars {
    /// No values.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`.
    pub fn set(mut self, name: &str, value: impl Into<String>) -> Self {
        self.insert(name, value);
        self
    }

    /// Sets `name` to `value` in place.
    pub fn insert(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_owned(), value.into());
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const KNOWN: &[&str] = &["first_name", "points"];

    #[test]
    fn escapes_and_errors() {
        let template = Template::parse("{{literal}} {points}}}", KNOWN).unwrap();
        assert_eq!(
            template.render(&Vars::new().set("points", "5")),
            "{literal} 5}"
        );
        assert_eq!(
            Template::parse("Hi {first_name", KNOWN),
            Err(TemplateError::Unclosed { at: 3 })
        );
        assert_eq!(
            Template::parse("a } b", KNOWN),
            Err(TemplateError::StrayBrace { at: 2 })
        );
        let unknown = Template::parse("{tier}", KNOWN).unwrap_err().to_string();
        assert_eq!(
            unknown,
            "unknown placeholder `{tier}`; this message can use {first_name}, {points}"
        );
    }

    #[test]
    fn debug_of_vars_shows_names_only() {
        let vars = Vars::new().set("first_name", "Asha");
        assert_eq!(format!("{vars:?}"), r#"{"first_name"}"#);
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in ".*") {
            if let Ok(template) = Template::parse(&text, KNOWN) {
                let vars = Vars::new().set("first_name", "A").set("points", "1");
                let _ = template.render(&vars);
            }
        }

        #[test]
        fn text_without_braces_renders_as_itself(text in "[^{}]*") {
            let template = Template::parse(&text, KNOWN).unwrap();
            prop_assert_eq!(template.render(&Vars::new()), text);
        }
    }
}
