-- Activities of responsible-business-conduct initiatives (dated and evidenced like reform
-- milestones; a complaint moves filed -> accepted -> closed) with progress notes; programmes
-- (a named set of countries and a period) for the four-area progress report; and the day a
-- reform gap was opened, which that report counts by.

-- The day the gap was identified; records made before this column take the day they were
-- made, or the day they were closed when that is earlier.
ALTER TABLE gaps ADD COLUMN opened_on DATE;
UPDATE gaps SET opened_on = MIN(date(created_at), COALESCE(closed_on, date(created_at)));

CREATE TABLE rbc_activities (
    id            INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    initiative_id INTEGER NOT NULL REFERENCES rbc_initiatives (id),
    -- Where it takes place: one of the initiative's countries; NULL only for an activity of a
    -- global initiative that takes place in no one member state.
    country       TEXT REFERENCES countries (iso3),
    kind          TEXT NOT NULL CHECK (kind IN ('assessment', 'training', 'dialogue', 'guidance',
                       'complaint', 'report', 'other')),
    title         TEXT NOT NULL,
    target_on     DATE NOT NULL,
    completed_on  DATE,
    status        TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed', 'cancelled',
                       'filed', 'accepted', 'closed')),
    organization  INTEGER REFERENCES organizations (id),
    evidence_link TEXT,
    notes         TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX rbc_activities_initiative ON rbc_activities (initiative_id);
CREATE INDEX rbc_activities_country ON rbc_activities (country);
CREATE INDEX rbc_activities_target ON rbc_activities (target_on);

CREATE TABLE rbc_activity_notes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    activity_id  INTEGER NOT NULL REFERENCES rbc_activities (id),
    author       TEXT NOT NULL,
    organization INTEGER REFERENCES organizations (id),
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX rbc_activity_notes_activity ON rbc_activity_notes (activity_id);

CREATE TABLE programmes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name       TEXT NOT NULL,
    starts_on  DATE NOT NULL,
    ends_on    DATE NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE programme_countries (
    programme_id INTEGER NOT NULL REFERENCES programmes (id),
    country      TEXT NOT NULL REFERENCES countries (iso3),
    PRIMARY KEY (programme_id, country)
);
CREATE INDEX programme_countries_country ON programme_countries (country);
