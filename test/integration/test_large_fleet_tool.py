"""The benchmarks' fleet generator with other shapes than its defaults: few
days of history (devices last seen longer ago than the history reaches),
customers that mix history and latest-state devices (some of whose batches
were lost). Every read and event must name a batch that arrived, and every
device has its latest state.

    ctest --test-dir build/dev -R test_large_fleet_tool
"""

from __future__ import annotations

import pytest

from openmps_test.large_fleet import build_large_fleet
from openmps_test.openmps_server import OpenMpsServer
from openmps_test.postgres import PostgresCluster

SHAPES = [
    {"customers": 100, "history_devices": 500, "days": 40},
    {"customers": 37, "history_devices": 1234, "days": 20},
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "-".join(str(v) for v in s.values()))
def test_fleet_with_other_options(tmp_path, shape):
    with PostgresCluster() as pg:
        OpenMpsServer(pg, tmp_path / "server", start=False).migrate()
        fleet = build_large_fleet(pg, devices=3000, **shape)
        counts = pg.psql("SELECT (SELECT count(*) FROM devices), (SELECT count(*) FROM device_latest),"
                         " (SELECT count(*) FROM device_reads r LEFT JOIN ingest_batches b"
                         "  ON b.id = r.batch_id WHERE b.id IS NULL)").strip()
    assert fleet.summary["history_devices"] == shape["history_devices"]
    assert counts == "3000|3000|0", counts
