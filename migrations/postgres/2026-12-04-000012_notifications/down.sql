DROP TABLE reminder_sends;
DROP TABLE digest_sends;
DROP TABLE reminder_settings;
DROP TRIGGER IF EXISTS webhook_deliveries_notify_change ON webhook_deliveries;
DROP TABLE webhook_deliveries;
DROP TABLE outbox_events;
DROP TABLE webhooks;
