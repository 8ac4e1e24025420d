-- Tenant isolation in the database for the tables older than the people
-- migration. The API runs each request as its own role (`<owner>_api`,
-- made by `migrate`, NOBYPASSRLS) after
--   SET LOCAL ROLE <owner>_api;
--   SELECT set_config('openmps.org_path', '{1,2,3}', true);   -- root .. caller
-- and every policy below reduces to "inside the caller's subtree of
-- organisations". Without the setting nothing is visible (fail closed).
-- The server's own work (ingest, sweeps) runs as the owner, which row-level
-- security does not restrict.

-- The caller's organisation: the last id of openmps.org_path, or NULL.
CREATE FUNCTION openmps_scope_org() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p[cardinality(p)]
  FROM (SELECT nullif(current_setting('openmps.org_path', true), '')::bigint[] AS p) s
$$;

-- The caller's subtree: organisations whose path runs through the caller
-- (index-friendly: organisations_path is a GIN index on path).
ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON organisations USING (path @> ARRAY[openmps_scope_org()]);

ALTER TABLE collectors ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON collectors USING (customer_id IN (SELECT id FROM organisations));
ALTER TABLE devices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON devices USING (customer_id IN (SELECT id FROM organisations));
ALTER TABLE ingest_batches ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON ingest_batches USING (collector_id IN (SELECT id FROM collectors));

-- Per-device tables: the devices table's own policy does the scoping.
ALTER TABLE device_reads ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON device_reads USING (device_id IN (SELECT id FROM devices));
ALTER TABLE meter_readings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON meter_readings USING (device_id IN (SELECT id FROM devices));
ALTER TABLE supply_levels ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON supply_levels USING (device_id IN (SELECT id FROM devices));
ALTER TABLE supplies ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON supplies USING (device_id IN (SELECT id FROM devices));
ALTER TABLE status_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON status_history USING (device_id IN (SELECT id FROM devices));
ALTER TABLE alert_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON alert_history USING (device_id IN (SELECT id FROM devices));
ALTER TABLE device_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON device_events USING (device_id IN (SELECT id FROM devices));
ALTER TABLE device_latest ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON device_latest USING (device_id IN (SELECT id FROM devices));

-- A view runs with its owner's rights unless told otherwise; the owner is
-- not restricted, so the view must check as the caller.
ALTER VIEW collector_batch_gaps SET (security_invoker = true);
