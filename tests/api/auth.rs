//! Authentication: tokens of every wrong kind are refused, deactivation and revocation act at
//! once, login answers alike for unknown addresses and wrong passwords and is throttled.

use base64::Engine as _;
use diesel::prelude::*;
use jsonwebtoken::{encode, EncodingKey, Header};
use normtrack::auth::jwt::{Claims, AUDIENCE, ISSUER};
use normtrack::domain::access::{Principal, Role};
use serde_json::json;

use crate::helpers::{Req, TestApp, Who, TEST_PASSWORD};
use crate::on_both_engines;

fn secret(app: &TestApp) -> Vec<u8> {
    app.with_conn(|conn| normtrack::repo::meta::get(conn, normtrack::auth::secret::META_KEY))
        .expect("read secret")
        .expect("secret stored")
        .into_bytes()
}

fn admin_claims(app: &TestApp) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims::new(
        Principal::User(app.fixture().users[&Who::Admin]),
        Role::Admin,
        now,
        600,
    )
}

fn status_with(app: &TestApp, token: &str) -> u16 {
    let response = app.send_with_token(Some(token), Req::new("GET", "/api/v1/users"));
    if response.status >= 400 {
        response.problem(response.status);
    }
    response.status
}

fn signed(app: &TestApp, header: Header, claims: &serde_json::Value) -> String {
    encode(&header, claims, &EncodingKey::from_secret(&secret(app))).expect("encode")
}

