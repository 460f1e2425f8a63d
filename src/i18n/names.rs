//! Country names (CLDR) and instrument titles in French and Spanish, from the seed data
//! (`seed-data/countries.csv`, `seed-data/conventions.csv`, built from the reference data
//! with their sources). They are reference data shipped in the binary, as the seed is; a
//! country or instrument without a translation (an instrument added through the API, say)
//! keeps its English text, and the answer says so (see [`super::note_fallback`]).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use super::{lang, note_fallback, Lang};

#[derive(Debug, Default)]
struct Translations {
    /// iso3 → [French, Spanish].
    countries: HashMap<String, [String; 2]>,
    /// code → [French, Spanish].
    titles: HashMap<String, [String; 2]>,
    short_titles: HashMap<String, [String; 2]>,
}

#[derive(Deserialize)]
struct CountryNames {
    iso3: String,
    #[serde(default)]
    name_fr: String,
    #[serde(default)]
    name_es: String,
}

#[derive(Deserialize)]
struct InstrumentTitles {
    code: String,
    #[serde(default)]
    title_fr: String,
    #[serde(default)]
    title_es: String,
    #[serde(default)]
    short_title_fr: String,
    #[serde(default)]
    short_title_es: String,
}

fn rows<T: for<'de> Deserialize<'de>>(text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize::<T>()
        .filter_map(Result::ok)
        .collect()
}

static TRANSLATIONS: LazyLock<Translations> = LazyLock::new(|| {
    let mut t = Translations::default();
    for c in rows::<CountryNames>(crate::seed::COUNTRIES_CSV) {
        t.countries.insert(c.iso3, [c.name_fr, c.name_es]);
    }
    for i in rows::<InstrumentTitles>(crate::seed::CONVENTIONS_CSV) {
        t.titles.insert(i.code.clone(), [i.title_fr, i.title_es]);
        t.short_titles
            .insert(i.code, [i.short_title_fr, i.short_title_es]);
    }
    t
});

fn pick(table: &HashMap<String, [String; 2]>, key: &str, english: &str) -> (String, Lang) {
    let wanted = lang();
    let index = match wanted {
        Lang::En => return (english.to_string(), Lang::En),
        Lang::Fr => 0,
        Lang::Es => 1,
    };
    match table.get(key).map(|t| &t[index]).filter(|t| !t.is_empty()) {
        Some(text) => (text.clone(), wanted),
        None => {
            note_fallback();
            (english.to_string(), Lang::En)
        }
    }
}

/// A country's name in the request's language, and the language it is in.
pub fn country_in(iso3: &str, english: &str) -> (String, Lang) {
    pick(&TRANSLATIONS.countries, iso3, english)
}

/// A country's name in the request's language (English when there is no translation).
pub fn country(iso3: &str, english: &str) -> String {
    country_in(iso3, english).0
}

/// Every name of a map iso3 → English name, in the request's language.
pub fn countries(mut names: HashMap<String, String>) -> HashMap<String, String> {
    if lang() != Lang::En {
        for (iso3, name) in names.iter_mut() {
            *name = country(iso3, name);
        }
    }
    names
}

/// An instrument's full title in the request's language, and the language it is in.
pub fn title_in(code: &str, english: &str) -> (String, Lang) {
    pick(&TRANSLATIONS.titles, code, english)
}

/// An instrument's short title (no number, no year) in the request's language.
pub fn short_title(code: &str, english: &str) -> String {
    pick(&TRANSLATIONS.short_titles, code, english).0
}

#[cfg(test)]
mod tests {
    use super::super::{sync_scope, Context};
    use super::*;

    #[test]
    fn every_member_state_and_instrument_of_the_seed_has_both_translations() {
        assert_eq!(TRANSLATIONS.countries.len(), 187);
        assert!(TRANSLATIONS
            .countries
            .values()
            .all(|[fr, es]| !fr.is_empty() && !es.is_empty()));
        assert_eq!(TRANSLATIONS.titles.len(), 17);
        assert!(TRANSLATIONS
            .short_titles
            .values()
            .all(|[fr, es]| !fr.is_empty() && !es.is_empty()));
    }

    #[test]
    fn names_follow_the_language_and_fall_back_to_english_saying_so() {
        let fr = Context::new(Lang::Fr);
        sync_scope(Some(fr.clone()), || {
            assert_eq!(country("DEU", "Germany"), "Allemagne");
            assert_eq!(
                short_title("C029", "Forced Labour Convention"),
                "Convention sur le travail forcé"
            );
        });
        assert!(!fr.fell_back());
        sync_scope(Some(fr.clone()), || {
            assert_eq!(
                title_in("C999", "Test Convention"),
                ("Test Convention".into(), Lang::En)
            );
        });
        assert!(fr.fell_back());
        sync_scope(Some(Context::new(Lang::Es)), || {
            assert_eq!(country("DEU", "Germany"), "Alemania");
        });
        assert_eq!(country("DEU", "Germany"), "Germany");
    }
}
