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
