//! Notifications (issue 17): change events written to the outbox in the change's own
//! transaction and delivered signed to the webhooks that follow them, retried with backoff and
//! then given up, never to internal addresses; daily digests over a real SMTP server, on the
//! lead days only and never twice, even after the worker is killed mid-batch; several
//! workers on one database deliver each item once.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::json;

use crate::helpers::{Engine, Req, TestApp, Who, OTHER, OWN};
use crate::notify_support::{verified_by_the_reference_library, Receiver, Reply, SmtpServer};
use normtrack::domain::webhook_urls::UrlPolicy;
use normtrack::outbound::http::WebhookClient;
use normtrack::service::notify;

/// Loopback receivers are private addresses over http: these tests allow both.
const LOOPBACK: UrlPolicy = UrlPolicy {
    allow_http: true,
    allow_private: true,
};

fn spawn(engine: Engine, smtp: Option<&str>) -> Option<TestApp> {
    TestApp::spawn_with(engine, |s| {
        s.notify.webhooks = LOOPBACK;
        if let Some(url) = smtp {
            s.notify.smtp_url = Some(url.to_string());
            s.notify.mail_from = Some("normtrack <normtrack@fixture.example>".into());
        }
    })
}

/// Runs `body` on SQLite and, when reachable, on PostgreSQL.
macro_rules! on_both {
    ($(fn $name:ident($engine:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                fn body($engine: Engine) $body

                #[test]
                fn sqlite() {
                    body(Engine::Sqlite);
                }

                #[test]
                fn postgres() {
                    // Skipped (outside CI) when PostgreSQL is unreachable: `spawn` answers None.
                    body(Engine::Postgres);
                }
            }
        )*
    };
}

fn register(app: &TestApp, who: Who, body: serde_json::Value) -> serde_json::Value {
    let created = app.send(who, Req::new("POST", "/api/v1/webhooks").json(body));
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()
}

