//! Programmes (a named set of countries and a period, e.g. Trade for Decent Work 2019–2027)
//! and the rules of their four-area progress report: the period a report covers and who sees
//! which countries of it. Rules only; the
//! figures are counted by `service::progress` through the list filters they link to.

use chrono::NaiveDate;

use super::access::{Caller, Scope};
use super::text_enum;

text_enum! {
    /// The four areas of the programmes normtrack serves.
    Area {
        Ratifications => "ratifications",
        Reforms => "reforms",
        ResponsibleBusinessConduct => "responsible_business_conduct",
        Reporting => "reporting",
    }
}

/// Checks a period: both days within `domain::fields::DAY_YEARS`, the end no earlier than the
/// start.
pub fn check_period(
    from_field: &'static str,
    from: NaiveDate,
    to_field: &'static str,
    to: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut v = Vec::new();
    for (field, day) in [(from_field, from), (to_field, to)] {
        v.extend(super::fields::day_out_of_range(field, day));
    }
    if to < from {
        v.push((to_field, format!("{to} is before {from_field} {from}")));
    }
    v
}

/// The period a progress report covers: the one asked for, each end defaulting to the
/// programme's own.
pub fn report_period(
    programme: (NaiveDate, NaiveDate),
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> (NaiveDate, NaiveDate) {
    (from.unwrap_or(programme.0), to.unwrap_or(programme.1))
}

/// The programme's countries the caller sees: all of them for administrators and office
/// staff, their own for constituents, none for dashboard tokens.
pub fn visible_countries(caller: &Caller, countries: &[String]) -> Vec<String> {
    match caller.read_scope() {
        Scope::Global => countries.to_vec(),
        Scope::Countries(own) => countries.iter().filter(|c| own.contains(c)).cloned().collect(),
        Scope::PublicOnly => Vec::new(),
    }
}

/// Whether the caller may see a programme at all: administrators and office staff every one,
/// a constituent one that includes its country.
pub fn may_read_programme(caller: &Caller, countries: &[String]) -> bool {
    matches!(caller.read_scope(), Scope::Global) || !visible_countries(caller, countries).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::{Principal, Role};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_ends_no_earlier_than_it_starts_within_the_known_years() {
        assert!(check_period("from", d("2019-01-01"), "to", d("2027-12-31")).is_empty());
        assert_eq!(
            check_period("from", d("2020-01-01"), "to", d("2019-12-31"))[0].0,
            "to"
        );
        assert_eq!(
            check_period("from", d("1800-01-01"), "to", d("2019-12-31"))[0].0,
            "from"
        );
        assert_eq!(
            report_period((d("2019-01-01"), d("2027-12-31")), Some(d("2025-01-01")), None),
            (d("2025-01-01"), d("2027-12-31"))
        );
    }

    #[test]
    fn constituents_see_their_own_country_of_a_programme_and_dashboards_none() {
        let person = |role: Role, countries: &[&str]| Caller {
            principal: Principal::User(1),
            role,
            countries: countries.iter().map(|c| c.to_string()).collect(),
            organization: None,
        };
        let countries = vec!["PHL".to_string(), "VNM".to_string()];
        assert_eq!(
            visible_countries(&person(Role::Office, &["ZWE"]), &countries),
            countries
        );
        assert_eq!(
            visible_countries(&person(Role::Worker, &["PHL"]), &countries),
            vec!["PHL"]
        );
        assert!(may_read_programme(&person(Role::Worker, &["PHL"]), &countries));
        assert!(!may_read_programme(&person(Role::Worker, &["ZWE"]), &countries));
        assert!(!may_read_programme(&person(Role::Viewer, &[]), &countries));
    }
}
