-- The alert engine (server/alerts): rule settings per scope, the alerts
-- themselves, who hears of them, messages held for quiet hours or a storm,
-- and the periodic sweeps. server/README.md ("Alerts") documents them.

-- Rule settings: a JSON document naming only what it changes, per scope.
-- A device's rules are the defaults, then the root's, its dealer's, its
-- customer's, its site's, its device groups' and its own layer, merged in
-- that order. organisation_id is whose setting it is (the organisation
-- itself, or the customer a site, group or device belongs to).
CREATE TABLE alert_settings (
  scope            text NOT NULL CHECK (scope IN ('organisation', 'site', 'device_group', 'device')),
  scope_id         bigint NOT NULL,
  organisation_id  bigint NOT NULL REFERENCES organisations (id),
  settings         jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, scope_id)
);
CREATE INDEX alert_settings_organisation ON alert_settings (organisation_id);

-- One row per alert. At most one active (pending or open) alert per device
-- (or collector), condition and subject: the unique indexes below are the
-- dedupe, also between several servers. `since` is the reading time the
-- condition began; `due_at` the end of a pending alert's hold-down.
CREATE TABLE alerts (
  id               bigserial PRIMARY KEY,
  customer_id      bigint NOT NULL REFERENCES organisations (id),
  device_id        bigint REFERENCES devices (id),
  collector_id     bigint REFERENCES collectors (id),
  condition        text NOT NULL CHECK (condition ~ '^[a-z_]{1,40}$'),
  subject          text NOT NULL DEFAULT '' CHECK (length(subject) <= 200),
  stage            text NOT NULL DEFAULT '',
  severity         text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  state            text NOT NULL CHECK (state IN ('pending', 'open', 'cleared', 'cancelled')),
  since            timestamptz NOT NULL,
  due_at           timestamptz,
  raised_at        timestamptz,
  cleared_at       timestamptz,
  acknowledged_at  timestamptz,
  acknowledged_by  text NOT NULL DEFAULT '',
  ack_note         text NOT NULL DEFAULT '' CHECK (length(ack_note) <= 2000),
  last_notified_at timestamptz,
  escalated_at     timestamptz,
  events           integer NOT NULL DEFAULT 1,
  detail           jsonb NOT NULL DEFAULT '{}',
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (device_id IS NOT NULL OR collector_id IS NOT NULL),
  CHECK (state <> 'pending' OR due_at IS NOT NULL)
);
CREATE UNIQUE INDEX alerts_active_device ON alerts (device_id, condition, subject)
  WHERE state IN ('pending', 'open') AND device_id IS NOT NULL;
CREATE UNIQUE INDEX alerts_active_collector ON alerts (collector_id, condition, subject)
  WHERE state IN ('pending', 'open') AND device_id IS NULL;
CREATE INDEX alerts_customer ON alerts (customer_id, id DESC);
CREATE INDEX alerts_pending ON alerts (due_at) WHERE state = 'pending';
CREATE INDEX alerts_open ON alerts (customer_id, condition, raised_at) WHERE state = 'open';

-- Who hears of the alerts of an organisation's subtree: one user, every
-- user of a role there, an address without a user, or a webhook (its
-- signing secret sealed under the master key).
CREATE TABLE alert_subscriptions (
  id               bigserial PRIMARY KEY,
  organisation_id  bigint NOT NULL REFERENCES organisations (id),
  channel          text NOT NULL CHECK (channel IN ('email', 'webhook')),
  user_id          bigint REFERENCES users (id) ON DELETE CASCADE,
  role             text CHECK (role IN ('root_admin', 'dealer_admin', 'dealer_technician',
                                        'customer_admin', 'customer_viewer')),
  address          text CHECK (length(address) BETWEEN 3 AND 254),
  url              text CHECK (url ~ '^https://' AND length(url) <= 2048),
  webhook_secret   bytea,
  locale           text CHECK (locale IN ('en', 'de', 'fr', 'it')),
  min_severity     text NOT NULL DEFAULT 'warning'
                     CHECK (min_severity IN ('info', 'warning', 'critical')),
  conditions       text[] NOT NULL DEFAULT '{}',
  include_clears   boolean NOT NULL DEFAULT false,
  enabled          boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((channel = 'webhook') = (url IS NOT NULL AND webhook_secret IS NOT NULL)),
  CHECK (channel = 'webhook' OR
         (user_id IS NOT NULL)::int + (role IS NOT NULL)::int + (address IS NOT NULL)::int = 1)
);
CREATE INDEX alert_subscriptions_organisation ON alert_subscriptions (organisation_id);

-- Messages waiting for the end of a customer's quiet hours or of a storm
-- window; the sweep sends each recipient's together as one digest.
CREATE TABLE alert_holds (
  id               bigserial PRIMARY KEY,
  subscription_id  bigint NOT NULL REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
  channel          text NOT NULL CHECK (channel IN ('email', 'webhook')),
  target           text NOT NULL,
  locale           text NOT NULL,
  customer_id      bigint NOT NULL REFERENCES organisations (id),
  alert_id         bigint NOT NULL REFERENCES alerts (id),
  event            text NOT NULL,
  reason           text NOT NULL CHECK (reason IN ('quiet_hours', 'storm')),
  release_at       timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_holds_due ON alert_holds (release_at);

-- The periodic sweeps, one row each: a server runs one when it can lock
-- its row (FOR UPDATE SKIP LOCKED) and it is due, so with several servers
-- each sweep runs once per interval.
CREATE TABLE alert_sweeps (
  name         text PRIMARY KEY,
  next_run_at  timestamptz NOT NULL DEFAULT '-infinity',
  last_run_at  timestamptz,
  last_result  text NOT NULL DEFAULT ''
);
INSERT INTO alert_sweeps (name) VALUES ('timers'), ('silence'), ('meters'), ('forecast');

ALTER TABLE alert_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON alert_settings
  USING (organisation_id IN (SELECT id FROM organisations));
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON alerts USING (customer_id IN (SELECT id FROM organisations));
ALTER TABLE alert_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON alert_subscriptions
  USING (organisation_id IN (SELECT id FROM organisations));
ALTER TABLE alert_holds ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON alert_holds USING (customer_id IN (SELECT id FROM organisations));
-- The sweeps are the server's own: RLS on, no policy.
ALTER TABLE alert_sweeps ENABLE ROW LEVEL SECURITY;
