//! Single sign-on (issue 20) against a real OpenID Provider started by the test on loopback:
//! `oidc-provider` 9.13.3 from npm (a certified implementation), installed on first use into
//! the target directory, with one client and its development login form, which the test fills
//! in over HTTP as a browser would, and once in headless Chromium from the dashboard page's
//! button (playwright-core 1.64.1 driving Debian's chromium). Each bad case is refused and
//! signs nobody in.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::helpers::{Engine, Req, TestApp, Who};

const CLIENT_ID: &str = "normtrack";
const CLIENT_SECRET: &str = "normtrack-secret";
const PUBLIC: &str = "http://normtrack.test";
const REDIRECT: &str = "http://normtrack.test/api/v1/auth/oidc/test/callback";
/// The second provider configured (the same test provider under another key).
const REDIRECT_UNIONS: &str = "http://normtrack.test/api/v1/auth/oidc/unions/callback";

/// The provider's packages, installed once per run into the target directory.
fn node_modules() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oidc-provider");
        let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
        let installed = ["oidc-provider", "jose", "playwright-core"]
            .iter()
            .all(|package| dir.join("node_modules").join(package).exists());
        if !installed {
            std::fs::create_dir_all(&dir).expect("a folder");
            std::fs::copy(source.join("package.json"), dir.join("package.json")).expect("copied");
            let status = Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--silent"])
                .current_dir(&dir)
                .status()
                .expect("npm runs");
            assert!(status.success(), "npm could not install oidc-provider");
        }
        for script in ["op.mjs", "browser.mjs"] {
            std::fs::copy(source.join(script), dir.join(script)).expect("copied");
        }
        dir
    })
    .clone()
}

