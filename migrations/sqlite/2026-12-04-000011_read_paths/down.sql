CREATE INDEX ratifications_status ON ratifications (status);
DROP INDEX ratifications_status_key;
DROP TRIGGER audit_log_count;
DROP TABLE audit_counts;
