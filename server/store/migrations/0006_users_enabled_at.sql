-- When an administrator last enabled a disabled user: the idle rule
-- (auth.idle_user_disable) counts from the latest of the last sign-in, this
-- and the account's creation, so a re-enabled account is not disabled again
-- at once.
ALTER TABLE users ADD COLUMN enabled_at timestamptz;
