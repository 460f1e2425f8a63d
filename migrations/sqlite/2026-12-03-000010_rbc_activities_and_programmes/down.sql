DROP TABLE programme_countries;
DROP TABLE programmes;
DROP TABLE rbc_activity_notes;
DROP TABLE rbc_activities;
ALTER TABLE gaps DROP COLUMN opened_on;
