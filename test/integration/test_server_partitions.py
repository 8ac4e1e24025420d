# ctest-timeout: 180
"""The yearly partitions of the time-series tables: rows of a year without
its partition wait in DEFAULT and move into the partition when it is
created, and a running server creates the coming years' partitions itself
without anyone running `migrate` again."""

import datetime as dt

import pytest

from openmps_test.openmps_server import OpenMpsServer, make_reading, make_supply
from openmps_test.postgres import PostgresCluster, wait_for

TABLES = ["meter_readings", "supply_levels", "status_history"]


@pytest.fixture(scope="module")
def pg():
    with PostgresCluster() as cluster:
        yield cluster


def count(pg, sql: str) -> int:
    return int(pg.psql(sql).strip())


def exists(pg, table: str) -> bool:
    return pg.psql(f"SELECT to_regclass('{table}') IS NOT NULL").strip() == "t"


def test_rows_in_default_move_into_a_new_partition(pg, tmp_path):
    year = dt.datetime.now(dt.timezone.utc).year
    old = year - 4  # migrate covers year-1 .. year+2: this one goes to DEFAULT
    with OpenMpsServer(pg, tmp_path) as srv:
        srv.add_dealer("D")
        srv.add_customer("C", "D")
        client = srv.add_collector("C")
        read_at = dt.datetime(old, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
        client.submit([make_reading("SER-P1", counters={"total": 7, "color": 3},
                                    supplies=[make_supply(1, "black", 40)], read_at=read_at),
                       make_reading("SER-P1", counters={"total": 9, "color": 4},
                                    read_at=dt.datetime.now(dt.timezone.utc))])
        assert not exists(pg, f"meter_readings_{old}")
        assert count(pg, "SELECT count(*) FROM meter_readings_default") == 2
        assert count(pg, "SELECT count(*) FROM supply_levels_default") == 1
        assert count(pg, "SELECT count(*) FROM status_history_default") == 1

        pg.psql(f"SELECT openmps_ensure_partitions({old}, {old})")
        for t in TABLES:
            assert exists(pg, f"{t}_{old}")
            assert count(pg, f"SELECT count(*) FROM {t}_default") == 0
        assert count(pg, f"SELECT count(*) FROM meter_readings_{old}") == 2
        assert count(pg, f"SELECT count(*) FROM supply_levels_{old}") == 1
        # nothing lost or doubled, and the moved rows are found through the parent
        assert pg.psql("SELECT value FROM meter_readings ORDER BY read_at, value").split() == \
            ["3", "7", "4", "9"]
        # the partition is a real one: its primary key refuses a duplicate
        dev = pg.psql("SELECT id FROM devices WHERE serial = 'SER-P1'").strip()
        with pytest.raises(Exception):
            pg.psql(f"INSERT INTO meter_readings SELECT * FROM meter_readings_{old} "
                    f"WHERE device_id = {dev} LIMIT 1")
        # a second call changes nothing
        pg.psql(f"SELECT openmps_ensure_partitions({old}, {old})")
        assert count(pg, "SELECT count(*) FROM meter_readings") == 4


def test_running_server_creates_coming_partitions(pg, tmp_path):
    year = dt.datetime.now(dt.timezone.utc).year
    srv = OpenMpsServer(pg, tmp_path)
    srv.migrate()
    last = year + 2
    for t in TABLES + ["alert_history"]:
        pg.psql(f"DROP TABLE {t}_{last}")
        assert not exists(pg, f"{t}_{last}")
    srv.start()
    try:
        for t in TABLES + ["alert_history"]:
            assert wait_for(lambda t=t: exists(pg, f"{t}_{last}"), timeout=30), t
    finally:
        assert srv.stop() == 0
