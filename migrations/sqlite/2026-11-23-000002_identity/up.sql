-- People who log in, the countries an office user covers, and dashboard tokens.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email         TEXT NOT NULL,
    -- The e-mail address lower-cased: unique, so addresses compare case-insensitively.
    email_key     TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'office', 'government', 'employer', 'worker', 'viewer')),
    country       TEXT REFERENCES countries (iso3),
    organization  INTEGER REFERENCES organizations (id),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE user_countries (
    user_id INTEGER NOT NULL REFERENCES users (id),
    country TEXT NOT NULL REFERENCES countries (iso3),
    PRIMARY KEY (user_id, country)
);

CREATE TABLE dashboard_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name       TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
