//! Rust names for wire names: fields, types, variants, modules.

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// `pointAwardedRefID` → `point_awarded_ref_id`; `type` → `type_`; `8368` → `n8368`.
pub(crate) fn field_name(wire: &str) -> String {
    let snake = wire.to_snake_case();
    let snake = if snake.is_empty() {
        "field".to_owned()
    } else {
        snake
    };
    let snake = if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{snake}")
    } else {
        snake
    };
    if KEYWORDS.contains(&snake.as_str()) {
        format!("{snake}_")
    } else {
        snake
    }
}

/// `pointsIssued` → `points_issued`.
pub(crate) fn module_name(event: &str) -> String {
    field_name(event)
}

/// `physical voucher` → `PhysicalVoucher`; `NON_LOYALTY` → `NonLoyalty`; `2x` → `V2x`.
pub(crate) fn variant_name(value: &str) -> String {
    let camel = value.to_upper_camel_case();
    let camel = if camel.is_empty() {
        "Empty".to_owned()
    } else {
        camel
    };
    let camel = if camel.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{camel}")
    } else {
        camel
    };
    match camel.as_str() {
        "Other" => "OtherValue".to_owned(),
        "Self" => "SelfValue".to_owned(),
        _ => camel,
    }
}

/// `series_info` → `SeriesInfo`; `CouponIssue` stays.
pub(crate) fn type_name(wire: &str) -> String {
    variant_name(wire)
}

/// Escapes `[` and `]` outside code spans, so rustdoc does not read them as links.
pub(crate) fn doc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '[' | ']' if !in_code => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names() {
        assert_eq!(field_name("pointAwardedRefID"), "point_awarded_ref_id");
        assert_eq!(field_name("valid_till"), "valid_till");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("8368"), "n8368");
        assert_eq!(field_name("ZUSZRDHNY"), "zuszrdhny");
    }

    #[test]
    fn variant_names() {
        assert_eq!(variant_name("physical voucher"), "PhysicalVoucher");
        assert_eq!(variant_name("NON_LOYALTY"), "NonLoyalty");
        assert_eq!(variant_name("2x"), "V2x");
        assert_eq!(variant_name("Other"), "OtherValue");
    }

    #[test]
    fn doc_text_escapes_brackets_outside_code() {
        assert_eq!(doc_text("items[] and `a[0]`"), "items\\[\\] and `a[0]`");
    }
}
