-- The notification outbox (server/notify). Every e-mail and webhook the
-- server sends is first a row here, written in the same transaction as the
-- alert or report run it announces: what commits is sent, what rolls back
-- never is. Delivery workers claim due rows with FOR UPDATE SKIP LOCKED
-- (any number of servers) and hold the row locked while they send.
--
-- message_id is fixed when the row is written and sent with every attempt
-- (the e-mail's Message-ID, the webhook's delivery id), so a receiver can
-- tell a retry after a crash in the last instant from a new message.
CREATE TABLE notifications (
  id               bigserial PRIMARY KEY,
  message_id       text NOT NULL UNIQUE DEFAULT ('omps-' || gen_random_uuid()::text),
  -- Whose notification this is (row-level security); an alert's customer,
  -- a report's organisation.
  organisation_id  bigint NOT NULL REFERENCES organisations (id),
  -- What it is about: alert.raised, alert.cleared, alert.digest, report,
  -- test ... (free for the writer; shown in listings and webhook headers).
  kind             text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$' AND length(kind) <= 64),
  channel          text NOT NULL CHECK (channel IN ('email', 'webhook')),
  -- An e-mail address, or the webhook's https:// URL.
  recipient        text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 2048),
  locale           text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'de', 'fr', 'it')),
  subject          text NOT NULL DEFAULT '' CHECK (length(subject) <= 998),
  -- The e-mail's plain text, or the webhook's JSON body.
  body             text NOT NULL DEFAULT '',
  -- Webhooks: the signing secret, sealed under the master key.
  webhook_secret   bytea,
  state            text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  CHECK ((channel = 'webhook') = (webhook_secret IS NOT NULL))
);
CREATE INDEX notifications_due ON notifications (next_attempt_at, id) WHERE state = 'queued';
CREATE INDEX notifications_organisation ON notifications (organisation_id, created_at DESC);

-- Files an e-mail carries, in order. Either the bytes themselves, or a
-- reference (source, source_id) that the delivery worker resolves when it
-- sends (a report run's file, say), so large files are not stored twice.
CREATE TABLE notification_attachments (
  notification_id  bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  position         smallint NOT NULL CHECK (position >= 0),
  file_name        text NOT NULL CHECK (file_name ~ '^[^/\\\r\n]{1,200}$'),
  content_type     text NOT NULL CHECK (content_type ~ '^[a-z0-9.+-]+/[a-z0-9.+-]+$'),
  content          bytea,
  source           text CHECK (source ~ '^[a-z][a-z0-9_]{0,63}$'),
  source_id        bigint,
  PRIMARY KEY (notification_id, position),
  CHECK ((content IS NULL) = (source IS NOT NULL) AND (source IS NULL) = (source_id IS NULL))
);

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON notifications
  USING (organisation_id IN (SELECT id FROM organisations));
ALTER TABLE notification_attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON notification_attachments
  USING (notification_id IN (SELECT id FROM notifications));