/// Changes the notes of a country's C087 record (a `ratification.changed` event).
fn change_ratification(app: &TestApp, country: &str, note: &str) {
    let path = match country {
        OWN => "/api/v1/ratifications/ZWE/C087",
        _ => "/api/v1/ratifications/VNM/C098",
    };
    let mut current = app.get(path).ok_json();
    let tag = app.etag_of(path);
    let mut body = json!({"source": "notification test", "notes": note});
    for field in ["status", "registered_on", "in_force_on"] {
        if !current[field].is_null() {
            body[field] = current[field].take();
        }
    }
    let changed = app.send(
        Who::Admin,
        Req::new("PUT", path).header("If-Match", &tag).json(body),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
}

fn now() -> NaiveDateTime {
    normtrack::repo::now()
}

fn deliver(app: &TestApp, at: NaiveDateTime) -> notify::PassReport {
    notify::deliver_webhooks(&app.state.pool, &WebhookClient::new(LOOPBACK), at).expect("a pass")
}

fn deliveries(app: &TestApp, webhook: &serde_json::Value) -> Vec<serde_json::Value> {
    let page = app
        .get(&format!("/api/v1/webhooks/{}/deliveries", webhook["id"]))
        .ok_json();
    page["items"].as_array().cloned().unwrap_or_default()
}

on_both! {
    fn a_committed_change_is_delivered_signed_to_each_webhook_that_follows_it(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let own = Receiver::start(Reply::status(204));
        let other = Receiver::start(Reply::status(200));
        let follows_own = register(&app, Who::Office, json!({
            "url": own.url, "events": ["ratification.changed"], "countries": [OWN], "description": "office chat"
        }));
        let secret = follows_own["secret"].as_str().expect("the secret, shown once").to_string();
        assert!(secret.starts_with("whsec_"));
        register(&app, Who::Admin, json!({"url": other.url, "events": ["ratification.changed"], "countries": [OTHER]}));
        // The secret is never shown again.
        let shown = app.get(&format!("/api/v1/webhooks/{}", follows_own["id"])).ok_json();
        assert!(shown.get("secret").is_none(), "{shown}");

        change_ratification(&app, OWN, "first change");
        let report = deliver(&app, now());
        assert_eq!(report.delivered, 1, "{report:?}");
        let got = own.received();
        assert_eq!(got.len(), 1);
        assert!(other.received().is_empty(), "the other country's follower got an event");
        let delivery = &got[0];
        assert_eq!(delivery.path, "/hook");
        assert_eq!(delivery.headers.get("content-type").map(String::as_str), Some("application/json"));
        let body: serde_json::Value = serde_json::from_str(&delivery.body).expect("JSON");
        assert_eq!(body["type"], "ratification.changed");
        assert_eq!(body["country"], OWN);
        assert_eq!(body["data"]["after"]["notes"], "first change");
        assert!(verified_by_the_reference_library(&secret, &delivery.body, &delivery.headers));
        let mut tampered = delivery.headers.clone();
        tampered.insert("webhook-id".into(), "msg_other".into());
        assert!(!verified_by_the_reference_library(&secret, &delivery.body, &tampered));

        let log = deliveries(&app, &follows_own);
        assert_eq!(log.len(), 1);
        assert_eq!(log[0]["status"], "delivered");
        assert_eq!(log[0]["attempts"], 1);
        assert_eq!(log[0]["last_status"], 204);
        assert_eq!(log[0]["message_id"].as_str(), delivery.headers.get("webhook-id").map(String::as_str));
        // Nothing is delivered twice.
        assert_eq!(deliver(&app, now()).delivered, 0);
        assert_eq!(own.received().len(), 1);
    }

    fn a_change_that_does_not_commit_announces_nothing(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let receiver = Receiver::start(Reply::status(200));
        let hook = register(&app, Who::Admin, json!({"url": receiver.url, "events": ["ratification.changed"]}));
        // A stale If-Match: the write is refused and rolled back.
        let refused = app.send(
            Who::Admin,
            Req::new("PUT", "/api/v1/ratifications/ZWE/C087")
                .header("If-Match", "\"0\"")
                .json(json!({"status": "ratified", "registered_on": "2003-04-09", "source": "x"})),
        );
        assert_eq!(refused.status, 412, "{}", refused.body);
        // An import with one bad row: all or nothing.
        let csv = "country,convention,status,source,notes\nZWE,C155,in_progress,test,fine\nZWE,C187,no_such_status,test,bad\n";
        let import = app.send(Who::Admin, Req::new("POST", "/api/v1/imports/ratifications").body("text/csv", csv.as_bytes().to_vec()));
        assert!(import.status >= 400, "{}", import.body);
        assert_eq!(deliver(&app, now()).delivered, 0);
        assert!(deliveries(&app, &hook).is_empty());
        assert!(receiver.received().is_empty());
        // A write that fails after it was audited (and so announced) rolls its event back too;
        // the same write committed is announced.
        let write = |commit: bool| {
            app.with_conn(|conn| {
                normtrack::db::write_transaction(conn, |conn| {
                    let after = json!({"country": OWN, "convention": "C087", "status": "ratified"});
                    normtrack::service::audit::entry(
                        conn,
                        normtrack::service::audit::Entry {
                            actor: "cli",
                            action: "update",
                            entity: normtrack::domain::access::EntityKind::Ratification,
                            entity_id: format!("{OWN}/C087"),
                            country: Some(OWN),
                            before: None,
                            after: Some(after),
                        },
                    )?;
                    if commit {
                        Ok(())
                    } else {
                        Err(normtrack::error::AppError::Conflict("a later step failed".into()))
                    }
                })
            })
        };
        assert!(write(false).is_err());
        assert_eq!(deliver(&app, now()).delivered, 0);
        assert!(receiver.received().is_empty());
        write(true).expect("committed");
        assert_eq!(deliver(&app, now()).delivered, 1);
        assert_eq!(receiver.received().len(), 1);
    }

    fn a_failing_receiver_is_retried_with_backoff_then_given_up_and_can_be_redelivered(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let receiver = Receiver::start(Reply::status(500));
        let hook = register(&app, Who::Admin, json!({"url": receiver.url, "events": ["ratification.changed"], "conventions": ["C087"]}));
        change_ratification(&app, OWN, "will fail");
        let start = now();
        let first = deliver(&app, start);
        assert_eq!((first.delivered, first.retrying), (0, 1));
        let log = deliveries(&app, &hook);
        assert_eq!(log[0]["status"], "pending");
        assert_eq!(log[0]["attempts"], 1);
        assert_eq!(log[0]["last_status"], 500);
        let next: NaiveDateTime = serde_json::from_value(log[0]["next_attempt_at"].clone()).expect("a time");
        assert_eq!((next - start).num_seconds(), 30);
        // Not due yet: nothing is sent.
        assert_eq!(deliver(&app, start + chrono::Duration::seconds(10)).retrying, 0);
        assert_eq!(receiver.received().len(), 1);
        // Due: tried again, then a longer wait.
        assert_eq!(deliver(&app, start + chrono::Duration::seconds(31)).retrying, 1);
        let log = deliveries(&app, &hook);
        assert_eq!(log[0]["attempts"], 2);
        // A day later it is given up.
        let report = deliver(&app, start + chrono::Duration::hours(25));
        assert_eq!(report.failed, 1, "{report:?}");
        let log = deliveries(&app, &hook);
        assert_eq!(log[0]["status"], "failed");
        assert_eq!(deliver(&app, start + chrono::Duration::hours(50)).failed, 0);
        let ids: Vec<String> = receiver.received().iter().filter_map(|r| r.headers.get("webhook-id").cloned()).collect();
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(|id| *id == ids[0]), "the webhook-id changed between attempts: {ids:?}");

        // Redelivered on request, with the same id, once the receiver works.
        receiver.answer(Reply::status(200));
        let path = format!("/api/v1/webhooks/{}/deliveries/{}/redeliver", hook["id"], log[0]["id"]);
        let queued = app.send(Who::Admin, Req::new("POST", &path));
        assert_eq!(queued.status, 202, "{}", queued.body);
        assert_eq!(queued.json()["status"], "pending");
        assert_eq!(deliver(&app, now()).delivered, 1);
        let last = receiver.received().pop().expect("a redelivery");
        assert_eq!(last.headers.get("webhook-id"), Some(&ids[0]));
        assert_eq!(deliveries(&app, &hook)[0]["status"], "delivered");
        // A delivery a worker holds at this moment is not queued again beside it.
        let queued = app.send(Who::Admin, Req::new("POST", &path));
        assert_eq!(queued.status, 202, "{}", queued.body);
        let held = app.with_conn(|conn| {
            normtrack::repo::webhooks::claim(conn, now(), now() + chrono::Duration::minutes(5), 10).expect("a claim")
        });
        assert_eq!(held.len(), 1);
        let refused = app.send(Who::Admin, Req::new("POST", &path));
        assert_eq!(refused.status, 409, "{}", refused.body);
    }

    fn redirects_are_not_followed(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let target = Receiver::start(Reply::status(200));
        let mut redirect = Reply::status(307);
        redirect.headers.push(("Location".into(), target.url.clone()));
        let receiver = Receiver::start(redirect);
        let hook = register(&app, Who::Admin, json!({"url": receiver.url, "events": ["ratification.changed"]}));
        change_ratification(&app, OWN, "redirected");
        assert_eq!(deliver(&app, now()).retrying, 1);
        assert!(target.received().is_empty(), "the redirect was followed");
        let log = deliveries(&app, &hook);
        assert!(log[0]["last_error"].as_str().unwrap_or("").contains("redirects are not followed"), "{}", log[0]);
    }

    fn removed_webhooks_receive_nothing_and_keep_their_log(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let receiver = Receiver::start(Reply::status(200));
        let hook = register(&app, Who::Admin, json!({"url": receiver.url, "events": ["ratification.changed"]}));
        change_ratification(&app, OWN, "before removal");
        let removed = app.send(Who::Admin, Req::new("DELETE", format!("/api/v1/webhooks/{}", hook["id"])));
        assert_eq!(removed.status, 204, "{}", removed.body);
        change_ratification(&app, OWN, "after removal");
        assert_eq!(deliver(&app, now()).delivered, 0);
        assert!(receiver.received().is_empty());
        let log = deliveries(&app, &hook);
        assert_eq!(log.len(), 1);
        assert_eq!(log[0]["status"], "cancelled");
        let shown = app.get(&format!("/api/v1/webhooks/{}", hook["id"])).ok_json();
        assert_eq!(shown["active"], false);
    }

    fn report_request_status_changes_and_new_comments_are_announced(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let receiver = Receiver::start(Reply::status(200));
        register(&app, Who::Admin, json!({
            "url": receiver.url,
            "events": ["report_request.status_changed", "supervisory_comment.created"],
            "countries": [OWN]
        }));
        let created = app.send(Who::Admin, Req::new("POST", "/api/v1/report-requests").json(json!({
            "kind": "article22_follow_up", "country": OWN, "conventions": ["C087"], "year": 2027,
            "due_on": "2027-09-01", "reason": "Notification test"
        })));
        assert_eq!(created.status, 201, "{}", created.body);
        let path = format!("/api/v1/report-requests/{}", created.json()["id"]);
        let tag = app.etag_of(&path);
        let moved = app.send(Who::Admin, Req::new("PUT", format!("{path}/status")).header("If-Match", &tag).json(json!({"status": "in_preparation"})));
        assert_eq!(moved.status, 200, "{}", moved.body);
        assert_eq!(deliver(&app, now()).delivered, 1, "creating a request is no status change; moving it is");
        let body: serde_json::Value = serde_json::from_str(&receiver.received()[0].body).expect("JSON");
        assert_eq!(body["type"], "report_request.status_changed");
        assert_eq!(body["data"]["from"], "requested");
        assert_eq!(body["data"]["to"], "in_preparation");
    }

    fn webhook_urls_inside_private_networks_are_refused(engine) {
        // The deployment's defaults: https only, no private addresses.
        let Some(app) = TestApp::spawn(engine) else { return };
        for url in [
            "http://93.184.215.14/hook",
            "https://127.0.0.1/hook",
            "https://10.1.2.3/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://[::ffff:192.168.0.1]/hook",
            "https://2130706433/hook",
            "https://0x7f.0.0.1/hook",
            "https://user:pass@93.184.215.14/hook",
            "file:///etc/passwd",
            "https://no-such-host.invalid/hook",
        ] {
            let refused = app.send(Who::Admin, Req::new("POST", "/api/v1/webhooks").json(json!({"url": url, "events": ["ratification.changed"]})));
            assert_eq!(refused.status, 422, "{url}: {}", refused.body);
        }
        let accepted = app.send(Who::Admin, Req::new("POST", "/api/v1/webhooks").json(json!({"url": "https://93.184.215.14/hook", "events": ["ratification.changed"]})));
        assert_eq!(accepted.status, 201, "{}", accepted.body);
        // Checked again when connecting: a strict client refuses a loopback receiver.
        let receiver = Receiver::start(Reply::status(200));
        let outcome = WebhookClient::new(UrlPolicy { allow_http: true, allow_private: false })
            .post(&receiver.url.replace("127.0.0.1", "localhost"), &[], b"{}");
        assert!(outcome.error.as_deref().unwrap_or("").contains("refused"), "{outcome:?}");
        assert!(receiver.received().is_empty());
    }

    fn office_staff_manage_webhooks_of_their_countries_only(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let url = "http://127.0.0.1:9/hook";
        let everywhere = app.send(Who::Office, Req::new("POST", "/api/v1/webhooks").json(json!({"url": url, "events": ["ratification.changed"]})));
        assert_eq!(everywhere.status, 403, "{}", everywhere.body);
        let other = app.send(Who::Office, Req::new("POST", "/api/v1/webhooks").json(json!({"url": url, "events": ["ratification.changed"], "countries": [OTHER]})));
        assert_eq!(other.status, 403, "{}", other.body);
        let admins = register(&app, Who::Admin, json!({"url": url, "events": ["ratification.changed"]}));
        let own = register(&app, Who::Office, json!({"url": url, "events": ["ratification.changed"], "countries": [OWN]}));
        let listed = app.get_as(Who::Office, "/api/v1/webhooks").ok_json();
        let ids: Vec<i64> = listed["items"].as_array().expect("items").iter().filter_map(|w| w["id"].as_i64()).collect();
        assert_eq!(ids, vec![own["id"].as_i64().expect("id")]);
        assert_eq!(app.get_as(Who::Office, &format!("/api/v1/webhooks/{}", admins["id"])).status, 404);
        assert_eq!(app.get_as(Who::Admin, "/api/v1/webhooks").ok_json()["total"], 2);
        // At most 100 active endpoints per person.
        let office = app.fixture().users[&Who::Office];
        app.with_conn(|conn| {
            for _ in 1..normtrack::service::webhooks::MAX_WEBHOOKS_PER_REGISTRAR {
                normtrack::repo::webhooks::insert(
                    conn,
                    normtrack::repo::webhooks::NewWebhook {
                        url,
                        events: "ratification.changed".into(),
                        countries: Some(OWN.into()),
                        conventions: None,
                        description: "",
                        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                        created_by: &format!("user:{office}"),
                    },
                )
                .expect("an endpoint");
            }
        });
        let over = app.send(Who::Office, Req::new("POST", "/api/v1/webhooks").json(json!({"url": url, "events": ["ratification.changed"], "countries": [OWN]})));
        assert_eq!(over.status, 409, "{}", over.body);
        // Registration is audited, without the secret.
        let audit = app.get("/api/v1/audit?entity=webhook").ok_json();
        assert_eq!(audit["total"], 2, "{audit}");
        assert!(!audit.to_string().contains("whsec_"), "a secret reached the audit log");
    }

    fn several_workers_on_one_database_deliver_each_item_once(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let mut slow = Reply::status(200);
        slow.delay = Duration::from_millis(20);
        let receiver = Receiver::start(slow);
        register(&app, Who::Admin, json!({"url": receiver.url, "events": ["ratification.changed"]}));
        for n in 0..30 {
            change_ratification(&app, if n % 2 == 0 { OWN } else { OTHER }, &format!("change {n}"));
        }
        let at = now();
        // Three workers, each with its own pool, start their pass at the same moment.
        let start = std::sync::Arc::new(std::sync::Barrier::new(3));
        let workers: Vec<_> = (0..3)
            .map(|_| {
                let settings = crate::helpers::TestDb::settings_for(app.database_url());
                let start = start.clone();
                std::thread::spawn(move || {
                    let pool = normtrack::db::build_pool(&settings.database_url, &Default::default()).expect("a pool");
                    let client = WebhookClient::new(LOOPBACK);
                    drop(pool.get().expect("a connection"));
                    start.wait();
                    notify::deliver_webhooks(&pool, &client, at).expect("a pass").delivered
                })
            })
            .collect();
        let delivered: usize = workers.into_iter().map(|w| w.join().expect("a worker")).sum();
        assert_eq!(delivered, 30);
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in receiver.received() {
            *seen.entry(r.headers.get("webhook-id").cloned().unwrap_or_default()).or_default() += 1;
        }
        assert_eq!(seen.len(), 30);
        assert!(seen.values().all(|n| *n == 1), "delivered twice: {seen:?}");
    }
}

