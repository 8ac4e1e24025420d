# ctest-timeout: 300
"""``openmps-client probe`` with several targets: the project's own simulated
printers (test/fixtures/printers) on several loopback addresses, a silent
address and a device that answers SNMP but is no printer, all read by one
process. Output in the order given (JSON Lines with --json), the status of
the first failure, and each device read exactly as a probe of it alone."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from openmps_test.snmpsim import Snmpsim, free_udp_port

SOURCE_DIR = Path(os.environ.get("OPENMPS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("OPENMPS_BUILD_DIR", SOURCE_DIR / "build"))
CLIENT = BUILD_DIR / "client" / "openmps-client"
FIXTURES = SOURCE_DIR / "test" / "fixtures" / "printers"
SERIALS = {"hp_color_mfp": "OMPSHP0001", "kyocera_mono": "OMPSKY0002",
           "ricoh_mfp": "OMPSRI0003", "brother_mono": "OMPSBR0004"}
SILENT = "127.0.78.250"
TIMING = ["--timeout-ms", "1500", "--retries", "1"]
STATS = re.compile(r"snmp requests (\d+), responses (\d+), timeouts (\d+), devices (\d+)")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLIENT), "probe", *args], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """Eight printers (every fixture twice, in shuffled order) and a router."""
    assert CLIENT.exists(), f"{CLIENT} not built"
    router = tmp_path_factory.mktemp("router") / "router.snmprec"
    router.write_text("1.3.6.1.2.1.1.1.0|4|Acme EdgeRouter 3000\n"
                      "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.99999.1\n"
                      "1.3.6.1.2.1.1.3.0|67|123456\n"
                      "1.3.6.1.2.1.1.5.0|4|edge-1\n")
    names = list(SERIALS) + list(reversed(SERIALS))
    files = [FIXTURES / f"{n}.snmprec" for n in names] + [router]
    with Snmpsim(devices=Snmpsim.spread(files, first="127.0.78.1"), community="public") as sim:
        printers = [f"{h}:{p}" for h, p in sim.endpoints[:-1]]
        h, p = sim.endpoints[-1]
        yield {"printers": printers, "names": names, "router": f"{h}:{p}",
               "silent": f"{SILENT}:{free_udp_port(SILENT)}"}


def stable(reading: dict) -> dict:
    """A reading without what changes between two reads of a simulated
    printer (the time, counters that grow, supply levels that fall)."""
    out = dict(reading)
    for key in ("read_at", "counters", "supplies", "status"):
        out.pop(key, None)
    out["counter_names"] = sorted(reading["counters"])
    out["supply_names"] = [s["description"] for s in reading["supplies"]]
    return out


def test_json_lines_in_order_with_a_silent_device(fleet):
    targets = fleet["printers"][:4] + [fleet["silent"]] + fleet["printers"][4:]
    proc = run(*targets, "--json", "--stats", *TIMING)
    # The silent device is the only failure: a timeout, status 1.
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(targets), proc.stdout
    records = [json.loads(line) for line in lines]
    names = fleet["names"][:4] + [None] + fleet["names"][4:]
    for target, name, record in zip(targets, names, records):
        if name is None:
            assert record == {"address": target, "error": record["error"]}
            assert "no answer" in record["error"], record
            continue
        assert record["origin"]["address"] == target
        assert record["identity"]["serial"] == SERIALS[name], (target, name)
        assert record["notes"] == [], record["notes"]
    errors = [l for l in proc.stderr.splitlines() if not STATS.search(l)]
    assert len(errors) == 1 and fleet["silent"] in errors[0], proc.stderr
    # --stats: every request answered but the silent device's two tries.
    m = STATS.search(proc.stderr)
    assert m, proc.stderr
    requests, responses, timeouts, devices = map(int, m.groups())
    assert devices == len(targets)
    assert timeouts == 1, proc.stderr
    assert requests == responses + 2, proc.stderr


def test_each_device_reads_as_when_probed_alone(fleet):
    targets = fleet["printers"]
    proc = run(*targets, "--json", *TIMING)
    assert proc.returncode == 0, proc.stderr
    together = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(together) == len(targets)
    for target, record in zip(targets, together):
        alone = run(target, "--json", *TIMING)
        assert alone.returncode == 0, alone.stderr
        # One target keeps the indented single object.
        assert alone.stdout.startswith("{\n"), alone.stdout[:80]
        single = json.loads(alone.stdout)
        assert stable(single) == stable(record), target
        for counter, value in single["counters"].items():
            # Counters only grow while the simulator runs.
            assert value >= record["counters"][counter], (target, counter)


def test_summaries_in_order_without_json(fleet):
    targets = fleet["printers"]
    proc = run(*targets, *TIMING)
    assert proc.returncode == 0, proc.stderr
    positions = []
    for target, name in zip(targets, fleet["names"]):
        block = proc.stdout.index(f"  address   {target}\n")
        positions.append(block)
        following = proc.stdout[block:].split("\n\n", 1)[0]
        assert SERIALS[name] in following, (target, name)
    assert positions == sorted(positions)
    assert proc.stderr == ""


def test_status_is_that_of_the_first_failure(fleet):
    good, router, silent = fleet["printers"][0], fleet["router"], fleet["silent"]
    proc = run(good, router, silent, *TIMING)
    assert proc.returncode == 4, proc.stderr  # not a printer
    assert "not a printer" in proc.stderr and "no answer" in proc.stderr
    assert SERIALS[fleet["names"][0]] in proc.stdout
    proc = run(good, silent, router, "--json", *TIMING)
    assert proc.returncode == 1, proc.stderr  # timeout
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r.get("address", r.get("origin", {}).get("address")) for r in records] == \
        [good, silent, router]
    assert "not a printer" in records[2]["error"]
    # One target: exactly as before, nothing on stdout for a failure.
    proc = run(router, "--json", *TIMING)
    assert proc.returncode == 4 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1


def test_usage_errors_name_the_bad_target(fleet):
    proc = run(fleet["printers"][0], "127.0.0.1:notaport", "--json")
    assert proc.returncode == 2
    assert "127.0.0.1:notaport" in proc.stderr
    assert proc.stdout == ""
