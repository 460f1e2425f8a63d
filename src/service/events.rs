//! Announcing changes (issue 17): the audit path hands every write here, in the write's own
//! transaction; each write that makes an event (`domain::events`) is written to the outbox
//! with one delivery per webhook that follows it and one mail item per person subscribed to
//! it. Nothing is announced that did not commit, and nothing commits unannounced. An event
//! nobody follows is not kept.

use crate::db::DbConn;
use crate::domain::events::{self, Event, EventType, Write};
use crate::error::AppResult;
use crate::repo::audit::Entry;
use crate::repo::subscriptions::{self as subscribed, SubscriptionRow};
use crate::repo::webhooks::{self as store, NewEvent, WebhookRow};

/// A webhook's filters, read from its row.
pub struct Follower {
    pub id: i32,
    pub events: Vec<EventType>,
    pub countries: Option<Vec<String>>,
    pub conventions: Option<Vec<String>>,
}

impl Follower {
    fn new(id: i32, events: &str, countries: Option<&str>, conventions: Option<&str>) -> Follower {
        Follower {
            id,
            events: store::event_types(events),
            countries: countries.map(store::split),
            conventions: conventions.map(store::split),
        }
    }

    pub fn of(row: &WebhookRow) -> Follower {
        Follower::new(
            row.id,
            &row.events,
            row.countries.as_deref(),
            row.conventions.as_deref(),
        )
    }

    /// A person following by e-mail: the follower's id is the person's.
    pub fn of_subscription(row: &SubscriptionRow) -> Follower {
        Follower::new(
            row.user_id,
            &row.events,
            row.countries.as_deref(),
            row.conventions.as_deref(),
        )
    }

    pub fn wants(&self, event: &Event) -> bool {
        events::wanted(
            event,
            &self.events,
            self.countries.as_deref(),
            self.conventions.as_deref(),
        )
    }
}

/// Writes the events of these audited writes to the outbox (call before they are stored).
pub fn announce(conn: &mut DbConn, entries: &[Entry<'_>]) -> AppResult<()> {
    // Most writes announce nothing, and most deployments follow nothing: both are known before
    // any payload is built.
    if !entries.iter().any(|e| events::may_announce(e.entity)) || !store::anyone_follows(conn)? {
        return Ok(());
    }
    let found: Vec<Event> = entries
        .iter()
        .filter_map(|e| {
            events::from_write(&Write {
                entity: e.entity,
                action: e.action,
                entity_id: &e.entity_id,
                country: e.country,
                before: e.before.as_ref(),
                after: e.after.as_ref(),
            })
        })
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    let followers: Vec<Follower> = store::active(conn)?.iter().map(Follower::of).collect();
    // People following by e-mail: (follower, delivery); one item per person and event, at
    // once winning over the digest.
    let people: Vec<(Follower, &'static str)> = subscribed::active(conn)?
        .iter()
        .map(|row| {
            let delivery = if row.delivery == "immediate" {
                "immediate"
            } else {
                "digest"
            };
            (Follower::of_subscription(row), delivery)
        })
        .collect();
    if followers.is_empty() && people.is_empty() {
        return Ok(());
    }
    let at = crate::repo::now();
    let mut mailed: Vec<Vec<(i32, &'static str)>> = Vec::new();
    let queued: Vec<NewEvent> = found
        .into_iter()
        .filter_map(|event| {
            let endpoints: Vec<i32> = followers
                .iter()
                .filter(|f| f.wants(&event))
                .map(|f| f.id)
                .collect();
            let mut readers: Vec<(i32, &'static str)> = Vec::new();
            for (person, delivery) in people.iter().filter(|(p, _)| p.wants(&event)) {
                match readers.iter_mut().find(|(user, _)| *user == person.id) {
                    Some(found) if *delivery == "immediate" => found.1 = "immediate",
                    Some(_) => {}
                    None => readers.push((person.id, *delivery)),
                }
            }
            if endpoints.is_empty() && readers.is_empty() {
                return None;
            }
            mailed.push(readers);
            Some(NewEvent {
                event_type: event.event_type.as_str(),
                country: event.country.clone(),
                conventions: event.conventions.join(","),
                payload: events::payload(&event, at).to_string(),
                endpoints,
            })
        })
        .collect();
    let ids = store::enqueue(conn, queued)?;
    for (event, readers) in ids.into_iter().zip(mailed) {
        if !readers.is_empty() {
            subscribed::queue(conn, event, &readers)?;
        }
    }
    Ok(())
}
