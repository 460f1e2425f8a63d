//! The JWT signing secret: from configuration (`NORMTRACK_JWT_SECRET`) or, when none is
//! configured, generated on first start and kept in the database, so tokens survive a
//! restart and every instance on one PostgreSQL database signs with the same key.

use crate::db::{self, DbConn};
use crate::repo;

pub const META_KEY: &str = "jwt_secret";
pub const MIN_CONFIGURED_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("NORMTRACK_JWT_SECRET must be at least {MIN_CONFIGURED_BYTES} bytes long")]
    TooShort,
    #[error("cannot read or store the signing secret: {0}")]
    Database(#[from] diesel::result::Error),
}

pub fn load_or_create(conn: &mut DbConn, configured: Option<&str>) -> Result<Vec<u8>, SecretError> {
    if let Some(secret) = configured {
        return if secret.len() >= MIN_CONFIGURED_BYTES {
            Ok(secret.as_bytes().to_vec())
        } else {
            Err(SecretError::TooShort)
        };
    }
    db::write_transaction(conn, |conn| {
        db::lock_for_setup(conn)?;
        if let Some(existing) = repo::meta::get(conn, META_KEY)? {
            return Ok(existing.into_bytes());
        }
        let secret = super::random_hex(32);
        repo::meta::insert(conn, META_KEY, &secret)?;
        Ok(secret.into_bytes())
    })
}
