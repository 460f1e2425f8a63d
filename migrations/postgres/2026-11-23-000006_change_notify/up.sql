-- Every write is audited in its own transaction: a notification per audited statement tells
-- every API instance (db::changes) that the store changed, when the transaction commits.
CREATE FUNCTION normtrack_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('normtrack_changes', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_log_notify_change
    AFTER INSERT ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION normtrack_notify_change();
