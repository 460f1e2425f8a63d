//! Choosing a request's language (RFC 9110 §12.5.4).
//!
//! - A `lang` query parameter (`en`, `fr`, `es`; a region such as `fr-CH` is read as its
//!   language) decides. Any other value is refused (400): a link that asks for a language
//!   must not silently get another.
//! - Otherwise the `Accept-Language` header: the supported language with the highest
//!   q-value, the earlier one on ties; `q=0` means "not this one"; `*` stands for any
//!   language not named, and so for English unless English is refused. Languages we do not
//!   offer, and malformed entries, are skipped.
//! - Otherwise, or when nothing acceptable is offered, English.

use super::Lang;

/// Entries of `Accept-Language` read at most; the rest are ignored.
const MAX_ENTRIES: usize = 32;

/// The language of a request.
pub fn choose(lang_param: Option<&str>, accept_language: Option<&str>) -> Result<Lang, String> {
    if let Some(value) = lang_param {
        return Lang::from_tag(value)
            .filter(|_| well_formed_tag(value))
            .ok_or_else(|| {
                format!(
                    "the language {:?} is not offered; use one of: en, fr, es",
                    value.chars().take(35).collect::<String>()
                )
            });
    }
    Ok(accept_language.map(from_accept_language).unwrap_or_default())
}

/// A tag of letters, digits and hyphens (BCP 47's alphabet), at most 35 characters.
fn well_formed_tag(tag: &str) -> bool {
    (1..=35).contains(&tag.len())
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The best supported language of an `Accept-Language` value; English when none is.
pub fn from_accept_language(header: &str) -> Lang {
    let mut best: Option<(u16, Lang)> = None;
    let mut named = Vec::new();
    let mut refused = Vec::new();
    let mut wildcard: Option<u16> = None;
    for entry in header.split(',').take(MAX_ENTRIES) {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let Some(q) = quality(parts) else { continue };
        if tag == "*" {
            wildcard = Some(q);
            continue;
        }
        if !well_formed_tag(tag) {
            continue;
        }
        let Some(lang) = Lang::from_tag(tag) else { continue };
        if q == 0 {
            refused.push(lang);
            continue;
        }
        named.push(lang);
        if best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    // `*` covers the languages not named: English, when it beats what was named.
    if let Some(q) = wildcard.filter(|q| *q > 0) {
        if !named.contains(&Lang::En) && !refused.contains(&Lang::En) && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, Lang::En));
        }
    }
    best.map(|(_, lang)| lang).unwrap_or_default()
}

/// The q-value of an entry's parameters in thousandths (1000 when absent); `None` when it is
/// malformed.
fn quality<'a>(params: impl Iterator<Item = &'a str>) -> Option<u16> {
    let mut q = 1000;
    for param in params {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("q") {
            continue;
        }
        let value = value.trim();
        let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
        if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
        q = match whole {
            "0" => thousandths,
            "1" if thousandths == 0 => 1000,
            _ => return None,
        };
    }
    Some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lang_parameter_decides_over_the_header() {
        assert_eq!(choose(Some("es"), Some("fr")), Ok(Lang::Es));
        assert_eq!(choose(Some("FR-ch"), None), Ok(Lang::Fr));
    }

    #[test]
    fn an_unoffered_lang_parameter_is_refused() {
        assert!(choose(Some("de"), Some("fr")).is_err());
        assert!(choose(Some(""), None).is_err());
        assert!(choose(Some("fr;x"), None).is_err());
    }

    #[test]
    fn the_highest_q_value_wins() {
        assert_eq!(from_accept_language("en;q=0.5, es;q=0.9, fr;q=0.7"), Lang::Es);
        assert_eq!(
            from_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"),
            Lang::Fr
        );
    }

    #[test]
    fn ties_go_to_the_earlier_language() {
        assert_eq!(from_accept_language("es, fr"), Lang::Es);
    }

    #[test]
    fn unoffered_languages_are_skipped() {
        assert_eq!(from_accept_language("de-DE, de;q=0.9, es;q=0.1"), Lang::Es);
        assert_eq!(from_accept_language("de, ja"), Lang::En);
    }

    #[test]
    fn q_zero_refuses_a_language() {
        assert_eq!(from_accept_language("fr;q=0, es;q=0.2"), Lang::Es);
        assert_eq!(from_accept_language("en;q=0, *;q=0.5, fr;q=0.1"), Lang::Fr);
    }

    #[test]
    fn the_wildcard_stands_for_english_when_it_ranks_first() {
        assert_eq!(from_accept_language("*, fr;q=0.5"), Lang::En);
        assert_eq!(from_accept_language("fr, *;q=0.5"), Lang::Fr);
    }

    #[test]
    fn malformed_entries_are_skipped() {
        assert_eq!(from_accept_language("fr;q=2, es;q=abc, en;q=0.3"), Lang::En);
        assert_eq!(from_accept_language("fr;q=0.5000, es;q=0.4"), Lang::Es);
        assert_eq!(from_accept_language(";;;,,,"), Lang::En);
        assert_eq!(from_accept_language(""), Lang::En);
    }
}
