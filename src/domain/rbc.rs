//! Responsible business conduct: the kinds of initiative, their status, and who may write
//! them. Rules only; storage is `repo::rbc`.

use chrono::NaiveDate;

use super::access::{Caller, Role};
use super::text_enum;

text_enum! {
    InitiativeKind {
        InternationalInstrument => "international_instrument",
        NationalFocalPoint => "national_focal_point",
        NationalContactPoint => "national_contact_point",
        ProjectOrCountryComponent => "project_or_country_component",
        DueDiligenceOrMarketAccessLaw => "due_diligence_or_market_access_law",
        CompanyUnionDialogue => "company_union_dialogue",
        Other => "other",
    }
}

text_enum! {
    InitiativeStatus {
        Planned => "planned",
        Active => "active",
        Closed => "closed",
    }
}

/// The ISIC Rev.4 sections, by letter.
pub const ISIC_SECTIONS: &str = "ABCDEFGHIJKLMNOPQRSTU";

/// An initiative's status on `today`: as recorded when it is; otherwise from its dates (at the
/// precision their source gives) — closed after its end, active from its start, planned
/// before it — and unknown (`None`) when the dates do not say.
pub fn status_on(
    recorded: Option<InitiativeStatus>,
    starts: Option<&str>,
    ends: Option<&str>,
    today: NaiveDate,
) -> Option<InitiativeStatus> {
    if recorded.is_some() {
        return recorded;
    }
    if let Some((first, last)) = ends.and_then(super::trade::period_of) {
        if last < today {
            return Some(InitiativeStatus::Closed);
        }
        if first <= today {
            // It ends within a period that contains today: perhaps already over.
            return None;
        }
    }
    let start = starts.and_then(super::trade::period_of)?;
    if start.1 <= today {
        Some(InitiativeStatus::Active)
    } else if start.0 > today {
        Some(InitiativeStatus::Planned)
    } else {
        None
    }
}

/// Whether the caller may write an initiative that applies in `countries` (none: a global
/// one): administrators any; office staff those whose every country they cover.
pub fn may_write_initiative(caller: &Caller, countries: &[String]) -> bool {
    match caller.role {
        Role::Admin => true,
        Role::Office => !countries.is_empty() && countries.iter().all(|c| caller.may_administer_country(c)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn status_follows_the_dates_unless_recorded() {
        let today = d("2026-12-03");
        assert_eq!(
            status_on(None, Some("2017-12"), Some("2020-12"), today),
            Some(InitiativeStatus::Closed)
        );
        assert_eq!(
            status_on(None, Some("2019-01-01"), Some("2027-12-31"), today),
            Some(InitiativeStatus::Active)
        );
        assert_eq!(
            status_on(None, Some("2027"), None, today),
            Some(InitiativeStatus::Planned)
        );
        assert_eq!(
            status_on(None, Some("2026"), None, today),
            None,
            "started sometime this year: not settled"
        );
        assert_eq!(status_on(None, None, None, today), None);
        assert_eq!(
            status_on(None, Some("2019"), Some("2026"), today),
            None,
            "may have ended this year"
        );
        assert_eq!(
            status_on(Some(InitiativeStatus::Closed), Some("2019"), None, today),
            Some(InitiativeStatus::Closed)
        );
    }

    #[test]
    fn office_staff_write_initiatives_of_their_countries_only_and_never_global_ones() {
        let office = Caller {
            role: Role::Office,
            countries: vec!["PHL".into()],
            ..Caller::cli()
        };
        assert!(may_write_initiative(&office, &["PHL".into()]));
        assert!(!may_write_initiative(&office, &["PHL".into(), "VNM".into()]));
        assert!(!may_write_initiative(&office, &[]));
        assert!(may_write_initiative(&Caller::cli(), &[]));
    }
}