fn b64(value: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

on_both_engines! {
    fn requests_without_a_token_get_401_with_a_bearer_challenge(app) {
        let response = app.send(Who::Anonymous, Req::new("GET", "/api/v1/countries"));
        response.problem(401);
        assert!(response.header("www-authenticate").unwrap_or_default().starts_with("Bearer"));
    }

    fn malformed_authorization_headers_get_401(app) {
        for value in ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "Bearer a.b", "token abc"] {
            let response = app.send(Who::Anonymous, Req::new("GET", "/api/v1/countries").header("Authorization", value));
            response.problem(401);
        }
    }

    fn the_pinned_token_is_accepted(app) {
        let token = app.state.auth.keys.issue(&admin_claims(app)).unwrap();
        assert_eq!(status_with(app, &token), 200);
    }

    fn a_token_signed_with_another_secret_gets_401(app) {
        let other = normtrack::auth::jwt::JwtKeys::new(b"an entirely different signing secret!!");
        assert_eq!(status_with(app, &other.issue(&admin_claims(app)).unwrap()), 401);
    }

    fn algorithms_other_than_hs256_get_401_including_none(app) {
        let claims = serde_json::to_value(admin_claims(app)).unwrap();
        for alg in [jsonwebtoken::Algorithm::HS384, jsonwebtoken::Algorithm::HS512] {
            assert_eq!(status_with(app, &signed(app, Header::new(alg), &claims)), 401, "{alg:?}");
        }
        let none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), b64(&claims));
        assert_eq!(status_with(app, &none), 401);
        let none_upper = format!("{}.{}.", b64(&json!({"alg": "NONE", "typ": "JWT"})), b64(&claims));
        assert_eq!(status_with(app, &none_upper), 401);
    }

    fn expired_not_yet_valid_and_foreign_tokens_get_401(app) {
        let good = admin_claims(app);
        let now = chrono::Utc::now().timestamp();
        let cases = [
            ("expired", Claims { exp: now - 60, nbf: now - 700, iat: now - 700, ..good.clone() }),
            ("not yet valid", Claims { nbf: now + 600, exp: now + 1200, ..good.clone() }),
            ("wrong issuer", Claims { iss: "someone-else".into(), ..good.clone() }),
            ("wrong audience", Claims { aud: "another-api".into(), ..good.clone() }),
            ("unknown subject", Claims { sub: "user:999999".into(), ..good.clone() }),
            ("odd subject", Claims { sub: "robot:1".into(), ..good.clone() }),
        ];
        for (what, claims) in cases {
            assert_eq!(status_with(app, &app.state.auth.keys.issue(&claims).unwrap()), 401, "{what}");
        }
    }

    fn tokens_missing_a_required_claim_get_401(app) {
        let full = serde_json::to_value(admin_claims(app)).unwrap();
        for claim in ["exp", "nbf", "iss", "aud", "sub"] {
            let mut claims = full.clone();
            claims.as_object_mut().unwrap().remove(claim);
            let token = signed(app, Header::new(jsonwebtoken::Algorithm::HS256), &claims);
            assert_eq!(status_with(app, &token), 401, "without {claim}");
        }
        assert_eq!(ISSUER, full["iss"]);
        assert_eq!(AUDIENCE, full["aud"]);
    }

    fn a_deactivated_users_token_stops_working_at_once(app) {
        let worker = app.fixture().users[&Who::Worker];
        assert_eq!(app.get_as(Who::Worker, "/api/v1/auth/me").status, 200);
        let path = format!("/api/v1/users/{worker}");
        let tag = app.etag_of(&path);
        let response = app.send(Who::Admin, Req::new("PATCH", &path).header("If-Match", &tag).json(json!({"active": false})));
        assert_eq!(response.ok_json()["active"], false);
        app.get_as(Who::Worker, "/api/v1/auth/me").problem(401);
        let login = app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": Who::Worker.email(), "password": TEST_PASSWORD})));
        login.problem(401);
    }

    fn a_revoked_dashboard_token_stops_working_at_once(app) {
        assert_eq!(app.get_as(Who::Viewer, "/api/v1/countries").status, 200);
        let id = app.fixture().viewer_token;
        let revoked = app.send(Who::Admin, Req::new("DELETE", format!("/api/v1/tokens/{id}"))).ok_json();
        assert_eq!(revoked["usable"], false);
        assert!(revoked["revoked_at"].is_string());
        app.get_as(Who::Viewer, "/api/v1/countries").problem(401);
    }

    fn login_answers_the_same_for_an_unknown_address_and_a_wrong_password(app) {
        let login = |email: &str, password: &str| {
            app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": email, "password": password})))
        };
        let unknown = login("nobody@fixture.example", TEST_PASSWORD);
        let wrong = login(&Who::Office.email(), "not the right password");
        unknown.problem(401);
        wrong.problem(401);
        // The same answer but for the request's own id.
        let without_id = |r: &crate::helpers::TestResponse| {
            let mut body = r.json();
            body.as_object_mut().map(|o| o.remove("request_id"));
            body
        };
        assert_eq!(without_id(&unknown), without_id(&wrong));
        let ok = login(&Who::Office.email().to_uppercase(), TEST_PASSWORD).ok_json();
        assert_eq!(ok["token_type"], "Bearer");
        assert_eq!(ok["expires_in"], 1800);
        let token = ok["access_token"].as_str().unwrap();
        let me = app.send_with_token(Some(token), Req::new("GET", "/api/v1/auth/me")).ok_json();
        assert_eq!(me["role"], "office");
        assert_eq!(me["user"]["countries"], json!(["ZWE"]));
    }

    fn repeated_login_failures_are_throttled_with_retry_after(app) {
        let email = Who::Government.email();
        for _ in 0..normtrack::auth::throttle::ACCOUNT_LIMIT {
            let response = app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": email, "password": "wrong password!"})));
            response.problem(401);
        }
        // Even the right password is refused while the account is throttled.
        let response = app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": email, "password": TEST_PASSWORD})));
        response.problem(429);
        let wait: u64 = response.header("retry-after").expect("Retry-After").parse().expect("seconds");
        assert!(wait > 0 && wait <= 900, "{wait}");
        // Another account from the same address is not yet blocked.
        let other = app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": Who::Employer.email(), "password": TEST_PASSWORD})));
        assert_eq!(other.status, 200);
    }

    fn login_rejects_malformed_bodies_with_4xx(app) {
        let send = |content_type: &str, body: &[u8]| {
            let mut req = Req::new("POST", "/api/v1/auth/login");
            req.body = Some((content_type.to_string(), body.to_vec()));
            app.send(Who::Anonymous, req)
        };
        send("application/json", b"{").problem(400);
        send("application/json", b"{\"email\": 1}").problem(400);
        send("application/json", b"{\"email\":\"a@b.example\",\"password\":\"x\",\"role\":\"admin\"}").problem(400);
        send("text/plain", b"email=a&password=b").problem(415);
        send("application/json", &vec![b' '; 300 * 1024]).problem(413);
    }

    fn passwords_are_stored_only_as_argon2id_hashes(app) {
        let password = "a distinctive pass phrase 4711";
        let created = app.send(Who::Admin, Req::new("POST", "/api/v1/users").json(json!({
            "email": "hash.check@fixture.example", "role": "viewer", "password": password
        })));
        let id = created.json()["id"].as_i64().unwrap() as i32;
        assert!(!created.body.contains(password));
        assert!(!created.body.contains("argon2"), "no hash in answers");
        use normtrack::db::schema::users;
        let hash: String = app
            .with_conn(|conn| users::table.find(id).select(users::password_hash).first(conn))
            .expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(!hash.contains(password));
        let listed = app.get("/api/v1/users?per_page=500");
        assert!(!listed.body.contains("argon2"));
    }

    fn passwords_never_reach_the_logs(app) {
        let password = format!("log canary {}", normtrack::auth::random_hex(8));
        let created = app.send(Who::Admin, Req::new("POST", "/api/v1/users").json(json!({
            "email": "canary@fixture.example", "role": "viewer", "password": password
        })));
        assert_eq!(created.status, 201);
        let login = |pw: &str| app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": "canary@fixture.example", "password": pw})));
        assert_eq!(login(&password).status, 200);
        let wrong = format!("{password} but wrong");
        assert_eq!(login(&wrong).status, 401);
        let id = created.json()["id"].as_i64().unwrap();
        let reset = format!("{password} reset");
        assert_eq!(app.send(Who::Admin, Req::new("POST", format!("/api/v1/users/{id}/password")).json(json!({"password": reset}))).status, 204);
        let logs = crate::helpers::captured_logs();
        assert!(logs.contains("failed login"), "the capture sees the application's logs");
        assert!(!logs.contains("log canary"), "a password reached the logs");
    }

    fn a_constituent_cannot_change_its_own_role_or_scope(app) {
        let tag = app.send(Who::Government, Req::new("GET", "/api/v1/auth/me")).header("etag").unwrap().to_string();
        for body in [json!({"role": "admin"}), json!({"country": "VNM"}), json!({"organization": 1}), json!({"countries": ["VNM"]}), json!({"active": true})] {
            let response = app.send(Who::Government, Req::new("PATCH", "/api/v1/auth/me").header("If-Match", &tag).json(body.clone()));
            response.problem(400);
        }
        let own_id = app.fixture().users[&Who::Government];
        let response = app.send(Who::Government, Req::new("PATCH", format!("/api/v1/users/{own_id}")).header("If-Match", &tag).json(json!({"role": "admin"})));
        response.problem(403);
        let me = app.get_as(Who::Government, "/api/v1/auth/me").ok_json();
        assert_eq!(me["role"], "government");
        assert_eq!(me["user"]["countries"], json!(["ZWE"]));
        // What a person may change: the display name, with If-Match.
        let renamed = app.send(Who::Government, Req::new("PATCH", "/api/v1/auth/me").header("If-Match", &tag).json(json!({"display_name": "Minister's office"})));
        assert_eq!(renamed.ok_json()["display_name"], "Minister's office");
        let stale = app.send(Who::Government, Req::new("PATCH", "/api/v1/auth/me").header("If-Match", &tag).json(json!({"display_name": "again"})));
        stale.problem(412);
        app.send(Who::Government, Req::new("PATCH", "/api/v1/auth/me").json(json!({"display_name": "again"}))).problem(428);
    }

    fn a_person_changes_their_password_with_the_current_one(app) {
        let me = app.send(Who::Employer, Req::new("GET", "/api/v1/auth/me"));
        let tag = me.header("etag").unwrap().to_string();
        let wrong = app.send(Who::Employer, Req::new("PATCH", "/api/v1/auth/me").header("If-Match", &tag)
            .json(json!({"current_password": "not my password", "new_password": "a brand new pass phrase"})));
        assert_eq!(wrong.status, 422, "a wrong current password is a broken rule, not a malformed body");
        assert_eq!(wrong.error_fields(), ["current_password"]);
        let short = app.send(Who::Employer, Req::new("PATCH", "/api/v1/auth/me").header("If-Match", &tag)
            .json(json!({"current_password": TEST_PASSWORD, "new_password": "short"})));
        assert_eq!(short.error_fields(), ["new_password"]);
        let ok = app.send(Who::Employer, Req::new("PATCH", "/api/v1/auth/me").header("If-Match", &tag)
            .json(json!({"current_password": TEST_PASSWORD, "new_password": "a brand new pass phrase"})));
        assert_eq!(ok.status, 200);
        let login = |password: &str| app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": Who::Employer.email(), "password": password}))).status;
        assert_eq!(login(TEST_PASSWORD), 401);
        assert_eq!(login("a brand new pass phrase"), 200);
    }

    fn api_answers_carry_security_headers(app) {
        let response = app.get("/api/v1/countries/ZWE");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("x-frame-options"), Some("DENY"));
        assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(response.header("cache-control"), Some("no-store"));
        assert!(response.header("content-security-policy").is_some());
        let login = app.send(Who::Anonymous, Req::new("POST", "/api/v1/auth/login").json(json!({"email": Who::Admin.email(), "password": TEST_PASSWORD})));
        assert_eq!(login.header("cache-control"), Some("no-store"));
    }
}

