//! The rules a ratification record must keep, checked on every edit and every imported row
//! (the seed loads sourced facts as they are). Each broken rule names its field.

use chrono::NaiveDate;

use super::ratification::{resolve_in_force_on, Stage, Status};

/// The code of the Minimum Age Convention, whose ratification carries a declared age.
pub const MINIMUM_AGE_CONVENTION: &str = "C138";
/// The general minimum age (C138 Art. 2(3)); 14 only under the Art. 2(4) exception.
pub const MINIMUM_AGE_GENERAL: i32 = 15;
pub const MINIMUM_AGE_EXCEPTION: i32 = 14;
/// Beyond any age a member has declared; catches typing errors.
pub const MINIMUM_AGE_MAX: i32 = 18;

/// The state a write proposes for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub status: Status,
    pub stage: Option<Stage>,
    pub registered_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    pub denounced_on: Option<NaiveDate>,
    pub minimum_age: Option<i32>,
    /// The source gives no registration date (or, for C138, no declared age): those fields
    /// stay empty and the record's entry into force is unknown.
    pub source_incomplete: bool,
}

/// What the rules need to know about the instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    pub code: String,
    pub adopted_year: i32,
    pub adopted_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    /// For a protocol, the convention it belongs to.
    pub parent: Option<String>,
}

impl Instrument {
    /// The earliest day a ratification can be registered: the adoption date, or the first
    /// day of the adoption year when only the year is known.
    pub fn earliest_registration(&self) -> Option<NaiveDate> {
        self.adopted_on
            .or_else(|| NaiveDate::from_ymd_opt(self.adopted_year, 1, 1))
    }
}

/// What the rules need to know about the country's other records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub today: NaiveDate,
    pub instrument: Instrument,
    /// For a protocol: the status of the country's record of the parent convention (`None`:
    /// no record).
    pub parent_status: Option<Status>,
    /// Protocols of this convention that the country has ratified (and not denounced).
    pub ratified_protocols: Vec<String>,
    /// The record's declared minimum age before this write.
    pub current_minimum_age: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: &'static str,
    pub message: String,
}

fn violation(field: &'static str, message: impl Into<String>) -> Violation {
    Violation {
        field,
        message: message.into(),
    }
}

