# ctest-timeout: 120
"""The project's own simulated document scanner (test/fixtures/scanners):
`scan` lists it as a scanner with the definition it matched, and
`probe --json` reads it as one, its scan counter taken from the
PWG-IMAGING-COUNTER-MIB's lifetime work total of the scan service (not the
copy service's, not the power-on or datastream rows)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from openmps_test.snmpsim import Snmpsim

SOURCE_DIR = Path(os.environ.get("OPENMPS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("OPENMPS_BUILD_DIR", SOURCE_DIR / "build"))
CLIENT = BUILD_DIR / "client" / "openmps-client"
FIXTURES = SOURCE_DIR / "test" / "fixtures" / "scanners"
SCANNER = FIXTURES / "epson_ds_scanner.snmprec"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLIENT), *args], capture_output=True, text=True, timeout=60)


def test_fixture_file_is_the_generated_one(tmp_path):
    subprocess.run(["/usr/bin/python3", str(FIXTURES / "make_scanners.py"), str(tmp_path)],
                   check=True)
    assert sorted(p.name for p in FIXTURES.glob("*.snmprec")) == [SCANNER.name]
    assert SCANNER.read_text() == (tmp_path / SCANNER.name).read_text(), \
        "epson_ds_scanner.snmprec differs from what make_scanners.py writes: run it"


def test_scan_and_probe_read_the_scanner_and_its_scan_counter():
    assert CLIENT.exists(), f"{CLIENT} not built"
    devices = Snmpsim.spread([SCANNER], first="127.0.78.1")
    with Snmpsim(devices=devices, community="public") as sim:
        host, port = sim.endpoints[0]
        found = run("scan", host, "--port", str(port), "--json", "--timeout-ms", "2000")
        assert found.returncode == 0, found.stderr
        listed = json.loads(found.stdout)
        assert listed["printers"] == 1
        assert [(d["kind"], d["pmd"]) for d in listed["devices"]] == [("scanner", "epson_scanner")]

        proc = run("probe", f"{host}:{port}", "--community", "public", "--json")
        assert proc.returncode == 0, proc.stderr
        r = json.loads(proc.stdout)
    assert r["identity"]["kind"] == "scanner" and r["origin"]["pmd"] == "epson_scanner"
    assert r["identity"]["model"] == "DS-790WN" and r["identity"]["serial"] == "OMPSEP0005"
    # The copy key's 3,300, the power-on 1,520 and the datastream 60,000
    # are other rows of the same column.
    assert r["counters"]["scan.total"] == 48210, r["counters"]
    assert "total" not in r["counters"] and r["supplies"] == []
    assert r["notes"] == [], r["notes"]
