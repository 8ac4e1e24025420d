# ctest-timeout: 600
"""The whole path with real components on loopback:

snmpsim (printers on several 127.x addresses) ──SNMP──▶ openmps-client run --once
    ──sealed batches, XML-RPC over TLS (certificate pinned)──▶ openmps-server run
    ──▶ PostgreSQL (private cluster)

then `openmps-server fleet --json` must show every device with exactly what
`openmps-client probe --json` reads from the same simulated printer.

The printers are the project's own simulated ones (test/fixtures/printers,
and the document scanner in test/fixtures/scanners) and, where
../shared/corpus/printers exists beside the project, the corpus recordings too, each on its own address; beside them the project's own
non-printers (test/fixtures/others: a Linux host, a switch, a UPS). Every
corpus recording must be stored as a device of its own, and `scan` over the
same addresses must list each as a printer or scanner and the non-printers
as "other" (the test of that is skipped without the corpus).
"""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from openmps_test.client_cli import client
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.postgres import PostgresCluster
from openmps_test.snmpsim import Snmpsim, free_udp_port
from openmps_test.paths import source_dir

CUSTOMER = "Fleet Customer"
DEALER = "Fleet Dealer"
FIRST = "127.0.3.1"


CORPUS = source_dir().parent / "shared" / "corpus" / "printers" / "snmprec"


def recordings() -> list[Path]:
    files = sorted((source_dir() / "test" / "fixtures" / "printers").glob("*.snmprec"))
    files += sorted((source_dir() / "test" / "fixtures" / "scanners").glob("*.snmprec"))
    if CORPUS.is_dir():
        files += sorted(CORPUS.glob("*.snmprec"))
    return files


def non_printers() -> list[Path]:
    return sorted((source_dir() / "test" / "fixtures" / "others").glob("*.snmprec"))


def write_client_config(path: Path, data_dir: Path, first: str, last: str, port: int) -> Path:
    path.write_text(
        f"data_dir: {data_dir}\n"
        "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
        "log_level: info\n"
        "snmp:\n"
        "  timeout_ms: 1000\n"
        "  retries: 1\n"
        "credentials:\n"
        "  - name: public\n"
        "    version: 2c\n"
        "    community: public\n"
        "networks:\n"
        "  - name: lab\n"
        f"    ranges: [\"{first}-{last}\"]\n"
        f"    port: {port}\n"
        "    credentials: [public]\n"
        "carrier:\n"
        "  connect_timeout: 5s\n"
        "  request_timeout: 30s\n"
        "  max_batch_items: 7\n")
    path.chmod(0o600)  # it holds an SNMP community
    return path


def last_address(first: str, count: int) -> str:
    a, b, c, d = (int(x) for x in first.split("."))
    n = (a << 24 | b << 16 | c << 8 | d) + count - 1
    return ".".join(str(n >> s & 255) for s in (24, 16, 8, 0))


@pytest.fixture(scope="module")
def fleet_setup(tmp_path_factory):
    files = recordings()
    if not files:
        pytest.skip("no simulated printers: neither test/fixtures/printers nor ../shared/corpus")
    files += non_printers()
    work = tmp_path_factory.mktemp("fleet")
    port = free_udp_port(FIRST)
    devices = Snmpsim.spread(files, first=FIRST, port=port)
    with PostgresCluster() as pg, Snmpsim(devices=devices, community="public") as sim:
        srv = OpenMpsServer(pg, work / "server")
        with srv:
            srv.add_dealer(DEALER)
            srv.add_customer(CUSTOMER, DEALER)
            enrollment = srv.cli("collector", "add", "--customer", CUSTOMER).stdout.strip()
            config = write_client_config(work / "client.yaml", work / "client-data", FIRST,
                                         last_address(FIRST, len(files)), port)
            yield {"server": srv, "sim": sim, "config": config, "enrollment": enrollment,
                   "port": port, "pg": pg}


