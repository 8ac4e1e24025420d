-- Events for the alert engine (server/events). Ingest writes every event
-- into device_events, and those the alert engine acts on also into
-- event_queue, in the batch's transaction. Alert workers claim queued
-- events with FOR UPDATE SKIP LOCKED (any number of servers) and delete
-- them in the transaction that records what they decided, so an event is
-- acted on once, and never lost when a worker dies.
CREATE TABLE event_queue (
  event_id   bigint PRIMARY KEY REFERENCES device_events (id) ON DELETE CASCADE,
  device_id  bigint NOT NULL
);
CREATE INDEX event_queue_device ON event_queue (device_id, event_id);
ALTER TABLE event_queue ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON event_queue USING (device_id IN (SELECT id FROM devices));

-- The newest reading time of any device a collector reported: "a device
-- is silent while its collector still reports" compares the device's
-- latest reading with this, both in the readings' own time.
ALTER TABLE collectors ADD COLUMN last_read_at timestamptz;
UPDATE collectors c SET last_read_at = (
  SELECT max(l.last_seen_at) FROM device_latest l JOIN devices d ON d.id = l.device_id
  WHERE d.collector_id = c.id);