/// An OpenID Provider on 127.0.0.1:`port` signing with key `kid`.
struct Provider {
    child: Child,
    // Kept open: a provider writing to a closed pipe would die of it.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Provider {
    fn start(port: u16, kid: &str) -> Provider {
        let dir = node_modules();
        let mut child = Command::new("node")
            .arg("op.mjs")
            .current_dir(&dir)
            .env("OP_PORT", port.to_string())
            .env("OP_KID", kid)
            .env("OP_REDIRECT_URI", format!("{REDIRECT},{REDIRECT_UNIONS}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut line).expect("the provider starts");
        assert!(line.starts_with("READY "), "{line}");
        Provider {
            child,
            _stdout: stdout,
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a port")
        .port()
}

/// How a test configures its providers (both alike, but for key and name).
type Configure = fn(&mut normtrack::config::SsoProvider);

/// normtrack with two providers at `issuer` (keys `test` and `unions`, as a deployment with
/// one per organization), as `configure` sets them.
fn spawn(engine: Engine, issuer: &str, configure: Configure) -> Option<TestApp> {
    let issuer = issuer.to_string();
    TestApp::spawn_with(engine, move |s| {
        s.public_url = Some(PUBLIC.into());
        let mut test = normtrack::config::SsoProvider {
            key: "test".into(),
            name: "Test provider".into(),
            issuer,
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            auto_provision: false,
            email_verified_claim: None,
            // As a deployment with several providers must: the domains the tests' people use.
            email_domains: vec![
                "fixture.example".into(),
                "example.org".into(),
                "example.test".into(),
            ],
        };
        configure(&mut test);
        let unions = normtrack::config::SsoProvider {
            key: "unions".into(),
            name: "Unions".into(),
            ..test.clone()
        };
        s.sso = vec![test, unions];
    })
}

/// Fills in the provider's login and consent forms as `login`; answers the callback's query.
/// A sign-in begun at normtrack: the provider's authorization URL, and the cookie that binds
/// the sign-in to the browser that began it.
struct Begun {
    url: String,
    cookie: String,
}

/// Back from the provider: the callback's query, and the beginning browser's cookie.
#[derive(Clone)]
struct Back {
    query: BTreeMap<String, String>,
    cookie: String,
}

impl std::ops::Deref for Back {
    type Target = BTreeMap<String, String>;
    fn deref(&self) -> &Self::Target {
        &self.query
    }
}

impl std::ops::DerefMut for Back {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.query
    }
}

fn sign_in_at_provider(begun: &Begun, login: &str) -> Back {
    let auth_url = begun.url.as_str();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let parsed = url::Url::parse(auth_url).expect("a URL");
    let base = format!(
        "{}://{}:{}",
        parsed.scheme(),
        parsed.host_str().expect("host"),
        parsed.port().expect("port")
    );
    let absolute = |l: &str| {
        if l.starts_with('/') {
            format!("{base}{l}")
        } else {
            l.to_string()
        }
    };
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let mut step = |url: &str, form: Option<&[(&str, &str)]>| -> String {
        let cookie = jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let answer = match form {
            None => agent.get(url).header("cookie", &cookie).call(),
            Some(f) => agent
                .post(url)
                .header("cookie", &cookie)
                .send_form(f.iter().copied()),
        }
        .expect("the provider answers");
        for set in answer.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap_or("").split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                jar.insert(k.to_string(), v.to_string());
            }
        }
        assert_eq!(answer.status().as_u16(), 303, "{url}");
        answer
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let login_form = absolute(&step(auth_url, None));
    let resume = step(
        &login_form,
        Some(&[("prompt", "login"), ("login", login), ("password", "any")]),
    );
    let consent = absolute(&step(&resume, None));
    let resume = step(&consent, Some(&[("prompt", "consent")]));
    let back = url::Url::parse(&step(&resume, None)).expect("the callback URL");
    assert!(
        back.as_str().starts_with(REDIRECT) || back.as_str().starts_with(REDIRECT_UNIONS),
        "{back}"
    );
    Back {
        query: back.query_pairs().into_owned().collect(),
        cookie: begun.cookie.clone(),
    }
}

/// `start` at normtrack.
fn start(app: &TestApp) -> Begun {
    start_at(app, "test")
}

/// `start` with the provider `key`.
fn start_at(app: &TestApp, key: &str) -> Begun {
    // Not followed: the test plays the browser at the provider itself.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let answer = agent
        .get(format!("{}/api/v1/auth/oidc/{key}/start", app.address))
        .call()
        .expect("normtrack answers");
    assert_eq!(answer.status().as_u16(), 302);
    let header = |name: &str| {
        answer
            .headers()
            .get(name)
            .and_then(|l| l.to_str().ok())
            .unwrap_or_else(|| panic!("no {name}"))
            .to_string()
    };
    let set = header("set-cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/api/v1/auth/oidc"),
        "{set}"
    );
    Begun {
        url: header("location"),
        cookie: set.split(';').next().unwrap_or("").to_string(),
    }
}

fn callback(app: &TestApp, back: &Back) -> crate::helpers::TestResponse {
    callback_at(app, "test", back)
}

/// The callback of the provider `key`, from the browser `back` carries the cookie of.
fn callback_at(app: &TestApp, key: &str, back: &Back) -> crate::helpers::TestResponse {
    let query = &back.query;
    let mut url = url::Url::parse(&format!("http://x/api/v1/auth/oidc/{key}/callback")).expect("a URL");
    for (k, v) in query {
        url.query_pairs_mut().append_pair(k, v);
    }
    let mut req = Req::new("GET", format!("{}?{}", url.path(), url.query().unwrap_or("")));
    if !back.cookie.is_empty() {
        req = req.header("Cookie", &back.cookie);
    }
    app.send(Who::Anonymous, req)
}

/// normtrack configured with its providers (auto-provisioning or not), and the provider
/// running on loopback: the app, the provider, its issuer.
fn with_provider(engine: Engine, auto_provision: bool) -> Option<(TestApp, Provider, String)> {
    let configure: Configure = if auto_provision {
        |p| p.auto_provision = true
    } else {
        |_| {}
    };
    with_provider_configured(engine, configure)
}

/// As [`with_provider`], the providers as `configure` sets them.
fn with_provider_configured(engine: Engine, configure: Configure) -> Option<(TestApp, Provider, String)> {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let app = spawn(engine, &issuer, configure)?;
    Some((app, Provider::start(port, "key-1"), issuer))
}

/// An administrator makes an SSO-only viewer account with `email`.
fn make_sso_only_viewer(app: &TestApp, email: &str) {
    let made = app.send(
        Who::Admin,
        Req::new("POST", "/api/v1/users")
            .json(serde_json::json!({"email": email, "role": "viewer", "sso_only": true})),
    );
    assert_eq!(made.status, 201, "{}", made.body);
}

fn on_both(body: fn(Engine)) {
    body(Engine::Sqlite);
    body(Engine::Postgres);
}

#[test]
fn a_person_signs_in_with_the_provider_and_gets_the_token_a_password_login_gives() {
    on_both(|engine| {
        let Some((app, _provider, _)) = with_provider(engine, false) else {
            return;
        };
        let listed = app
            .send(Who::Anonymous, Req::new("GET", "/api/v1/auth/oidc/providers"))
            .json();
        assert_eq!(listed[0]["start"], "/api/v1/auth/oidc/test/start");
        assert_eq!(listed[1]["name"], "Unions");
        // A sign-in begun with one provider is not taken at another's callback (400), and is
        // taken at its own.
        let back = sign_in_at_provider(&start_at(&app, "unions"), &Who::Worker.email());
        assert_eq!(callback_at(&app, "test", &back).status, 400);
        let own = callback_at(&app, "unions", &back);
        assert_eq!(own.status, 200, "{}", own.body);
        let audit = app.get("/api/v1/audit?entity=user").ok_json();
        assert!(audit.to_string().contains("\"provider\":\"unions\""), "{audit}");
        // The fixture's office account signs in by its address.
        let begun = start(&app);
        assert!(
            begun.url.contains("code_challenge_method=S256") && begun.url.contains("nonce="),
            "{}",
            begun.url
        );
        let login = Who::Office.email();
        let back = sign_in_at_provider(&begun, &login);
        // Brought back by another browser (one without the cookie, or with another's): the
        // sign-in is not taken (login CSRF), and the right browser can still finish it.
        let elsewhere = Back {
            cookie: String::new(),
            ..back.clone()
        };
        callback(&app, &elsewhere).problem(400);
        let other_browser = start(&app);
        let planted = Back {
            cookie: other_browser.cookie.clone(),
            ..back.clone()
        };
        callback(&app, &planted).problem(400);
        let answer = callback(&app, &back);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let token = answer.json()["access_token"]
            .as_str()
            .expect("a token")
            .to_string();
        let me = app.send_with_token(Some(&token), Req::new("GET", "/api/v1/auth/me"));
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(me.json()["user"]["email"], login.as_str());
        // The same callback again (a replayed code and state): refused, nobody signed in.
        let replayed = callback(&app, &back);
        assert_eq!(replayed.status, 400, "{}", replayed.body);
        // Logging out ends the SSO session as any other.
        assert_eq!(
            app.send_with_token(Some(&token), Req::new("POST", "/api/v1/auth/logout"))
                .status,
            204
        );
        assert_eq!(
            app.send_with_token(Some(&token), Req::new("GET", "/api/v1/auth/me"))
                .status,
            401
        );
        // Every sign-in is audited with its provider.
        let audit = app.get("/api/v1/audit?entity=user").ok_json();
        assert!(audit.to_string().contains("sso_sign_in"), "{audit}");
        assert!(audit.to_string().contains("\"provider\":\"test\""), "{audit}");
    });
}

#[test]
fn forged_unverified_unknown_and_deactivated_sign_ins_are_refused() {
    on_both(|engine| {
        let Some((app, _provider, _)) = with_provider(engine, false) else {
            return;
        };
        // A state normtrack never gave (CSRF).
        let mut back = sign_in_at_provider(&start(&app), &Who::Office.email());
        let genuine = back.clone();
        back.insert("state".into(), "forged".into());
        assert_eq!(callback(&app, &back).status, 400);
        // Another provider named as the issuer (RFC 9207: a mix-up).
        let mut mixed = genuine.clone();
        mixed.insert("iss".into(), "https://another-provider.example".into());
        assert_eq!(callback(&app, &mixed).status, 400);
        // Neither refusal used the genuine sign-in up.
        assert_eq!(callback(&app, &genuine).status, 200);
        // An address the provider does not mark verified, whether an account has it or not.
        let back = sign_in_at_provider(&start(&app), "unverified-office");
        let refused = callback(&app, &back);
        assert_eq!(refused.status, 403, "{}", refused.body);
        make_sso_only_viewer(&app, "bob@example.org");
        let back = sign_in_at_provider(&start(&app), "bob");
        assert_eq!(callback(&app, &back).status, 403);
        // Entra ID's own claim (xms_edov) vouches for nothing unless the provider is
        // configured to read it.
        let back = sign_in_at_provider(&start(&app), &format!("entra:{}", Who::Office.email()));
        assert_eq!(callback(&app, &back).status, 403);
        // An address no account has (no auto-provisioning here).
        let back = sign_in_at_provider(&start(&app), "stranger");
        assert_eq!(callback(&app, &back).status, 403);
        // A code for one sign-in with the state of another: the PKCE verifier and nonce do
        // not match it.
        let first = sign_in_at_provider(&start(&app), &Who::Office.email());
        let second = sign_in_at_provider(&start(&app), &Who::Office.email());
        let mut crossed = first.clone();
        crossed.insert("state".into(), second["state"].clone());
        crossed.cookie = second.cookie.clone();
        let answer = callback(&app, &crossed);
        assert_eq!(answer.status, 401, "{}", answer.body);
        // A deactivated account signs in no more.
        let id = app.fixture().users[&Who::Worker];
        let path = format!("/api/v1/users/{id}");
        let tag = app.etag_of(&path);
        let off = app.send(
            Who::Admin,
            Req::new("PATCH", &path)
                .header("If-Match", &tag)
                .json(serde_json::json!({"active": false})),
        );
        assert_eq!(off.status, 200, "{}", off.body);
        let back = sign_in_at_provider(&start(&app), &Who::Worker.email());
        assert_eq!(callback(&app, &back).status, 403);
        // The provider's own refusal.
        let mut denied = Back {
            query: BTreeMap::new(),
            cookie: String::new(),
        };
        denied.insert("error".to_string(), "access_denied".to_string());
        denied.insert(
            "error_description".to_string(),
            "Call +1 555 0100 to unlock".to_string(),
        );
        denied.insert("state".to_string(), "x".to_string());
        let answer = callback(&app, &denied);
        answer.problem(401);
        assert!(
            answer.body.contains("access_denied") && !answer.body.contains("555"),
            "{}",
            answer.body
        );
        // The refusals that concern an account are in its history, with
        // the provider and why (a stranger's address is only logged).
        let audit = app.get("/api/v1/audit?entity=user").ok_json().to_string();
        // Signed in: only the genuine sign-in after the forged and mixed-up callbacks.
        assert_eq!(audit.matches("\"sso_sign_in\"").count(), 1, "{audit}");
        assert_eq!(audit.matches("\"sso_sign_in_refused\"").count(), 3, "{audit}");
        assert!(audit.contains("\"refused\":\"unverified_email\""), "{audit}");
        assert!(audit.contains("\"refused\":\"deactivated\""), "{audit}");
        assert!(!audit.contains("stranger"), "{audit}");
    });
}

/// Makes the provider's next token answer carry an ID token normtrack must refuse.
fn tamper_next_id_token(issuer: &str, mode: &str) {
    let answer = ureq::post(format!("{issuer}/__tamper?mode={mode}"))
        .send_empty()
        .expect("the provider answers");
    assert_eq!(answer.status().as_u16(), 204);
}

#[test]
fn id_tokens_that_are_expired_foreign_mis_issued_unsigned_or_signed_by_an_unknown_key_are_refused() {
    on_both(|engine| {
        let Some((app, _provider, issuer)) = with_provider(engine, false) else {
            return;
        };
        // Each case is a real account's own sign-in at the provider, whose ID token is then
        // changed in one way: had the check been missing, it would have signed in.
        for (mode, why) in [
            ("expired", "expired"),
            ("audience", "audience"),
            ("nonce", "nonce"),
            ("issuer", "issuer"),
            ("unknown-key", "key"),
            ("none", "signature"),
        ] {
            let back = sign_in_at_provider(&start(&app), &Who::Office.email());
            tamper_next_id_token(&issuer, mode);
            let refused = callback(&app, &back);
            refused.problem(401);
            assert!(
                refused.body.to_lowercase().contains(why),
                "{mode}: {}",
                refused.body
            );
            assert!(!refused.body.contains("access_token"), "{mode}");
        }
        // The same sign-in untouched goes through: the refusals were the changes'.
        let back = sign_in_at_provider(&start(&app), &Who::Office.email());
        assert_eq!(callback(&app, &back).status, 200);
        let audit = app.get("/api/v1/audit?entity=user").ok_json();
        let signed_in = audit.to_string().matches("\"sso_sign_in\"").count();
        assert_eq!(signed_in, 1, "{audit}");
    });
}

#[test]
fn a_new_signing_key_is_fetched_when_a_token_names_it_and_auto_provisioning_makes_only_viewers() {
    on_both(|engine| {
        let Some((app, provider, issuer)) = with_provider(engine, true) else {
            return;
        };
        let port = url::Url::parse(&issuer)
            .ok()
            .and_then(|u| u.port())
            .expect("a port");
        // Discovery (and the first key) happen at the first start.
        let first = start(&app);
        drop(first);
        drop(provider);
        // The provider rotates its key: a token signed with the new one still signs in.
        let _provider = Provider::start(port, "key-2");
        let back = sign_in_at_provider(&start(&app), "newcomer");
        let answer = callback(&app, &back);
        assert_eq!(answer.status, 200, "{}", answer.body);
        let token = answer.json()["access_token"]
            .as_str()
            .expect("a token")
            .to_string();
        let me = app
            .send_with_token(Some(&token), Req::new("GET", "/api/v1/auth/me"))
            .json();
        assert_eq!(me["role"], "viewer", "{me}");
        assert_eq!(me["user"]["email"], "newcomer@example.test");
        // Made at sign-in, the account is SSO-only: it has no password, and sets none.
        assert_eq!(me["user"]["sso_only"], true, "{me}");
        let tag = app
            .send_with_token(Some(&token), Req::new("GET", "/api/v1/auth/me"))
            .header("etag")
            .expect("an ETag")
            .to_string();
        let change = app.send_with_token(
            Some(&token),
            Req::new("PATCH", "/api/v1/auth/me")
                .header("If-Match", &tag)
                .json(serde_json::json!({"current_password": "anything at all", "new_password": "a password of my own"})),
        );
        change.problem(422);
        assert_eq!(change.error_fields(), ["new_password"]);
    });
}

/// The page's "Sign in with …" in a real browser, from `base`: what the page shows at the end.
fn sign_in_on_the_page(app: &TestApp, chromium: &str, login: &str) -> serde_json::Value {
    let output = Command::new("timeout")
        .arg("120")
        .arg("node")
        .arg("browser.mjs")
        .current_dir(node_modules())
        .env("CHROMIUM", chromium)
        .env("APP_ADDR", app.address.trim_start_matches("http://"))
        .env("LOGIN", login)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "the browser run failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON line")
}

