-- Responsible business conduct: initiatives (international instruments, national focal and
-- contact points, projects and their country components, due-diligence and market-access
-- laws, company-union dialogues), where they apply, and which instruments and trade
-- arrangements they are tied to. Seeded from ../shared/reference-data/rbc_initiatives.csv.

CREATE TABLE rbc_initiatives (
    id                   SERIAL PRIMARY KEY,
    name                 TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('international_instrument', 'national_focal_point',
                             'national_contact_point', 'project_or_country_component',
                             'due_diligence_or_market_access_law', 'company_union_dialogue', 'other')),
    kind_as_given        TEXT NOT NULL DEFAULT '',
    -- ISIC Rev.4 sections (letters), space-separated; the source's words in sectors_as_given.
    sectors              TEXT NOT NULL DEFAULT '',
    sectors_as_given     TEXT NOT NULL DEFAULT '',
    partners             TEXT NOT NULL DEFAULT '',
    funders              TEXT NOT NULL DEFAULT '',
    instruments_as_given TEXT NOT NULL DEFAULT '',
    -- YYYY, YYYY-MM or YYYY-MM-DD: the precision the source gives.
    starts               TEXT,
    ends                 TEXT,
    -- As recorded; when NULL the answer derives it from the dates, or leaves it unknown.
    status               TEXT CHECK (status IN ('planned', 'active', 'closed')),
    parent               INTEGER REFERENCES rbc_initiatives (id),
    notes                TEXT NOT NULL DEFAULT '',
    source               TEXT NOT NULL,
    source_date          TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

-- Where an initiative applies; none for a global one.
CREATE TABLE rbc_initiative_countries (
    initiative_id INTEGER NOT NULL REFERENCES rbc_initiatives (id),
    country       TEXT NOT NULL REFERENCES countries (iso3),
    PRIMARY KEY (initiative_id, country)
);
CREATE INDEX rbc_initiative_countries_country ON rbc_initiative_countries (country);

CREATE TABLE rbc_initiative_conventions (
    initiative_id INTEGER NOT NULL REFERENCES rbc_initiatives (id),
    convention    TEXT NOT NULL REFERENCES conventions (code),
    PRIMARY KEY (initiative_id, convention)
);

CREATE TABLE rbc_initiative_arrangements (
    initiative_id INTEGER NOT NULL REFERENCES rbc_initiatives (id),
    arrangement   TEXT NOT NULL REFERENCES trade_arrangements (slug),
    PRIMARY KEY (initiative_id, arrangement)
);

-- The constituents normtrack knows that take part.
CREATE TABLE rbc_initiative_organizations (
    initiative_id   INTEGER NOT NULL REFERENCES rbc_initiatives (id),
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (initiative_id, organization_id)
);
