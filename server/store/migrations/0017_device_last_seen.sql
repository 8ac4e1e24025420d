-- The device list sorted by last seen walks one index in its order and
-- stops after a page (the operator's first page of 100,000 devices was
-- 2-3 s when the key spanned devices and device_latest and every visible
-- device was sorted). So every device has its device_latest row from the
-- moment it exists: last_seen_at is its first_seen_at until a reading
-- comes, and status and status_at stay NULL ("not read yet", no condition,
-- as when there was no row).
--
-- The price: every reading moves last_seen_at, an indexed column, so the
-- update of a device's row is no longer HOT (new entries in this index and
-- the primary key; the condition index only for devices with a condition).

ALTER TABLE device_latest ALTER COLUMN status DROP NOT NULL;

INSERT INTO device_latest (device_id, status, last_seen_at)
  SELECT d.id, NULL, d.first_seen_at FROM devices d
  WHERE NOT EXISTS (SELECT 1 FROM device_latest l WHERE l.device_id = d.id);

CREATE INDEX device_latest_last_seen ON device_latest (last_seen_at, device_id);

-- The policy of 0013 again, with OFFSET 0: it keeps PostgreSQL from
-- turning the EXISTS into a hash of every visible device, which it chose
-- whenever device_latest is the table it walks (the operator's first page
-- by last seen: 50 ms building that hash for 100,000 devices, 9 ms probing
-- the page's devices one by one). Where devices lead, nothing changes.
DROP POLICY tenant_scope ON device_latest;
CREATE POLICY tenant_scope ON device_latest
  USING (EXISTS (SELECT 1 FROM devices d WHERE d.id = device_latest.device_id OFFSET 0));

-- Once per statement, for all the devices it added.
CREATE FUNCTION openmps_device_latest_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO device_latest (device_id, status, last_seen_at)
    SELECT a.id, NULL, a.first_seen_at FROM added a;
  RETURN NULL;
END
$$;
CREATE TRIGGER devices_latest_rows AFTER INSERT ON devices
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT
  EXECUTE FUNCTION openmps_device_latest_rows();
