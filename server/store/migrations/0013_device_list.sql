-- The device list of a large fleet stays fast (the portal and the API
-- page 100,000 devices): each sort has an index in its order, a device's
-- condition is computed once when its status is written (the list's filter
-- and the dashboard's counts read the same column), and search by any part
-- of serial, model, address or location uses trigrams.

CREATE INDEX devices_serial_id ON devices (serial, id);
CREATE INDEX devices_model_id ON devices (lower(manufacturer || ' ' || model), id);
CREATE INDEX devices_ip_id ON devices (ip, id);
CREATE INDEX devices_location_id ON devices (lower(location), id);

-- 2: stopped by an error (down, or a Printer-MIB condition that stops it),
-- 1: a warning (any other condition), 0: fine, NULL: no status read yet.
CREATE FUNCTION openmps_device_condition(status json) RETURNS smallint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF status IS NULL THEN
    RETURN NULL;
  END IF;
  IF status->>'device_status' = 'down' OR EXISTS (
       SELECT 1 FROM json_array_elements_text(coalesce(status->'errors', '[]')) e
       WHERE e IN ('serviceRequested', 'jammed', 'noToner', 'doorOpen', 'offline')) THEN
    RETURN 2;
  END IF;
  IF status->>'device_status' = 'warning'
     OR json_array_length(coalesce(status->'errors', '[]')) > 0 THEN
    RETURN 1;
  END IF;
  RETURN 0;
END
$$;
ALTER TABLE device_latest
  ADD COLUMN condition smallint GENERATED ALWAYS AS (openmps_device_condition(status)) STORED;
CREATE INDEX device_latest_condition ON device_latest (condition) WHERE condition > 0;

-- Everything a search looks in, lower case, as one text (kept with the
-- row: identities change rarely, searches are frequent).
ALTER TABLE devices ADD COLUMN search_text text GENERATED ALWAYS AS
  (lower(serial || ' ' || manufacturer || ' ' || model || ' ' || ip || ' ' || host_name || ' '
         || location)) STORED;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX devices_search ON devices USING gin (search_text gin_trgm_ops);

-- Under row-level security a LIKE (not leakproof) cannot use an index, so
-- the search finds its ids here, inside the caller's scope (the same
-- openmps.org_path the policies read), with the trigram index; the outer
-- query's policies still apply to what it returns.
CREATE FUNCTION openmps_device_search(pattern text) RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT d.id FROM devices d JOIN organisations o ON o.id = d.customer_id
  WHERE d.search_text LIKE pattern AND o.path @> ARRAY[openmps_scope_org()]
$$;

-- The policies of the device list's two tables as correlated EXISTS (the
-- same rule as 0011's IN): a page of 50 devices probes 50 rows by their
-- primary keys instead of hashing every visible device first.
DROP POLICY tenant_scope ON devices;
CREATE POLICY tenant_scope ON devices
  USING (EXISTS (SELECT 1 FROM organisations o WHERE o.id = devices.customer_id));
DROP POLICY tenant_scope ON device_latest;
CREATE POLICY tenant_scope ON device_latest
  USING (EXISTS (SELECT 1 FROM devices d WHERE d.id = device_latest.device_id));
