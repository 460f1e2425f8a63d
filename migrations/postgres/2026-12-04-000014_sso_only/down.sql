ALTER TABLE users DROP COLUMN sso_only;
