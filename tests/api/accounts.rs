//! Account management, dashboard tokens and organizations: validation, conflicts, If-Match,
//! the command line, and the demo set.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::helpers::{Engine, Req, TestApp, TestDb, Who, OTHER, OWN, TEST_PASSWORD};
use crate::on_both_engines;

fn create_user(app: &TestApp, body: serde_json::Value) -> crate::helpers::TestResponse {
    app.send(Who::Admin, Req::new("POST", "/api/v1/users").json(body))
}

on_both_engines! {
    fn creates_accounts_whose_scope_fits_their_role(app) {
        let org = app.fixture().organization(OWN, "employer");
        let created = create_user(app, json!({
            "email": "New.Employer@Fixture.example", "role": "employer", "country": "zwe",
            "organization": org, "password": TEST_PASSWORD
        }));
        assert_eq!(created.status, 201, "{}", created.body);
        let body = created.json();
        assert_eq!(body["countries"], json!(["ZWE"]));
        assert_eq!(body["organization"], org);
        assert_eq!(body["display_name"], "New.Employer@Fixture.example");
        let location = created.header("location").unwrap().to_string();
        assert_eq!(app.get(&location).ok_json()["email"], "New.Employer@Fixture.example");
        // The new account can log in, with its address in any case.
        let login = app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": "new.employer@fixture.example", "password": TEST_PASSWORD})));
        assert_eq!(login.status, 200);
    }

    fn refuses_short_passwords_and_bad_addresses_with_400(app) {
        let response = create_user(app, json!({"email": "short@fixture.example", "role": "viewer", "password": "elevenchars"}));
        response.problem(400);
        assert_eq!(response.error_fields(), ["password"]);
        let response = create_user(app, json!({"email": "not-an-address", "role": "viewer", "password": TEST_PASSWORD}));
        assert_eq!(response.error_fields(), ["email"]);
        create_user(app, json!({"email": "x@fixture.example", "role": "superuser", "password": TEST_PASSWORD})).problem(400);
        create_user(app, json!({"email": "x@fixture.example", "role": "viewer", "password": TEST_PASSWORD, "is_admin": true})).problem(400);
    }

    fn refuses_a_taken_address_case_insensitively_with_409(app) {
        let response = create_user(app, json!({"email": Who::Admin.email().to_uppercase(), "role": "viewer", "password": TEST_PASSWORD}));
        response.problem(409);
    }

    fn refuses_scopes_that_do_not_fit_the_role_with_422(app) {
        let worker_org = app.fixture().organization(OWN, "worker");
        let other_org = app.fixture().organization(OTHER, "employer");
        let cases = [
            (json!({"role": "office"}), vec!["countries"]),
            (json!({"role": "office", "countries": ["XXX"]}), vec!["countries"]),
            (json!({"role": "employer", "country": OWN, "organization": worker_org}), vec!["organization"]),
            (json!({"role": "employer", "country": OWN, "organization": other_org}), vec!["organization"]),
            (json!({"role": "government", "country": OWN}), vec!["organization"]),
            (json!({"role": "worker", "country": OWN, "organization": 999999}), vec!["organization"]),
            (json!({"role": "admin", "country": OWN}), vec!["role"]),
        ];
        for (i, (scope, fields)) in cases.into_iter().enumerate() {
            let mut body = scope.clone();
            body["email"] = json!(format!("scope{i}@fixture.example"));
            body["password"] = json!(TEST_PASSWORD);
            let response = create_user(app, body);
            response.problem(422);
            assert_eq!(response.error_fields(), fields, "{scope}");
        }
        assert_eq!(app.get("/api/v1/users?per_page=500").ok_json()["total"], 5, "nothing was created");
    }

    fn updates_role_and_scope_together_with_if_match(app) {
        let id = app.fixture().users[&Who::Office];
        let path = format!("/api/v1/users/{id}");
        let tag = app.etag_of(&path);
        app.send(Who::Admin, Req::new("PATCH", &path).json(json!({"countries": ["VNM"]}))).problem(428);
        app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", "\"user-0-v0\"").json(json!({"countries": ["VNM"]}))).problem(412);
        let updated = app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"role": "office", "countries": ["VNM", "ZWE"]})));
        let body = updated.ok_json();
        assert_eq!(body["countries"], json!(["VNM", "ZWE"]));
        assert_ne!(updated.header("etag").unwrap(), tag);
        // The office user now administers VNM at once, with its existing token.
        let org = app.send(Who::Office, Req::new("POST", "/api/v1/organizations").json(json!({"country": "VNM", "kind": "worker", "name": "New union"})));
        assert_eq!(org.status, 201);
        // A role change that leaves the scope unfit is refused.
        let tag = app.etag_of(&path);
        let response = app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"role": "worker"})));
        response.problem(422);
        assert_eq!(app.get(&path).ok_json()["role"], "office");
    }

    fn filters_users_by_role_country_and_active(app) {
        assert_eq!(app.get("/api/v1/users?role=office").ok_json()["total"], 1);
        assert_eq!(app.get("/api/v1/users?country=ZWE").ok_json()["total"], 4);
        assert_eq!(app.get("/api/v1/users?country=VNM").ok_json()["total"], 0);
        assert_eq!(app.get("/api/v1/users?active=false").ok_json()["total"], 0);
        app.get("/api/v1/users?active=maybe").problem(400);
    }

    fn administrators_cannot_lock_themselves_out(app) {
        let id = app.fixture().users[&Who::Admin];
        let path = format!("/api/v1/users/{id}");
        let tag = app.etag_of(&path);
        app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"active": false}))).problem(422);
        app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"role": "viewer"}))).problem(422);
    }

    fn resets_a_password(app) {
        let id = app.fixture().users[&Who::Worker];
        let path = format!("/api/v1/users/{id}/password");
        app.send(Who::Admin, Req::new("POST", &path).json(json!({"password": "short"}))).problem(400);
        assert_eq!(app.send(Who::Admin, Req::new("POST", &path).json(json!({"password": "the new worker pass phrase"}))).status, 204);
        app.send(Who::Admin, Req::new("POST", "/api/v1/users/999999/password").json(json!({"password": "the new worker pass phrase"}))).problem(404);
        let login = app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": Who::Worker.email(), "password": "the new worker pass phrase"})));
        assert_eq!(login.status, 200);
    }

    fn sso_only_accounts_are_made_without_a_password_and_a_password_with_one_is_refused_with_422(app) {
        let made = create_user(app, json!({"email": "sso.viewer@fixture.example", "role": "viewer", "sso_only": true}));
        assert_eq!(made.status, 201, "{}", made.body);
        assert_eq!(made.json()["sso_only"], true);
        // No password signs in to it: the account has none anybody knows.
        let login = app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": "sso.viewer@fixture.example", "password": TEST_PASSWORD})));
        login.problem(401);
        let both = create_user(app, json!({"email": "both@fixture.example", "role": "viewer", "sso_only": true, "password": TEST_PASSWORD}));
        both.problem(422);
        assert_eq!(both.error_fields(), ["password"]);
        let neither = create_user(app, json!({"email": "neither@fixture.example", "role": "viewer"}));
        neither.problem(422);
        assert_eq!(neither.error_fields(), ["password"]);
        // Nothing was made by the refusals.
        let listed = app.get("/api/v1/users?role=viewer").ok_json().to_string();
        assert!(!listed.contains("both@fixture.example") && !listed.contains("neither@fixture.example"), "{listed}");
    }

    fn marking_an_account_sso_only_drops_its_password_and_ends_its_sessions(app) {
        let id = app.fixture().users[&Who::Worker];
        let path = format!("/api/v1/users/{id}");
        let before = app.token(Who::Worker).expect("a token");
        assert_eq!(app.send_with_token(Some(before), Req::new("GET", "/api/v1/auth/me")).status, 200);
        let tag = app.etag_of(&path);
        let marked = app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"sso_only": true})));
        assert_eq!(marked.status, 200, "{}", marked.body);
        assert_eq!(marked.json()["sso_only"], true);
        // The session begun with the password ends.
        assert_eq!(app.send_with_token(Some(before), Req::new("GET", "/api/v1/auth/me")).status, 401);
        // Its password is gone: refused as a wrong one is, alike (nothing tells that the
        // account exists or how it signs in).
        let login = |password: &str| app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": Who::Worker.email(), "password": password})));
        let refused = login(TEST_PASSWORD);
        refused.problem(401);
        let wrong = login("not the worker's password");
        wrong.problem(401);
        assert_eq!(refused.json()["detail"], wrong.json()["detail"]);
        // An administrator cannot set a password on it while it is SSO-only.
        let reset = format!("/api/v1/users/{id}/password");
        app.send(Who::Admin, Req::new("POST", &reset).json(json!({"password": "the new worker pass phrase"}))).problem(409);
        // Turned off, the account takes a password again once one is set.
        let tag = app.etag_of(&path);
        let off = app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"sso_only": false})));
        assert_eq!(off.status, 200, "{}", off.body);
        // Turned off, the old password does not come back.
        login(TEST_PASSWORD).problem(401);
        assert_eq!(app.send(Who::Admin, Req::new("POST", &reset).json(json!({"password": "the new worker pass phrase"}))).status, 204);
        assert_eq!(login("the new worker pass phrase").status, 200);
        // The audit log tells who marked it and when.
        let audit = app.get(&format!("/api/v1/audit?entity=user&entity_id={id}")).ok_json().to_string();
        assert!(audit.contains("\"sso_only\":true"), "{audit}");
    }

    fn administrators_cannot_make_their_own_account_sso_only(app) {
        let id = app.fixture().users[&Who::Admin];
        let path = format!("/api/v1/users/{id}");
        let tag = app.etag_of(&path);
        let refused = app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"sso_only": true})));
        refused.problem(422);
        assert_eq!(refused.error_fields(), ["sso_only"]);
        assert_eq!(app.get(&path).ok_json()["sso_only"], false);
    }

    fn issues_lists_and_revokes_dashboard_tokens(app) {
        let issued = app.send(Who::Admin, Req::new("POST", "/api/v1/tokens").json(json!({"name": "Programme dashboard", "expires_in_days": 366})));
        assert_eq!(issued.status, 201, "{}", issued.body);
        let body = issued.json();
        let secret = body["access_token"].as_str().unwrap().to_string();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["usable"], true);
        // The token reads public data as a viewer, and nothing else.
        let me = app.send_with_token(Some(&secret), Req::new("GET", "/api/v1/auth/me")).ok_json();
        assert_eq!(me["role"], "viewer");
        assert_eq!(me["token_name"], "Programme dashboard");
        assert_eq!(app.send_with_token(Some(&secret), Req::new("GET", "/api/v1/ratifications?convention=C182")).status, 200);
        app.send_with_token(Some(&secret), Req::new("GET", "/api/v1/users")).problem(403);
        // The secret is never listed.
        let listed = app.get("/api/v1/tokens");
        assert!(!listed.body.contains(&secret));
        assert_eq!(listed.json().as_array().unwrap().len(), 2);
        // At most a year.
        for days in [0, 367, -1] {
            let response = app.send(Who::Admin, Req::new("POST", "/api/v1/tokens").json(json!({"name": "x", "expires_in_days": days})));
            assert_eq!(response.error_fields(), ["expires_in_days"]);
        }
        app.send(Who::Admin, Req::new("POST", "/api/v1/tokens").json(json!({"name": " ", "expires_in_days": 3}))).problem(400);
        app.send(Who::Admin, Req::new("DELETE", "/api/v1/tokens/999999")).problem(404);
        let id = body["id"].as_i64().unwrap();
        app.send(Who::Admin, Req::new("DELETE", format!("/api/v1/tokens/{id}"))).ok_json();
        app.send(Who::Admin, Req::new("DELETE", format!("/api/v1/tokens/{id}"))).ok_json();
        app.send_with_token(Some(&secret), Req::new("GET", "/api/v1/countries")).problem(401);
    }

    fn manages_organizations_within_the_office_scope(app) {
        let created = app.send(Who::Office, Req::new("POST", "/api/v1/organizations").json(json!({"country": "zwe", "kind": "worker", "name": "  Zimbabwe Congress of Trade Unions "})));
        assert_eq!(created.status, 201, "{}", created.body);
        let org = created.json();
        assert_eq!(org["country"], "ZWE");
        assert_eq!(org["name"], "Zimbabwe Congress of Trade Unions");
        let duplicate = app.send(Who::Admin, Req::new("POST", "/api/v1/organizations").json(json!({"country": "ZWE", "kind": "worker", "name": "Zimbabwe Congress of Trade Unions"})));
        duplicate.problem(409);
        app.send(Who::Admin, Req::new("POST", "/api/v1/organizations").json(json!({"country": "XXX", "kind": "worker", "name": "Nobody"}))).problem(422);
        app.send(Who::Admin, Req::new("POST", "/api/v1/organizations").json(json!({"country": "ZWE", "kind": "church", "name": "x"}))).problem(400);
        app.send(Who::Admin, Req::new("POST", "/api/v1/organizations").json(json!({"country": "ZWE", "kind": "worker", "name": "a\u{0}b"}))).problem(400);
        let list = app.get_as(Who::Viewer, "/api/v1/organizations?country=ZWE&kind=worker").ok_json();
        assert_eq!(list["total"], 2);
        app.get("/api/v1/organizations?kind=church").problem(400);
        app.get("/api/v1/organizations/999999").problem(404);
        // Renaming needs the current ETag.
        let path = format!("/api/v1/organizations/{}", org["id"]);
        let tag = app.etag_of(&path);
        app.send(Who::Office, Req::new("PATCH", &path).json(json!({"name": "ZCTU"}))).problem(428);
        let renamed = app.send(Who::Office, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"name": "ZCTU"})));
        assert_eq!(renamed.ok_json()["name"], "ZCTU");
        app.send(Who::Office, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"name": "ZCTU again"}))).problem(412);
        // Country and kind are not writable.
        let tag = app.etag_of(&path);
        app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"name": "x", "country": "VNM"}))).problem(400);
        assert_eq!(app.get(&path).ok_json()["country"], "ZWE");
    }
}

