//! `normtrack seed --demo`: clearly named demo organizations and one demo account per role
//! for Zimbabwe and Viet Nam, so a newcomer can try every role. Never part of the default
//! seed. Passwords are random and printed once.

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, Role};
use crate::domain::reference::OrganizationKind;
use crate::error::AppError;
use crate::repo;
use crate::service::users::{create_user, NewUser};

/// The mail domain of demo accounts (reserved: it can never reach anyone).
pub const DEMO_DOMAIN: &str = "demo.normtrack.example";
pub const DEMO_COUNTRIES: [&str; 2] = ["ZWE", "VNM"];

pub struct DemoAccount {
    pub role: String,
    pub email: String,
    pub password: String,
}

/// Adds the demo set unless it is there already; returns the accounts created.
pub fn seed_demo(conn: &mut DbConn) -> Result<Vec<DemoAccount>, Box<dyn std::error::Error + Send + Sync>> {
    if repo::users::by_email(conn, &format!("admin@{DEMO_DOMAIN}"))?.is_some() {
        return Ok(Vec::new());
    }
    let mut accounts = Vec::new();
    let mut add =
        |conn: &mut DbConn, role: Role, local: String, countries: Vec<String>, organization: Option<i32>| {
            let password = crate::auth::random_hex(10);
            let email = format!("{local}@{DEMO_DOMAIN}");
            let (countries, country) = if role.is_constituent() {
                (Vec::new(), countries.into_iter().next())
            } else {
                (countries, None)
            };
            let new = NewUser {
                email: email.clone(),
                display_name: Some(
                    format!("Demo {role} {}", country.as_deref().unwrap_or(""))
                        .trim()
                        .to_string(),
                ),
                role,
                countries,
                country,
                organization,
                password: Some(password.clone()),
                active: true,
                sso_only: false,
            };
            create_user(conn, &Caller::cli(), new)?;
            accounts.push(DemoAccount {
                role: role.as_str().into(),
                email,
                password,
            });
            Ok::<(), AppError>(())
        };
    add(conn, Role::Admin, "admin".into(), Vec::new(), None)?;
    add(
        conn,
        Role::Office,
        "office".into(),
        DEMO_COUNTRIES.iter().map(|c| c.to_string()).collect(),
        None,
    )?;
    for country in DEMO_COUNTRIES {
        for (role, kind, name) in [
            (
                Role::Government,
                OrganizationKind::Government,
                "Ministry of Labour",
            ),
            (
                Role::Employer,
                OrganizationKind::Employer,
                "Employers' Federation",
            ),
            (Role::Worker, OrganizationKind::Worker, "Trade Union Congress"),
        ] {
            let org = db::write_transaction(conn, |conn| {
                repo::organizations::insert(conn, country, kind, &format!("[DEMO] {name} ({country})"))
            })?;
            add(
                conn,
                role,
                format!("{kind}.{}", country.to_lowercase()),
                vec![country.to_string()],
                Some(org.id),
            )?;
        }
    }
    add(conn, Role::Viewer, "viewer".into(), Vec::new(), None)?;
    Ok(accounts)
}
