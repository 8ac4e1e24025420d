-- A year's partition can be created after rows for that year have landed
-- in the DEFAULT partition (a server that ran for years without `migrate`,
-- or a device clock far off): those rows move into the new partition in the
-- same transaction, instead of CREATE ... PARTITION OF failing on them.
-- The advisory lock keeps `migrate` and a running server's daily check from
-- creating the same partition at once.
CREATE OR REPLACE FUNCTION openmps_ensure_partitions(first_year integer, last_year integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t text;
  y integer;
  part text;
  lo timestamptz;
  hi timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(5714311821214630226);  -- "OMPS_PAR"
  FOREACH t IN ARRAY ARRAY['meter_readings', 'supply_levels', 'status_history', 'alert_history'] LOOP
    FOR y IN first_year .. last_year LOOP
      part := t || '_' || y;
      IF to_regclass(part) IS NOT NULL THEN
        CONTINUE;
      END IF;
      lo := make_timestamptz(y, 1, 1, 0, 0, 0, 'UTC');
      hi := make_timestamptz(y + 1, 1, 1, 0, 0, 0, 'UTC');
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, t);
      EXECUTE format('WITH moved AS (DELETE FROM %I WHERE read_at >= %L AND read_at < %L RETURNING *) '
                     'INSERT INTO %I SELECT * FROM moved',
                     t || '_default', lo, hi, part);
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                     t, part, lo, hi);
    END LOOP;
  END LOOP;
END $$;
