DROP TABLE feed_tokens;
DROP TABLE tasks;
DROP TABLE report_request_conventions;
DROP TABLE report_requests;
DROP TABLE report_schedules;
