-- Single sign-on (issue 20): an account marked SSO-only accepts no password; its person signs
-- in through their organization's identity provider.
ALTER TABLE users ADD COLUMN sso_only BOOLEAN NOT NULL DEFAULT FALSE;

-- Begun sign-ins are counted and forgotten by age.
CREATE INDEX sso_logins_created_at ON sso_logins (created_at);

-- The identity (the provider's `sub`) an account first signed in with at each provider: a
-- later sign-in there with the same address but another subject (an address given to
-- someone else) is refused. Changing the account's address forgets them.
CREATE TABLE sso_identities (
    provider   TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    subject    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (provider, user_id)
);

-- A begun sign-in belongs to the browser that began it: the digest of a random value kept in
-- that browser's cookie, which the callback must bring (login CSRF).
ALTER TABLE sso_logins ADD COLUMN browser TEXT;
