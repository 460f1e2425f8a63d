DROP TRIGGER audit_log_notify_change ON audit_log;
DROP FUNCTION normtrack_notify_change();
