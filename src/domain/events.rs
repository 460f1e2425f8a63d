//! Which changes are announced (issue 17), and with what: one place maps a write, as the audit
//! path records it, to the event other systems follow. Because the audit path is the one path
//! every write takes, nothing committed escapes announcement and nothing is announced that did
//! not commit (the event is written in the write's own transaction).

use serde_json::{json, Value};

use super::access::EntityKind;
use super::text_enum;

text_enum! {
    /// The kinds of event a webhook (or a person) may follow.
    EventType {
        /// A ratification record was created, changed or imported.
        RatificationChanged => "ratification.changed",
        /// A supervisory comment was recorded.
        SupervisoryCommentCreated => "supervisory_comment.created",
        /// A report request moved from one status to another.
        ReportRequestStatusChanged => "report_request.status_changed",
    }
}

/// An event to announce: its type, the country and instruments it concerns (what
/// subscriptions filter on) and its data.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub event_type: EventType,
    pub country: Option<String>,
    pub conventions: Vec<String>,
    pub data: Value,
}

/// One write as the audit path records it.
pub struct Write<'a> {
    pub entity: EntityKind,
    pub action: &'a str,
    pub entity_id: &'a str,
    pub country: Option<&'a str>,
    pub before: Option<&'a Value>,
    pub after: Option<&'a Value>,
}

