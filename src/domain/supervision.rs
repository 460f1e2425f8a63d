//! The ILO supervisory bodies' comments: who speaks (CEACR, CAS, CFA), in what form, and the
//! rules a comment's fields keep. Rules only; storage is `repo::comments`.

use super::text_enum;

text_enum! {
    /// The supervisory body: the Committee of Experts (CEACR), the Conference Committee on
    /// the Application of Standards (CAS), the Committee on Freedom of Association (CFA).
    SupervisoryBody {
        Ceacr => "ceacr",
        Cas => "cas",
        Cfa => "cfa",
    }
}

text_enum! {
    CommentKind {
        Observation => "observation",
        DirectRequest => "direct_request",
        IndividualCase => "individual_case",
        GeneralObservation => "general_observation",
    }
}

text_enum! {
    /// A CEACR footnote: a single one asks for an early report, a double one also for full
    /// particulars to the Conference. `unknown` where the source does not show it.
    Footnote {
        None => "none",
        Single => "single",
        Double => "double",
        Unknown => "unknown",
    }
}

/// The earliest year a comment can be from: the supervisory system began in 1926-27, and
/// the CEACR was set up in 1926.
pub const FIRST_YEAR: i32 = 1926;

/// What is wrong with a comment's combination of fields, by field, if anything:
/// - the CAS discusses individual cases; the CEACR adopts observations, direct requests and
///   general observations;
/// - a comment is published no earlier than it is adopted or discussed, and a reply is
///   asked for no earlier either;
/// - years are no earlier than [`FIRST_YEAR`] and no later than next year.
pub fn check_comment(
    body: SupervisoryBody,
    kind: CommentKind,
    year: i32,
    published_year: Option<i32>,
    reply_requested_for: Option<i32>,
    this_year: i32,
) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    let kind_fits = match body {
        SupervisoryBody::Cas => kind == CommentKind::IndividualCase,
        SupervisoryBody::Ceacr => kind != CommentKind::IndividualCase,
        SupervisoryBody::Cfa => true,
    };
    if !kind_fits {
        problems.push(("kind", format!("the {body} does not issue a {kind}")));
    }
    if !(FIRST_YEAR..=this_year + 1).contains(&year) {
        problems.push(("year", format!("must be from {FIRST_YEAR} to {}", this_year + 1)));
    }
    if published_year.is_some_and(|p| p < year) {
        problems.push((
            "published_year",
            "cannot be before the year adopted or discussed".into(),
        ));
    }
    if reply_requested_for.is_some_and(|r| r < year) {
        problems.push((
            "reply_requested_for",
            "cannot be before the year adopted or discussed".into(),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cas_discusses_cases_and_the_ceacr_does_not() {
        assert!(check_comment(
            SupervisoryBody::Cas,
            CommentKind::IndividualCase,
            2024,
            Some(2024),
            None,
            2026
        )
        .is_empty());
        let wrong = check_comment(
            SupervisoryBody::Cas,
            CommentKind::Observation,
            2024,
            None,
            None,
            2026,
        );
        assert_eq!(wrong[0].0, "kind");
        let wrong = check_comment(
            SupervisoryBody::Ceacr,
            CommentKind::IndividualCase,
            2024,
            None,
            None,
            2026,
        );
        assert_eq!(wrong[0].0, "kind");
    }

    #[test]
    fn publication_and_reply_come_no_earlier_than_adoption() {
        let fields: Vec<&str> = check_comment(
            SupervisoryBody::Ceacr,
            CommentKind::Observation,
            2021,
            Some(2020),
            Some(2020),
            2026,
        )
        .into_iter()
        .map(|(f, _)| f)
        .collect();
        assert_eq!(fields, ["published_year", "reply_requested_for"]);
        assert!(check_comment(
            SupervisoryBody::Ceacr,
            CommentKind::Observation,
            2021,
            Some(2022),
            Some(2023),
            2026
        )
        .is_empty());
        assert_eq!(
            check_comment(
                SupervisoryBody::Ceacr,
                CommentKind::Observation,
                1900,
                None,
                None,
                2026
            )[0]
            .0,
            "year"
        );
    }
}
