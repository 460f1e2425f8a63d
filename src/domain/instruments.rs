//! Rules for instruments that administrators add or edit.

use chrono::{Datelike, NaiveDate};

use super::reference::{Category, InstrumentType};

/// An instrument as proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedInstrument {
    pub code: String,
    pub instrument_type: InstrumentType,
    pub category: Category,
    pub has_principle: bool,
    pub parent: Option<String>,
    pub adopted_year: i32,
    pub adopted_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
}

/// What the store knows about the proposed parent: `None` when it does not exist, else
/// its instrument type.
pub fn check_instrument(
    p: &ProposedInstrument,
    parent_type: Option<Option<InstrumentType>>,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    let prefix_ok = match p.instrument_type {
        InstrumentType::Convention => p.code.starts_with('C'),
        InstrumentType::Protocol => p.code.starts_with('P'),
    };
    if !prefix_ok {
        v.push((
            "code",
            format!(
                "a {} code starts with {}",
                p.instrument_type,
                if p.code.starts_with('C') { "P" } else { "C" }
            ),
        ));
    }
    // The ILO was founded in 1919; its first conventions date from that year.
    if !(1919..=today.year()).contains(&p.adopted_year) {
        v.push(("adopted_year", format!("must be from 1919 to {}", today.year())));
    }
    if let Some(adopted) = p.adopted_on {
        if adopted.year() != p.adopted_year {
            v.push((
                "adopted_on",
                format!("{adopted} is not in the adoption year {}", p.adopted_year),
            ));
        }
        if adopted > today {
            v.push(("adopted_on", format!("{adopted} is in the future")));
        }
    }
    if let Some(in_force) = p.in_force_on {
        let earliest = p
            .adopted_on
            .or_else(|| NaiveDate::from_ymd_opt(p.adopted_year, 1, 1));
        if earliest.is_some_and(|e| in_force < e) {
            v.push(("in_force_on", format!("{in_force} is before the adoption")));
        }
    }
    match (p.category, p.has_principle) {
        (Category::Fundamental, false) => v.push((
            "principle",
            "a fundamental instrument belongs to a principle".into(),
        )),
        (Category::Governance | Category::Technical, true) => v.push((
            "principle",
            "only fundamental instruments belong to a principle".into(),
        )),
        _ => {}
    }
    match (p.instrument_type, &p.parent, parent_type) {
        (InstrumentType::Protocol, None, _) => {
            v.push(("parent", "a protocol names the convention it belongs to".into()))
        }
        (InstrumentType::Protocol, Some(parent), None) => {
            v.push(("parent", format!("no instrument has the code '{parent}'")))
        }
        (InstrumentType::Protocol, Some(parent), Some(Some(InstrumentType::Protocol))) => {
            v.push(("parent", format!("{parent} is a protocol, not a convention")))
        }
        (InstrumentType::Convention, Some(_), _) => {
            v.push(("parent", "only a protocol has a parent convention".into()))
        }
        _ => {}
    }
    v
}

/// Whether a body's `code`, if it has one, names instrument `code`: an instrument's code
/// never changes.
pub fn body_code_keeps(raw: Option<&str>, code: &str) -> bool {
    raw.is_none_or(|raw| super::codes::parse_instrument_code(raw).as_deref() == Some(code))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_body_may_repeat_the_code_in_any_spelling_but_not_change_it() {
        assert!(super::body_code_keeps(None, "C087"));
        assert!(super::body_code_keeps(Some(" c87 "), "C087"));
        assert!(!super::body_code_keeps(Some("C098"), "C087"));
        assert!(!super::body_code_keeps(Some("nonsense"), "C087"));
    }

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn convention() -> ProposedInstrument {
        ProposedInstrument {
            code: "C190".into(),
            instrument_type: InstrumentType::Convention,
            category: Category::Technical,
            has_principle: false,
            parent: None,
            adopted_year: 2019,
            adopted_on: Some(d("2019-06-21")),
            in_force_on: Some(d("2021-06-25")),
        }
    }

    fn fields(v: Vec<(&'static str, String)>) -> Vec<&'static str> {
        v.into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn a_consistent_convention_passes() {
        assert!(check_instrument(&convention(), None, d("2026-11-23")).is_empty());
    }

    #[test]
    fn dates_must_agree_with_the_adoption_year() {
        let p = ProposedInstrument {
            adopted_on: Some(d("2018-06-21")),
            in_force_on: Some(d("2017-01-01")),
            ..convention()
        };
        assert_eq!(
            fields(check_instrument(&p, None, d("2026-11-23"))),
            ["adopted_on", "in_force_on"]
        );
        let p = ProposedInstrument {
            adopted_year: 1900,
            adopted_on: None,
            in_force_on: None,
            ..convention()
        };
        assert_eq!(
            fields(check_instrument(&p, None, d("2026-11-23"))),
            ["adopted_year"]
        );
    }

    #[test]
    fn protocols_name_an_existing_convention() {
        let p = ProposedInstrument {
            code: "P155".into(),
            instrument_type: InstrumentType::Protocol,
            ..convention()
        };
        let no_parent = fields(check_instrument(&p, None, d("2026-11-23")));
        assert_eq!(no_parent, ["parent"]);
        let with_parent = ProposedInstrument {
            parent: Some("C155".into()),
            ..p
        };
        assert!(check_instrument(
            &with_parent,
            Some(Some(InstrumentType::Convention)),
            d("2026-11-23")
        )
        .is_empty());
        assert_eq!(
            fields(check_instrument(&with_parent, None, d("2026-11-23"))),
            ["parent"]
        );
        assert_eq!(
            fields(check_instrument(
                &with_parent,
                Some(Some(InstrumentType::Protocol)),
                d("2026-11-23")
            )),
            ["parent"]
        );
    }

    #[test]
    fn only_fundamental_instruments_have_a_principle() {
        let p = ProposedInstrument {
            has_principle: true,
            ..convention()
        };
        assert_eq!(fields(check_instrument(&p, None, d("2026-11-23"))), ["principle"]);
        let p = ProposedInstrument {
            category: Category::Fundamental,
            ..convention()
        };
        assert_eq!(fields(check_instrument(&p, None, d("2026-11-23"))), ["principle"]);
    }

    #[test]
    fn codes_match_the_instrument_type() {
        let p = ProposedInstrument {
            code: "P190".into(),
            ..convention()
        };
        assert_eq!(fields(check_instrument(&p, None, d("2026-11-23"))), ["code"]);
    }
}
