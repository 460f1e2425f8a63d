-- Reforms: gaps between national law or practice and the conventions, the dated
-- milestones that close them, and progress notes on milestones.

CREATE TABLE gaps (
    id          SERIAL PRIMARY KEY,
    country     TEXT NOT NULL REFERENCES countries (iso3),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,
    source_link TEXT,
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    closed_on   DATE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX gaps_country ON gaps (country);

CREATE TABLE gap_conventions (
    gap_id     INTEGER NOT NULL REFERENCES gaps (id),
    convention TEXT NOT NULL REFERENCES conventions (code),
    PRIMARY KEY (gap_id, convention)
);

CREATE TABLE milestones (
    id            SERIAL PRIMARY KEY,
    gap_id        INTEGER NOT NULL REFERENCES gaps (id),
    kind          TEXT NOT NULL CHECK (kind IN ('gap_identified', 'draft_prepared', 'tripartite_consultation',
                       'submitted_to_parliament', 'adopted', 'in_force', 'implementation_measure', 'other')),
    title         TEXT NOT NULL,
    target_on     DATE NOT NULL,
    completed_on  DATE,
    status        TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed', 'cancelled')),
    organization  INTEGER REFERENCES organizations (id),
    evidence_link TEXT,
    notes         TEXT NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX milestones_gap ON milestones (gap_id);
CREATE INDEX milestones_target ON milestones (target_on);

CREATE TABLE milestone_comments (
    id           SERIAL PRIMARY KEY,
    milestone_id INTEGER NOT NULL REFERENCES milestones (id),
    author       TEXT NOT NULL,
    organization INTEGER REFERENCES organizations (id),
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX milestone_comments_milestone ON milestone_comments (milestone_id);
