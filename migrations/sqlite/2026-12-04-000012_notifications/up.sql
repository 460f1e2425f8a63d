-- Notifications (issue 17): webhook endpoints, the outbox of events written in the same
-- transaction as the change that causes them, one delivery per (event, endpoint), and the
-- e-mail reminders with what was sent, so that a crash never sends anything twice.

CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    url         TEXT NOT NULL,
    -- Event types, comma-separated, e.g. 'ratification.changed,report_request.status_changed'.
    events      TEXT NOT NULL,
    -- ISO3 codes, comma-separated; NULL: every country (administrators only).
    countries   TEXT,
    -- Instrument codes, comma-separated; NULL: every instrument.
    conventions TEXT,
    description TEXT NOT NULL,
    -- The signing key, 'whsec_' and base64; shown to its registrar once.
    secret      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT 1,
    removed_at  TIMESTAMP
);

CREATE TABLE outbox_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_type  TEXT NOT NULL,
    country     TEXT,
    -- Instrument codes the change concerns, comma-separated (empty: none).
    conventions TEXT NOT NULL,
    -- The JSON body delivered: {type, timestamp, data}.
    payload     TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id),
    event_id        INTEGER NOT NULL REFERENCES outbox_events (id),
    -- The webhook-id header: the same on every attempt, so receivers drop repeats.
    message_id      TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- While a worker holds it: until when (a crashed worker's claim runs out and it is retried).
    claimed_until   TIMESTAMP,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    -- The first attempt since it was (re)queued: retries go on for 24 hours from it.
    first_attempt_at TIMESTAMP,
    last_attempt_at TIMESTAMP,
    delivered_at    TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_of_webhook ON webhook_deliveries (webhook_id, id);

-- An office's reminder rules for its country: what a constituent of the country gets until
-- they choose their own.
CREATE TABLE country_reminder_defaults (
    country    TEXT PRIMARY KEY REFERENCES countries (iso3),
    settings   TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A person following changes by e-mail: in the daily digest or at once.
CREATE TABLE subscriptions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    events      TEXT NOT NULL,
    countries   TEXT,
    conventions TEXT,
    delivery    TEXT NOT NULL CHECK (delivery IN ('digest', 'immediate')),
    created_at  TIMESTAMP NOT NULL,
    removed_at  TIMESTAMP
);
CREATE INDEX subscriptions_of_user ON subscriptions (user_id);

-- Each event a person follows, once per person, until it is mailed: 'sending' is claimed
-- before the message goes (a crash leaves it so, never sent again), 'sent' after.
CREATE TABLE mail_items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    event_id   INTEGER NOT NULL REFERENCES outbox_events (id),
    delivery   TEXT NOT NULL CHECK (delivery IN ('digest', 'immediate')),
    status     TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dropped')),
    claimed_at TIMESTAMP,
    sent_at    TIMESTAMP,
    UNIQUE (user_id, event_id)
);
CREATE INDEX mail_items_waiting ON mail_items (status, delivery, user_id);

-- A person's reminder rules (JSON, see domain::reminders); no row: the defaults.
CREATE TABLE reminder_settings (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id),
    settings   TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One digest per person per day: claimed before it is sent, so a crash between sending and
-- marking never sends it twice ('sending' left behind is reported, never resent).
CREATE TABLE digest_sends (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    day        DATE NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    items      INTEGER NOT NULL,
    claimed_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP,
    last_error TEXT,
    PRIMARY KEY (user_id, day)
);

-- Each reminder once per (person, deadline, lead), whatever day it fell on.
CREATE TABLE reminder_sends (
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    deadline_id INTEGER NOT NULL,
    lead_days   INTEGER NOT NULL,
    day         DATE NOT NULL,
    PRIMARY KEY (user_id, kind, deadline_id, lead_days)
);