#[test]
fn a_receiver_that_does_not_answer_within_ten_seconds_fails_the_attempt() {
    let mut silent = Reply::status(200);
    silent.delay = Duration::from_secs(15);
    let receiver = Receiver::start(silent);
    let started = std::time::Instant::now();
    let outcome = WebhookClient::new(LOOPBACK).post(&receiver.url, &[], b"{}");
    assert!(
        outcome
            .error
            .as_deref()
            .unwrap_or("")
            .contains("no answer within 10 s"),
        "{outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(14));
}

#[test]
fn answers_are_read_no_further_than_64_kib() {
    let mut huge = Reply::status(200);
    huge.body_bytes = 50 * 1024 * 1024;
    let receiver = Receiver::start(huge);
    let outcome = WebhookClient::new(LOOPBACK).post(&receiver.url, &[], b"{}");
    assert_eq!(
        outcome,
        normtrack::outbound::http::Outcome {
            status: Some(200),
            error: None
        }
    );
    // The client stopped reading: the receiver could write little more than the kernel's
    // buffers hold before the connection closed under it.
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        receiver.written() < 16 * 1024 * 1024,
        "{} bytes were read",
        receiver.written()
    );
}

// ----- e-mail -----

fn day(d: &str) -> NaiveDate {
    d.parse().expect("a date")
}

