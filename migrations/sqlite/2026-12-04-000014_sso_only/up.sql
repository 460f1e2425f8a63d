-- Single sign-on (issue 20): an account marked SSO-only accepts no password; its person signs
-- in through their organization's identity provider.
ALTER TABLE users ADD COLUMN sso_only BOOLEAN NOT NULL DEFAULT 0;

-- Begun sign-ins are counted and forgotten by age.
CREATE INDEX sso_logins_created_at ON sso_logins (created_at);