#[test]
fn the_page_signs_a_person_in_with_the_provider_in_a_browser_and_says_why_it_refused_one() {
    on_both(|engine| {
        let Some(chromium) = crate::page::chromium() else {
            return;
        };
        let Some((app, _provider, _)) = with_provider(engine, false) else {
            return;
        };
        let seen = sign_in_on_the_page(&app, chromium, &Who::Office.email());
        // Back on the page, signed in: the token is out of the address bar, held by the page,
        // and is the office account's.
        assert_eq!(seen["url"], "http://normtrack.test/", "{seen}");
        assert_eq!(seen["error"], "", "{seen}");
        assert!(seen["who"].as_str().unwrap_or("").contains("office"), "{seen}");
        let token = seen["token"].as_str().expect("the page holds a token");
        let me = app.send_with_token(Some(token), Req::new("GET", "/api/v1/auth/me"));
        assert_eq!(me.json()["user"]["email"], Who::Office.email().as_str());
        // Someone without an account is told so on the page, and holds no token.
        let seen = sign_in_on_the_page(&app, chromium, "stranger");
        assert!(
            seen["error"]
                .as_str()
                .unwrap_or("")
                .contains("no normtrack account"),
            "{seen}"
        );
        assert!(seen["token"].is_null(), "{seen}");
    });
}

