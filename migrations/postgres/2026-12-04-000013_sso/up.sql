-- Single sign-on (issue 20): a sign-in begun at a provider, until its callback comes back
-- (once: a replayed callback finds it used). Any instance may take the callback.
CREATE TABLE sso_logins (
    state         TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    used_at       TIMESTAMP
);
