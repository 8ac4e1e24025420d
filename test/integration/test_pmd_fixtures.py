# ctest-timeout: 300
"""The project's own simulated printers (test/fixtures/printers), each read
through the real ``openmps-client probe --json``; and ``pmd check`` over the
definitions, good and broken."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from openmps_test.snmpsim import Snmpsim

SOURCE_DIR = Path(os.environ.get("OPENMPS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("OPENMPS_BUILD_DIR", SOURCE_DIR / "build"))
CLIENT = BUILD_DIR / "client" / "openmps-client"
FIXTURES = SOURCE_DIR / "test" / "fixtures" / "printers"

# What each simulated printer must read as. Counters grow while the
# simulator runs, so they are checked as "at least the starting value".
EXPECTED = {
    "hp_color_mfp": {
        "pmd": "hp", "manufacturer": "HP", "model": "HP Color LaserJet MFP M479fdw",
        "serial": "OMPSHP0001", "firmware": "20240315", "mac": "02:00:5e:10:00:01",
        "counters": {"total": 48210, "mono": 30110, "color": 18100, "duplex": 12050,
                     "custom.jams": 17},
        "supplies": {"Yellow Cartridge": ("low", 8, "W2032A"),
                     "Tray 1": ("some_remaining", None, "")},
        "errors": ["lowToner"], "alert": (1104, "Yellow cartridge low"), "color": True,
    },
    "kyocera_mono": {
        "pmd": "kyocera", "manufacturer": "Kyocera", "model": "ECOSYS P3145dn",
        "serial": "OMPSKY0002", "firmware": "2R7_2000.003.201", "mac": "02:00:5e:10:00:02",
        "counters": {"total": 91000, "print.total": 91000, "print.mono": 91000},
        "supplies": {"Waste Toner Box": ("some_remaining", None, ""),
                     "TK-3160": (None, None, "TK-3160")},
        "errors": [], "alert": None, "color": False,
    },
    "ricoh_mfp": {
        "pmd": "ricoh", "manufacturer": "Ricoh", "model": "IM C3000", "serial": "OMPSRI0003",
        "firmware": "1.02", "mac": "02:00:5e:10:00:03",
        "counters": {"total": 152000, "print.mono": 60000, "print.color": 40000,
                     "copy.mono": 32000, "copy.color": 20000, "fax.total": 2100,
                     "scan.total": 8800, "mono": 92000, "color": 60000},
        "supplies": {"Magenta Toner": ("some_remaining", None, ""),
                     "Yellow Toner": ("empty", 0, ""), "Waste Toner": ("ok", 100, "")},
        "errors": ["noToner"], "alert": (1101, "markerTonerEmpty"), "color": True,
    },
    "brother_mono": {
        "pmd": "brother", "manufacturer": "Brother", "model": "HL-L5100DN",
        "serial": "OMPSBR0004", "firmware": "1.02", "mac": "02:00:5e:10:00:04",
        "counters": {"total": 23400},
        "supplies": {"Black Toner Cartridge": ("some_remaining", None, ""),
                     "MP Tray": ("empty", None, "")},
        "errors": [], "alert": None, "color": False,
    },
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLIENT), *args], capture_output=True, text=True, timeout=60)


def test_fixture_files_are_the_generated_ones(tmp_path):
    """make_fixtures.py is the source; the committed files must match it."""
    subprocess.run(["/usr/bin/python3", str(FIXTURES / "make_fixtures.py"), str(tmp_path)],
                   check=True)
    assert sorted(p.stem for p in FIXTURES.glob("*.snmprec")) == sorted(EXPECTED)
    for name in EXPECTED:
        generated = (tmp_path / f"{name}.snmprec").read_text()
        assert (FIXTURES / f"{name}.snmprec").read_text() == generated, \
            f"{name}.snmprec differs from what make_fixtures.py writes: run it"


def test_probe_each_simulated_printer():
    assert CLIENT.exists(), f"{CLIENT} not built"
    files = [FIXTURES / f"{name}.snmprec" for name in EXPECTED]
    devices = Snmpsim.spread(files, first="127.0.77.1")
    with Snmpsim(devices=devices, community="public") as sim:
        for (host, port), name in zip(sim.endpoints, EXPECTED):
            want = EXPECTED[name]
            proc = run("probe", f"{host}:{port}", "--community", "public", "--json")
            assert proc.returncode == 0, f"{name}: {proc.stderr}"
            r = json.loads(proc.stdout)
            ident = r["identity"]
            assert r["origin"]["pmd"] == want["pmd"], name
            for key in ("manufacturer", "model", "serial", "firmware", "mac"):
                assert ident[key] == want[key], f"{name}: {key}"
            for counter, least in want["counters"].items():
                assert r["counters"].get(counter, -1) >= least, f"{name}: {counter}"
            supplies = {s["description"]: s for s in r["supplies"]}
            for descr, (state, percent, part) in want["supplies"].items():
                s = supplies[descr]
                if state is not None:
                    assert s["state"] == state, f"{name}: {descr}"
                if percent is not None:
                    assert s["level_percent"] == percent, f"{name}: {descr}"
                assert s["part_number"] == part, f"{name}: {descr}"
            assert r["status"]["errors"] == want["errors"], name
            if want["alert"]:
                alert = r["status"]["alerts"][0]
                assert (alert["code"], alert["text"]) == want["alert"], name
            assert r["capabilities"]["color"] is want["color"], name
            assert r["notes"] == [], f"{name}: {r['notes']}"
            # The readable form says the same.
            text = run("probe", f"{host}:{port}", "--community", "public")
            assert text.returncode == 0 and want["serial"] in text.stdout


def test_probe_errors_are_one_line_and_non_zero(tmp_path):
    # Nobody answers on this port: a timeout, said in one line.
    proc = run("probe", "127.0.77.250:9", "--timeout-ms", "200", "--retries", "0")
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "127.0.77.250:9" in proc.stderr
    proc = run("probe")
    assert proc.returncode == 2


def test_pmd_check_passes_on_the_definitions_and_names_file_line_field(tmp_path):
    proc = run("pmd", "check", str(SOURCE_DIR / "pmd"))
    assert proc.returncode == 0, proc.stderr
    assert "all valid" in proc.stdout
    broken = tmp_path / "pmd"
    broken.mkdir()
    (broken / "generic.yaml").write_text((SOURCE_DIR / "pmd" / "generic.yaml").read_text())
    (broken / "acme.yaml").write_text(
        "pmd: 1\nname: Acme\nmatch: [{sysDescr: ACME}]\ncounters:\n  totl: [1.3.6.1.4.1.9.1.0]\n")
    proc = run("pmd", "check", str(broken))
    assert proc.returncode == 1
    assert f"{broken / 'acme.yaml'}:5:9: counters.totl:" in proc.stderr, proc.stderr
