"""A large simulated fleet in a test database, for benchmarks.

    from openmps_test.postgres import PostgresCluster
    from openmps_test.openmps_server import OpenMpsServer
    from openmps_test.large_fleet import build_large_fleet

    with PostgresCluster() as pg:
        srv = OpenMpsServer(pg, tmp, start=False)
        srv.migrate()                          # the fleet needs the schema, and no devices yet
        fleet = build_large_fleet(pg)          # ~100,000 devices; see the figures below
        dealer = fleet.history_dealer          # {"id", "name", "customers", "devices", ...}
        srv.start()                            # the server sees the fleet like any other

Shape with the defaults (everything follows from `seed`; dates from `end`):

- 10 dealers (fixed names, some with non-ASCII letters), 1,000 customers
  (100 per dealer, sizes from a few to several hundred devices, 10,000
  devices per dealer), each with a time zone, billing day, order lead time
  and locale, and one collector (random id below 2^53) with its ingest log
  (`ingest_batches`, a batch per day with reads; some batches lost, so
  `collector_batch_gaps` has holes).
- 100,000 devices from 13 real model families (mono and colour printers and
  MFPs, A3, one large-format; levels as whole percent, pages left, 10 % or
  33 % steps, or only "some remaining"), each with `devices`, `supplies`,
  `device_latest` and a `new_device` event, exactly as ingest writes them.
- The first `history_devices` devices (with the defaults exactly the first
  dealer's 10,000: `fleet.history_dealer`) have a read every day for
  `days` days before `end` (default 396, 13 months): `device_reads`,
  `meter_readings` (3 to 7 counters by model: total, mono, color,
  print.total, copy.total, scan.total, fax.total, large.*), `supply_levels`
  (toner and ink cycles: used up with the pages printed, replaced at empty
  after a few days, a little before, or early; drums and waste boxes),
  `status_history` and `alert_history` (low toner, jams, paper). Weekdays
  print ten times weekends, August and the Christmas weeks less. Now and
  then: a gap of days without reads, a lost batch, a counter that reads a
  little lower for a day, a controller swap (counters restart near 0), a
  device replaced by a new one at the same place (new serial, same address
  and location); backwards counters are flagged (`flags` bit 0) with a
  `counter_backwards` event, as ingest does.
- The other devices have their latest state and that one read.

About 4 million reads and 40 million rows; written by COPY over `jobs`
connections in about a minute on two cores (large_fleet_tool prints its
seconds in the summary). The summary (`fleet.summary`) has the row counts
per table, the device id ranges and the dealers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from dataclasses import dataclass

from openmps_test.paths import built


@dataclass
class LargeFleet:
    summary: dict

    @property
    def dealers(self) -> list[dict]:
        return self.summary["dealers"]

    @property
    def history_dealer(self) -> dict | None:
        """The dealer all of whose devices have history (the first, with the defaults)."""
        for d in self.dealers:
            if d["devices"] > 0 and d["history_devices"] == d["devices"]:
                return d
        return None

    @property
    def first_day(self) -> dt.date:
        return dt.date.fromisoformat(self.summary["first_day"])

    @property
    def end(self) -> dt.date:
        return dt.date.fromisoformat(self.summary["end"])

    @property
    def rows(self) -> dict:
        return self.summary["rows"]


def build_large_fleet(pg, *, seed: int = 1, dealers: int = 10, customers: int = 1000,
                      devices: int = 100_000, history_devices: int = 10_000, days: int = 396,
                      end: dt.date | None = None, jobs: int = 2, timeout: float = 900) -> LargeFleet:
    """Writes the fleet into the (migrated, device-free) database of `pg`."""
    args = [str(built("test", "tools", "large_fleet_tool")), "--seed", str(seed),
            "--dealers", str(dealers), "--customers", str(customers), "--devices", str(devices),
            "--history-devices", str(history_devices), "--days", str(days), "--jobs", str(jobs)]
    if end is not None:
        args += ["--end", end.isoformat()]
    env = dict(os.environ, LARGE_FLEET_DATABASE_URI=pg.uri)
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"large_fleet_tool exited {out.returncode}: {out.stderr.strip()}")
    return LargeFleet(json.loads(out.stdout))
