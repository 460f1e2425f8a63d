//! Free text that clients send: anything printable, but no NUL or other control characters
//! (PostgreSQL refuses NUL in text, and neither engine should store invisible controls).

/// Checks free text as sent (before any trimming): tabs and line breaks are allowed, other
/// control characters nowhere. The OpenAPI document states the same rule as a pattern
/// (`openapi::wire_rules`).
pub fn check_text(raw: &str) -> Result<&str, String> {
    match raw
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some(c) => Err(format!(
            "must not contain control characters (found U+{:04X})",
            c as u32
        )),
        None => Ok(raw),
    }
}

/// Longest free-text filter a query parameter may carry (a search term, an actor, an
/// entity id): longer ones are refused before they reach the store (SQLite refuses LIKE
/// patterns past 50,000 bytes, and nothing real is that long). Stated in the OpenAPI document
/// too (`openapi::wire_rules`).
pub const MAX_FILTER_CHARS: usize = 200;

/// Checks a free-text query parameter: [`check_text`], at most [`MAX_FILTER_CHARS`].
pub fn check_filter(raw: &str) -> Result<&str, String> {
    check_text(raw)?;
    if raw.chars().count() > MAX_FILTER_CHARS {
        return Err(format!("must be at most {MAX_FILTER_CHARS} characters long"));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_capped() {
        assert!(check_filter(&"é".repeat(MAX_FILTER_CHARS)).is_ok());
        assert!(check_filter(&"a".repeat(MAX_FILTER_CHARS + 1)).is_err());
    }

    #[test]
    fn refuses_nul_and_controls_but_keeps_line_breaks() {
        assert!(check_text("a\0b").is_err());
        assert!(check_text("bell\u{7}").is_err());
        assert_eq!(
            check_text("line one\nline two\ttab"),
            Ok("line one\nline two\ttab")
        );
        assert_eq!(check_text("Côte d'Ivoire"), Ok("Côte d'Ivoire"));
    }
}