#[test]
fn a_provider_configured_with_entras_verification_claim_signs_in_addresses_it_vouches_for() {
    on_both(|engine| {
        let Some((app, _provider, _)) =
            with_provider_configured(engine, |p| p.email_verified_claim = Some("xms_edov".into()))
        else {
            return;
        };
        // As Entra ID answers: no email_verified, xms_edov: true.
        let back = sign_in_at_provider(&start(&app), &format!("entra:{}", Who::Office.email()));
        let answer = callback(&app, &back);
        assert_eq!(answer.status, 200, "{}", answer.body);
        // Neither claim true: still refused.
        let back = sign_in_at_provider(&start(&app), "unverified-office");
        assert_eq!(callback(&app, &back).status, 403);
    });
}

#[test]
fn a_misconfigured_provider_stops_the_service_at_start_naming_the_variable() {
    let dir = tempfile::tempdir().expect("a folder");
    let database = format!("sqlite://{}", dir.path().join("never.db").display());
    let base = [
        ("NORMTRACK_PUBLIC_URL", "https://normtrack.example.org"),
        ("NORMTRACK_OIDC_ISSUER", "https://id.example.org"),
        ("NORMTRACK_OIDC_CLIENT_ID", "normtrack"),
        ("NORMTRACK_OIDC_CLIENT_SECRET", "secret"),
    ];
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("NORMTRACK_PUBLIC_URL", "")], "NORMTRACK_PUBLIC_URL"),
        (
            &[("NORMTRACK_OIDC_PROVIDERS", "ilo")],
            "NORMTRACK_OIDC_ILO_ISSUER is not set",
        ),
        (&[("NORMTRACK_OIDC_CLIENT_ID", "")], "NORMTRACK_OIDC_CLIENT_ID"),
        (
            &[("NORMTRACK_OIDC_AUTO_PROVISION", "yes")],
            "NORMTRACK_OIDC_AUTO_PROVISION",
        ),
        (
            &[("NORMTRACK_OIDC_EMAIL_VERIFIED_CLAIM", "xms edov")],
            "NORMTRACK_OIDC_EMAIL_VERIFIED_CLAIM",
        ),
        (
            &[("NORMTRACK_OIDC_EMAIL_DOMAINS", "ilo.org,*")],
            "NORMTRACK_OIDC_EMAIL_DOMAINS",
        ),
        (
            &[
                ("NORMTRACK_OIDC_PROVIDERS", "ilo,unions"),
                ("NORMTRACK_OIDC_ILO_ISSUER", "https://id.ilo.example"),
                ("NORMTRACK_OIDC_ILO_CLIENT_ID", "normtrack"),
                ("NORMTRACK_OIDC_ILO_CLIENT_SECRET", "secret"),
                ("NORMTRACK_OIDC_ILO_EMAIL_DOMAINS", "ilo.example"),
                ("NORMTRACK_OIDC_UNIONS_ISSUER", "https://id.unions.example"),
                ("NORMTRACK_OIDC_UNIONS_CLIENT_ID", "normtrack"),
                ("NORMTRACK_OIDC_UNIONS_CLIENT_SECRET", "secret"),
            ],
            "NORMTRACK_OIDC_UNIONS_EMAIL_DOMAINS is required",
        ),
    ];
    for (changes, named) in cases {
        let mut command = Command::new(env!("CARGO_BIN_EXE_normtrack"));
        command
            .args([
                "users",
                "create",
                "--email",
                "a@example.org",
                "--role",
                "viewer",
                "--sso-only",
            ])
            .env("DATABASE_URL", &database)
            .env("RUST_LOG", "warn");
        for (name, value) in base.iter().chain(changes.iter()) {
            if value.is_empty() {
                command.env_remove(name);
            } else {
                command.env(name, value);
            }
        }
        let out = command.output().expect("normtrack runs");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && said.contains(named), "{named}: {said}");
    }
    // Nothing was made: the configuration is read before the database is opened.
    assert!(!dir.path().join("never.db").exists());
}