fn mailer(smtp: &SmtpServer) -> normtrack::outbound::mail::Mailer {
    normtrack::outbound::mail::Mailer::new(&smtp.url, "normtrack <normtrack@fixture.example>")
        .expect("a mailer")
}

/// A report request of OWN due on 2027-09-01.
fn request_due(app: &TestApp) -> i64 {
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/report-requests").json(json!({
            "kind": "article22_follow_up", "country": OWN, "conventions": ["C087"], "year": 2027,
            "due_on": "2027-09-01", "reason": "Digest test"
        })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

fn recipients(smtp: &SmtpServer) -> Vec<String> {
    smtp.messages().into_iter().map(|(to, _)| to).collect()
}

on_both! {
    fn digests_list_what_falls_due_at_the_lead_days_and_nothing_on_other_days(engine) {
        let smtp = SmtpServer::start(Duration::ZERO);
        let Some(app) = spawn(engine, Some(&smtp.url)) else { return };
        let id = request_due(&app);
        let mailer = mailer(&smtp);
        let base = "https://normtrack.example.org";
        // A day with nothing at any lead: nothing is sent.
        let quiet = normtrack::service::digests::run(&app.state.pool, &mailer, day("2027-08-03"), base).expect("a pass");
        assert_eq!(quiet.sent, 0, "{quiet:?}");
        assert!(smtp.messages().is_empty());
        // The worker turns its reminders off.
        let off = json!({
            "enabled": false,
            "report_requests": {"enabled": true, "leads": [30, 7, 0], "overdue_weekly": true},
            "tasks": {"enabled": true, "leads": [30, 7, 0], "overdue_weekly": true},
            "milestones": {"enabled": true, "leads": [30, 7, 0], "overdue_weekly": true}
        });
        assert_eq!(app.send(Who::Worker, Req::new("PUT", "/api/v1/auth/me/reminders").json(off)).status, 200);
        // 30 days before: everyone whose work covers the country, once.
        let report = normtrack::service::digests::run(&app.state.pool, &mailer, day("2027-08-02"), base).expect("a pass");
        let mut got = recipients(&smtp);
        got.sort();
        assert_eq!(got, vec!["admin@fixture.example", "employer@fixture.example", "government@fixture.example", "office@fixture.example"], "{report:?}");
        let (_, text) = smtp.messages().into_iter().find(|(to, _)| to == "office@fixture.example").expect("the office's digest");
        assert!(text.contains("Subject: normtrack: 1 deadline to watch (2027-08-02)"), "{text}");
        assert!(text.contains("Zimbabwe (ZWE)"), "{text}");
        assert!(text.contains("due in 30 days, 2027-09-01"), "{text}");
        assert!(text.contains(&format!("{base}/api/v1/report-requests/{id}")), "{text}");
        // The same day again: nothing twice.
        let again = normtrack::service::digests::run(&app.state.pool, &mailer, day("2027-08-02"), base).expect("a pass");
        assert_eq!(again.sent, 0);
        assert_eq!(again.already, 4);
        assert_eq!(smtp.messages().len(), 4);
        // On the day, and weekly once overdue.
        for (d, expect) in [("2027-09-01", "due today"), ("2027-09-08", "overdue by 7 days")] {
            normtrack::service::digests::run(&app.state.pool, &mailer, day(d), base).expect("a pass");
            let (_, text) = smtp.messages().into_iter().rfind(|(to, _)| to == "office@fixture.example").expect("a digest");
            assert!(text.contains(expect), "{d}: {text}");
        }
        assert_eq!(smtp.messages().len(), 12);
    }

    fn reminders_can_be_turned_on_only_when_e_mail_is_configured(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let defaults = app.get_as(Who::Government, "/api/v1/auth/me/reminders").ok_json();
        assert_eq!(defaults["tasks"]["leads"], json!([30, 7, 0]));
        let mut on = defaults.clone();
        on["tasks"]["leads"] = json!([0, 14, 14]);
        let refused = app.send(Who::Government, Req::new("PUT", "/api/v1/auth/me/reminders").json(on.clone()));
        assert_eq!(refused.status, 409, "{}", refused.body);
        let mut off = defaults.clone();
        off["enabled"] = json!(false);
        assert_eq!(app.send(Who::Government, Req::new("PUT", "/api/v1/auth/me/reminders").json(off)).status, 200);
        let mut bad = defaults;
        bad["tasks"]["leads"] = json!([400]);
        bad["enabled"] = json!(false);
        assert_eq!(app.send(Who::Government, Req::new("PUT", "/api/v1/auth/me/reminders").json(bad)).status, 422);

        let smtp = SmtpServer::start(Duration::ZERO);
        let Some(app) = spawn(engine, Some(&smtp.url)) else { return };
        let stored = app.send(Who::Government, Req::new("PUT", "/api/v1/auth/me/reminders").json(on));
        assert_eq!(stored.status, 200, "{}", stored.body);
        assert_eq!(stored.json()["tasks"]["leads"], json!([14, 0]));
        assert_eq!(app.get_as(Who::Government, "/api/v1/auth/me/reminders").ok_json()["tasks"]["leads"], json!([14, 0]));
    }

    fn a_worker_killed_mid_batch_sends_no_digest_twice_after_a_restart(engine) {
        // The mail server holds each message 3 s before taking it: the worker is killed while
        // it waits for the first.
        let slow = SmtpServer::start(Duration::from_secs(3));
        let Some(app) = spawn(engine, Some(&slow.url)) else { return };
        request_due(&app);
        let run = |smtp_url: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_normtrack"))
                .args(["notify", "run", "--once", "--as-of", "2027-08-02"])
                .env("DATABASE_URL", app.database_url())
                .env("NORMTRACK_SMTP_URL", smtp_url)
                .env("NORMTRACK_MAIL_FROM", "normtrack@fixture.example")
                .env("RUST_LOG", "warn")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("the worker starts")
        };
        let mut worker = run(&slow.url);
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while slow.messages().is_empty() {
            assert!(std::time::Instant::now() < deadline, "no message reached the mail server");
            std::thread::sleep(Duration::from_millis(20));
        }
        worker.kill().expect("kill -9");
        worker.wait().expect("the worker ends");
        let dir = slow.stop();
        let before = crate::notify_support::messages_in(dir.path()).len();
        assert_eq!(before, 1);
        let smtp = SmtpServer::start_in(dir, Duration::ZERO);
        let restarted = run(&smtp.url).wait_with_output().expect("the worker runs");
        assert!(restarted.status.success());
        let summary = String::from_utf8_lossy(&restarted.stdout).into_owned();
        assert!(summary.contains("4 sent"), "{summary}");
        assert!(summary.contains("1 sent before"), "{summary}");
        let mut got = recipients(&smtp);
        got.sort();
        let mut unique = got.clone();
        unique.dedup();
        assert_eq!(got, unique, "a digest was sent twice");
        // Everyone whose work covers the country: admin, office and the three constituents.
        assert_eq!(got.len(), 5, "{got:?}");
    }
}

