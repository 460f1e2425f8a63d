//! Organizations (the constituents of each country): creating and renaming them, in the
//! countries the caller administers, each write audited in its transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::Caller;
use crate::domain::concurrency::{etag, IfMatch};
use crate::domain::reference::OrganizationKind;
use crate::error::{AppError, AppResult, FieldError};
use crate::repo;
use crate::repo::organizations::OrganizationRow;
use crate::service::audit;

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: i32,
    #[schema(example = "ZWE")]
    pub country: String,
    pub kind: OrganizationKind,
    pub name: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organization {
    pub fn from_row(row: OrganizationRow) -> AppResult<Organization> {
        Ok(Organization {
            kind: row.kind,
            id: row.id,
            country: row.country,
            name: row.name,
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }

    pub fn etag(&self) -> String {
        etag("org", self.id, self.version)
    }
}

fn audit_organization(
    conn: &mut crate::db::DbConn,
    caller: &Caller,
    before: Option<&OrganizationRow>,
    after: &OrganizationRow,
) -> AppResult<()> {
    let snapshot = |row: &OrganizationRow| {
        Organization::from_row(row.clone())
            .ok()
            .and_then(|o| audit::snapshot(&o))
    };
    audit::entry(
        conn,
        audit::Entry {
            actor: &caller.actor(),
            action: if before.is_some() { "update" } else { "create" },
            entity: crate::domain::access::EntityKind::Organization,
            entity_id: after.id.to_string(),
            country: Some(&after.country),
            before: before.and_then(snapshot),
            after: snapshot(after),
        },
    )?;
    Ok(())
}

/// An organization's name: plain text, trimmed, not empty (`domain::fields::text_field`).
pub fn check_name(name: &str) -> AppResult<String> {
    let mut errors = Vec::new();
    let name = crate::domain::fields::text_field(&mut errors, "name", name, true);
    if errors.is_empty() {
        Ok(name)
    } else {
        Err(AppError::invalid(errors))
    }
}

/// A new organization.
pub struct NewOrganization {
    pub country: String,
    pub kind: OrganizationKind,
    pub name: String,
}

/// Creates an organization of a country the caller administers.
pub fn create(conn: &mut DbConn, caller: &Caller, new: NewOrganization) -> AppResult<OrganizationRow> {
    let country = crate::domain::codes::parse_iso3(&new.country).ok_or_else(|| {
        AppError::invalid(vec![FieldError::new(
            "country",
            format!("'{}' is not an ISO 3166 alpha-3 code", new.country),
        )])
    })?;
    let name = check_name(&new.name)?;
    if !caller.may_administer_country(&country) {
        return Err(AppError::Forbidden(format!("you do not administer {country}")));
    }
    let kind = new.kind;
    db::write_transaction(conn, |conn| {
        if !repo::countries::exists(conn, &country)? {
            return Err(AppError::unprocessable(vec![FieldError::new(
                "country",
                format!("no member state has the code '{country}'"),
            )]));
        }
        if repo::organizations::name_taken(conn, &country, &kind, &name, None)? {
            return Err(AppError::Conflict(format!(
                "{country} already has a {kind} organization named '{name}'"
            )));
        }
        let row = repo::organizations::insert(conn, &country, kind, &name)?;
        audit_organization(conn, caller, None, &row)?;
        Ok(row)
    })
}

/// Renames organization `id` of a country the caller administers, if it is still at the
/// version `if_match` names.
pub fn rename(
    conn: &mut DbConn,
    caller: &Caller,
    id: i32,
    if_match: &IfMatch,
    new_name: &str,
) -> AppResult<OrganizationRow> {
    let name = check_name(new_name)?;
    db::write_transaction(conn, |conn| {
        let current = repo::organizations::get(conn, id)?
            .ok_or_else(|| AppError::NotFound(format!("organization {id}")))?;
        if !caller.may_administer_country(&current.country) {
            return Err(AppError::Forbidden(format!(
                "you do not administer {}",
                current.country
            )));
        }
        if_match.check(&etag("org", id, current.version))?;
        if repo::organizations::name_taken(conn, &current.country, &current.kind, &name, Some(id))? {
            return Err(AppError::Conflict(format!(
                "{} already has a {} organization named '{name}'",
                current.country, current.kind
            )));
        }
        let row = repo::organizations::rename(conn, id, current.version, &name)?
            .ok_or(AppError::PreconditionFailed)?;
        audit_organization(conn, caller, Some(&current), &row)?;
        Ok(row)
    })
}
