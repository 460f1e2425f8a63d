-- Reference data (countries, instruments), ratifications with their history,
-- organizations, and a small key/value table for instance metadata.
-- Kept in lock-step with migrations/postgres (same folder names, same tables).

CREATE TABLE app_meta (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE countries (
    iso3         TEXT PRIMARY KEY NOT NULL CHECK (length(iso3) = 3),
    iso2         TEXT NOT NULL UNIQUE CHECK (length(iso2) = 2),
    un_m49       TEXT NOT NULL,
    name         TEXT NOT NULL,
    region       TEXT NOT NULL CHECK (region IN ('africa', 'americas', 'arab_states',
                      'asia_and_the_pacific', 'europe_and_central_asia')),
    region_basis TEXT NOT NULL,
    member_since DATE,
    source       TEXT NOT NULL
);
CREATE INDEX countries_region ON countries (region);

CREATE TABLE conventions (
    code                           TEXT PRIMARY KEY NOT NULL,
    instrument_type                TEXT NOT NULL CHECK (instrument_type IN ('convention', 'protocol')),
    title                          TEXT NOT NULL,
    short_title                    TEXT NOT NULL,
    category                       TEXT NOT NULL CHECK (category IN ('fundamental', 'governance', 'technical')),
    principle                      TEXT CHECK (principle IN ('freedom_of_association', 'forced_labour',
                                        'child_labour', 'discrimination', 'occupational_safety_and_health')),
    parent                         TEXT REFERENCES conventions (code),
    adopted_year                   INTEGER NOT NULL,
    adopted_on                     DATE,
    in_force_on                    DATE,
    dates_source                   TEXT NOT NULL,
    dates_confidence               TEXT NOT NULL,
    normlex_id                     TEXT,
    reference_ratifications        INTEGER,
    reference_ratifications_as_of  TEXT,
    reference_ratifications_source TEXT
);

CREATE TABLE organizations (
    id         SERIAL PRIMARY KEY,
    country    TEXT NOT NULL REFERENCES countries (iso3),
    kind       TEXT NOT NULL CHECK (kind IN ('government', 'employer', 'worker')),
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (country, kind, name)
);

CREATE TABLE ratifications (
    country       TEXT NOT NULL REFERENCES countries (iso3),
    convention    TEXT NOT NULL REFERENCES conventions (code),
    status        TEXT NOT NULL CHECK (status IN ('not_ratified', 'in_progress', 'ratified', 'denounced')),
    stage         TEXT CHECK (stage IN ('under_consideration', 'tripartite_consultation',
                       'submitted_to_parliament', 'approved_by_parliament', 'instrument_deposited')),
    registered_on DATE,
    in_force_on   DATE,
    denounced_on  DATE,
    minimum_age   INTEGER,
    notes         TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL,
    source_date   TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (country, convention)
);
CREATE INDEX ratifications_convention ON ratifications (convention);
CREATE INDEX ratifications_status ON ratifications (status);

CREATE TABLE ratification_history (
    id          SERIAL PRIMARY KEY,
    country     TEXT NOT NULL,
    convention  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    changed_at  TIMESTAMP NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    FOREIGN KEY (country, convention) REFERENCES ratifications (country, convention)
);
CREATE INDEX ratification_history_key ON ratification_history (country, convention, changed_at);