fn follow(app: &TestApp, who: Who, body: serde_json::Value) -> crate::helpers::TestResponse {
    app.send(who, Req::new("POST", "/api/v1/auth/me/subscriptions").json(body))
}

fn outbound(smtp: &SmtpServer) -> notify::Outbound {
    notify::Outbound {
        webhooks: WebhookClient::new(LOOPBACK),
        mailer: Some(mailer(smtp)),
        public_base: "https://normtrack.example.org".into(),
    }
}

on_both! {
    fn people_get_the_changes_they_follow_at_once_or_in_their_digest_and_only_what_they_read(engine) {
        let smtp = SmtpServer::start(Duration::ZERO);
        let Some(app) = spawn(engine, Some(&smtp.url)) else { return };
        // Reminders off for everyone here: only the changes are mailed.
        let off = json!({
            "enabled": false,
            "report_requests": {"enabled": true, "leads": [30, 7, 0], "overdue_weekly": true},
            "tasks": {"enabled": true, "leads": [30, 7, 0], "overdue_weekly": true},
            "milestones": {"enabled": true, "leads": [30, 7, 0], "overdue_weekly": true}
        });
        for who in [Who::Admin, Who::Office, Who::Government, Who::Employer, Who::Worker] {
            assert_eq!(app.send(who, Req::new("PUT", "/api/v1/auth/me/reminders").json(off.clone())).status, 200);
        }
        let at_once = follow(&app, Who::Office, json!({"events": ["ratification.changed"], "countries": [OWN], "delivery": "immediate"}));
        assert_eq!(at_once.status, 201, "{}", at_once.body);
        let digest = follow(&app, Who::Government, json!({"events": ["report_request.status_changed"], "countries": [OWN]}));
        assert_eq!(digest.status, 201, "{}", digest.body);
        assert_eq!(digest.json()["delivery"], "digest");
        // A constituent follows report requests of its own country only.
        assert_eq!(follow(&app, Who::Government, json!({"events": ["report_request.status_changed"], "countries": [OTHER]})).status, 403);
        assert_eq!(follow(&app, Who::Worker, json!({"events": ["report_request.status_changed"]})).status, 403);
        assert_eq!(follow(&app, Who::Worker, json!({"events": ["ratification.changed"], "countries": ["XXX"]})).status, 422);
        let listed = app.get_as(Who::Government, "/api/v1/auth/me/subscriptions").ok_json();
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

        change_ratification(&app, OWN, "followed change");
        change_ratification(&app, OTHER, "not followed");
        let pass = notify::run_once(&app.state.pool, &outbound(&smtp), now(), now().date(), false).expect("a pass");
        assert_eq!(pass.changes.as_ref().map(|c| c.sent), Some(1), "{pass:?}");
        let got = smtp.messages();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "office@fixture.example");
        assert!(got[0].1.contains("ZWE: ratification record ZWE/C087"), "{}", got[0].1);
        assert!(!got[0].1.contains("VNM"), "{}", got[0].1);
        // Nothing twice.
        let again = notify::run_once(&app.state.pool, &outbound(&smtp), now(), now().date(), false).expect("a pass");
        assert_eq!(again.changes.as_ref().map(|c| c.sent), Some(0));

        // The government's report request moves: it is in the government's digest of the day.
        let id = request_due(&app);
        let path = format!("/api/v1/report-requests/{id}");
        let tag = app.etag_of(&path);
        let moved = app.send(Who::Government, Req::new("PUT", format!("{path}/status")).header("If-Match", &tag).json(json!({"status": "in_preparation"})));
        assert_eq!(moved.status, 200, "{}", moved.body);
        let report = normtrack::service::digests::run(&app.state.pool, &mailer(&smtp), day("2027-01-04"), "https://normtrack.example.org").expect("a pass");
        assert_eq!(report.sent, 1, "{report:?}");
        let (to, text) = smtp.messages().pop().expect("the digest");
        assert_eq!(to, "government@fixture.example");
        assert!(text.contains("Changes you follow"), "{text}");
        assert!(text.contains(&format!("report request {id} on C087 moved from requested to in preparation")), "{text}");
        // Nobody removes another person's subscription.
        let others = app.send(Who::Government, Req::new("DELETE", format!("/api/v1/auth/me/subscriptions/{}", at_once.json()["id"])));
        assert_eq!(others.status, 404, "{}", others.body);
        // Removed: nothing more.
        let removed = app.send(Who::Office, Req::new("DELETE", format!("/api/v1/auth/me/subscriptions/{}", at_once.json()["id"])));
        assert_eq!(removed.status, 204);
        change_ratification(&app, OWN, "after unfollowing");
        let after = notify::run_once(&app.state.pool, &outbound(&smtp), now(), now().date(), false).expect("a pass");
        assert_eq!(after.changes.as_ref().map(|c| c.sent), Some(0));
    }

    fn following_by_e_mail_needs_e_mail_on_the_server(engine) {
        let Some(app) = spawn(engine, None) else { return };
        let refused = follow(&app, Who::Office, json!({"events": ["ratification.changed"]}));
        assert_eq!(refused.status, 409, "{}", refused.body);
    }

    fn an_office_sets_its_countrys_reminder_defaults_for_its_constituents(engine) {
        let smtp = SmtpServer::start(Duration::ZERO);
        let Some(app) = spawn(engine, Some(&smtp.url)) else { return };
        let rule = |leads: serde_json::Value| json!({"enabled": true, "leads": leads, "overdue_weekly": false});
        let defaults = json!({"enabled": true, "report_requests": rule(json!([10])), "tasks": rule(json!([3])), "milestones": rule(json!([3]))});
        let set = app.send(Who::Office, Req::new("PUT", format!("/api/v1/countries/{OWN}/reminder-defaults")).json(defaults.clone()));
        assert_eq!(set.status, 200, "{}", set.body);
        assert_eq!(app.send(Who::Office, Req::new("PUT", format!("/api/v1/countries/{OTHER}/reminder-defaults")).json(defaults.clone())).status, 403);
        // The country's constituents get them until they choose their own; office staff do not.
        assert_eq!(app.get_as(Who::Government, "/api/v1/auth/me/reminders").ok_json()["report_requests"]["leads"], json!([10]));
        assert_eq!(app.get_as(Who::Office, "/api/v1/auth/me/reminders").ok_json()["report_requests"]["leads"], json!([30, 7, 0]));
        let own = json!({"enabled": true, "report_requests": rule(json!([30])), "tasks": rule(json!([3])), "milestones": rule(json!([3]))});
        assert_eq!(app.send(Who::Worker, Req::new("PUT", "/api/v1/auth/me/reminders").json(own)).status, 200);
        // Ten days before the due date: the government and the employer (country defaults), not
        // the worker (its own leads) nor the office (the built-in leads).
        request_due(&app);
        normtrack::service::digests::run(&app.state.pool, &mailer(&smtp), day("2027-08-22"), "https://normtrack.example.org").expect("a pass");
        let mut got = recipients(&smtp);
        got.sort();
        assert_eq!(got, vec!["employer@fixture.example", "government@fixture.example"]);
        // Audited with the country.
        let audit = app.get(&format!("/api/v1/audit?entity=reminder_defaults&country={OWN}")).ok_json();
        assert_eq!(audit["total"], 1, "{audit}");
    }
}

on_both! {
    fn an_unreachable_mail_server_delays_digests_and_loses_none(engine) {
        let smtp = SmtpServer::start(Duration::ZERO);
        let Some(app) = spawn(engine, Some(&smtp.url)) else { return };
        request_due(&app);
        // Nothing listens on this port: every digest is given back, none is lost.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a port");
        let unreachable = normtrack::outbound::mail::Mailer::new(&format!("smtp://{closed}"), "normtrack@fixture.example").expect("a mailer");
        let first = normtrack::service::digests::run(&app.state.pool, &unreachable, day("2027-08-02"), "https://n.example").expect("a pass");
        assert_eq!((first.sent, first.failed), (0, 5), "{first:?}");
        let later = normtrack::service::digests::run(&app.state.pool, &mailer(&smtp), day("2027-08-02"), "https://n.example").expect("a pass");
        assert_eq!((later.sent, later.already), (5, 0), "{later:?}");
        assert_eq!(smtp.messages().len(), 5);
    }
}
