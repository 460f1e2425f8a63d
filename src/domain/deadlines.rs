//! The deadline time line: report requests, tasks and milestone targets as one list, in one
//! order, each with a link to its resource and a stable calendar identity.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::text_enum;

text_enum! {
    /// What a deadline belongs to.
    DeadlineKind {
        ReportRequest => "report_request",
        Task => "task",
        Milestone => "milestone",
    }
}

impl DeadlineKind {
    /// The collection the resource lives in.
    fn path(self) -> &'static str {
        match self {
            DeadlineKind::ReportRequest => "report-requests",
            DeadlineKind::Task => "tasks",
            DeadlineKind::Milestone => "milestones",
        }
    }
}

/// One thing due on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Deadline {
    pub kind: DeadlineKind,
    /// The id of the report request, task or milestone.
    pub id: i32,
    #[schema(example = "ZWE")]
    pub country: String,
    #[schema(example = "Zimbabwe")]
    pub country_name: String,
    /// The instruments concerned (a milestone's: its gap's).
    #[schema(example = json!(["C087"]))]
    pub conventions: Vec<String>,
    #[schema(example = "Article 22 regular report on C087 (2027)")]
    pub title: String,
    pub due_on: NaiveDate,
    /// The resource's own status (`requested`, `open`, `planned`, ...).
    pub status: String,
    pub overdue: bool,
    /// The assignee (task) or responsible (milestone) organization.
    pub organization: Option<i32>,
    /// The resource in this API.
    #[schema(example = "/api/v1/report-requests/12")]
    pub link: String,
}

impl Deadline {
    pub fn link_of(kind: DeadlineKind, id: i32) -> String {
        format!("/api/v1/{}/{id}", kind.path())
    }

    /// A calendar identity that stays the same across fetches, edits and the address the feed
    /// is fetched through.
    pub fn uid(&self) -> String {
        format!("{}-{}@normtrack", self.kind.as_str(), self.id)
    }

    /// What a calendar shows: the country, the instruments and what is due.
    pub fn summary(&self) -> String {
        let mut s = format!("{} ({})", self.country_name, self.country);
        if !self.conventions.is_empty() {
            s.push_str(&format!(" {}", self.conventions.join(", ")));
        }
        s.push_str(&format!(": {}", self.title));
        if self.overdue {
            s.push_str(" [overdue]");
        }
        s
    }
}

/// The time line's order: by day, then report requests before tasks before milestones, then id.
pub fn sort(items: &mut [Deadline]) {
    let rank = |k: DeadlineKind| {
        DeadlineKind::ALL
            .iter()
            .position(|x| *x == k)
            .unwrap_or(usize::MAX)
    };
    items.sort_by_key(|d| (d.due_on, rank(d.kind), d.id));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: DeadlineKind, id: i32, due: &str) -> Deadline {
        Deadline {
            kind,
            id,
            country: "ZWE".into(),
            country_name: "Zimbabwe".into(),
            conventions: vec!["C087".into()],
            title: "Article 22 regular report on C087 (2027)".into(),
            due_on: NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap(),
            status: "requested".into(),
            overdue: false,
            organization: None,
            link: Deadline::link_of(kind, id),
        }
    }

    #[test]
    fn merges_by_day_then_kind_then_id() {
        let mut items = vec![
            item(DeadlineKind::Milestone, 1, "2027-09-01"),
            item(DeadlineKind::Task, 7, "2027-09-01"),
            item(DeadlineKind::ReportRequest, 9, "2027-09-01"),
            item(DeadlineKind::Task, 2, "2027-03-01"),
        ];
        sort(&mut items);
        let order: Vec<(DeadlineKind, i32)> = items.iter().map(|d| (d.kind, d.id)).collect();
        assert_eq!(
            order,
            vec![
                (DeadlineKind::Task, 2),
                (DeadlineKind::ReportRequest, 9),
                (DeadlineKind::Task, 7),
                (DeadlineKind::Milestone, 1),
            ]
        );
    }

    #[test]
    fn calendar_summary_names_country_and_instrument() {
        let d = item(DeadlineKind::ReportRequest, 3, "2027-09-01");
        assert_eq!(
            d.summary(),
            "Zimbabwe (ZWE) C087: Article 22 regular report on C087 (2027)"
        );
        assert_eq!(d.uid(), "report_request-3@normtrack");
        assert_eq!(d.link, "/api/v1/report-requests/3");
    }
}
