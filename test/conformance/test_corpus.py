# ctest-timeout: 600
"""Conformance over the corpus of real printer recordings (../shared/corpus/printers).

Every recording is served by snmpsim on its own loopback address and read
through the real ``openmps-client probe --json``; one ``openmps-client scan``
over the same addresses classifies them. The test checks that each recording
is identified as what it is (a printer, or a scanner where the recording is
one) by the definition of its family, the same by scan and by probe. For
each recording with expected values it compares serial, model and firmware,
every expected supply (percent within 1 where the raw level and capacity are
plain numbers, our documented state where they are Printer-MIB sentinels)
and the expected page counters. Every supply whose description in the
recording carries a part number or a serial has it in ``part_number`` or
``serial``, and no longer in its description. It prints a per-field
pass-rate table and fails below 100 %, except for cases listed with a reason
in ``known_differences`` beside this file.

The corpus is GPL data of another project and lives beside the repository,
never in it: without it this test is skipped, not passed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from openmps_test.snmpsim import Snmpsim, free_udp_port

SOURCE_DIR = Path(os.environ.get("OPENMPS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("OPENMPS_BUILD_DIR", SOURCE_DIR / "build"))
CORPUS = (SOURCE_DIR / ".." / "shared" / "corpus" / "printers").resolve()
CLIENT = BUILD_DIR / "client" / "openmps-client"
FIRST_HOST = "127.0.42.1"

PRT_SUPPLY_LEVEL = "1.3.6.1.2.1.43.11.1.1.9.1."
PRT_INPUT_LEVEL = "1.3.6.1.2.1.43.8.2.1.10.1."

# Which of our counters each expected counter is. The recordings' expected
# values name OIDs; a print fleet names counters. Anything expected but not
# listed here must be in known_differences with the reason.
COUNTER_MAP = {
    "1.3.6.1.2.1.43.10.2.1.4.1.1": "total",  # prtMarkerLifeCount (impressions or sheets)
    # HP (JetDirect / LaserJet private MIB)
    "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.5.0": "total",
    "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.6.0": "mono",
    "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.22.0": "duplex",
    "1.3.6.1.4.1.11.2.3.9.4.2.1.2.2.1.74.0": "custom.scan.flatbed",
    "1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.34.0": "custom.jams",
    # Zebra: printed length in inches, kept apart from page counters
    "1.3.6.1.4.1.10642.200.17.3.0": "custom.length_inches",
    # Sharp counter table: .3.<function>.<kind>.<colour code>
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.1.4.60": "print.total",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.1.4.61": "print.mono",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.1.4.63": "print.color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.1.4.75": "duplex",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.4.4.60": "copy.total",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.4.4.61": "copy.mono",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.4.4.63": "copy.color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.4.4.64": "custom.copy.two_color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.4.4.80": "custom.copy.single_color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.5.4.61": "mono",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.5.4.63": "color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.5.4.64": "custom.two_color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.5.4.80": "custom.single_color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.5.5.61": "custom.other.mono",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.5.5.63": "custom.other.color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.6.4.70": "custom.document_feeder",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.7.4.50": "scan.total",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.7.4.51": "custom.scan.mono",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.7.4.53": "custom.scan.color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.8.4.50": "custom.scan_to_hdd.total",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.8.4.51": "custom.scan_to_hdd.mono",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.8.4.53": "custom.scan_to_hdd.color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.8.4.54": "custom.scan_to_hdd.two_color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.8.4.60": "custom.filing_print.total",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.8.4.61": "custom.filing_print.mono",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.8.4.63": "custom.filing_print.color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.8.4.64": "custom.filing_print.two_color",
    "1.3.6.1.4.1.2385.1.1.19.2.1.3.8.4.80": "custom.filing_print.single_color",
}

# The definition each recording's family is read with, by the LibreNMS OS
# name in MANIFEST.tsv (a peer's name for the family, not ours).
FAMILY = {
    "brother": "brother", "canonprinter": "canon", "dell-laser": "dell",
    "developprinter": "develop", "epson": "epson", "epson-scanner": "epson_scanner",
    "fujifilmprinter": "xerox", "gestetner": "gestetner", "jetdirect": "hp",
    "konica": "konica_minolta", "kyocera": "kyocera", "lanier": "lanier",
    "lexmarkprinter": "lexmark", "nrg": "nrg", "ricoh": "ricoh",
    "samsungprinter": "samsung", "savin": "savin", "sharp": "sharp",
    "toshiba-tec": "toshiba_tec", "tsc": "tsc", "utax": "utax", "xerox": "xerox",
    "zebra": "zebra",
}

# What a part number or a supply serial looks like inside a description,
# whoever wrote it: serials after "S/N:" or "SN" (Samsung, Xerox), part
# numbers as upper-case tokens of at least five characters with a digit and
# a letter ("CF217A", "006R01700", "TK-5240K", "T9441/T9451"). Independent
# of the definitions' own patterns, so a family whose pattern misses its
# descriptions fails here.
SERIAL_IN_TEXT = re.compile(r"(?:S/N\s*:|;\s*SN)\s*(\S*)")
PART_NUMBER_LIKE = re.compile(
    r"(?<![A-Za-z0-9/-])(?=[A-Z0-9/-]*[0-9])(?=[A-Z0-9/-]*[A-Z])[A-Z0-9][A-Z0-9/-]{4,}(?![A-Za-z0-9/-])")
NOT_KNOWN = {"", "unknown", "none", "n/a", "crum-"}

PRT_SUPPLY_DESCR = "1.3.6.1.2.1.43.11.1.1.6.1."

FIELDS = ["detected", "classified", "serial", "model", "firmware", "supply", "counter",
          "part_number", "supply_serial"]


def load_known_differences() -> dict[tuple[str, str], str]:
    """(recording, case) -> reason, from the file beside this test."""
    out = {}
    path = Path(__file__).with_name("known_differences")
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        assert len(parts) == 3 and len(parts[2]) > 10, \
            f"known_differences:{number}: expected 'RECORDING CASE REASON', got {line!r}"
        out[(parts[0], parts[1])] = parts[2]
    return out


def normalise_model(text: str, manufacturer: str) -> str:
    text = " ".join(text.lower().split())
    prefixes = [manufacturer.lower(), "hewlett-packard", "hp", "konica minolta", "dell",
                "brother", "canon", "fujifilm", "fuji xerox", "xerox", "kyocera"]
    for prefix in prefixes:
        if prefix and text.startswith(prefix + " "):
            return text[len(prefix) + 1:]
    return text


def documented_state(level: int, capacity: int, supply_class: str, unit: str) -> str:
    """Our semantics for what is not a plain level/capacity pair (pmd/README.md)."""
    if level == -1:
        return "other"
    if level == -2:
        return "unknown"
    if level == -3:
        return "some_remaining"
    if level < 0:
        return "unknown"
    # A level without a capacity: only "empty"/"full" or "some remaining" is honest.
    if level == 0:
        return "full" if supply_class == "receptacle" else "empty"
    return "some_remaining"


def plain(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def recordings() -> list[str]:
    return sorted(p.stem for p in (CORPUS / "snmprec").glob("*.snmprec"))


def expected_of(name: str) -> dict:
    path = CORPUS / "expected" / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def families() -> dict[str, str]:
    """recording -> LibreNMS OS name, from MANIFEST.tsv."""
    out = {}
    lines = (CORPUS / "MANIFEST.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t")))
        out[row["name"]] = row["vendor/os"].split("/")[-1]
    return out


def supply_descriptions(name: str) -> dict[int, str]:
    """prtMarkerSuppliesDescription by index, as the recording has it."""
    out = {}
    for line in (CORPUS / "snmprec" / f"{name}.snmprec").read_text(errors="replace").splitlines():
        oid, _, rest = line.partition("|")
        if not oid.startswith(PRT_SUPPLY_DESCR):
            continue
        tag, _, value = rest.partition("|")
        if tag == "4x":
            value = bytes.fromhex(value).decode("utf-8", errors="replace")
        out[int(oid[len(PRT_SUPPLY_DESCR):])] = value.strip()
    return out


@pytest.fixture(scope="module")
def readings():
    """recording -> (probe exit status, stdout, stderr, scan's entry for its address)."""
    if not (CORPUS / "snmprec").is_dir():
        pytest.skip(f"corpus not present at {CORPUS} (it lives beside the project, not in it)")
    assert CLIENT.exists(), f"{CLIENT} not built"
    names = recordings()
    devices = Snmpsim.spread([CORPUS / "snmprec" / f"{n}.snmprec" for n in names],
                             first=FIRST_HOST, port=free_udp_port(FIRST_HOST))
    where = {n: endpoint for n, endpoint in zip(names, devices)}
    with Snmpsim(devices=devices, community="public") as _sim:
        def probe(name: str):
            host, port = where[name]
            proc = subprocess.run(
                [str(CLIENT), "probe", f"{host}:{port}", "--json",
                 "--timeout-ms", "3000", "--retries", "2"],
                capture_output=True, text=True, timeout=120)
            return name, proc.returncode, proc.stdout, proc.stderr
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(probe, names))
        port = next(iter(devices))[1]
        last = list(devices)[-1][0]
        scan = subprocess.run(
            [str(CLIENT), "scan", f"{FIRST_HOST}-{last}", "--port", str(port), "--all", "--json",
             "--timeout-ms", "3000", "--retries", "2"],
            capture_output=True, text=True, timeout=120)
    assert scan.returncode == 0, scan.stderr
    found = {d["address"]: d for d in json.loads(scan.stdout)["devices"]}
    return {name: (rc, out, err, found.get(where[name][0])) for name, rc, out, err in results}


