-- OpenMPS server schema, first version. server/README.md ("Schema")
-- explains the sizing choices.

-- Organisations as a tree: one root, dealers under it, customers under a
-- dealer. `path` lists the ids from the root down to the row itself, so
-- "everything in this subtree" is one indexed `path @> ARRAY[id]`.
CREATE TABLE organisations (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('root', 'dealer', 'customer')),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  parent_id   bigint REFERENCES organisations (id),
  path        bigint[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'root') = (parent_id IS NULL))
);
CREATE UNIQUE INDEX organisations_kind_name ON organisations (kind, lower(name));
CREATE INDEX organisations_path ON organisations USING gin (path);
CREATE UNIQUE INDEX organisations_one_root ON organisations ((kind)) WHERE kind = 'root';
INSERT INTO organisations (kind, name, parent_id, path) VALUES ('root', 'root', NULL, '{}');
UPDATE organisations SET path = ARRAY[id] WHERE kind = 'root';

-- Enrolled clients. The id is random (not a sequence) and is the subkey id
-- of the client's key: a re-created database never hands an old id, and so
-- an old key, to a new collector.
CREATE TABLE collectors (
  id              bigint PRIMARY KEY CHECK (id > 0),
  customer_id     bigint NOT NULL REFERENCES organisations (id),
  name            text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at      timestamptz,
  last_seen_at    timestamptz,
  last_batch_seq  bigint,
  last_carrier    text,
  last_peer       text
);
CREATE INDEX collectors_customer ON collectors (customer_id);

-- Counter names (the vocabulary of shared/model/counter_names.hpp, plus
-- custom.*) as small ids, so a meter row stays narrow.
CREATE TABLE counter_names (
  id    smallserial PRIMARY KEY,
  name  text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128)
);
INSERT INTO counter_names (name) VALUES
  ('total'), ('mono'), ('color'), ('print.total'), ('print.mono'), ('print.color'),
  ('copy.total'), ('copy.mono'), ('copy.color'), ('fax.total'), ('scan.total'), ('duplex'),
  ('large.total'), ('large.mono'), ('large.color');

-- One row per physical device per customer. Identity fields hold the latest
-- values; their history is in device_events.
CREATE TABLE devices (
  id              bigserial PRIMARY KEY,
  customer_id     bigint NOT NULL REFERENCES organisations (id),
  serial          text NOT NULL DEFAULT '',
  mac             text NOT NULL DEFAULT '',
  ip              text NOT NULL DEFAULT '',
  host_name       text NOT NULL DEFAULT '',
  manufacturer    text NOT NULL DEFAULT '',
  model           text NOT NULL DEFAULT '',
  firmware        text NOT NULL DEFAULT '',
  location        text NOT NULL DEFAULT '',
  contact         text NOT NULL DEFAULT '',
  sys_object_id   text NOT NULL DEFAULT '',
  sys_descr       text NOT NULL DEFAULT '',
  capabilities    jsonb NOT NULL DEFAULT '{}',
  collector_id    bigint REFERENCES collectors (id),
  first_seen_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX devices_customer_serial ON devices (customer_id, serial) WHERE serial <> '';
CREATE INDEX devices_customer ON devices (customer_id);
CREATE INDEX devices_customer_mac ON devices (customer_id, mac) WHERE mac <> '';
CREATE INDEX devices_customer_ip ON devices (customer_id, ip) WHERE ip <> '';

-- Batches received (the ingest log). (collector_id, batch_seq) is unique:
-- the digest tells an exact repeat (duplicate) from other content under a
-- used number (conflict).
CREATE TABLE ingest_batches (
  id            bigserial PRIMARY KEY,
  collector_id  bigint NOT NULL REFERENCES collectors (id),
  batch_seq     bigint NOT NULL CHECK (batch_seq > 0),
  digest        bytea NOT NULL CHECK (length(digest) = 32),
  carrier       text NOT NULL,
  peer          text NOT NULL DEFAULT '',
  items         integer NOT NULL,
  items_stored  integer NOT NULL,
  created_at    timestamptz NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (collector_id, batch_seq)
);

-- Missing batch numbers per collector (e-mail has no acknowledgement, so
-- the server must notice what never arrived).
CREATE VIEW collector_batch_gaps AS
SELECT collector_id, prev_seq + 1 AS first_missing, batch_seq - 1 AS last_missing
FROM (
  SELECT collector_id, batch_seq,
         coalesce(lag(batch_seq) OVER (PARTITION BY collector_id ORDER BY batch_seq), 0) AS prev_seq
  FROM ingest_batches
) s
WHERE batch_seq > prev_seq + 1;

-- One row per reading (one read of one device). (collector_id, item_seq)
-- dedupes an item that arrives again in another batch. No foreign keys:
-- ingest writes the referenced rows in the same transaction, and a check
-- trigger per row would cost a third of the insert on the busiest table.
CREATE TABLE device_reads (
  id            bigserial PRIMARY KEY,
  device_id     bigint NOT NULL,
  collector_id  bigint NOT NULL,
  item_seq      bigint NOT NULL,
  batch_id      bigint NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('meter', 'status')),
  read_at       timestamptz NOT NULL,
  address       text NOT NULL DEFAULT '',
  pmd           text NOT NULL DEFAULT '',
  UNIQUE (collector_id, item_seq)
);
CREATE INDEX device_reads_device_time ON device_reads (device_id, read_at);

