DROP TABLE audit_log;
ALTER TABLE conventions DROP COLUMN version;
ALTER TABLE ratifications DROP COLUMN source_incomplete;
