-- Trade arrangements that tie preferences or commitments to ILO conventions, who is bound by
-- them (dated events), which instruments they name; and the ILO supervisory bodies' comments.
-- Seeded from ../shared/reference-data (tools/build_seed_data.py); every row carries its
-- source and the date the source speaks for.

CREATE TABLE trade_arrangements (
    slug              TEXT PRIMARY KEY NOT NULL,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('unilateral_preference_scheme', 'trade_agreement', 'other')),
    kind_as_given     TEXT NOT NULL DEFAULT '',
    granting_parties  TEXT NOT NULL,
    partner_scope     TEXT NOT NULL DEFAULT '',
    legal_act         TEXT NOT NULL DEFAULT '',
    labour_provisions TEXT NOT NULL DEFAULT '',
    commitment        TEXT NOT NULL DEFAULT '',
    enforcement       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT '',
    signed_on         DATE,
    applies_from      DATE,
    expires_on        DATE,
    notes             TEXT NOT NULL DEFAULT '',
    source            TEXT NOT NULL,
    source_date       TEXT,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

-- Membership as dated events. `occurred_on` keeps the precision the source gives
-- (YYYY, YYYY-MM or YYYY-MM-DD); NULL when the source gives no date. Countries outside the
-- ILO's membership (e.g. the Cook Islands) can be members, so `country` has no foreign key.
CREATE TABLE trade_arrangement_events (
    id             SERIAL PRIMARY KEY,
    arrangement    TEXT NOT NULL REFERENCES trade_arrangements (slug),
    country        TEXT NOT NULL,
    country_name   TEXT NOT NULL,
    event          TEXT NOT NULL CHECK (event IN ('entered', 'listed', 'applied', 'signed', 'political_agreement',
                       'withdrawal_initiated', 'partially_withdrawn', 'withdrawn', 'reinstated', 'exited')),
    event_as_given TEXT NOT NULL DEFAULT '',
    occurred_on    TEXT,
    legal_act      TEXT NOT NULL DEFAULT '',
    notes          TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL,
    source_date    TEXT
);
CREATE INDEX trade_arrangement_events_arrangement ON trade_arrangement_events (arrangement, country);
CREATE INDEX trade_arrangement_events_country ON trade_arrangement_events (country);

-- The instruments an arrangement names, in list order. `convention` is set for the ILO
-- instruments normtrack tracks; every other one (UN and environmental conventions, ILO
-- instruments not tracked) is kept by `named_as`, so the list is complete.
CREATE TABLE trade_arrangement_instruments (
    id              SERIAL PRIMARY KEY,
    arrangement     TEXT NOT NULL REFERENCES trade_arrangements (slug),
    position        INTEGER NOT NULL,
    list_ref        TEXT NOT NULL DEFAULT '',
    country         TEXT,
    convention      TEXT REFERENCES conventions (code),
    named_as        TEXT NOT NULL,
    is_ilo          BOOLEAN NOT NULL,
    commitment_type TEXT NOT NULL,
    article         TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL,
    source_date     TEXT
);
CREATE INDEX trade_arrangement_instruments_arrangement ON trade_arrangement_instruments (arrangement, position);

CREATE TABLE supervisory_comments (
    id                  SERIAL PRIMARY KEY,
    normlex_id          TEXT,
    body                TEXT NOT NULL CHECK (body IN ('ceacr', 'cas', 'cfa')),
    kind                TEXT NOT NULL CHECK (kind IN ('observation', 'direct_request', 'individual_case', 'general_observation')),
    country             TEXT NOT NULL REFERENCES countries (iso3),
    year                INTEGER NOT NULL,
    ilc_session         INTEGER,
    published_year      INTEGER,
    footnote            TEXT NOT NULL CHECK (footnote IN ('none', 'single', 'double', 'unknown')),
    reply_requested_for INTEGER,
    case_of_progress    BOOLEAN,
    headings            TEXT NOT NULL DEFAULT '',
    observations_cited  TEXT NOT NULL DEFAULT '',
    label               TEXT NOT NULL DEFAULT '',
    link                TEXT,
    notes               TEXT NOT NULL DEFAULT '',
    source              TEXT NOT NULL,
    source_date         TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX supervisory_comments_country ON supervisory_comments (country, year);

-- A comment may examine several instruments together (e.g. an OSH group), tracked or not.
CREATE TABLE supervisory_comment_conventions (
    comment_id INTEGER NOT NULL REFERENCES supervisory_comments (id),
    convention TEXT NOT NULL,
    PRIMARY KEY (comment_id, convention)
);
CREATE INDEX supervisory_comment_conventions_convention ON supervisory_comment_conventions (convention);

-- The comments a gap was opened from.
CREATE TABLE gap_comments (
    gap_id     INTEGER NOT NULL REFERENCES gaps (id),
    comment_id INTEGER NOT NULL REFERENCES supervisory_comments (id),
    PRIMARY KEY (gap_id, comment_id)
);
CREATE INDEX gap_comments_comment ON gap_comments (comment_id);
