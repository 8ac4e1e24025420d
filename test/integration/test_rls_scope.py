# ctest-timeout: 180
"""Tenant isolation in the database itself: queried directly as the API's
role (<owner>_api) in a customer's or a dealer's scope, with no WHERE
clause at all, every tenant table returns only that subtree's rows; without
a scope nothing; the server's own tables, partitions and the audit log's
history are out of reach. This is what keeps a forgotten filter in a route
from leaking another customer's data."""

import subprocess

import pytest

from openmps_test.openmps_server import OpenMpsServer, make_reading, make_supply
from openmps_test.postgres import PostgresCluster

# Every tenant table, and how many rows per device (or per organisation)
# the fixture writes into it.
PER_DEVICE = ["device_reads", "meter_readings", "supply_levels", "supplies", "status_history",
              "device_events", "device_latest"]


@pytest.fixture(scope="module")
def pg():
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def server(pg, tmp_path_factory):
    with OpenMpsServer(pg, tmp_path_factory.mktemp("server")) as srv:
        srv.add_dealer("Dealer One")
        srv.add_customer("Acme", "Dealer One")
        srv.add_customer("Globex", "Dealer One")
        srv.add_dealer("Dealer Two")
        srv.add_customer("Initech", "Dealer Two")
        for customer, serials in (("Acme", ["A1", "A2"]), ("Globex", ["G1"]),
                                  ("Initech", ["I1", "I2", "I3"])):
            client = srv.add_collector(customer)
            readings = [make_reading(s, counters={"total": 100}, ip=f"10.0.0.{i}",
                                     supplies=[make_supply(1, "black", 50)])
                        for i, s in enumerate(serials)]
            client.submit(readings)
        srv.cli("user", "add", "ann", "--role", "customer_admin", "--customer", "Acme")
        srv.cli("user", "add", "ian", "--role", "customer_admin", "--customer", "Initech")
        yield srv


def org_path(pg, name: str) -> str:
    return pg.psql(f"SELECT path FROM organisations WHERE name = '{name}'").strip()


def as_api(pg, path: str | None, sql: str) -> str:
    """Runs sql as the API's role, in the scope of the organisation path."""
    scope = f"SELECT set_config('openmps.org_path', '{path}', false);" if path else ""
    return pg.psql(f"SET ROLE openmps_api; {scope} {sql}").strip().splitlines()[-1]


def count(pg, path: str | None, table: str) -> int:
    return int(as_api(pg, path, f"SELECT count(*) FROM {table}"))


def test_the_api_role_cannot_bypass_row_security(pg, server):
    row = pg.psql("SELECT rolbypassrls, rolsuper, rolcanlogin FROM pg_roles "
                  "WHERE rolname = 'openmps_api'").strip()
    assert row == "f|f|f"


def test_a_customer_sees_its_own_rows_without_any_where(pg, server):
    acme = org_path(pg, "Acme")
    assert count(pg, acme, "devices") == 2
    assert as_api(pg, acme, "SELECT string_agg(serial, ',' ORDER BY serial) FROM devices") == \
        "A1,A2"
    assert as_api(pg, acme, "SELECT string_agg(name, ',' ORDER BY name) FROM organisations") == \
        "Acme"
    for table in PER_DEVICE:
        everything = int(pg.psql(f"SELECT count(*) FROM {table}").strip())
        mine = int(pg.psql(f"SELECT count(*) FROM {table} t JOIN devices d ON d.id = t.device_id "
                           "JOIN organisations o ON o.id = d.customer_id WHERE o.name = 'Acme'")
                   .strip())
        assert mine > 0 and everything > mine, table
        assert count(pg, acme, table) == mine, table
    assert count(pg, acme, "collectors") == 1
    assert count(pg, acme, "ingest_batches") == 1
    assert count(pg, acme, "collector_batch_gaps") == 0
    assert as_api(pg, acme, "SELECT string_agg(username, ',') FROM users") == "ann"


def test_a_dealer_sees_its_customers_and_nothing_of_another_dealer(pg, server):
    dealer = org_path(pg, "Dealer One")
    assert as_api(pg, dealer, "SELECT string_agg(serial, ',' ORDER BY serial) FROM devices") == \
        "A1,A2,G1"
    assert as_api(pg, dealer, "SELECT string_agg(name, ',' ORDER BY name) FROM organisations") \
        == "Acme,Dealer One,Globex"
    assert count(pg, org_path(pg, "Dealer Two"), "devices") == 3


def test_without_a_scope_nothing_is_visible(pg, server):
    for table in ["organisations", "devices", "users", "audit_log"] + PER_DEVICE:
        assert count(pg, None, table) == 0, table


def test_writes_outside_the_scope_are_refused(pg, server):
    acme = org_path(pg, "Acme")
    initech = pg.psql("SELECT id FROM organisations WHERE name = 'Initech'").strip()
    with pytest.raises(subprocess.CalledProcessError) as e:
        as_api(pg, acme, f"INSERT INTO users (organisation_id, username, role) "
                         f"VALUES ({initech}, 'mallory', 'customer_admin')")
    assert "row-level security" in e.value.stderr
    as_api(pg, acme, "UPDATE devices SET location = 'moved' WHERE serial IN ('I1', 'A1')")
    assert pg.psql("SELECT string_agg(serial || '=' || location, ',' ORDER BY serial) FROM "
                   "devices WHERE serial IN ('A1', 'I1')").strip() == "A1=moved,I1="


