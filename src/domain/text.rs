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

#[cfg(test)]
mod tests {
    use super::*;

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