/// Checks a proposed record; on success returns the `in_force_on` it will carry (the stated
/// date, or the default: twelve months after registration, never before the instrument's own
/// entry into force).
pub fn check(p: &Proposed, ctx: &Context) -> Result<Option<NaiveDate>, Vec<Violation>> {
    let mut v = Vec::new();
    let code = ctx.instrument.code.as_str();
    let bound = matches!(p.status, Status::Ratified | Status::Denounced);

    if p.stage.is_some() && p.status != Status::InProgress {
        v.push(violation(
            "stage",
            "a stage is recorded only while the status is in_progress",
        ));
    }

    // Registration.
    match p.registered_on {
        None if bound && !p.source_incomplete => v.push(violation(
            "registered_on",
            format!("a {} record needs the date the ILO registered it (or source_incomplete when the source gives none)", p.status),
        )),
        Some(_) if !bound => v.push(violation("registered_on", format!("a {} record has no registration date", p.status))),
        Some(date) => {
            if let Some(earliest) = ctx.instrument.earliest_registration() {
                if date < earliest {
                    v.push(violation("registered_on", format!("{date} is before {code} was adopted ({earliest})")));
                }
            }
            if date > ctx.today {
                v.push(violation("registered_on", format!("{date} is in the future")));
            }
        }
        None => {}
    }

    // Entry into force.
    match (p.in_force_on, p.registered_on) {
        (Some(_), _) if !bound => v.push(violation(
            "in_force_on",
            format!("a {} record has no entry into force", p.status),
        )),
        (Some(_), None) => v.push(violation(
            "in_force_on",
            "without a registration date the entry into force is unknown; leave it empty",
        )),
        (Some(in_force), Some(registered)) if in_force < registered => v.push(violation(
            "in_force_on",
            format!("{in_force} is before the registration ({registered})"),
        )),
        _ => {}
    }

    // Denunciation.
    match (p.status, p.denounced_on) {
        (Status::Denounced, None) if !p.source_incomplete => v.push(violation(
            "denounced_on",
            "a denounced record needs the date of the denunciation",
        )),
        (Status::Denounced, Some(denounced)) => {
            if denounced > ctx.today {
                v.push(violation("denounced_on", format!("{denounced} is in the future")));
            }
            if let Some(registered) = p.registered_on {
                if denounced <= registered {
                    v.push(violation(
                        "denounced_on",
                        format!("{denounced} is not after the registration ({registered})"),
                    ));
                }
            }
            if let Some(in_force) = p.in_force_on {
                if denounced <= in_force {
                    v.push(violation(
                        "denounced_on",
                        format!("{denounced} is not after the entry into force ({in_force})"),
                    ));
                }
            }
        }
        (_, Some(_)) => v.push(violation(
            "denounced_on",
            format!("a {} record has no denunciation date", p.status),
        )),
        _ => {}
    }

    // The C138 declaration.
    if code == MINIMUM_AGE_CONVENTION {
        match p.minimum_age {
            None if bound && !p.source_incomplete => v.push(violation(
                "minimum_age",
                "a C138 ratification declares a minimum age (or source_incomplete when the source gives none)",
            )),
            Some(_) if p.status == Status::NotRatified => {
                v.push(violation("minimum_age", "a not_ratified record declares no minimum age"))
            }
            Some(age) if !(MINIMUM_AGE_EXCEPTION..=MINIMUM_AGE_MAX).contains(&age) => v.push(violation(
                "minimum_age",
                format!(
                    "{age} is not a minimum age C138 allows: {MINIMUM_AGE_GENERAL} or more (up to {MINIMUM_AGE_MAX}), \
                     or {MINIMUM_AGE_EXCEPTION} under the developing-country exception of Article 2(4)"
                ),
            )),
            Some(age) => {
                if let Some(current) = ctx.current_minimum_age {
                    if age < current {
                        v.push(violation(
                            "minimum_age",
                            format!("a later declaration may raise the minimum age, not lower it (declared: {current})"),
                        ));
                    }
                }
            }
            None => {}
        }
    } else if p.minimum_age.is_some() {
        v.push(violation(
            "minimum_age",
            format!("only a C138 ratification declares a minimum age, not {code}"),
        ));
    }

    // A protocol binds only a country bound by its convention.
    if let Some(parent) = &ctx.instrument.parent {
        if p.status == Status::Ratified && ctx.parent_status != Some(Status::Ratified) {
            v.push(violation(
                "status",
                format!("{code} can be ratified only by a country bound by {parent}, and no record shows {parent} ratified"),
            ));
        }
    }

    // Denouncing a convention whose protocol the country has ratified is refused: the
    // protocol must be denounced first (its denunciation would otherwise follow silently).
    if p.status == Status::Denounced && !ctx.ratified_protocols.is_empty() {
        v.push(violation(
            "status",
            format!(
                "denounce {} first: the country has ratified it and it depends on {code}",
                ctx.ratified_protocols.join(", ")
            ),
        ));
    }

    if v.is_empty() {
        Ok(resolve_in_force_on(
            p.status,
            p.in_force_on,
            p.registered_on,
            p.denounced_on,
            ctx.instrument.in_force_on,
        ))
    } else {
        Err(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn instrument(code: &str) -> Instrument {
        match code {
            "C138" => Instrument {
                code: code.into(),
                adopted_year: 1973,
                adopted_on: Some(d("1973-06-26")),
                in_force_on: Some(d("1976-06-19")),
                parent: None,
            },
            "P029" => Instrument {
                code: code.into(),
                adopted_year: 2014,
                adopted_on: Some(d("2014-06-11")),
                in_force_on: Some(d("2016-11-09")),
                parent: Some("C029".into()),
            },
            _ => Instrument {
                code: code.into(),
                adopted_year: 1930,
                adopted_on: Some(d("1930-06-28")),
                in_force_on: Some(d("1932-05-01")),
                parent: None,
            },
        }
    }

    fn ctx(code: &str) -> Context {
        Context {
            today: d("2026-11-23"),
            instrument: instrument(code),
            parent_status: None,
            ratified_protocols: Vec::new(),
            current_minimum_age: None,
        }
    }

    fn ratified(registered: &str) -> Proposed {
        Proposed {
            status: Status::Ratified,
            stage: None,
            registered_on: Some(d(registered)),
            in_force_on: None,
            denounced_on: None,
            minimum_age: None,
            source_incomplete: false,
        }
    }

    fn fields(result: Result<Option<NaiveDate>, Vec<Violation>>) -> Vec<&'static str> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.field)
            .collect()
    }

    #[test]
    fn a_ratification_enters_into_force_twelve_months_after_registration() {
        assert_eq!(
            check(&ratified("2020-03-01"), &ctx("C029")),
            Ok(Some(d("2021-03-01")))
        );
    }

    #[test]
    fn stage_only_while_in_progress() {
        let p = Proposed {
            stage: Some(Stage::SubmittedToParliament),
            ..ratified("2020-03-01")
        };
        assert_eq!(fields(check(&p, &ctx("C029"))), ["stage"]);
        let p = Proposed {
            status: Status::InProgress,
            stage: Some(Stage::SubmittedToParliament),
            registered_on: None,
            ..ratified("2020-03-01")
        };
        assert_eq!(check(&p, &ctx("C029")), Ok(None));
    }

    #[test]
    fn ratified_needs_a_registration_date_unless_the_source_gives_none() {
        let p = Proposed {
            registered_on: None,
            ..ratified("2020-03-01")
        };
        assert_eq!(fields(check(&p, &ctx("C029"))), ["registered_on"]);
        let p = Proposed {
            registered_on: None,
            source_incomplete: true,
            ..ratified("2020-03-01")
        };
        assert_eq!(check(&p, &ctx("C029")), Ok(None), "in force unknown");
        let p = Proposed {
            registered_on: None,
            in_force_on: Some(d("2021-01-01")),
            source_incomplete: true,
            ..ratified("2020-03-01")
        };
        assert_eq!(fields(check(&p, &ctx("C029"))), ["in_force_on"]);
    }

    #[test]
    fn registration_is_not_before_adoption_nor_in_the_future() {
        assert_eq!(
            fields(check(&ratified("1930-06-27"), &ctx("C029"))),
            ["registered_on"]
        );
        assert!(check(&ratified("1930-06-28"), &ctx("C029")).is_ok());
        assert_eq!(
            fields(check(&ratified("2026-11-24"), &ctx("C029"))),
            ["registered_on"]
        );
        assert!(check(&ratified("2026-11-23"), &ctx("C029")).is_ok());
    }

    #[test]
    fn adoption_year_bounds_registration_when_the_day_is_unknown() {
        let mut c = ctx("C081");
        c.instrument.adopted_on = None;
        c.instrument.adopted_year = 1947;
        assert_eq!(fields(check(&ratified("1946-12-31"), &c)), ["registered_on"]);
        assert!(check(&ratified("1947-01-01"), &c).is_ok());
    }

    #[test]
    fn in_force_is_never_before_registration() {
        let p = Proposed {
            in_force_on: Some(d("2020-02-29")),
            ..ratified("2020-03-01")
        };
        assert_eq!(fields(check(&p, &ctx("C029"))), ["in_force_on"]);
        let p = Proposed {
            in_force_on: Some(d("2020-03-01")),
            ..ratified("2020-03-01")
        };
        assert_eq!(check(&p, &ctx("C029")), Ok(Some(d("2020-03-01"))));
    }

    #[test]
    fn denunciation_comes_after_entry_into_force() {
        let base = Proposed {
            status: Status::Denounced,
            ..ratified("2000-01-10")
        };
        let p = Proposed {
            denounced_on: None,
            ..base.clone()
        };
        assert_eq!(fields(check(&p, &ctx("C029"))), ["denounced_on"]);
        let p = Proposed {
            in_force_on: Some(d("2001-01-10")),
            denounced_on: Some(d("2001-01-10")),
            ..base.clone()
        };
        assert_eq!(fields(check(&p, &ctx("C029"))), ["denounced_on"]);
        let p = Proposed {
            denounced_on: Some(d("2010-05-05")),
            ..base.clone()
        };
        assert_eq!(check(&p, &ctx("C029")), Ok(Some(d("2001-01-10"))));
        let p = Proposed {
            denounced_on: Some(d("2027-01-01")),
            ..base
        };
        assert_eq!(fields(check(&p, &ctx("C029"))), ["denounced_on"]);
        let p = Proposed {
            denounced_on: Some(d("2010-05-05")),
            ..ratified("2000-01-10")
        };
        assert_eq!(fields(check(&p, &ctx("C029"))), ["denounced_on"]);
    }

    #[test]
    fn c138_needs_a_minimum_age_of_15_or_14_under_article_2_4() {
        let c = ctx("C138");
        assert_eq!(fields(check(&ratified("2000-06-06"), &c)), ["minimum_age"]);
        for age in [14, 15, 16, 18] {
            assert!(
                check(
                    &Proposed {
                        minimum_age: Some(age),
                        ..ratified("2000-06-06")
                    },
                    &c
                )
                .is_ok(),
                "{age}"
            );
        }
        for age in [13, 0, -1, 19] {
            assert_eq!(
                fields(check(
                    &Proposed {
                        minimum_age: Some(age),
                        ..ratified("2000-06-06")
                    },
                    &c
                )),
                ["minimum_age"],
                "{age}"
            );
        }
        let p = Proposed {
            minimum_age: None,
            source_incomplete: true,
            ..ratified("2020-06-08")
        };
        assert!(check(&p, &c).is_ok());
    }

    #[test]
    fn a_later_declaration_may_raise_the_minimum_age_but_not_lower_it() {
        let c = Context {
            current_minimum_age: Some(15),
            ..ctx("C138")
        };
        assert!(check(
            &Proposed {
                minimum_age: Some(16),
                ..ratified("2000-06-06")
            },
            &c
        )
        .is_ok());
        assert_eq!(
            fields(check(
                &Proposed {
                    minimum_age: Some(14),
                    ..ratified("2000-06-06")
                },
                &c
            )),
            ["minimum_age"]
        );
    }

    #[test]
    fn only_c138_declares_a_minimum_age() {
        assert_eq!(
            fields(check(
                &Proposed {
                    minimum_age: Some(15),
                    ..ratified("2000-06-06")
                },
                &ctx("C029")
            )),
            ["minimum_age"]
        );
    }

    #[test]
    fn the_protocol_needs_the_parent_convention() {
        let mut c = ctx("P029");
        assert_eq!(fields(check(&ratified("2019-05-22"), &c)), ["status"]);
        c.parent_status = Some(Status::Denounced);
        assert_eq!(fields(check(&ratified("2019-05-22"), &c)), ["status"]);
        c.parent_status = Some(Status::Ratified);
        assert!(check(&ratified("2019-05-22"), &c).is_ok());
        c.parent_status = None;
        let p = Proposed {
            status: Status::InProgress,
            registered_on: None,
            ..ratified("2019-05-22")
        };
        assert!(
            check(&p, &c).is_ok(),
            "preparing the protocol needs no parent yet"
        );
    }

    #[test]
    fn denouncing_a_convention_with_a_ratified_protocol_is_refused() {
        let c = Context {
            ratified_protocols: vec!["P029".into()],
            ..ctx("C029")
        };
        let p = Proposed {
            status: Status::Denounced,
            denounced_on: Some(d("2020-01-01")),
            ..ratified("1998-08-27")
        };
        assert_eq!(fields(check(&p, &c)), ["status"]);
    }

    #[test]
    fn not_ratified_carries_no_dates() {
        let p = Proposed {
            status: Status::NotRatified,
            ..ratified("2000-01-01")
        };
        assert_eq!(fields(check(&p, &ctx("C029"))), ["registered_on"]);
    }
}

#[cfg(test)]
mod properties {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;

    fn date() -> impl Strategy<Value = NaiveDate> {
        prop_oneof![
            (1800i32..=2200, 1u32..=12, 1u32..=28)
                .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap()),
            Just(NaiveDate::MIN),
            Just(NaiveDate::MAX),
        ]
    }

    fn code() -> impl Strategy<Value = String> {
        proptest::sample::select(vec!["C138", "C087", "P029", "C029", "C182"]).prop_map(str::to_string)
    }

    proptest! {
        #[test]
        fn any_proposal_is_accepted_or_rejected_with_named_fields(
            status in proptest::sample::select(Status::ALL.to_vec()),
            stage in proptest::option::of(proptest::sample::select(Stage::ALL.to_vec())),
            registered_on in proptest::option::of(date()),
            in_force_on in proptest::option::of(date()),
            denounced_on in proptest::option::of(date()),
            minimum_age in proptest::option::of(any::<i32>()),
            source_incomplete in any::<bool>(),
            code in code(),
            adopted_year in 1900i32..=2100,
            adopted_on in proptest::option::of(date()),
            instrument_in_force in proptest::option::of(date()),
            today in date(),
            parent_status in proptest::option::of(proptest::sample::select(Status::ALL.to_vec())),
            current_minimum_age in proptest::option::of(any::<i32>()),
        ) {
            let proposed = Proposed { status, stage, registered_on, in_force_on, denounced_on, minimum_age, source_incomplete };
            let parent = code.starts_with('P').then(|| "C029".to_string());
            let ctx = Context {
                today,
                instrument: Instrument { code, adopted_year, adopted_on, in_force_on: instrument_in_force, parent },
                parent_status,
                ratified_protocols: vec!["P029".into()],
                current_minimum_age,
            };
            match check(&proposed, &ctx) {
                Ok(_) => {}
                Err(violations) => {
                    prop_assert!(!violations.is_empty());
                    for v in violations {
                        prop_assert!(!v.field.is_empty() && !v.message.is_empty());
                    }
                }
            }
        }
    }
}
