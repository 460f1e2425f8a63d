-- Reporting to the ILO supervisory bodies: the per-(country, instrument) reporting
-- schedule, the report requests generated from it or entered by hand, the tasks the
-- tripartite constituents file against them, and the revocable tokens of calendar feeds.

CREATE TABLE report_schedules (
    id                INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    country           TEXT NOT NULL REFERENCES countries (iso3),
    convention        TEXT NOT NULL REFERENCES conventions (code),
    cycle_years       INTEGER NOT NULL CHECK (cycle_years BETWEEN 1 AND 10),
    -- The next year a regular Article 22 report is due; due again every cycle_years after.
    next_regular_year INTEGER NOT NULL CHECK (next_regular_year BETWEEN 1919 AND 2200),
    -- 'default': the documented approximation; 'official': the country's official schedule.
    basis             TEXT NOT NULL CHECK (basis IN ('default', 'official')),
    notes             TEXT NOT NULL DEFAULT '',
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (country, convention)
);

CREATE TABLE report_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('article22_regular', 'article22_first', 'article22_follow_up', 'article19')),
    country        TEXT NOT NULL REFERENCES countries (iso3),
    year           INTEGER NOT NULL CHECK (year BETWEEN 1919 AND 2200),
    due_on         DATE NOT NULL,
    detailed       BOOLEAN NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('requested', 'in_preparation', 'submitted')),
    submitted_on   DATE,
    reason         TEXT,
    -- What generation keys a request by, so a second run creates nothing new; NULL for
    -- requests entered by hand.
    generation_key TEXT UNIQUE,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX report_requests_country_year ON report_requests (country, year);
CREATE INDEX report_requests_due ON report_requests (due_on);

CREATE TABLE report_request_conventions (
    report_request_id INTEGER NOT NULL REFERENCES report_requests (id),
    convention        TEXT NOT NULL REFERENCES conventions (code),
    PRIMARY KEY (report_request_id, convention)
);
CREATE INDEX report_request_conventions_convention ON report_request_conventions (convention);

CREATE TABLE tasks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    report_request_id INTEGER NOT NULL REFERENCES report_requests (id),
    kind              TEXT NOT NULL CHECK (kind IN ('draft_report', 'consult_social_partners', 'send_copies_article23', 'submit_observations', 'other')),
    organization      INTEGER NOT NULL REFERENCES organizations (id),
    title             TEXT NOT NULL,
    due_on            DATE NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    completed_on      DATE,
    notes             TEXT NOT NULL DEFAULT '',
    generation_key    TEXT UNIQUE,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX tasks_report_request ON tasks (report_request_id);
CREATE INDEX tasks_organization ON tasks (organization);
CREATE INDEX tasks_due ON tasks (due_on);

CREATE TABLE feed_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX feed_tokens_user ON feed_tokens (user_id);