def check_supply_numbers(name: str, reading: dict, record) -> None:
    """Part numbers and serials the recording's descriptions carry are fields of ours."""
    ours = {s["index"]: s for s in reading["supplies"] if s["type"] != "input"}
    for index, text in sorted(supply_descriptions(name).items()):
        s = ours.get(index)
        serial = SERIAL_IN_TEXT.search(text)
        rest = text[:serial.start()] + " " + text[serial.end():] if serial else text
        part = PART_NUMBER_LIKE.search(rest)
        if part:
            want = part.group(0)
            # A description that is the part number alone has no other name to show.
            named = want not in s["description"] if s and text != want else True
            ok = s is not None and s["part_number"] == want and named
            record(name, "part_number", f"part_number:{index}", ok,
                   f"{text!r}: expected part number {want!r}, read "
                   f"{(s or {}).get('part_number')!r} (description {(s or {}).get('description')!r})")
        if serial:
            want = serial.group(1) if serial.group(1).lower() not in NOT_KNOWN else ""
            ok = s is not None and s["serial"] == want and (not want or want not in s["description"])
            record(name, "supply_serial", f"supply_serial:{index}", ok,
                   f"{text!r}: expected serial {want!r}, read {(s or {}).get('serial')!r} "
                   f"(description {(s or {}).get('description')!r})")


