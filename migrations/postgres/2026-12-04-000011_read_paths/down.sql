CREATE INDEX ratifications_status ON ratifications (status);
DROP INDEX ratifications_status_key;
CREATE INDEX audit_log_at ON audit_log (at);
DROP INDEX audit_log_at_id;
DROP TRIGGER audit_log_count ON audit_log;
DROP FUNCTION normtrack_count_audit();
DROP FUNCTION normtrack_fold_audit_counts();
DROP TABLE audit_counts;