def probe(host: str, port: int) -> dict | None:
    out = client("probe", f"{host}:{port}", "--community", "public", "--json",
                 "--timeout-ms", "2000", check=False)
    if out.returncode == 4:  # not a printer
        return None
    assert out.returncode == 0, f"probe {host}:{port}: {out.stderr}"
    return json.loads(out.stdout)


def comparable(reading: dict) -> dict:
    """What a stored reading must keep of what the client read."""
    ident = reading["identity"]
    return {
        "identity": {k: ident.get(k, "") for k in
                     ("manufacturer", "model", "serial", "firmware", "mac", "sys_object_id")},
        "counters": reading["counters"],
        "supplies": sorted(((s.get("description"), s.get("type"), s.get("color"), s.get("level"),
                             s.get("max"), s.get("level_percent"), s.get("state"))
                            for s in reading["supplies"]), key=repr),
    }


def test_enroll_run_once_and_fleet_shows_what_the_client_read(fleet_setup):
    s = fleet_setup
    srv, config = s["server"], s["config"]

    out = client("enroll", s["enrollment"], "--config", str(config))
    assert "enrolled as client" in out.stdout
    key = Path(config).parent / "client-data" / "client.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert s["enrollment"] not in out.stdout + out.stderr, "the enrollment string was echoed"

    run = client("run", "--config", str(config), "--once", timeout=400)
    assert "outbox: 0 readings left" in run.stderr, run.stderr

    status = json.loads(client("status", "--config", str(config), "--json").stdout)
    assert status["outbox"]["stored_items"] == 0
    assert status["outbox"]["confirmed_items"] == status["outbox"]["committed_items"] > 0
    assert status["last_send"] and status["last_sweep"]

    # The devices discovery identified as printers or scanners (a device
    # definition matched, or the standard printer MIBs answered); the
    # non-printers are not among them.
    known = {d["address"]: d for d in status["device_list"] if d["address"]}
    assert len(known) == status["devices"] > 0
    own = {h for (h, _), f in s["sim"].devices.items() if f.parent.name in ("printers", "scanners")}
    assert own <= set(known), f"own simulated printers not discovered: {sorted(own - set(known))}"
    others = {h for (h, _), f in s["sim"].devices.items() if f.parent.name == "others"}
    assert others and not others & set(known), f"non-printers taken for printers: {others & set(known)}"

    fleet = srv.fleet(customer=CUSTOMER)
    stored = {d["identity"]["ip"] or d["origin"]["address"].split(":")[0]: d for d in fleet["devices"]}
    assert fleet["count"] == len(fleet["devices"]) == len(known)
    assert set(stored) == set(known), (sorted(stored), sorted(known))

    # What the client reads from each of them, asked directly, is what the
    # server stored for it.
    mismatches = []
    for host in sorted(known):
        want = probe(host, s["port"])
        assert want is not None, f"{host}: discovered as a printer, probe says it is none"
        got, want = comparable(stored[host]), comparable(want)
        if got != want:
            mismatches.append(f"{host}: stored {json.dumps(got)}\n   probe {json.dumps(want)}")
    assert not mismatches, "\n".join(mismatches)

    # The project's own document scanner is stored as a scanner, billed by
    # its scan counter (PWG imaging counters), and has no page counter.
    scanners = {h for (h, _), f in s["sim"].devices.items() if f.parent.name == "scanners"}
    assert scanners
    for host in scanners:
        got = stored[host]
        assert got["identity"]["kind"] == "scanner", got["identity"]
        assert got["counters"]["scan.total"] == 48210 and "total" not in got["counters"]
    # ...and the meter report a dealer bills from carries its scan counter.
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    erp = Path(s["config"]).parent / "billing-erp.csv"
    srv.cli("report", "billing-erp", "--customer", CUSTOMER, "--format", "csv", "-o", str(erp),
            "--from", today, "--to", today)
    rows = list(csv.reader(io.StringIO(erp.read_bytes().decode("utf-8-sig"), newline="")))
    assert any("OMPSEP0005" in row and "scan.total" in row and "48210" in row for row in rows), rows
    printers = {h for (h, _), f in s["sim"].devices.items() if f.parent.name == "printers"}
    assert {stored[h]["identity"].get("kind", "printer") for h in printers} == {"printer"}