fn cli(db: &TestDb, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_normtrack"))
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run normtrack");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn first_admin_and_demo_set_from_the_command_line(engine: Engine) {
    let Some(db) = TestDb::create(engine) else { return };
    let out = cli(
        &db,
        &[
            "users",
            "create",
            "--email",
            "First.Admin@example.org",
            "--role",
            "admin",
        ],
        "a long first password\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cli(
        &db,
        &[
            "users",
            "create",
            "--email",
            "first.admin@example.org",
            "--role",
            "admin",
        ],
        "another long password\n",
    );
    assert!(!out.status.success(), "the address is taken");
    let out = cli(
        &db,
        &[
            "users",
            "create",
            "--email",
            "weak@example.org",
            "--role",
            "admin",
        ],
        "short\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password"));
    // An account that signs in through single sign-on only: no password is read.
    let out = cli(
        &db,
        &[
            "users",
            "create",
            "--email",
            "sso.admin@example.org",
            "--role",
            "admin",
            "--sso-only",
        ],
        "",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = cli(&db, &["seed", "--demo"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(printed.contains("admin@demo.normtrack.example"), "{printed}");
    assert!(printed.contains("worker.vnm@demo.normtrack.example"), "{printed}");
    let again = cli(&db, &["seed", "--demo"], "");
    assert!(String::from_utf8_lossy(&again.stdout).contains("not shown again"));

    let state = normtrack::startup::prepare_database(&db.settings()).expect("start");
    let mut conn = state.pool.get().expect("connection");
    assert_eq!(
        normtrack::repo::users::count(&mut conn).unwrap(),
        2 + 9,
        "first admin, the SSO-only one, and one demo user per role and country"
    );
    let admin = normtrack::repo::users::by_email(&mut conn, "first.admin@example.org")
        .unwrap()
        .expect("admin");
    assert!(normtrack::auth::password::verify(
        "a long first password",
        &admin.row.password_hash
    ));
    let (orgs, _) =
        normtrack::repo::organizations::list(&mut conn, &Default::default(), Default::default()).unwrap();
    assert_eq!(orgs.len(), 6);
    assert!(orgs.iter().all(|o| o.name.starts_with("[DEMO]")));
    // A demo password printed once logs in.
    let line = printed
        .lines()
        .find(|l| l.contains("government.zwe@"))
        .expect("government line");
    let password = line.split_whitespace().last().expect("password");
    let demo = normtrack::repo::users::by_email(&mut conn, "government.zwe@demo.normtrack.example")
        .unwrap()
        .expect("demo user");
    assert!(normtrack::auth::password::verify(
        password,
        &demo.row.password_hash
    ));
}

#[test]
fn creates_the_first_admin_and_the_demo_set_on_sqlite() {
    first_admin_and_demo_set_from_the_command_line(Engine::Sqlite);
}

#[test]
fn creates_the_first_admin_and_the_demo_set_on_postgres() {
    first_admin_and_demo_set_from_the_command_line(Engine::Postgres);
}

#[test]
fn the_default_seed_has_no_accounts_or_organizations() {
    let db = TestDb::create(Engine::Sqlite).expect("db");
    let state = normtrack::startup::prepare_database(&db.settings()).expect("start");
    let mut conn = state.pool.get().expect("connection");
    assert_eq!(normtrack::repo::users::count(&mut conn).unwrap(), 0);
    let (orgs, total) =
        normtrack::repo::organizations::list(&mut conn, &Default::default(), Default::default()).unwrap();
    assert!(orgs.is_empty() && total == 0);
}