#[test]
fn a_provider_vouches_only_for_addresses_in_its_domains() {
    on_both(|engine| {
        let Some((app, _provider, _)) =
            with_provider_configured(engine, |p| p.email_domains = vec!["fixture.example".into()])
        else {
            return;
        };
        // Another organization's address, though an account has it: refused, and audited on it.
        make_sso_only_viewer(&app, "strasse@example.org");
        let back = sign_in_at_provider(&start(&app), "strasse@example.org");
        let refused = callback(&app, &back);
        refused.problem(403);
        assert!(refused.body.contains("domain"), "{}", refused.body);
        let audit = app.get("/api/v1/audit?entity=user").ok_json().to_string();
        assert!(audit.contains("\"refused\":\"foreign_domain\""), "{audit}");
        // An address of its domain signs in.
        let back = sign_in_at_provider(&start(&app), &Who::Office.email());
        assert_eq!(callback(&app, &back).status, 200);
    });
}

#[test]
fn an_address_folded_to_an_accounts_key_is_not_that_account_and_a_second_identity_is_refused() {
    on_both(|engine| {
        let Some((app, _provider, _)) = with_provider(engine, false) else {
            return;
        };
        // The lookup key folds straße to strasse; the provider's straße is not the account's.
        make_sso_only_viewer(&app, "strasse@example.org");
        let back = sign_in_at_provider(&start(&app), "straße@example.org");
        let refused = callback(&app, &back);
        refused.problem(403);
        assert!(refused.body.contains("no normtrack account"), "{}", refused.body);
        // The first sign-in links the account to the provider's subject; another subject with
        // the same address (the address given to someone else) is refused and audited.
        let office = Who::Office.email();
        let back = sign_in_at_provider(&start(&app), &office);
        assert_eq!(callback(&app, &back).status, 200);
        let back = sign_in_at_provider(&start(&app), &format!("other:{office}"));
        let refused = callback(&app, &back);
        refused.problem(403);
        assert!(refused.body.contains("another identity"), "{}", refused.body);
        let audit = app.get("/api/v1/audit?entity=user").ok_json().to_string();
        assert!(audit.contains("\"refused\":\"another_subject\""), "{audit}");
        // At the other provider the account is not linked yet: the same identity signs in.
        let back = sign_in_at_provider(&start_at(&app, "unions"), &format!("other:{office}"));
        assert_eq!(callback_at(&app, "unions", &back).status, 200);
        // A new address forgets the links: the new identity signs in with it.
        let id = app.fixture().users[&Who::Office];
        let path = format!("/api/v1/users/{id}");
        let tag = app.etag_of(&path);
        let moved = app.send(
            Who::Admin,
            Req::new("PATCH", &path)
                .header("If-Match", &tag)
                .json(serde_json::json!({"email": "office.new@fixture.example"})),
        );
        assert_eq!(moved.status, 200, "{}", moved.body);
        let back = sign_in_at_provider(&start(&app), "other:office.new@fixture.example");
        let answer = callback(&app, &back);
        assert_eq!(answer.status, 200, "{}", answer.body);
    });
}
