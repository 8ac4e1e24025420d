-- Reports: the dealers' names for meters in the ERP import layout, the
-- duty cycles of device models, scheduled reports and their runs (the
-- files kept for download). server/reports/README.md describes them.

-- A dealer's ERP calls the counter `counter` (total, mono, ...) `erp_name`.
CREATE TABLE erp_meter_names (
  dealer_id  bigint NOT NULL REFERENCES organisations (id),
  counter    text NOT NULL CHECK (length(counter) BETWEEN 1 AND 128),
  erp_name   text NOT NULL CHECK (length(erp_name) BETWEEN 1 AND 64),
  PRIMARY KEY (dealer_id, counter)
);
ALTER TABLE erp_meter_names ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON erp_meter_names USING (dealer_id IN (SELECT id FROM organisations));

-- Pages a month a model is built for (the maker's duty cycle), matched on
-- the device's model name without regard to case. The same for every
-- tenant: a catalogue, not tenant data.
CREATE TABLE model_duty_cycles (
  model          text NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
  monthly_pages  integer NOT NULL CHECK (monthly_pages > 0)
);
CREATE UNIQUE INDEX model_duty_cycles_model ON model_duty_cycles (lower(model));

-- A report made on a schedule for an organisation (its subtree), in the
-- scope of its owner (the user who set it up; NULL: set up on the command
-- line by the operator), mailed to the recipients and kept for download.
CREATE TABLE report_schedules (
  id               bigserial PRIMARY KEY,
  organisation_id  bigint NOT NULL REFERENCES organisations (id),
  owner_user_id    bigint REFERENCES users (id),
  report           text NOT NULL CHECK (report IN ('billing', 'billing-erp', 'supplies', 'inventory',
                                                    'usage', 'status', 'collectors')),
  format           text NOT NULL CHECK (format IN ('csv', 'xlsx', 'pdf', 'json')),
  locale           text CHECK (locale IN ('en', 'de', 'fr', 'it')),  -- NULL: the organisation's
  -- monthly: on day `day` (1-31; past a month's end, its last day);
  -- weekly: on weekday `day` (1 Monday .. 7 Sunday); daily: every day.
  frequency        text NOT NULL CHECK (frequency IN ('monthly', 'weekly', 'daily')),
  day              smallint NOT NULL DEFAULT 1 CHECK (day BETWEEN 1 AND 31),
  hour             smallint NOT NULL DEFAULT 6 CHECK (hour BETWEEN 0 AND 23),  -- organisation's time
  recipients       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(recipients) <= 50),
  keep_days        integer NOT NULL DEFAULT 90 CHECK (keep_days BETWEEN 1 AND 3650),
  enabled          boolean NOT NULL DEFAULT true,
  next_run_at      timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (frequency <> 'weekly' OR day BETWEEN 1 AND 7)
);
CREATE INDEX report_schedules_due ON report_schedules (next_run_at) WHERE enabled;
CREATE INDEX report_schedules_organisation ON report_schedules (organisation_id);
ALTER TABLE report_schedules ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON report_schedules
  USING (organisation_id IN (SELECT id FROM organisations));

-- One report to make: an occurrence of a schedule (unique, so two servers
-- never make it twice) or a request on demand. Claimed with FOR UPDATE
-- SKIP LOCKED; a failure is retried after a pause and, after the last
-- attempt, marked failed and reported, never dropped.
CREATE TABLE report_runs (
  id               bigserial PRIMARY KEY,
  schedule_id      bigint REFERENCES report_schedules (id) ON DELETE SET NULL,
  organisation_id  bigint NOT NULL REFERENCES organisations (id),
  requested_by     bigint REFERENCES users (id),
  report           text NOT NULL,
  format           text NOT NULL,
  locale           text,
  period_from      date,  -- NULL: each customer's last billing period before due_at
  period_to        date,
  due_at           timestamptz NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  file             bytea,
  file_name        text,
  content_type     text,
  rows             integer,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  expires_at       timestamptz,
  UNIQUE (schedule_id, due_at),
  CHECK ((period_from IS NULL) = (period_to IS NULL))
);
CREATE INDEX report_runs_pending ON report_runs (next_attempt_at) WHERE status = 'pending';
CREATE INDEX report_runs_organisation ON report_runs (organisation_id, created_at);
CREATE INDEX report_runs_expiry ON report_runs (expires_at) WHERE file IS NOT NULL;
ALTER TABLE report_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON report_runs USING (organisation_id IN (SELECT id FROM organisations));
