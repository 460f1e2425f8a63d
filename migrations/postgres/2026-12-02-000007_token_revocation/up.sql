-- Ending sessions at once: every access token carries the account's token_version when it was
-- issued (claim `ver`); a password change, a reset, a deactivation or a logout moves it on, and
-- a token of an older version is refused on every instance.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
