-- What billing, forecasts, alerts and reports need to know about an
-- organisation: its time zone (billing periods, schedules, quiet hours and
-- dates are in local time), the day of the month its billing period starts
-- (a day past the month's end means the month's last day), how many days
-- ahead a toner must be ordered, and the language of mail and reports for
-- readers who are not users. A new customer starts with its dealer's values.
-- The time zone must be one PostgreSQL knows (the check converts a time
-- with it); the server checks names against the same IANA database.
ALTER TABLE organisations
  ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC'
    CHECK (length(time_zone) BETWEEN 1 AND 64
           AND (timestamptz '2000-01-01 00:00:00+00' AT TIME ZONE time_zone) IS NOT NULL),
  ADD COLUMN billing_day smallint NOT NULL DEFAULT 1 CHECK (billing_day BETWEEN 1 AND 31),
  ADD COLUMN order_lead_days smallint NOT NULL DEFAULT 7
    CHECK (order_lead_days BETWEEN 0 AND 365),
  ADD COLUMN locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'de', 'fr', 'it'));
