//! The message catalogue: one JSON file per language in `static/i18n/` (`en.json`,
//! `fr.json`, `es.json`), a flat map from a key to its text with `{name}` placeholders. The
//! server takes problem titles and the calendar feed's labels from it; the page loads the
//! same files (`/assets/i18n/{lang}.json`) for its labels. A key missing in French or Spanish
//! falls back to English (a test keeps the three files in step).

use std::collections::HashMap;
use std::sync::LazyLock;

use super::{lang, Lang};

pub const EN_JSON: &str = include_str!("../../static/i18n/en.json");
pub const FR_JSON: &str = include_str!("../../static/i18n/fr.json");
pub const ES_JSON: &str = include_str!("../../static/i18n/es.json");

/// The catalogue file of a language, as the page loads it.
pub fn file(lang: Lang) -> &'static str {
    match lang {
        Lang::En => EN_JSON,
        Lang::Fr => FR_JSON,
        Lang::Es => ES_JSON,
    }
}

static CATALOGUES: LazyLock<HashMap<Lang, HashMap<String, String>>> = LazyLock::new(|| {
    Lang::ALL
        .into_iter()
        .map(|l| (l, serde_json::from_str(file(l)).unwrap_or_default()))
        .collect()
});

/// The text of `key` in `lang`, English when the language lacks it, `None` when no
/// catalogue has it.
pub fn get(lang: Lang, key: &str) -> Option<&'static str> {
    let find = |l: Lang| CATALOGUES.get(&l).and_then(|c| c.get(key)).map(String::as_str);
    find(lang).or_else(|| find(Lang::En))
}

/// The text of `key` in the current request's language with its placeholders filled in;
/// the key itself when no catalogue has it (a test makes sure every key used exists).
pub fn text(key: &str, args: &[(&str, &str)]) -> String {
    let mut out = get(lang(), key).unwrap_or(key).to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A problem's title (`problem.<slug>`), in the current request's language.
pub fn problem_title(slug: &str, english: &str) -> String {
    get(lang(), &format!("problem.{slug}"))
        .unwrap_or(english)
        .to_string()
}

/// The title of a bare HTTP status (`http.<code>`), in the current request's language.
pub fn status_title(status: u16, english: &str) -> String {
    get(lang(), &format!("http.{status}"))
        .unwrap_or(english)
        .to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::{sync_scope, Context};
    use super::*;

    fn placeholders(text: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let mut rest = text;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else { break };
            found.insert(rest[start + 1..start + len].to_string());
            rest = &rest[start + len..];
        }
        found
    }

    #[test]
    fn the_three_catalogues_parse_and_have_the_same_keys_and_placeholders() {
        let en = &CATALOGUES[&Lang::En];
        assert!(en.len() > 100, "{} keys", en.len());
        for lang in [Lang::Fr, Lang::Es] {
            let other = &CATALOGUES[&lang];
            let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{lang:?}: missing {missing:?}, extra {extra:?}"
            );
            for (key, text) in en {
                assert_eq!(placeholders(text), placeholders(&other[key]), "{lang:?} {key}");
                assert!(!other[key].trim().is_empty(), "{lang:?} {key} is empty");
            }
        }
    }

    #[test]
    fn every_problem_kind_and_bare_status_has_a_title() {
        for slug in crate::error::AppError::SLUGS {
            assert!(
                get(Lang::En, &format!("problem.{slug}")).is_some(),
                "problem.{slug}"
            );
        }
        for status in [400, 401, 403, 404, 405, 408, 413, 415, 500, 503] {
            assert!(
                get(Lang::En, &format!("http.{status}")).is_some(),
                "http.{status}"
            );
        }
    }

    #[test]
    fn every_label_the_page_uses_is_in_the_catalogue() {
        let html = include_str!("../../static/index.html");
        let js = include_str!("../../static/app.js");
        let mut used = BTreeSet::new();
        for (text, marker) in [(html, "data-i18n=\""), (html, "data-i18n-aria=\""), (js, "t(\"")] {
            for (at, _) in text.match_indices(marker) {
                // `t(` the function, not the end of `get(`.
                let before = text[..at].chars().next_back().unwrap_or(' ');
                if marker == "t(\"" && (before.is_alphanumeric() || before == '_' || before == '.') {
                    continue;
                }
                let rest = &text[at + marker.len()..];
                used.insert(rest.split('"').next().unwrap_or("").to_string());
            }
        }
        assert!(used.len() > 50, "{} keys found in the page", used.len());
        // `t("status." + kind)`: a prefix some keys must start with.
        let en = &CATALOGUES[&Lang::En];
        let missing: Vec<_> = used
            .iter()
            .filter(|k| match k.strip_suffix('.') {
                Some(_) => !en.keys().any(|key| key.starts_with(k.as_str())),
                None => get(Lang::En, k).is_none(),
            })
            .collect();
        assert!(
            missing.is_empty(),
            "the page uses keys the catalogue lacks: {missing:?}"
        );
    }

    #[test]
    fn text_fills_placeholders_in_the_request_language() {
        let fr = Context::new(Lang::Fr);
        let said = sync_scope(Some(fr), || text("feed.overdue", &[("status", "open")]));
        assert_eq!(said, "open (en retard)");
        assert_eq!(text("feed.overdue", &[("status", "open")]), "open (overdue)");
        assert_eq!(text("no.such.key", &[]), "no.such.key");
    }
}
