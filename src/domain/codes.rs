//! Shapes of identifiers: ISO 3166 alpha-3 country codes, instrument codes, and the
//! reduced-precision dates sources speak for.

use chrono::NaiveDate;

/// Normalises a country code: three ASCII letters, upper-cased. `None` when malformed.
pub fn parse_iso3(raw: &str) -> Option<String> {
    let s = raw.trim();
    (s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic())).then(|| s.to_ascii_uppercase())
}

/// Normalises an instrument code: `C` (convention) or `P` (protocol) and a number, written
/// with at least three digits (`c87` and `C087` both give `C087`). `None` when malformed.
pub fn parse_instrument_code(raw: &str) -> Option<String> {
    let s = raw.trim();
    let mut chars = s.chars();
    let kind = chars.next()?.to_ascii_uppercase();
    if kind != 'C' && kind != 'P' {
        return None;
    }
    let digits = chars.as_str();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u32 = digits.parse().ok()?;
    if number == 0 {
        return None;
    }
    Some(format!("{kind}{number:03}"))
}

/// Checks a date that a source speaks for: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` where the
/// source gives no day or month. Returns the value unchanged when valid.
pub fn parse_source_date(raw: &str) -> Result<String, String> {
    let s = raw.trim();
    let ok = match s.len() {
        4 => s.parse::<u16>().is_ok_and(|y| (1900..=9999).contains(&y)),
        7 => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok(),
        10 => NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        _ => false,
    };
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "'{s}' is not a date of the form YYYY-MM-DD, YYYY-MM or YYYY"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso3_is_upper_cased_and_must_be_three_letters() {
        assert_eq!(parse_iso3("vnm"), Some("VNM".into()));
        assert_eq!(parse_iso3("VNM"), Some("VNM".into()));
        for bad in ["", "VN", "VNMM", "V1M", "ÄBC", "V M"] {
            assert_eq!(parse_iso3(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn instrument_codes_are_zero_padded() {
        assert_eq!(parse_instrument_code("c87"), Some("C087".into()));
        assert_eq!(parse_instrument_code("C087"), Some("C087".into()));
        assert_eq!(parse_instrument_code("P029"), Some("P029".into()));
        assert_eq!(parse_instrument_code("C1000"), Some("C1000".into()));
        for bad in ["", "C", "X087", "C0", "C-1", "C87a", "C12345", "87"] {
            assert_eq!(parse_instrument_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn source_dates_may_have_reduced_precision() {
        assert!(parse_source_date("2017-06").is_ok());
        assert!(parse_source_date("2020-08-04").is_ok());
        assert!(parse_source_date("2008").is_ok());
        for bad in ["2017-13", "2020-02-30", "17-06", "June 2017", ""] {
            assert!(parse_source_date(bad).is_err(), "{bad:?}");
        }
    }
}
