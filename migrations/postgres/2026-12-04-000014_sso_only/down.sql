ALTER TABLE sso_logins DROP COLUMN browser;
DROP TABLE sso_identities;
DROP INDEX sso_logins_created_at;
ALTER TABLE users DROP COLUMN sso_only;