def test_every_corpus_recording_is_stored_and_scan_lists_the_others_as_other(fleet_setup):
    """Runs after the first test: its run --once filled the server."""
    s = fleet_setup
    corpus = {h: f for (h, _), f in s["sim"].devices.items() if f.parent == CORPUS}
    if not corpus:
        pytest.skip(f"corpus not present at {CORPUS} (it lives beside the project, not in it)")
    fleet = s["server"].fleet(customer=CUSTOMER)
    stored = [d["origin"]["address"].split(":")[0] for d in fleet["devices"]]
    missing = sorted(f.stem for h, f in corpus.items() if h not in stored)
    assert not missing, f"corpus recordings the daemon did not store: {missing}"
    assert len([h for h in stored if h in corpus]) == len(corpus) == 27

    hosts = sorted(s["sim"].devices, key=lambda e: tuple(int(x) for x in e[0].split(".")))
    scan = json.loads(client("scan", f"{hosts[0][0]}-{hosts[-1][0]}", "--port", str(s["port"]),
                             "--all", "--json", "--timeout-ms", "2000").stdout)
    kinds = {d["address"]: d["kind"] for d in scan["devices"]}
    wrong = {f.stem: kinds.get(h) for h, f in corpus.items()
             if kinds.get(h) not in ("printer", "scanner")}
    assert not wrong, f"corpus recordings scan does not list as printer or scanner: {wrong}"
    others = {f.stem: kinds.get(h) for (h, _), f in s["sim"].devices.items()
              if f.parent.name == "others"}
    assert others == {name: "other" for name in ("linux_host", "switch", "ups")}, others
    assert scan["printers"] == len(recordings())


def test_a_second_run_sends_new_readings_and_nothing_twice(fleet_setup):
    s = fleet_setup
    config = s["config"]
    before = json.loads(client("status", "--config", str(config), "--json").stdout)
    client("run", "--config", str(config), "--once", timeout=400)
    after = json.loads(client("status", "--config", str(config), "--json").stdout)
    assert after["outbox"]["stored_items"] == 0
    assert after["outbox"]["committed_items"] > before["outbox"]["committed_items"]
    # Every reading the client committed is in the database exactly once.
    client_id = after["client_id"]
    rows = s["pg"].psql(
        f"SELECT count(*), count(DISTINCT item_seq), min(item_seq), max(item_seq) "
        f"FROM device_reads WHERE collector_id = {client_id}").strip()
    count, distinct, low, high = (int(x) for x in rows.split("|"))
    assert count == distinct == after["outbox"]["committed_items"]
    assert (low, high) == (1, after["outbox"]["committed_items"])


def test_a_wrong_certificate_fingerprint_stops_sending_and_keeps_the_readings(fleet_setup, tmp_path):
    s = fleet_setup
    e = Enrollment.decode(s["enrollment"])
    # The same enrollment with another certificate fingerprint.
    forged = Enrollment.encode(e.client_id, e.key, e.servers, "00" * 31 + "01")
    config = write_client_config(tmp_path / "client.yaml", tmp_path / "data", FIRST, FIRST,
                                 s["port"])
    client("enroll", forged, "--config", str(config))
    run = client("run", "--config", str(config), "--once", check=False, timeout=400)
    assert run.returncode == 1, run.stderr
    assert "not the enrolled one" in run.stderr
    status = json.loads(client("status", "--config", str(config), "--json").stdout)
    assert status["outbox"]["stored_items"] == status["outbox"]["committed_items"] > 0
    assert status["outbox"]["rejected_batches"] == 0
    assert e.client_id == status["client_id"]