fn conventions_of(record: Option<&Value>) -> Vec<String> {
    let Some(record) = record else {
        return Vec::new();
    };
    if let Some(list) = record.get("conventions").and_then(Value::as_array) {
        return list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    record
        .get("convention")
        .and_then(Value::as_str)
        .map(|c| vec![c.to_string()])
        .unwrap_or_default()
}

fn status_of(record: Option<&Value>) -> Option<&str> {
    record.and_then(|r| r.get("status")).and_then(Value::as_str)
}

/// Whether writes of this kind of record may announce an event (a cheap look before any work).
pub fn may_announce(entity: EntityKind) -> bool {
    matches!(
        entity,
        EntityKind::Ratification | EntityKind::SupervisoryComment | EntityKind::ReportRequest
    )
}

/// The event a write announces, if any.
pub fn from_write(write: &Write<'_>) -> Option<Event> {
    let current = write.after.or(write.before);
    let event = |event_type, data| {
        Some(Event {
            event_type,
            country: write.country.map(str::to_string),
            conventions: conventions_of(current),
            data,
        })
    };
    match write.entity {
        EntityKind::Ratification => event(
            EventType::RatificationChanged,
            json!({
                "id": write.entity_id,
                "action": write.action,
                "before": write.before,
                "after": write.after,
            }),
        ),
        EntityKind::SupervisoryComment if write.before.is_none() && write.after.is_some() => event(
            EventType::SupervisoryCommentCreated,
            json!({ "id": write.entity_id, "comment": write.after }),
        ),
        EntityKind::ReportRequest => {
            let (from, to) = (status_of(write.before), status_of(write.after));
            match (from, to) {
                (Some(from), Some(to)) if from != to => event(
                    EventType::ReportRequestStatusChanged,
                    json!({ "id": write.entity_id, "from": from, "to": to, "request": write.after }),
                ),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The body delivered for an event: `{type, timestamp, data}` (the Standard Webhooks shape).
pub fn payload(event: &Event, at: chrono::NaiveDateTime) -> Value {
    json!({
        "type": event.event_type.as_str(),
        "timestamp": at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "country": event.country,
        "conventions": event.conventions,
        "data": event.data,
    })
}

/// Whether a follower of `events` in `countries` and `conventions` (`None`: all) wants `event`.
pub fn wanted(
    event: &Event,
    events: &[EventType],
    countries: Option<&[String]>,
    conventions: Option<&[String]>,
) -> bool {
    events.contains(&event.event_type)
        && countries.is_none_or(|list| event.country.as_ref().is_some_and(|c| list.contains(c)))
        && conventions.is_none_or(|list| event.conventions.iter().any(|c| list.contains(c)))
}

/// One line telling a person what happened, and the link to the record (a path of this API).
pub fn describe(event_type: &str, payload: &Value) -> (String, String) {
    let data = &payload["data"];
    let text = |v: &Value| v.as_str().unwrap_or("?").to_string();
    let country = text(&payload["country"]);
    let conventions: Vec<String> = payload["conventions"]
        .as_array()
        .map(|list| list.iter().map(&text).collect())
        .unwrap_or_default();
    match event_type {
        "ratification.changed" => {
            let id = text(&data["id"]);
            let after = text(&data["after"]["status"]);
            let was = match data["before"]["status"].as_str() {
                Some(before) if before != after => format!(" (was {})", before.replace('_', " ")),
                Some(_) => " (status unchanged)".to_string(),
                None => " (new record)".to_string(),
            };
            (
                format!(
                    "{}: ratification record {}, status {}{was}",
                    country,
                    id,
                    after.replace('_', " ")
                ),
                format!("/api/v1/ratifications/{id}"),
            )
        }
        "supervisory_comment.created" => {
            let comment = &data["comment"];
            (
                format!(
                    "{country}: new {} {} of {} on {}",
                    text(&comment["body"]).to_uppercase(),
                    text(&comment["kind"]).replace('_', " "),
                    comment["year"],
                    conventions.join(", ")
                ),
                format!("/api/v1/supervisory-comments/{}", text(&data["id"])),
            )
        }
        "report_request.status_changed" => (
            format!(
                "{country}: report request {} on {} moved from {} to {}",
                text(&data["id"]),
                conventions.join(", "),
                text(&data["from"]).replace('_', " "),
                text(&data["to"]).replace('_', " ")
            ),
            format!("/api/v1/report-requests/{}", text(&data["id"])),
        ),
        other => (format!("{country}: {other}"), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write<'a>(entity: EntityKind, before: Option<&'a Value>, after: Option<&'a Value>) -> Write<'a> {
        Write {
            entity,
            action: "update",
            entity_id: "7",
            country: Some("VNM"),
            before,
            after,
        }
    }

    #[test]
    fn every_ratification_write_is_announced_with_its_instrument() {
        let after = json!({"country": "VNM", "convention": "C087", "status": "in_force"});
        let event = from_write(&write(EntityKind::Ratification, None, Some(&after))).expect("event");
        assert_eq!(event.event_type, EventType::RatificationChanged);
        assert_eq!(event.conventions, vec!["C087".to_string()]);
        assert_eq!(event.country.as_deref(), Some("VNM"));
    }

    #[test]
    fn report_requests_are_announced_only_when_their_status_moves() {
        let open = json!({"status": "open", "conventions": ["C029"]});
        let submitted = json!({"status": "submitted", "conventions": ["C029"]});
        assert!(from_write(&write(EntityKind::ReportRequest, Some(&open), Some(&open))).is_none());
        assert!(from_write(&write(EntityKind::ReportRequest, None, Some(&open))).is_none());
        let event =
            from_write(&write(EntityKind::ReportRequest, Some(&open), Some(&submitted))).expect("event");
        assert_eq!(event.event_type, EventType::ReportRequestStatusChanged);
        assert_eq!(event.data["from"], "open");
        assert_eq!(event.data["to"], "submitted");
    }

    #[test]
    fn supervisory_comments_are_announced_when_created_only() {
        let comment = json!({"conventions": ["C087", "C098"]});
        assert!(from_write(&write(EntityKind::SupervisoryComment, None, Some(&comment))).is_some());
        assert!(from_write(&write(
            EntityKind::SupervisoryComment,
            Some(&comment),
            Some(&comment)
        ))
        .is_none());
        assert!(from_write(&write(EntityKind::Task, None, Some(&comment))).is_none());
    }

    #[test]
    fn a_change_is_told_in_one_line_with_its_link() {
        let before = json!({"status": "in_progress", "convention": "C155"});
        let after = json!({"status": "ratified", "convention": "C155"});
        let mut w = write(EntityKind::Ratification, Some(&before), Some(&after));
        w.entity_id = "ZWE/C155";
        let event = from_write(&w).expect("event");
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("time");
        let (line, link) = describe("ratification.changed", &payload(&event, at));
        assert_eq!(
            line,
            "VNM: ratification record ZWE/C155, status ratified (was in progress)"
        );
        assert_eq!(link, "/api/v1/ratifications/ZWE/C155");
    }

    #[test]
    fn followers_get_the_events_countries_and_instruments_they_chose() {
        let after = json!({"convention": "C087"});
        let event = from_write(&write(EntityKind::Ratification, None, Some(&after))).expect("event");
        let all = [EventType::RatificationChanged];
        assert!(wanted(&event, &all, None, None));
        assert!(wanted(
            &event,
            &all,
            Some(&["VNM".into()]),
            Some(&["C087".into()])
        ));
        assert!(!wanted(&event, &all, Some(&["KHM".into()]), None));
        assert!(!wanted(&event, &all, None, Some(&["C098".into()])));
        assert!(!wanted(
            &event,
            &[EventType::SupervisoryCommentCreated],
            None,
            None
        ));
    }
}