def test_the_servers_own_tables_and_partitions_are_out_of_reach(pg, server):
    acme = org_path(pg, "Acme")
    for sql in ("SELECT * FROM schema_migrations", "SELECT * FROM sign_in_failures",
                "SELECT * FROM sign_in_locks", "SELECT * FROM oidc_logins",
                "SELECT * FROM meter_readings_default",
                "UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                "TRUNCATE audit_log"):
        with pytest.raises(subprocess.CalledProcessError) as e:
            as_api(pg, acme, sql)
        assert "permission denied" in e.value.stderr, sql
    assert as_api(pg, acme, "SELECT count(*) > 0 FROM counter_names") == "t"


def test_a_restricted_account_sees_its_sites_and_groups_only(pg, server):
    """Acme's A1 on a site, A2 in a group: an account restricted to the site
    (or the group) sees that device's rows in every per-device table, its
    customer and its own site, and nothing of the other device."""
    acme = org_path(pg, "Acme")
    acme_id = acme.strip("{}").split(",")[-1]
    pg.psql(f"INSERT INTO organisations (kind, name, parent_id, path) "
            f"SELECT 'site', s, {acme_id}, '{acme}' FROM unnest(ARRAY['Hall', 'Annex']) s;"
            "UPDATE organisations SET path = path || id WHERE kind = 'site';"
            "UPDATE devices SET site_id = (SELECT id FROM organisations WHERE name = 'Hall')"
            " WHERE serial = 'A1';"
            f"INSERT INTO device_groups (customer_id, name) VALUES ({acme_id}, 'Pair');"
            "INSERT INTO device_group_members (group_id, device_id, customer_id)"
            " SELECT g.id, d.id, d.customer_id FROM device_groups g, devices d WHERE d.serial = 'A2'")
    hall = pg.psql("SELECT id FROM organisations WHERE name = 'Hall'").strip()
    group = pg.psql("SELECT id FROM device_groups WHERE name = 'Pair'").strip()

    def restricted(setting: tuple[str, str], sql: str) -> str:
        name, ids = setting
        return pg.psql(f"SET ROLE openmps_api; SELECT set_config('openmps.org_path', '{acme}', "
                       f"false); SELECT set_config('{name}', '{{{ids}}}', false); {sql}") \
            .strip().splitlines()[-1]

    on_site, in_group = ("openmps.site_ids", hall), ("openmps.device_group_ids", group)
    for setting, serial in ((on_site, "A1"), (in_group, "A2")):
        assert restricted(setting, "SELECT string_agg(serial, ',') FROM devices") == serial
        for table in PER_DEVICE:
            mine = pg.psql(f"SELECT count(*) FROM {table} t JOIN devices d ON d.id = t.device_id"
                           f" WHERE d.serial = '{serial}'").strip()
            assert restricted(setting, f"SELECT count(*) FROM {table}") == mine, (setting, table)
    assert restricted(on_site, "SELECT string_agg(name, ',' ORDER BY name) FROM organisations") \
        == "Acme,Hall"
    assert restricted(on_site, "SELECT count(*) FROM device_groups") == "0"
    assert restricted(in_group, "SELECT count(*) FROM device_group_members") == "1"
    # Notifications are about the whole customer: a restricted account sees none.
    pg.psql(f"INSERT INTO notifications (organisation_id, kind, channel, recipient)"
            f" VALUES ({acme_id}, 'report', 'email', 'ap@acme.example')")
    assert count(pg, acme, "notifications") == 1
    for setting in (on_site, in_group):
        assert restricted(setting, "SELECT count(*) FROM notifications") == "0", setting
    # Unrestricted, the customer sees both sites and both devices again.
    assert count(pg, acme, "devices") == 2
    assert as_api(pg, acme, "SELECT count(*) FROM organisations WHERE kind = 'site'") == "2"


TENANT_COLUMNS = ("customer_id", "organisation_id", "device_id", "collector_id", "user_id",
                  "dealer_id", "site_id", "group_id", "alert_id")


def test_every_table_the_api_role_reaches_is_scoped_by_row_security(pg, server):
    """Tables other engineers add later are covered too: every table the API
    role may write has row-level security, and every table it may read
    without row-level security holds no tenant's rows (no column naming an
    organisation, device, collector, user or alert: a shared vocabulary)."""
    rows = pg.psql(
        "SELECT c.relname, c.relrowsecurity, "
        "has_table_privilege('openmps_api', c.oid, 'INSERT') OR "
        "has_table_privilege('openmps_api', c.oid, 'UPDATE') OR "
        "has_table_privilege('openmps_api', c.oid, 'DELETE'), "
        "has_table_privilege('openmps_api', c.oid, 'SELECT'), "
        "coalesce((SELECT string_agg(a.attname, ',') FROM pg_attribute a WHERE a.attrelid = c.oid "
        "AND a.attnum > 0 AND NOT a.attisdropped), '') "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
        "ORDER BY 1").splitlines()
    assert len(rows) > 20
    reached = 0
    for row in rows:
        table, rls, writes, reads, columns = row.split("|")
        if writes == "t":
            assert rls == "t", f"{table}: the API role may write it, but it has no row security"
        if reads == "t" and rls == "f":
            tenant = [c for c in columns.split(",") if c in TENANT_COLUMNS]
            assert not tenant, f"{table}: readable without row security, yet holds {tenant}"
        reached += reads == "t"
    assert reached > 10