fn tokens_survive_a_restart(engine: crate::helpers::Engine) {
    let Some(db) = crate::helpers::TestDb::create(engine) else {
        return;
    };
    let first = normtrack::startup::prepare_database(&db.settings()).expect("first start");
    let claims = Claims::new(
        Principal::User(1),
        Role::Admin,
        chrono::Utc::now().timestamp(),
        600,
    );
    let token = first.auth.keys.issue(&claims).expect("token");
    drop(first);
    let second = normtrack::startup::prepare_database(&db.settings()).expect("second start");
    assert_eq!(second.auth.keys.verify(&token).expect("still valid"), claims);
}

#[test]
fn tokens_survive_a_restart_on_sqlite() {
    tokens_survive_a_restart(crate::helpers::Engine::Sqlite);
}

#[test]
fn tokens_survive_a_restart_on_postgres() {
    tokens_survive_a_restart(crate::helpers::Engine::Postgres);
}

#[test]
fn a_configured_secret_shorter_than_32_bytes_is_refused() {
    let db = crate::helpers::TestDb::create(crate::helpers::Engine::Sqlite).expect("db");
    let mut settings = db.settings();
    settings.jwt_secret = Some("too short".into());
    assert!(normtrack::startup::prepare_database(&settings).is_err());
    settings.jwt_secret = Some("x".repeat(32));
    let state = normtrack::startup::prepare_database(&settings).expect("start");
    let stored = state
        .pool
        .get()
        .ok()
        .and_then(|mut c| normtrack::repo::meta::get(&mut c, "jwt_secret").ok().flatten());
    assert!(
        stored.is_none(),
        "a configured secret is not stored in the database"
    );
}