-- Meter readings: the big table (100,000 devices x 5 years x ~8 counters a
-- day is ~1.5 billion rows). Narrow rows, the primary key serves "counter
-- X of device Y between A and B", yearly partitions keep each index small
-- and let old years be detached or dropped whole.
CREATE TABLE meter_readings (
  device_id   bigint NOT NULL,
  counter_id  smallint NOT NULL,
  read_at     timestamptz NOT NULL,
  value       bigint NOT NULL CHECK (value >= 0),
  -- bit 0: lower than the previous reading of this counter (device swapped,
  -- counter reset); kept, never dropped.
  flags       smallint NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, counter_id, read_at)
) PARTITION BY RANGE (read_at);
CREATE TABLE meter_readings_default PARTITION OF meter_readings DEFAULT;

-- Supply levels over time (one row per supply per read).
CREATE TABLE supply_levels (
  device_id      bigint NOT NULL,
  supply_index   integer NOT NULL,
  read_at        timestamptz NOT NULL,
  level          bigint NOT NULL,
  max            bigint NOT NULL,
  level_percent  smallint,
  state          text NOT NULL,
  PRIMARY KEY (device_id, supply_index, read_at)
) PARTITION BY RANGE (read_at);
CREATE TABLE supply_levels_default PARTITION OF supply_levels DEFAULT;

-- What each supply is (changes rarely; latest values).
CREATE TABLE supplies (
  device_id     bigint NOT NULL REFERENCES devices (id),
  supply_index  integer NOT NULL,
  description   text NOT NULL DEFAULT '',
  type          text NOT NULL DEFAULT '',
  color         text NOT NULL DEFAULT '',
  unit          text NOT NULL DEFAULT '',
  supply_class  text NOT NULL DEFAULT '',
  part_number   text NOT NULL DEFAULT '',
  PRIMARY KEY (device_id, supply_index)
);

-- Status history: one row per read, alerts beside it.
CREATE TABLE status_history (
  device_id       bigint NOT NULL,
  read_at         timestamptz NOT NULL,
  printer_status  text NOT NULL DEFAULT '',
  device_status   text NOT NULL DEFAULT '',
  errors          text[] NOT NULL DEFAULT '{}',
  vendor_code     text NOT NULL DEFAULT '',
  PRIMARY KEY (device_id, read_at)
) PARTITION BY RANGE (read_at);
CREATE TABLE status_history_default PARTITION OF status_history DEFAULT;

CREATE TABLE alert_history (
  device_id    bigint NOT NULL,
  read_at      timestamptz NOT NULL,
  alert_index  integer NOT NULL,
  severity     text NOT NULL DEFAULT '',
  alert_group  text NOT NULL DEFAULT '',
  code         integer NOT NULL DEFAULT 0,
  text         text NOT NULL DEFAULT '',
  PRIMARY KEY (device_id, read_at, alert_index)
) PARTITION BY RANGE (read_at);
CREATE TABLE alert_history_default PARTITION OF alert_history DEFAULT;

-- Things that happened to a device: it appeared, its firmware or address
-- changed, a counter went backwards, the reader left a note.
CREATE TABLE device_events (
  id         bigserial PRIMARY KEY,
  device_id  bigint NOT NULL REFERENCES devices (id),
  at         timestamptz NOT NULL,
  kind       text NOT NULL,
  detail     jsonb NOT NULL DEFAULT '{}',
  batch_id   bigint REFERENCES ingest_batches (id)
);
CREATE INDEX device_events_device_time ON device_events (device_id, at);

-- The latest state per device, kept by ingest, so the fleet view and the
-- portal's lists read one row per device instead of scanning history. It
-- is rewritten with every read, so it also holds "last seen" (devices is
-- only written when the identity changes). json, not jsonb: written far
-- more often than searched, and json input is only validated, not converted.
CREATE TABLE device_latest (
  device_id     bigint PRIMARY KEY REFERENCES devices (id),
  counters      json NOT NULL DEFAULT '{}',
  counters_at   timestamptz,
  supplies      json NOT NULL DEFAULT '[]',
  status        json NOT NULL DEFAULT '{}',
  status_at     timestamptz,
  last_seen_at  timestamptz NOT NULL
-- Room on each page for the next version of its rows: updates stay on the
-- page (HOT) and the primary key is not touched.
) WITH (fillfactor = 50);

-- Yearly partitions for the time-series tables. `migrate` calls this for
-- the years around now on every run, so partitions exist before data for
-- them arrives; anything outside lands in the DEFAULT partition.
CREATE FUNCTION openmps_ensure_partitions(first_year integer, last_year integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t text;
  y integer;
BEGIN
  FOREACH t IN ARRAY ARRAY['meter_readings', 'supply_levels', 'status_history', 'alert_history'] LOOP
    FOR y IN first_year .. last_year LOOP
      IF to_regclass(format('%s_%s', t, y)) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       t || '_' || y, t,
                       make_timestamptz(y, 1, 1, 0, 0, 0, 'UTC'),
                       make_timestamptz(y + 1, 1, 1, 0, 0, 0, 'UTC'));
      END IF;
    END LOOP;
  END LOOP;
END $$;
