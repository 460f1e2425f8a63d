-- Ratification tracking: the "source gives no date or declaration" marker, versioned
-- instruments, and the audit log of every write.

ALTER TABLE ratifications ADD COLUMN source_incomplete BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE ratifications SET source_incomplete = TRUE
 WHERE status IN ('ratified', 'denounced')
   AND (registered_on IS NULL OR (convention = 'C138' AND minimum_age IS NULL));

ALTER TABLE conventions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at          TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    country     TEXT,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_country ON audit_log (country);
CREATE INDEX audit_log_actor ON audit_log (actor);
CREATE INDEX audit_log_at ON audit_log (at);
