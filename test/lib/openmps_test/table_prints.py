"""What the database holds, as one checksum per table: a test that must
change nothing compares the prints taken before and after."""

# The users table without its sign-in bookkeeping (last sign-in and the
# like), which a refused request may rightly touch.
_USERS = ("SELECT md5(string_agg(concat_ws('|', id, organisation_id, username, "
          "display_name, email, role, site_ids, device_group_ids, locale, password_hash, "
          "totp_secret, disabled_at), ',' ORDER BY id)) FROM users")


def table_prints(pg, uncompared: set[str]) -> dict[str, str]:
    """A checksum of every table of the public schema but those named (the
    users table is always printed without its sign-in bookkeeping)."""
    skip = set(uncompared) | {"users"}
    tables = [t for t in pg.psql(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "ORDER BY 1").split() if t not in skip]
    sql = " UNION ALL ".join(f"SELECT '{t}', md5(coalesce(string_agg(x::text, ',' ORDER BY "
                             f"x::text), '')) FROM {t} x" for t in tables)
    prints = dict(line.split("|") for line in pg.psql(sql).splitlines())
    prints["users"] = pg.psql(_USERS).strip()
    return prints
