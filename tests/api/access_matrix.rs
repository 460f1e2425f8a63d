//! The route × role × own-country/other-country matrix. Every route of the OpenAPI document
//! must have a row here (a new route without one fails the test), and the roles each row
//! admits must be the roles the OpenAPI operation declares.

use serde_json::json;

use crate::helpers::{Req, TestApp, Who, EVERYONE, OTHER, OWN, TEST_PASSWORD};
use crate::on_both_engines;

/// Which country a request targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Own,
    Other,
}

impl Side {
    fn country(self) -> &'static str {
        match self {
            Side::Own => OWN,
            Side::Other => OTHER,
        }
    }
}

/// Expected statuses, in the order of [`EVERYONE`]: anonymous, admin, office, government,
/// employer, worker, viewer.
type Expect = [u16; 7];

const PUBLIC_200: Expect = [200, 200, 200, 200, 200, 200, 200];
const ANY_ROLE_200: Expect = [401, 200, 200, 200, 200, 200, 200];
const ADMIN_200: Expect = [401, 200, 403, 403, 403, 403, 403];
const ADMIN_201: Expect = [401, 201, 403, 403, 403, 403, 403];
const ADMIN_204: Expect = [401, 204, 403, 403, 403, 403, 403];
const PEOPLE_200: Expect = [401, 200, 200, 200, 200, 200, 403];
const ADMIN_OFFICE_201: Expect = [401, 201, 201, 403, 403, 403, 403];
const ADMIN_ONLY_OF_OFFICE_201: Expect = [401, 201, 403, 403, 403, 403, 403];
const ADMIN_OFFICE_200: Expect = [401, 200, 200, 403, 403, 403, 403];

struct Row {
    method: &'static str,
    route: &'static str,
    own: Expect,
    other: Expect,
    /// Builds the request `who` sends for `side`; may prepare state through the admin.
    build: fn(&TestApp, Who, Side) -> Req<'static>,
}

fn unique(who: Who, side: Side) -> String {
    format!("{who:?}-{side:?}-{}", std::process::id()).to_lowercase()
}

/// A fresh open gap of the side's country, made by the administrator.
fn make_gap(app: &TestApp, side: Side) -> i64 {
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/gaps").json(json!({"country": side.country(), "conventions": ["C087"], "title": "Matrix gap", "source": "matrix"})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

/// A fresh milestone, the responsibility of the side's worker organization.
fn make_milestone(app: &TestApp, side: Side) -> i64 {
    let gap = make_gap(app, side);
    let organization = app.fixture().organization(side.country(), "worker");
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/milestones").json(json!({
            "gap": gap, "kind": "draft_prepared", "title": "Matrix step", "target_on": "2027-01-31", "organization": organization
        })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

/// A fresh national initiative of the side's country, made by the administrator.
fn make_initiative(app: &TestApp, side: Side) -> i64 {
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/rbc-initiatives").json(json!({"name": "Matrix dialogue", "kind": "company_union_dialogue", "countries": [side.country()], "source": "matrix"})),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

/// A fresh activity of a fresh initiative of the side's country, led by its worker
/// organization, made by the administrator.
fn make_activity(app: &TestApp, side: Side) -> i64 {
    let initiative = make_initiative(app, side);
    let organization = app.fixture().organization(side.country(), "worker");
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/rbc-activities").json(json!({
            "initiative": initiative, "kind": "dialogue", "title": "Matrix activity", "target_on": "2027-01-31", "organization": organization
        })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

/// A fresh programme of the side's country alone, made by the administrator.
fn make_programme(app: &TestApp, side: Side) -> i64 {
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/programmes").json(json!({
            "name": "Matrix programme", "countries": [side.country()], "starts_on": "2019-01-01", "ends_on": "2027-12-31"
        })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

/// A webhook of the side's country, registered by the administrator, following its
/// ratification changes.
fn make_webhook(app: &TestApp, side: Side) -> i64 {
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/webhooks").json(json!({
            "url": "https://93.184.215.14/hook", "events": ["ratification.changed"], "countries": [side.country()]
        })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

/// A delivery to a fresh webhook of the side's country: (webhook, delivery).
fn make_delivery(app: &TestApp, who: Who, side: Side) -> (i64, i64) {
    let webhook = make_webhook(app, side);
    let path = match side {
        Side::Own => "/api/v1/ratifications/ZWE/C087",
        Side::Other => "/api/v1/ratifications/VNM/C098",
    };
    let mut body = app.get(path).json();
    let mut changed = json!({"source": "access matrix", "notes": format!("delivery {}", unique(who, side))});
    for field in ["status", "registered_on", "in_force_on"] {
        if !body[field].is_null() {
            changed[field] = body[field].take();
        }
    }
    let tag = app.etag_of(path);
    let put = app.send(
        Who::Admin,
        Req::new("PUT", path).header("If-Match", &tag).json(changed),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let log = app.get(&format!("/api/v1/webhooks/{webhook}/deliveries")).json();
    let delivery = log["items"][0]["id"].as_i64().expect("a delivery");
    (webhook, delivery)
}

/// A fresh follow-up report request of the side's country, made by the administrator.
fn make_request(app: &TestApp, side: Side) -> i64 {
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/report-requests").json(json!({
            "kind": "article22_follow_up", "country": side.country(), "conventions": ["C087"], "year": 2027,
            "due_on": "2027-09-01", "reason": "Matrix follow-up"
        })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

/// A fresh task of the side's country, assigned to its worker organization.
fn make_task(app: &TestApp, side: Side) -> i64 {
    let request = make_request(app, side);
    let organization = app.fixture().organization(side.country(), "worker");
    let created = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/tasks").json(json!({
            "report_request": request, "kind": "submit_observations", "organization": organization,
            "title": "Matrix task", "due_on": "2027-08-15"
        })),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().expect("id")
}

