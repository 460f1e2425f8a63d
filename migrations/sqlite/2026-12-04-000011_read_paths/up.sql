-- Reads whose cost stays flat as the data grows (issue 19).
--
-- The audit log's totals are kept, not counted: audit_counts holds how many entries there are
-- per (entity, country) ('' for entries of no country), kept by a trigger in the transaction
-- of every insert, so a page's total is a sum over a few hundred rows at a million entries.
-- SQLite has one writer at a time, so one row per pair is updated in place. (PostgreSQL adds
-- rows instead and folds them, so that concurrent writers never wait on each other for a
-- count; the two folders keep the same migration names.) The log is append-only: nothing
-- updates or deletes its entries.
CREATE TABLE audit_counts (
    entity  TEXT NOT NULL,
    country TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (entity, country)
);
INSERT INTO audit_counts (entity, country, n)
SELECT entity, COALESCE(country, ''), COUNT(*) FROM audit_log GROUP BY entity, COALESCE(country, '');

CREATE TRIGGER audit_log_count AFTER INSERT ON audit_log
BEGIN
    INSERT INTO audit_counts (entity, country, n) VALUES (NEW.entity, COALESCE(NEW.country, ''), 1)
    ON CONFLICT (entity, country) DO UPDATE SET n = n + 1;
END;

-- The audit log is paged newest first by (at, id): the index on `at` already ends with the
-- rowid, and so does each index of a filter, so that a filtered page is read in order too
-- (repo::audit never lets the caller's visibility choose an index). Lists of records filter
-- by status and order by (country, instrument).
DROP INDEX audit_log_entity;
DROP INDEX audit_log_country;
DROP INDEX audit_log_actor;
CREATE INDEX audit_log_entity_at ON audit_log (entity, at);
CREATE INDEX audit_log_record_at ON audit_log (entity, entity_id, at);
CREATE INDEX audit_log_country_at ON audit_log (country, at);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at);
CREATE INDEX ratifications_status_key ON ratifications (status, country, convention);
DROP INDEX ratifications_status;
