-- Reads whose cost stays flat as the data grows (issue 19).
--
-- The audit log's totals are kept, not counted: the sum of audit_counts.n per (entity,
-- country) ('' for entries of no country) is how many entries there are, kept by a trigger in
-- the transaction of every insert. Concurrent writers must never wait on each other (or
-- deadlock) for a count, so each insert statement adds rows rather than updating one, and
-- now and then one writer at a time (an advisory lock it does not wait for) folds the rows it
-- sees into one per pair: a delete and an insert of their sums in one statement, so a reader's
-- snapshot sums to the same figure before and after. Rows of writers that have not committed
-- are not seen and stay as they are. The log is append-only: nothing updates or deletes its
-- entries.
-- Writers (an instance still running during a rolling upgrade) wait until the counts are
-- filled and the trigger exists: an entry committed in between would be counted by neither.
LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE audit_counts (
    id      BIGSERIAL PRIMARY KEY,
    entity  TEXT NOT NULL,
    country TEXT NOT NULL,
    n       BIGINT NOT NULL
);
CREATE INDEX audit_counts_pair ON audit_counts (entity, country);
INSERT INTO audit_counts (entity, country, n)
SELECT entity, COALESCE(country, ''), COUNT(*) FROM audit_log GROUP BY entity, COALESCE(country, '');

-- Folds the rows this transaction sees into one per pair, unless another writer is folding.
CREATE FUNCTION normtrack_fold_audit_counts() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF pg_try_advisory_xact_lock(7405118301) THEN
        WITH folded AS (DELETE FROM audit_counts RETURNING entity, country, n)
        INSERT INTO audit_counts (entity, country, n)
        SELECT entity, country, SUM(n) FROM folded GROUP BY entity, country;
    END IF;
END
$$;

CREATE FUNCTION normtrack_count_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_counts (entity, country, n)
    SELECT entity, COALESCE(country, ''), COUNT(*) FROM added GROUP BY entity, COALESCE(country, '');
    -- About one statement in 64 folds.
    IF random() < 1.0 / 64 THEN
        PERFORM normtrack_fold_audit_counts();
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_log_count
    AFTER INSERT ON audit_log
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION normtrack_count_audit();

-- The audit log is paged newest first by (at, id), filtered or not (repo::audit never lets
-- the caller's visibility choose an index); lists of records filter by status and order by
-- (country, instrument).
CREATE INDEX audit_log_at_id ON audit_log (at, id);
DROP INDEX audit_log_at;
DROP INDEX audit_log_entity;
DROP INDEX audit_log_country;
DROP INDEX audit_log_actor;
CREATE INDEX audit_log_entity_at ON audit_log (entity, at, id);
CREATE INDEX audit_log_record_at ON audit_log (entity, entity_id, at, id);
CREATE INDEX audit_log_country_at ON audit_log (country, at, id);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at, id);
CREATE INDEX ratifications_status_key ON ratifications (status, country, convention);
DROP INDEX ratifications_status;
