-- People and audit (server/auth): users, sessions, sign-in failures and
-- locks, TOTP and recovery codes, API tokens, OpenID Connect identities and
-- pending sign-ins, and the append-only audit log. Tenant tables carry
-- row-level security scoped through `organisations` (or `users`), whose own
-- policy limits a caller to its subtree; the server's own work runs as the
-- owner and is not subject to it.

CREATE TABLE users (
  id                        bigserial PRIMARY KEY,
  organisation_id           bigint NOT NULL REFERENCES organisations (id),
  -- The sign-in name; unique without regard to case.
  username                  text NOT NULL CHECK (length(username) BETWEEN 1 AND 200),
  display_name              text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
  email                     text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
  role                      text NOT NULL CHECK (role IN ('root_admin', 'dealer_admin',
                              'dealer_technician', 'customer_admin', 'customer_viewer')),
  -- A restricted account sees only these sites or device groups; both
  -- empty: the whole organisation.
  site_ids                  bigint[] NOT NULL DEFAULT '{}',
  device_group_ids          bigint[] NOT NULL DEFAULT '{}',
  locale                    text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'de', 'fr', 'it')),
  -- crypto_pwhash_str (Argon2id); NULL: no password (OpenID Connect only).
  password_hash             text,
  password_change_required  boolean NOT NULL DEFAULT false,
  -- XChaCha20-Poly1305 under a key derived from the master key: nonce,
  -- then ciphertext. Confirmed once the first code matched.
  totp_secret               bytea,
  totp_confirmed_at         timestamptz,
  -- The last 30-second step a code was accepted for: each code works once.
  totp_last_step            bigint NOT NULL DEFAULT 0,
  disabled_at               timestamptz,
  disabled_reason           text NOT NULL DEFAULT '',
  last_sign_in_at           timestamptz,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  CHECK ((site_ids = '{}' AND device_group_ids = '{}') OR role = 'customer_viewer')
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE INDEX users_organisation ON users (organisation_id);

-- Browser sessions. The cookie's value is never stored, only its SHA-256.
CREATE TABLE sessions (
  id            bigserial PRIMARY KEY,
  id_hash       bytea NOT NULL UNIQUE CHECK (length(id_hash) = 32),
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  stage         text NOT NULL CHECK (stage IN ('complete', 'second_factor', 'totp_enrolment',
                  'password_change')),
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  peer          text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- Failed sign-ins per account (lower-cased name) and per source address,
-- and the locks they led to.
CREATE TABLE sign_in_failures (
  scope      text NOT NULL CHECK (scope IN ('account', 'address')),
  key        text NOT NULL,
  failed_at  timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (scope, key, failed_at);

CREATE TABLE sign_in_locks (
  scope         text NOT NULL CHECK (scope IN ('account', 'address')),
  key           text NOT NULL,
  locked_until  timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);

-- TOTP recovery codes, shown once; only their SHA-256 is kept.
CREATE TABLE recovery_codes (
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- API tokens for integrations: shown once, kept as SHA-256, scoped to an
-- organisation and a role.
CREATE TABLE api_tokens (
  id               bigserial PRIMARY KEY,
  token_hash       bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  hint             text NOT NULL,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  organisation_id  bigint NOT NULL REFERENCES organisations (id),
  role             text NOT NULL CHECK (role IN ('root_admin', 'dealer_admin',
                     'dealer_technician', 'customer_admin', 'customer_viewer')),
  created_by       bigint REFERENCES users (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz,
  revoked_at       timestamptz,
  last_used_at     timestamptz
);
CREATE INDEX api_tokens_organisation ON api_tokens (organisation_id);

-- Which user an OpenID Connect identity (issuer, subject) signs in as.
CREATE TABLE oidc_identities (
  issuer      text NOT NULL,
  subject     text NOT NULL,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities (user_id);

-- Authorization requests sent to the provider and not yet answered: the
-- state (hashed), the browser they belong to (hashed cookie), the nonce and
-- the PKCE verifier. Servers stay stateless; any of them takes the answer.
CREATE TABLE oidc_logins (
  state_hash     bytea PRIMARY KEY CHECK (length(state_hash) = 32),
  browser_hash   bytea NOT NULL CHECK (length(browser_hash) = 32),
  nonce          text NOT NULL,
  code_verifier  text NOT NULL,
  created_at     timestamptz NOT NULL
);

-- Who did what, to which organisation's data, from where, and what
-- changed (before and after; secrets never). Append-only for everyone: the
-- trigger refuses UPDATE, DELETE and TRUNCATE. No foreign keys, so the
-- history outlives what it describes.
CREATE TABLE audit_log (
  id               bigserial PRIMARY KEY,
  at               timestamptz NOT NULL DEFAULT now(),
  organisation_id  bigint NOT NULL,
  actor_user_id    bigint,
  actor_token_id   bigint,
  -- The user name, "token:<hint>", "cli:<operating-system user>" or "server".
  actor            text NOT NULL,
  peer             text NOT NULL DEFAULT '',
  action           text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
  target_type      text NOT NULL DEFAULT '',
  target_id        text NOT NULL DEFAULT '',
  before           jsonb,
  after            jsonb,
  detail           text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_organisation_at ON audit_log (organisation_id, at DESC, id DESC);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

CREATE FUNCTION openmps_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION openmps_audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION openmps_audit_log_append_only();

-- Row-level security. Tables without a policy (failures, locks, pending
-- OpenID Connect sign-ins) are the server's own: no API caller sees them.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON users
  USING (organisation_id IN (SELECT id FROM organisations));
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON sessions USING (user_id IN (SELECT id FROM users));
ALTER TABLE recovery_codes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON recovery_codes USING (user_id IN (SELECT id FROM users));
ALTER TABLE oidc_identities ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON oidc_identities USING (user_id IN (SELECT id FROM users));
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON api_tokens
  USING (organisation_id IN (SELECT id FROM organisations));
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scope ON audit_log
  USING (organisation_id IN (SELECT id FROM organisations));
ALTER TABLE sign_in_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_locks ENABLE ROW LEVEL SECURITY;
ALTER TABLE oidc_logins ENABLE ROW LEVEL SECURITY;