def test_corpus_conformance(readings):
    known = load_known_differences()
    used_known: set[tuple[str, str]] = set()
    tally = {field: {"pass": 0, "fail": 0, "known": 0} for field in FIELDS}
    failures: list[str] = []

    def record(name: str, field: str, case: str, ok: bool, detail: str) -> None:
        if ok:
            tally[field]["pass"] += 1
            return
        key = (name, case)
        if key in known:
            used_known.add(key)
            tally[field]["known"] += 1
            return
        tally[field]["fail"] += 1
        failures.append(f"{name}: {case}: {detail}")

    family_of = families()
    for name in recordings():
        rc, out, err, scanned = readings[name]
        exp = expected_of(name)
        reading = json.loads(out) if rc == 0 and out.strip() else None
        record(name, "detected", "probe", reading is not None,
               f"probe exited {rc}: {err.strip()}")
        family = family_of.get(name, "")
        want_kind = "scanner" if family.endswith("scanner") else "printer"
        want_pmd = FAMILY.get(family, "(no family for OS " + family + ")")
        got = (scanned or {}).get("kind"), (scanned or {}).get("pmd")
        record(name, "classified", "classified",
               got == (want_kind, want_pmd) and reading is not None
               and reading["origin"]["pmd"] == want_pmd,
               f"expected {want_kind} by {want_pmd}; scan said {got}, probe read it with "
               f"{reading['origin']['pmd'] if reading else None}")
        if reading is None:
            continue
        check_supply_numbers(name, reading, record)
        ident = reading["identity"]
        derived = exp.get("derived_not_asserted") or {}
        for field, exp_key, ours in (("serial", "serial", ident["serial"]),
                                     ("model", "hardware", ident["model"]),
                                     ("firmware", "version", ident["firmware"])):
            want = exp.get(exp_key) or derived.get(exp_key)
            if not want:
                continue
            if field == "model":
                ok = normalise_model(ours, ident["manufacturer"]) == \
                    normalise_model(want, ident["manufacturer"])
            else:
                ok = ours.strip() == str(want).strip()
            record(name, field, field, ok, f"expected {want!r}, read {ours!r}")

        for sup in exp.get("supplies") or []:
            oid = sup["oid"].lstrip(".")
            if oid.startswith(PRT_INPUT_LEVEL):
                index, is_input = int(oid[len(PRT_INPUT_LEVEL):]), True
            elif oid.startswith(PRT_SUPPLY_LEVEL):
                index, is_input = int(oid[len(PRT_SUPPLY_LEVEL):]), False
            else:
                record(name, "supply", f"supply:{oid}", False, f"unexpected OID {oid}")
                continue
            case = f"supply:{oid}"
            ours = [s for s in reading["supplies"]
                    if s["index"] == index and (s["type"] == "input") == is_input]
            if not ours:
                record(name, "supply", case, False, f"{sup['descr']!r} not reported")
                continue
            s = ours[0]
            level = plain((sup.get("raw_level") or {}).get("value"))
            capacity = plain((sup.get("raw_capacity") or {}).get("value"))
            if level is None:
                level, capacity = s["level"], s["max"]
            if level >= 0 and capacity is not None and capacity > 0:
                got = s["level_percent"]
                ok = got is not None and abs(got - sup["current"]) <= 1
                record(name, "supply", case, ok,
                       f"{sup['descr']!r}: expected {sup['current']} %, read {got}")
            elif s["unit"] == "percent" and level >= 0:
                got = s["level_percent"]
                record(name, "supply", case, got == min(level, 100),
                       f"{sup['descr']!r}: percent unit, level {level}, read {got}")
            else:
                want = documented_state(level, capacity if capacity is not None else -2,
                                        s["class"], s["unit"])
                ok = s["state"] == want and s["level_percent"] is None
                record(name, "supply", case, ok,
                       f"{sup['descr']!r}: raw {level}/{capacity}: expected state {want}, "
                       f"read {s['state']} ({s['level_percent']} %)")

        for counter in exp.get("counters") or []:
            oid = counter["oid"].lstrip(".")
            case = f"counter:{oid}"
            ours_name = COUNTER_MAP.get(oid)
            if ours_name is None:
                record(name, "counter", case, False,
                       f"{counter['descr']!r} ({oid}) has no counter name in COUNTER_MAP")
                continue
            got = reading["counters"].get(ours_name)
            record(name, "counter", case, got == counter["value"],
                   f"{counter['descr']!r}: expected {ours_name}={counter['value']}, read {got}")

    print("\nfield          pass  fail  known  total  pass rate (of what the recordings allow)")
    for field in FIELDS:
        t = tally[field]
        total = t["pass"] + t["fail"] + t["known"]
        allowed = t["pass"] + t["fail"]
        rate = 100.0 * t["pass"] / allowed if allowed else 100.0
        print(f"{field:13} {t['pass']:5} {t['fail']:5} {t['known']:6} {total:6}  {rate:6.1f} %")
    stale = sorted(set(known) - used_known)
    if stale:
        print("known differences that no longer occur (remove them):")
        for key in stale:
            print("  ", *key)
    for line in failures:
        print("FAIL", line)
    assert not failures, f"{len(failures)} conformance failures (see the table above)"
    assert not stale, f"known_differences lists cases that pass now: {stale}"