/// Constituents and office staff see only their own countries' tasks.
const TASK_OTHER_200: Expect = [401, 200, 404, 404, 404, 404, 403];

const PEOPLE_OWN_200: Expect = [401, 200, 200, 200, 200, 200, 403];
/// Office staff read every country; constituents of another country see nothing.
const PEOPLE_OTHER_200: Expect = [401, 200, 200, 404, 404, 404, 403];
const ADMIN_OFFICE_204: Expect = [401, 204, 204, 403, 403, 403, 403];
const ADMIN_ONLY_OF_OFFICE_204: Expect = [401, 204, 403, 403, 403, 403, 403];

fn rows() -> Vec<Row> {
    vec![
        Row {
            method: "GET",
            route: "/healthz",
            own: PUBLIC_200,
            other: PUBLIC_200,
            build: |_, _, _| Req::new("GET", "/healthz"),
        },
        Row {
            method: "GET",
            route: "/readyz",
            own: PUBLIC_200,
            other: PUBLIC_200,
            build: |_, _, _| Req::new("GET", "/readyz"),
        },
        Row {
            method: "GET",
            route: "/metrics",
            own: ADMIN_200,
            other: ADMIN_200,
            build: |_, _, _| Req::new("GET", "/metrics"),
        },
        Row {
            method: "POST",
            route: "/api/v1/auth/login",
            own: PUBLIC_200,
            other: PUBLIC_200,
            // Each person logs in to their own account (logins are rate-limited per account);
            // the others use the worker's.
            build: |_, who, _| {
                let account = if who.role().is_some() && who != Who::Viewer {
                    who
                } else {
                    Who::Worker
                };
                Req::new("POST", "/api/v1/auth/login")
                    .json(json!({"email": account.email(), "password": TEST_PASSWORD}))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/auth/oidc/providers",
            own: PUBLIC_200,
            other: PUBLIC_200,
            build: |_, _, _| Req::new("GET", "/api/v1/auth/oidc/providers"),
        },
        Row {
            method: "GET",
            route: "/api/v1/auth/oidc/{provider}/start",
            // Open to anyone (signing in); this app configures no provider (tests/api/sso.rs
            // runs the flow against a real one).
            own: [404; 7],
            other: [404; 7],
            build: |_, _, _| Req::new("GET", "/api/v1/auth/oidc/none/start"),
        },
        Row {
            method: "GET",
            route: "/api/v1/auth/oidc/{provider}/callback",
            own: [404; 7],
            other: [404; 7],
            build: |_, _, _| Req::new("GET", "/api/v1/auth/oidc/none/callback?code=c&state=s"),
        },
        Row {
            method: "GET",
            route: "/api/v1/auth/me",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/auth/me"),
        },
        Row {
            method: "PATCH",
            route: "/api/v1/auth/me",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |app, who, side| {
                let tag = app
                    .send(who, Req::new("GET", "/api/v1/auth/me"))
                    .header("etag")
                    .unwrap_or("\"none\"")
                    .to_string();
                Req::new("PATCH", "/api/v1/auth/me")
                    .header("If-Match", &tag)
                    .json(json!({"display_name": unique(who, side)}))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/users",
            own: ADMIN_200,
            other: ADMIN_200,
            build: |_, _, _| Req::new("GET", "/api/v1/users"),
        },
        Row {
            method: "POST",
            route: "/api/v1/users",
            own: ADMIN_201,
            other: ADMIN_201,
            build: |_, who, side| {
                Req::new("POST", "/api/v1/users").json(json!({
                    "email": format!("{}@new.example", unique(who, side)),
                    "role": "office",
                    "countries": [side.country()],
                    "password": TEST_PASSWORD,
                }))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/users/{id}",
            own: ADMIN_200,
            other: ADMIN_200,
            build: |app, _, _| {
                Req::new(
                    "GET",
                    format!("/api/v1/users/{}", app.fixture().users[&Who::Government]),
                )
            },
        },
        Row {
            method: "PATCH",
            route: "/api/v1/users/{id}",
            own: ADMIN_200,
            other: ADMIN_200,
            build: |app, who, side| {
                let path = format!("/api/v1/users/{}", app.fixture().users[&Who::Worker]);
                let tag = app.etag_of(&path);
                Req::new("PATCH", path)
                    .header("If-Match", &tag)
                    .json(json!({"display_name": unique(who, side)}))
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/users/{id}/password",
            own: ADMIN_204,
            other: ADMIN_204,
            // A reset ends the account's sessions: a fresh account each time, so that the
            // fixture's tokens keep working for the other rows.
            build: |app, who, side| {
                let created = app.send(
                    Who::Admin,
                    Req::new("POST", "/api/v1/users").json(json!({
                        "email": format!("{}@reset.example", unique(who, side)),
                        "role": "viewer",
                        "password": TEST_PASSWORD,
                    })),
                );
                assert_eq!(created.status, 201, "{}", created.body);
                Req::new("POST", format!("/api/v1/users/{}/password", created.json()["id"]))
                    .json(json!({"password": TEST_PASSWORD}))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/tokens",
            own: ADMIN_200,
            other: ADMIN_200,
            build: |_, _, _| Req::new("GET", "/api/v1/tokens"),
        },
        Row {
            method: "POST",
            route: "/api/v1/tokens",
            own: ADMIN_201,
            other: ADMIN_201,
            build: |_, who, side| {
                Req::new("POST", "/api/v1/tokens")
                    .json(json!({"name": unique(who, side), "expires_in_days": 30}))
            },
        },
        Row {
            method: "DELETE",
            route: "/api/v1/tokens/{id}",
            own: ADMIN_200,
            other: ADMIN_200,
            build: |app, who, side| {
                let issued = app.send(
                    Who::Admin,
                    Req::new("POST", "/api/v1/tokens")
                        .json(json!({"name": format!("spare {}", unique(who, side)), "expires_in_days": 1})),
                );
                Req::new("DELETE", format!("/api/v1/tokens/{}", issued.json()["id"]))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/organizations",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/organizations"),
        },
        Row {
            method: "GET",
            route: "/api/v1/organizations/{id}",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |app, _, side| {
                Req::new(
                    "GET",
                    format!(
                        "/api/v1/organizations/{}",
                        app.fixture().organization(side.country(), "worker")
                    ),
                )
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/organizations",
            own: ADMIN_OFFICE_201,
            other: ADMIN_ONLY_OF_OFFICE_201,
            build: |_, who, side| {
                Req::new("POST", "/api/v1/organizations")
                    .json(json!({"country": side.country(), "kind": "employer", "name": unique(who, side)}))
            },
        },
        Row {
            method: "PATCH",
            route: "/api/v1/organizations/{id}",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |app, who, side| {
                let path = format!(
                    "/api/v1/organizations/{}",
                    app.fixture().organization(side.country(), "government")
                );
                let tag = app.etag_of(&path);
                Req::new("PATCH", path)
                    .header("If-Match", &tag)
                    .json(json!({"name": unique(who, side)}))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/countries",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/countries"),
        },
        Row {
            method: "GET",
            route: "/api/v1/countries/{iso3}",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/countries/{}", side.country())),
        },
        Row {
            method: "GET",
            route: "/api/v1/countries/{iso3}/commitments",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/countries/{}/commitments", side.country())),
        },
        Row {
            method: "GET",
            route: "/api/v1/trade-arrangements",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/trade-arrangements?country={}", side.country()),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/trade-arrangements/{slug}",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/trade-arrangements/eu-gsp-plus-978-2012"),
        },
        Row {
            method: "GET",
            route: "/api/v1/trade-arrangements/{slug}/compliance",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, _| {
                Req::new(
                    "GET",
                    "/api/v1/trade-arrangements/eu-gsp-plus-978-2012/compliance?as_of=2020-06-30",
                )
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/trade-arrangements/{slug}",
            own: ADMIN_201,
            other: ADMIN_201,
            build: |_, who, side| {
                Req::new(
                    "PUT",
                    format!("/api/v1/trade-arrangements/matrix-{}", unique(who, side)),
                )
                .json(json!({
                    "name": "Matrix scheme", "kind": "other", "granting_parties": "Matrix", "source": "matrix"
                }))
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/trade-arrangements/{slug}/events",
            own: ADMIN_201,
            other: ADMIN_201,
            build: |_, _, side| {
                Req::new("POST", "/api/v1/trade-arrangements/uk-dcts/events").json(json!({
                    "country": side.country(), "event": "signed", "occurred_on": "2023", "source": "matrix"
                }))
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/trade-arrangements/{slug}/instruments",
            own: ADMIN_201,
            other: ADMIN_201,
            build: |_, _, _| {
                Req::new("POST", "/api/v1/trade-arrangements/uk-dcts/instruments").json(json!({
                    "convention": "C155", "named_as": "C155", "commitment_type": "consider_ratification", "source": "matrix"
                }))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/rbc-initiatives",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/rbc-initiatives?country={}", side.country()),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/rbc-initiatives/{id}",
            // A national initiative: seen by those who see its country (office staff read every
            // country; viewers see global initiatives only).
            own: [401, 200, 200, 200, 200, 200, 404],
            other: [401, 200, 200, 404, 404, 404, 404],
            build: |app, _, side| {
                let id = make_initiative(app, side);
                Req::new("GET", format!("/api/v1/rbc-initiatives/{id}"))
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/rbc-initiatives",
            own: ADMIN_OFFICE_201,
            other: ADMIN_ONLY_OF_OFFICE_201,
            build: |_, who, side| {
                Req::new("POST", "/api/v1/rbc-initiatives").json(json!({
                    "name": format!("Matrix initiative {}", unique(who, side)), "kind": "company_union_dialogue",
                    "countries": [side.country()], "source": "matrix"
                }))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/rbc-initiatives/{id}",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |app, who, side| {
                let id = make_initiative(app, side);
                let tag = app.etag_of(&format!("/api/v1/rbc-initiatives/{id}"));
                Req::new("PUT", format!("/api/v1/rbc-initiatives/{id}"))
                    .header("If-Match", &tag)
                    .json(json!({
                        "name": format!("Matrix initiative {}", unique(who, side)), "kind": "company_union_dialogue",
                        "countries": [side.country()], "source": "matrix", "notes": "changed"
                    }))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/rbc-activities",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/rbc-activities?country={}", side.country()),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/rbc-activities/{id}",
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |app, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/rbc-activities/{}", make_activity(app, side)),
                )
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/rbc-activities",
            own: ADMIN_OFFICE_201,
            other: ADMIN_ONLY_OF_OFFICE_201,
            build: |app, who, side| {
                let initiative = make_initiative(app, side);
                Req::new("POST", "/api/v1/rbc-activities").json(json!({
                    "initiative": initiative, "kind": "training", "title": unique(who, side), "target_on": "2027-05-01"
                }))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/rbc-activities/{id}",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |app, who, side| {
                let path = format!("/api/v1/rbc-activities/{}", make_activity(app, side));
                let current = app.get(&path);
                let tag = current.header("etag").expect("ETag").to_string();
                let initiative = current.json()["initiative"].clone();
                Req::new("PUT", path).header("If-Match", &tag).json(json!({
                    "initiative": initiative, "kind": "dialogue", "title": unique(who, side), "target_on": "2027-02-28", "status": "in_progress"
                }))
            },
        },
        Row {
            method: "DELETE",
            route: "/api/v1/rbc-activities/{id}",
            own: ADMIN_OFFICE_204,
            other: ADMIN_ONLY_OF_OFFICE_204,
            build: |app, _, side| {
                let path = format!("/api/v1/rbc-activities/{}", make_activity(app, side));
                let tag = app.etag_of(&path);
                Req::new("DELETE", path).header("If-Match", &tag)
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/rbc-activities/{id}/notes",
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |app, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/rbc-activities/{}/notes", make_activity(app, side)),
                )
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/rbc-activities/{id}/notes",
            // The worker organization leads the activity: its users may note progress, the
            // government and employer users may not.
            own: [401, 201, 201, 403, 403, 201, 403],
            other: [401, 201, 403, 404, 404, 404, 403],
            build: |app, who, side| {
                Req::new(
                    "POST",
                    format!("/api/v1/rbc-activities/{}/notes", make_activity(app, side)),
                )
                .json(json!({"body": unique(who, side)}))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/programmes",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/programmes"),
        },
        Row {
            method: "GET",
            route: "/api/v1/programmes/{id}",
            // A programme of one country: seen by those who see that country.
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |app, _, side| {
                Req::new("GET", format!("/api/v1/programmes/{}", make_programme(app, side)))
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/programmes",
            own: ADMIN_201,
            other: ADMIN_201,
            build: |_, who, side| {
                Req::new("POST", "/api/v1/programmes").json(json!({
                    "name": unique(who, side), "countries": [side.country()], "starts_on": "2019-01-01", "ends_on": "2027-12-31"
                }))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/programmes/{id}",
            own: ADMIN_200,
            other: ADMIN_200,
            build: |app, who, side| {
                let path = format!("/api/v1/programmes/{}", make_programme(app, side));
                let tag = app.etag_of(&path);
                Req::new("PUT", path).header("If-Match", &tag).json(json!({
                    "name": unique(who, side), "countries": [side.country()], "starts_on": "2019-01-01", "ends_on": "2027-12-31"
                }))
            },
        },
        Row {
            method: "DELETE",
            route: "/api/v1/programmes/{id}",
            own: ADMIN_204,
            other: ADMIN_204,
            build: |app, _, side| {
                let path = format!("/api/v1/programmes/{}", make_programme(app, side));
                let tag = app.etag_of(&path);
                Req::new("DELETE", path).header("If-Match", &tag)
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/programmes/{id}/progress",
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |app, _, side| {
                Req::new(
                    "GET",
                    format!(
                        "/api/v1/programmes/{}/progress?from=2025-01-01&to=2025-12-31",
                        make_programme(app, side)
                    ),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/programmes/{id}/progress.csv",
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |app, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/programmes/{}/progress.csv", make_programme(app, side)),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/supervisory-comments",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/supervisory-comments?country={}", side.country()),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/supervisory-comments.csv",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/supervisory-comments.csv?country={}", side.country()),
                )
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/supervisory-comments",
            own: ADMIN_OFFICE_201,
            other: ADMIN_ONLY_OF_OFFICE_201,
            build: |_, who, side| {
                Req::new("POST", "/api/v1/supervisory-comments").json(json!({
                    "body": "ceacr", "kind": "direct_request", "country": side.country(), "conventions": ["C087"],
                    "year": 2024, "source": "matrix", "notes": unique(who, side)
                }))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/supervisory-comments/{id}",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |app, who, side| {
                let created = app.send(Who::Admin, Req::new("POST", "/api/v1/supervisory-comments").json(json!({
                    "body": "ceacr", "kind": "observation", "country": side.country(), "conventions": ["C098"],
                    "year": 2023, "source": "matrix"
                })));
                assert_eq!(created.status, 201, "{}", created.body);
                let id = created.json()["id"].as_i64().expect("id");
                let tag = created.header("etag").expect("etag").to_string();
                Req::new("PUT", format!("/api/v1/supervisory-comments/{id}"))
                    .header("If-Match", &tag)
                    .json(json!({
                        "body": "ceacr", "kind": "observation", "country": side.country(), "conventions": ["C098"],
                        "year": 2023, "source": "matrix", "notes": unique(who, side)
                    }))
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/imports/supervisory-comments",
            own: ADMIN_OFFICE_200,
            // An office user's file about another country is refused row by row (422).
            other: [401, 200, 422, 403, 403, 403, 403],
            build: |_, who, side| {
                let csv = format!(
                    "body,kind,country,conventions,year,source,notes\nceacr,observation,{},C182,2022,import matrix,{}\n",
                    side.country(),
                    unique(who, side)
                );
                let mut req = Req::new("POST", "/api/v1/imports/supervisory-comments");
                req.body = Some(("text/csv".into(), csv.into_bytes()));
                req
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/supervisory-comments/{id}",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |app, _, _| {
                let id = app.get("/api/v1/supervisory-comments?per_page=1").ok_json()["items"][0]["id"]
                    .as_i64()
                    .expect("a seeded comment");
                Req::new("GET", format!("/api/v1/supervisory-comments/{id}"))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/conventions",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/conventions"),
        },
        Row {
            method: "GET",
            route: "/api/v1/conventions/{code}",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/conventions/C087"),
        },
        Row {
            method: "GET",
            route: "/api/v1/ratifications",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/ratifications?country={}", side.country())),
        },
        Row {
            method: "PUT",
            route: "/api/v1/ratifications/{iso3}/{code}",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |app, who, side| {
                let (path, body) = match side {
                    Side::Own => (
                        "/api/v1/ratifications/ZWE/C087",
                        json!({"status": "ratified", "registered_on": "2003-04-09"}),
                    ),
                    Side::Other => (
                        "/api/v1/ratifications/VNM/C098",
                        json!({"status": "ratified", "registered_on": "2019-07-05", "in_force_on": "2020-07-05"}),
                    ),
                };
                let mut body = body;
                body["source"] = json!("access matrix");
                body["notes"] = json!(unique(who, side));
                let tag = app.etag_of(path);
                Req::new("PUT", path).header("If-Match", &tag).json(body)
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/ratifications/{iso3}/{code}/history",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/ratifications/{}/C182/history", side.country()),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/ratifications.csv",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/ratifications.csv?country={}", side.country()),
                )
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/imports/ratifications",
            own: ADMIN_OFFICE_200,
            // An office user's file about another country is refused row by row (422).
            other: [401, 200, 422, 403, 403, 403, 403],
            build: |_, who, side| {
                let csv = format!(
                    "country,convention,status,source_incomplete,source,notes\n{},C182,ratified,true,import matrix,{}\n",
                    side.country(),
                    unique(who, side)
                );
                let mut req = Req::new("POST", "/api/v1/imports/ratifications");
                req.body = Some(("text/csv".into(), csv.into_bytes()));
                req
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/audit",
            own: ADMIN_OFFICE_200,
            other: ADMIN_OFFICE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/audit"),
        },
        Row {
            method: "POST",
            route: "/api/v1/conventions",
            own: ADMIN_201,
            other: ADMIN_201,
            build: |_, who, side| {
                let number = 900
                    + EVERYONE.iter().position(|w| *w == who).unwrap_or(0) * 2
                    + usize::from(side == Side::Other);
                Req::new("POST", "/api/v1/conventions").json(json!({
                    "code": format!("C{number}"), "instrument_type": "convention", "title": format!("Matrix Convention {number}"),
                    "category": "technical", "adopted_year": 2020, "dates_source": "test"
                }))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/conventions/{code}",
            own: ADMIN_200,
            other: ADMIN_200,
            build: |app, who, side| {
                let tag = app.etag_of("/api/v1/conventions/C081");
                Req::new("PUT", "/api/v1/conventions/C081").header("If-Match", &tag).json(json!({
                    "instrument_type": "convention", "title": "Labour Inspection Convention, 1947 (No. 81)",
                    "category": "governance", "adopted_year": 1947, "dates_source": format!("matrix {}", unique(who, side))
                }))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/ratifications/{iso3}/{code}",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/ratifications/{}/C182", side.country())),
        },
        Row {
            method: "GET",
            route: "/api/v1/gaps",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/gaps?country={}", side.country())),
        },
        Row {
            method: "GET",
            route: "/api/v1/gaps/{id}",
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |app, _, side| Req::new("GET", format!("/api/v1/gaps/{}", make_gap(app, side))),
        },
        Row {
            method: "POST",
            route: "/api/v1/gaps",
            own: ADMIN_OFFICE_201,
            other: ADMIN_ONLY_OF_OFFICE_201,
            build: |_, _, side| {
                Req::new("POST", "/api/v1/gaps").json(json!({"country": side.country(), "conventions": ["C098"], "title": "New gap", "source": "matrix"}))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/gaps/{id}",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |app, who, side| {
                let path = format!("/api/v1/gaps/{}", make_gap(app, side));
                let tag = app.etag_of(&path);
                Req::new("PUT", path).header("If-Match", &tag).json(json!({"country": side.country(), "conventions": ["C087"], "title": unique(who, side), "source": "matrix"}))
            },
        },
        Row {
            method: "DELETE",
            route: "/api/v1/gaps/{id}",
            own: ADMIN_OFFICE_204,
            other: ADMIN_ONLY_OF_OFFICE_204,
            build: |app, _, side| {
                let path = format!("/api/v1/gaps/{}", make_gap(app, side));
                let tag = app.etag_of(&path);
                Req::new("DELETE", path).header("If-Match", &tag)
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/milestones",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/milestones?country={}", side.country())),
        },
        Row {
            method: "GET",
            route: "/api/v1/milestones/{id}",
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |app, _, side| {
                Req::new("GET", format!("/api/v1/milestones/{}", make_milestone(app, side)))
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/milestones",
            own: ADMIN_OFFICE_201,
            other: ADMIN_ONLY_OF_OFFICE_201,
            build: |app, _, side| {
                let gap = make_gap(app, side);
                Req::new("POST", "/api/v1/milestones")
                    .json(json!({"gap": gap, "kind": "other", "title": "Step", "target_on": "2027-05-01"}))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/milestones/{id}",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |app, who, side| {
                let id = make_milestone(app, side);
                let path = format!("/api/v1/milestones/{id}");
                let current = app.get(&path);
                let tag = current.header("etag").expect("ETag").to_string();
                let gap = current.json()["gap"].clone();
                Req::new("PUT", path).header("If-Match", &tag).json(json!({"gap": gap, "kind": "draft_prepared", "title": unique(who, side), "target_on": "2027-02-28"}))
            },
        },
        Row {
            method: "DELETE",
            route: "/api/v1/milestones/{id}",
            own: ADMIN_OFFICE_204,
            other: ADMIN_ONLY_OF_OFFICE_204,
            build: |app, _, side| {
                let path = format!("/api/v1/milestones/{}", make_milestone(app, side));
                let tag = app.etag_of(&path);
                Req::new("DELETE", path).header("If-Match", &tag)
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/milestones/{id}/comments",
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |app, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/milestones/{}/comments", make_milestone(app, side)),
                )
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/milestones/{id}/comments",
            // The worker organization is responsible for the milestone: its users may note
            // progress, the government and employer users may not.
            own: [401, 201, 201, 403, 403, 201, 403],
            other: [401, 201, 403, 404, 404, 404, 403],
            build: |app, who, side| {
                Req::new(
                    "POST",
                    format!("/api/v1/milestones/{}/comments", make_milestone(app, side)),
                )
                .json(json!({"body": unique(who, side)}))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/report-requests",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/report-requests?country={}", side.country()),
                )
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/report-requests/generate",
            own: ADMIN_200,
            other: ADMIN_200,
            build: |_, _, _| Req::new("POST", "/api/v1/report-requests/generate").json(json!({"year": 2030})),
        },
        Row {
            method: "GET",
            route: "/api/v1/report-requests/{id}",
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |app, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/report-requests/{}", make_request(app, side)),
                )
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/report-requests",
            own: ADMIN_OFFICE_201,
            other: ADMIN_ONLY_OF_OFFICE_201,
            build: |_, who, side| {
                Req::new("POST", "/api/v1/report-requests").json(json!({
                    "kind": "article19", "country": side.country(), "conventions": ["C155", "C187"], "year": 2027,
                    "due_on": "2027-02-28", "reason": unique(who, side)
                }))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/report-requests/{id}",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |app, who, side| {
                let path = format!("/api/v1/report-requests/{}", make_request(app, side));
                let tag = app.etag_of(&path);
                Req::new("PUT", path).header("If-Match", &tag).json(json!({
                    "due_on": "2027-10-01", "detailed": true, "reason": unique(who, side), "status": "in_preparation"
                }))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/report-requests/{id}/status",
            // The country's government and office move the status; employers and workers do not.
            own: [401, 200, 200, 200, 403, 403, 403],
            other: [401, 200, 403, 404, 403, 403, 403],
            build: |app, _, side| {
                let path = format!("/api/v1/report-requests/{}", make_request(app, side));
                let tag = app.etag_of(&path);
                Req::new("PUT", format!("{path}/status"))
                    .header("If-Match", &tag)
                    .json(json!({"status": "in_preparation"}))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/report-schedules",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/report-schedules?country={}", side.country()),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/report-schedules/{country}/{convention}",
            own: PEOPLE_OWN_200,
            other: PEOPLE_OTHER_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/report-schedules/{}/C182", side.country())),
        },
        Row {
            method: "PUT",
            route: "/api/v1/report-schedules/{country}/{convention}",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |app, who, side| {
                let path = format!("/api/v1/report-schedules/{}/C182", side.country());
                let tag = app.etag_of(&path);
                Req::new("PUT", path)
                    .header("If-Match", &tag)
                    .json(json!({"cycle_years": 3, "next_regular_year": 2028, "notes": unique(who, side)}))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/tasks",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/tasks?country={}", side.country())),
        },
        Row {
            method: "GET",
            route: "/api/v1/tasks/{id}",
            own: PEOPLE_OWN_200,
            other: TASK_OTHER_200,
            build: |app, _, side| Req::new("GET", format!("/api/v1/tasks/{}", make_task(app, side))),
        },
        Row {
            method: "POST",
            route: "/api/v1/tasks",
            own: [401, 201, 201, 201, 201, 201, 403],
            other: [401, 201, 404, 404, 404, 404, 403],
            build: |app, who, side| {
                let request = make_request(app, side);
                let organization = app.fixture().organization(side.country(), "government");
                Req::new("POST", "/api/v1/tasks").json(json!({
                    "report_request": request, "kind": "other", "organization": organization,
                    "title": unique(who, side), "due_on": "2027-07-01"
                }))
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/tasks/{id}",
            // The task is the worker organization's: its users change it, the other
            // constituents of the country may not.
            own: [401, 200, 200, 403, 403, 200, 403],
            other: TASK_OTHER_200,
            build: |app, who, side| {
                let path = format!("/api/v1/tasks/{}", make_task(app, side));
                let current = app.get(&path);
                let tag = current.header("etag").expect("ETag").to_string();
                let task = current.json();
                Req::new("PUT", path).header("If-Match", &tag).json(json!({
                    "report_request": task["report_request"], "kind": "submit_observations",
                    "organization": task["organization"], "title": unique(who, side), "due_on": "2027-08-20",
                    "status": "in_progress"
                }))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/deadlines",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/deadlines?country={}", side.country())),
        },
        Row {
            method: "GET",
            route: "/api/v1/deadlines.ics",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, side| Req::new("GET", format!("/api/v1/deadlines.ics?country={}", side.country())),
        },
        Row {
            method: "GET",
            route: "/api/v1/dashboard/summary",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!(
                        "/api/v1/dashboard/summary?as_of=2020-01-01&convention=C087&year=2027&region={}",
                        if side == Side::Own {
                            "africa"
                        } else {
                            "asia_and_the_pacific"
                        }
                    ),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/dashboard/matrix",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/dashboard/matrix?category=fundamental"),
        },
        Row {
            method: "GET",
            route: "/api/v1/dashboard/timeline",
            own: ANY_ROLE_200,
            other: ANY_ROLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/dashboard/timeline?principle=child_labour"),
        },
        Row {
            method: "GET",
            route: "/api/v1/auth/me/subscriptions",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/auth/me/subscriptions"),
        },
        Row {
            method: "POST",
            route: "/api/v1/auth/me/subscriptions",
            // E-mail is off in this app: people are let through and told so (409).
            own: [401, 409, 409, 409, 409, 409, 403],
            other: [401, 409, 409, 409, 409, 409, 403],
            build: |_, _, side| {
                Req::new("POST", "/api/v1/auth/me/subscriptions")
                    .json(json!({"events": ["ratification.changed"], "countries": [side.country()]}))
            },
        },
        Row {
            method: "DELETE",
            route: "/api/v1/auth/me/subscriptions/{id}",
            own: [401, 204, 204, 204, 204, 204, 403],
            other: [401, 204, 204, 204, 204, 204, 403],
            // Each person removes a subscription of their own (made in the store: e-mail is off
            // in this app); others' requests use the admin's.
            build: |app, who, side| {
                let owner = if who.role().is_some() && who != Who::Viewer {
                    who
                } else {
                    Who::Admin
                };
                let user = app.fixture().users[&owner];
                let row = app.with_conn(|conn| {
                    normtrack::repo::subscriptions::insert(
                        conn,
                        normtrack::repo::subscriptions::NewSubscription {
                            user_id: user,
                            events: "ratification.changed".into(),
                            countries: Some(side.country().into()),
                            conventions: None,
                            delivery: "digest",
                        },
                    )
                    .expect("a subscription")
                });
                Req::new("DELETE", format!("/api/v1/auth/me/subscriptions/{}", row.id))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/countries/{iso3}/reminder-defaults",
            own: [401, 200, 200, 200, 200, 200, 403],
            other: [401, 200, 200, 404, 404, 404, 403],
            build: |_, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/countries/{}/reminder-defaults", side.country()),
                )
            },
        },
        Row {
            method: "PUT",
            route: "/api/v1/countries/{iso3}/reminder-defaults",
            own: ADMIN_OFFICE_200,
            other: ADMIN_ONLY_OF_OFFICE_200,
            build: |_, _, side| {
                let rule = json!({"enabled": true, "leads": [14, 0], "overdue_weekly": false});
                Req::new(
                    "PUT",
                    format!("/api/v1/countries/{}/reminder-defaults", side.country()),
                )
                .json(json!({
                    "enabled": false, "report_requests": rule, "tasks": rule, "milestones": rule
                }))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/auth/me/reminders",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/auth/me/reminders"),
        },
        Row {
            method: "PUT",
            route: "/api/v1/auth/me/reminders",
            own: PEOPLE_200,
            other: PEOPLE_200,
            // E-mail is off in this app: turning reminders off is what anyone may do.
            build: |_, _, _| {
                let rule = json!({"enabled": true, "leads": [30, 7, 0], "overdue_weekly": true});
                Req::new("PUT", "/api/v1/auth/me/reminders").json(json!({
                    "enabled": false, "report_requests": rule, "tasks": rule, "milestones": rule
                }))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/webhooks",
            own: ADMIN_OFFICE_200,
            other: ADMIN_OFFICE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/webhooks"),
        },
        Row {
            method: "POST",
            route: "/api/v1/webhooks",
            own: ADMIN_OFFICE_201,
            other: ADMIN_ONLY_OF_OFFICE_201,
            build: |_, _, side| {
                Req::new("POST", "/api/v1/webhooks").json(json!({
                    "url": "https://93.184.215.14/hook", "events": ["ratification.changed"], "countries": [side.country()]
                }))
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/webhooks/{id}",
            own: ADMIN_OFFICE_200,
            other: [401, 200, 404, 403, 403, 403, 403],
            build: |app, _, side| Req::new("GET", format!("/api/v1/webhooks/{}", make_webhook(app, side))),
        },
        Row {
            method: "DELETE",
            route: "/api/v1/webhooks/{id}",
            own: [401, 204, 204, 403, 403, 403, 403],
            other: [401, 204, 404, 403, 403, 403, 403],
            build: |app, _, side| Req::new("DELETE", format!("/api/v1/webhooks/{}", make_webhook(app, side))),
        },
        Row {
            method: "GET",
            route: "/api/v1/webhooks/{id}/deliveries",
            own: ADMIN_OFFICE_200,
            other: [401, 200, 404, 403, 403, 403, 403],
            build: |app, _, side| {
                Req::new(
                    "GET",
                    format!("/api/v1/webhooks/{}/deliveries", make_webhook(app, side)),
                )
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver",
            own: [401, 202, 202, 403, 403, 403, 403],
            other: [401, 202, 404, 403, 403, 403, 403],
            build: |app, who, side| {
                let (webhook, delivery) = make_delivery(app, who, side);
                Req::new(
                    "POST",
                    format!("/api/v1/webhooks/{webhook}/deliveries/{delivery}/redeliver"),
                )
            },
        },
        Row {
            method: "GET",
            route: "/api/v1/feed-tokens",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |_, _, _| Req::new("GET", "/api/v1/feed-tokens"),
        },
        Row {
            method: "POST",
            route: "/api/v1/feed-tokens",
            own: [401, 201, 201, 201, 201, 201, 403],
            other: [401, 201, 201, 201, 201, 201, 403],
            build: |_, who, side| {
                Req::new("POST", "/api/v1/feed-tokens").json(json!({"name": unique(who, side)}))
            },
        },
        Row {
            method: "DELETE",
            route: "/api/v1/feed-tokens/{id}",
            own: PEOPLE_200,
            other: PEOPLE_200,
            build: |app, who, side| {
                // Each person revokes a token of their own; others' requests use the admin's.
                let owner = if who.role().is_some() && who != Who::Viewer {
                    who
                } else {
                    Who::Admin
                };
                let created = app.send(
                    owner,
                    Req::new("POST", "/api/v1/feed-tokens").json(json!({"name": unique(who, side)})),
                );
                assert_eq!(created.status, 201, "{}", created.body);
                Req::new("DELETE", format!("/api/v1/feed-tokens/{}", created.json()["id"]))
            },
        },
        Row {
            method: "POST",
            route: "/api/v1/auth/logout",
            // Dashboard tokens have no session to end (a viewer's own account does, see
            // `PERSON_ROUTES_OPEN_TO_VIEWER_ACCOUNTS`).
            own: [401, 204, 204, 204, 204, 204, 403],
            other: [401, 204, 204, 204, 204, 204, 403],
            // Logging out ends every session of the account, the fixture's token included:
            // this row comes last, and each person logs in afresh to log out.
            build: |app, who, _| {
                let req = Req::new("POST", "/api/v1/auth/logout");
                if who.role().is_some() && who != Who::Viewer {
                    let token = app.login(who);
                    req.header("Authorization", &format!("Bearer {token}"))
                } else {
                    req
                }
            },
        },
    ]
}

const ADMIN_ONLY_OF_OFFICE_200: Expect = [401, 200, 403, 403, 403, 403, 403];

/// Routes about one's own account, open to people of every role: the viewer role is
/// declared, but the fixture's viewer is a dashboard token, which has no account and is refused
/// with 403 (a viewer's own account is tested in `security::a_viewer_account_changes_its_password_and_logs_out`).
const PERSON_ROUTES_OPEN_TO_VIEWER_ACCOUNTS: &[(&str, &str)] =
    &[("PATCH", "/api/v1/auth/me"), ("POST", "/api/v1/auth/logout")];

fn documented_operations() -> Vec<(String, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(&normtrack::openapi::document_json()).expect("document");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            operations.push((method.to_uppercase(), path.clone()));
        }
    }
    operations.sort();
    operations
}

#[test]
fn every_route_has_a_row_in_the_access_matrix() {
    let mut in_table: Vec<(String, String)> = rows()
        .iter()
        .map(|r| (r.method.to_string(), r.route.to_string()))
        .collect();
    in_table.sort();
    let documented = documented_operations();
    let missing: Vec<_> = documented.iter().filter(|op| !in_table.contains(op)).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the access matrix: {missing:?}"
    );
    let stale: Vec<_> = in_table.iter().filter(|op| !documented.contains(op)).collect();
    assert!(stale.is_empty(), "rows for routes that do not exist: {stale:?}");
}

#[test]
fn the_openapi_document_declares_the_roles_the_matrix_admits() {
    let doc: serde_json::Value =
        serde_json::from_str(&normtrack::openapi::document_json()).expect("document");
    for row in rows() {
        let operation = &doc["paths"][row.route][row.method.to_lowercase()];
        // A role is admitted when some cell of it gets past the role check (403 in both
        // columns means the route refuses the role itself).
        let viewer_accounts = PERSON_ROUTES_OPEN_TO_VIEWER_ACCOUNTS.contains(&(row.method, row.route));
        let admitted: Vec<&str> = EVERYONE
            .iter()
            .enumerate()
            .filter(|(i, who)| {
                **who != Who::Anonymous
                    && (row.own[*i] != 403
                        || row.other[*i] != 403
                        || (**who == Who::Viewer && viewer_accounts))
            })
            .filter_map(|(_, who)| who.role().map(|r| r.as_str()))
            .collect();
        if row.own[0] == 401 {
            let scopes: Vec<&str> = operation["security"][0]["bearer"]
                .as_array()
                .unwrap_or_else(|| panic!("{} {} declares no roles", row.method, row.route))
                .iter()
                .filter_map(|s| s.as_str())
                .collect();
            assert_eq!(scopes, admitted, "{} {}", row.method, row.route);
        } else {
            assert!(
                operation["security"].is_null(),
                "{} {} is public but declares security",
                row.method,
                row.route
            );
        }
    }
}

on_both_engines! {
    fn every_route_answers_each_role_in_and_out_of_its_country_as_declared(app) {
        let mut failures = Vec::new();
        for row in rows() {
            for (side, expected) in [(Side::Own, row.own), (Side::Other, row.other)] {
                for (who, want) in EVERYONE.iter().zip(expected) {
                    let response = app.send(*who, (row.build)(app, *who, side));
                    if response.status != want {
                        failures.push(format!(
                            "{} {} as {who:?} ({side:?} country): expected {want}, got {} {}",
                            row.method, row.route, response.status, response.body
                        ));
                    } else if want >= 400 {
                        response.problem(want);
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{} cells differ:\n{}", failures.len(), failures.join("\n"));
    }
}

/// Whether the document marks the route as public data (`Access::OpenData`).
fn public_data(doc: &serde_json::Value, row: &Row) -> bool {
    doc["paths"][row.route][row.method.to_lowercase()]["description"]
        .as_str()
        .is_some_and(|d| d.contains(normtrack::api::access::PUBLIC_READ_NOTE))
}

/// With `NORMTRACK_PUBLIC_READ=true`, a caller without a token gets on the routes of public
/// data what a dashboard token gets, and elsewhere what it gets without the public read (401,
/// but for login, health and docs).
fn anonymous_read_only_public_data(app: &TestApp) {
    let doc: serde_json::Value =
        serde_json::from_str(&normtrack::openapi::document_json()).expect("document");
    let mut failures = Vec::new();
    let mut open = 0;
    for row in rows() {
        let public = public_data(&doc, &row);
        open += usize::from(public && row.method == "GET");
        for (side, expected) in [(Side::Own, row.own), (Side::Other, row.other)] {
            // The viewer's answer (last column) for public data; what anyone without a token
            // gets anyway (401, or the public routes' own answer) everywhere else.
            let want = if public { expected[6] } else { expected[0] };
            let response = app.send(Who::Anonymous, (row.build)(app, Who::Anonymous, side));
            if response.status != want {
                failures.push(format!(
                    "{} {} without a token ({side:?} country): expected {want}, got {} {}",
                    row.method, row.route, response.status, response.body
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(open >= 17, "the routes of public data: {open}");
}

mod without_a_token_only_public_data_is_read_when_the_public_read_is_on {
    use super::*;
    use crate::helpers::Engine;

    fn spawn(engine: Engine) -> Option<TestApp> {
        TestApp::spawn_with(engine, |s| s.limits.public_read_per_minute = Some(1_000_000))
    }

    #[test]
    fn sqlite() {
        anonymous_read_only_public_data(&spawn(Engine::Sqlite).expect("SQLite app"));
    }

    #[test]
    fn postgres() {
        if let Some(app) = spawn(Engine::Postgres) {
            anonymous_read_only_public_data(&app);
        }
    }
}

on_both_engines! {
    fn without_the_public_read_every_route_but_login_health_and_docs_needs_a_token(app) {
        let doc: serde_json::Value =
            serde_json::from_str(&normtrack::openapi::document_json()).expect("document");
        for row in rows().iter().filter(|r| public_data(&doc, r)) {
            let response = app.send(Who::Anonymous, (row.build)(app, Who::Anonymous, Side::Own));
            assert_eq!(response.status, 401, "{} {}", row.method, row.route);
        }
    }
}
