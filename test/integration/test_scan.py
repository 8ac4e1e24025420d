# ctest-timeout: 300
"""openmps-client scan against simulated devices on several loopback addresses."""

import json
import os
import socket
import subprocess
from pathlib import Path

import pytest

from openmps_test.fault_proxy import SilentAgents
from openmps_test.snmpd import Snmpd, V3User
from openmps_test.snmpsim import Snmpsim

BUILD = Path(os.environ.get("OPENMPS_BUILD_DIR", "build"))
CLIENT = BUILD / "client" / "openmps-client"


def oid_key(oid):
    return tuple(int(a) for a in oid.split("."))


def write_recording(path: Path, rows: dict):
    path.write_text("".join(f"{o}|{t}|{v}\n" for o, (t, v) in sorted(rows.items(), key=lambda kv: oid_key(kv[0]))))
    return path


def system(descr, object_id, name):
    return {
        "1.3.6.1.2.1.1.1.0": (4, descr),
        "1.3.6.1.2.1.1.2.0": (6, object_id),
        "1.3.6.1.2.1.1.5.0": (4, name),
        "1.3.6.1.2.1.2.2.1.6.1": (4, ""),
    }


def printer(serial, mac_hex):
    rows = system(f"ACME Printer {serial}", "1.3.6.1.4.1.99999.1", f"prn-{serial}")
    rows.update({
        "1.3.6.1.2.1.2.2.1.6.2": ("4x", mac_hex),
        "1.3.6.1.2.1.25.3.2.1.2.1": (6, "1.3.6.1.2.1.25.3.1.5"),
        "1.3.6.1.2.1.43.5.1.1.16.1": (4, f"ACME-{serial}"),
        "1.3.6.1.2.1.43.5.1.1.17.1": (4, serial),
        "1.3.6.1.2.1.43.10.2.1.4.1.1": (65, 4242),
    })
    return rows


def hr_only_printer():
    rows = system("Old printer without Printer-MIB", "1.3.6.1.4.1.99999.2", "old")
    rows["1.3.6.1.2.1.25.3.2.1.2.1"] = (6, "1.3.6.1.2.1.25.3.1.3")  # a processor first
    rows["1.3.6.1.2.1.25.3.2.1.2.2"] = (6, "1.3.6.1.2.1.25.3.1.5")
    return rows


def router():
    rows = system("ACME Router", "1.3.6.1.4.1.9.1.1", "gw")
    rows["1.3.6.1.2.1.2.2.1.6.1"] = ("4x", "001122334455")
    rows["1.3.6.1.2.1.4.1.0"] = (2, 1)
    return rows


def vendor_only_printer():
    """An office machine that answers the system group and its vendor's MIB only."""
    rows = system("KYOCERA Document Solutions Printing System", "1.3.6.1.4.1.1347.41", "kyo")
    rows["1.3.6.1.4.1.1347.43.5.1.1.1.1"] = (4, "ECOSYS M2540dn")
    return rows


def document_scanner():
    rows = system("EPSON Network Scan Server", "1.3.6.1.4.1.1248.1.1.2.1.3", "scan")
    rows["1.3.6.1.2.1.25.3.2.1.2.1"] = (6, "1.3.6.1.2.1.25.3.1.1")
    rows["1.3.6.1.2.1.25.3.2.1.3.1"] = (4, "DS-790WN")
    return rows


def common_port(hosts):
    """A UDP port free on every host."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((hosts[0], 0))
            port = s.getsockname()[1]
        try:
            for h in hosts:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind((h, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no common free port")


# Long enough for a simulator on a loaded machine to answer; a silent
# address costs two of them.
TIMING = ["--timeout-ms", 1000, "--retries", 1]


def scan(*args, timeout=120):
    return subprocess.run([str(CLIENT), "scan", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    d = tmp_path_factory.mktemp("fleet")
    a = write_recording(d / "a.snmprec", printer("SERIAL-A", "aabbcc000001"))
    b = write_recording(d / "b.snmprec", printer("SERIAL-B", "aabbcc000002"))
    hr = write_recording(d / "hr.snmprec", hr_only_printer())
    gw = write_recording(d / "gw.snmprec", router())
    c = write_recording(d / "c.snmprec", printer("SERIAL-C", "aabbcc000003"))
    kyo = write_recording(d / "kyo.snmprec", vendor_only_printer())
    ds = write_recording(d / "ds.snmprec", document_scanner())
    hosts = [f"127.0.4.{i}" for i in range(1, 13)]
    port = common_port(hosts)
    public = {("127.0.4.1", port): a, ("127.0.4.2", port): b, ("127.0.4.3", port): a,
              ("127.0.4.4", port): gw, ("127.0.4.5", port): hr,
              ("127.0.4.11", port): kyo, ("127.0.4.12", port): ds}
    secret = {("127.0.4.6", port): c}
    with Snmpsim(devices=public, community="public"), Snmpsim(devices=secret, community="s3cret"):
        yield port


def test_scan_finds_printers_once_and_tells_them_from_other_devices(fleet):
    silent = [(f"127.0.4.{i}", fleet) for i in range(7, 11)]
    with SilentAgents(silent) as agents:
        proc = scan("127.0.4.1-127.0.4.10", "--port", fleet, *TIMING, "--all", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress line when stderr is not a terminal
    out = json.loads(proc.stdout)
    assert out["probed"] == 10
    assert out["answered"] == 5
    by_addr = {d["address"]: d for d in out["devices"]}
    assert set(by_addr) == {"127.0.4.1", "127.0.4.2", "127.0.4.4", "127.0.4.5"}
    a = by_addr["127.0.4.1"]
    assert a["printer"] and a["serial"] == "SERIAL-A" and a["mac"] == "aa:bb:cc:00:00:01"
    assert a["also_at"] == ["127.0.4.3"]
    assert a["credential"] == "v2c"
    assert a["printer_name"] == "ACME-SERIAL-A"
    assert by_addr["127.0.4.2"]["serial"] == "SERIAL-B"
    assert by_addr["127.0.4.5"]["printer"], "hrDevicePrinter on the second hrDevice row"
    assert not by_addr["127.0.4.4"]["printer"]
    assert out["printers"] == 3
    # Ten addresses at once: the silent ones were all asked before any of
    # them was asked again, so together they cost one timeout.
    assert agents.asked_all_at_once(), agents.summary()


def test_scan_tries_communities_in_order(fleet):
    proc = scan("127.0.4.1", "127.0.4.6", "--port", fleet, "--community", "public", "--community",
                "s3cret", *TIMING, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    cred = {d["address"]: d["credential"] for d in out["devices"]}
    assert cred == {"127.0.4.1": "v2c community #1", "127.0.4.6": "v2c community #2"}
    assert "s3cret" not in proc.stdout


def test_scan_text_output_lists_printers_only(fleet):
    proc = scan("127.0.4.0/29", "--port", fleet, *TIMING)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[-1].startswith("6 addresses asked")
    assert "3 printers" in lines[-1]
    body = "\n".join(lines[:-1])
    assert "SERIAL-A" in body and "(also at 127.0.4.3)" in body
    assert "ACME Router" not in body


def test_scan_over_snmpv3(tmp_path):
    rec = write_recording(tmp_path / "p.snmprec", printer("SERIAL-V3", "aabbcc0000ff"))
    with Snmpsim(devices={("127.0.4.20", common_port(["127.0.4.20"])): rec}, community="public") as sim:
        host, port = sim.endpoints[0]
        users = [V3User("alice", "SHA-256", "authpass123", "AES", "privpass123")]
        with Snmpd(users, host="127.0.4.21", proxies={"printer": (host, port, "public")}) as agent:
            v3 = ["--user", "alice", "--auth-protocol", "SHA-256", "--auth-password", "authpass123",
                  "--priv-protocol", "AES", "--priv-password", "privpass123"]
            proc = scan("127.0.4.21", "--port", agent.port, *v3, "--context", "printer",
                        *TIMING, "--json")
            assert proc.returncode == 0, proc.stderr
            out = json.loads(proc.stdout)
            assert [d["serial"] for d in out["devices"]] == ["SERIAL-V3"]
            assert out["devices"][0]["credential"] == "v3 user alice SHA-256/AES-128 context printer"
            # A wrong password is counted as refused, not as silence.
            bad = list(v3)
            bad[5] = "wrongpass1"
            proc = scan("127.0.4.21", "--port", agent.port, *bad, *TIMING, "--json")
            out = json.loads(proc.stdout)
            assert out["devices"] == [] and out["refused"] == 1


def test_scan_usage_errors():
    proc = scan()
    assert proc.returncode == 2 and "RANGE" in proc.stderr
    proc = scan("10.0.0.0/33")
    assert proc.returncode == 2 and "10.0.0.0/33" in proc.stderr


def test_scan_resolves_host_names(tmp_path):
    # Ranges may name hosts; "localhost" is the one name every machine
    # resolves without a DNS server (to 127.0.0.1).
    recording = write_recording(tmp_path / "named.snmprec", printer("SERIAL-N", "aabbcc0000ff"))
    port = common_port(["127.0.0.1"])
    with Snmpsim(devices={("127.0.0.1", port): recording}, community="public"):
        proc = scan("localhost", "--port", port, *TIMING, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [(d["address"], d["serial"]) for d in out["devices"]] == [("127.0.0.1", "SERIAL-N")]
    # A name that does not resolve is skipped with a word, the rest is swept.
    proc = scan("no-such-host.invalid", "--port", port, *TIMING)
    assert proc.returncode == 0, proc.stderr
    assert "cannot resolve 'no-such-host.invalid', skipped" in proc.stderr


def test_scan_asks_the_device_definitions_and_names_kind_and_definition(fleet):
    proc = scan("127.0.4.4", "127.0.4.11", "127.0.4.12", "--port", fleet, *TIMING, "--all", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    found = {d["address"]: (d["kind"], d["pmd"], d["printer"]) for d in out["devices"]}
    assert found == {"127.0.4.4": ("other", "generic", False),
                     "127.0.4.11": ("printer", "kyocera", True),
                     "127.0.4.12": ("scanner", "epson_scanner", True)}
    assert out["printers"] == 2
    text = scan("127.0.4.4", "127.0.4.11", "127.0.4.12", "--port", fleet, *TIMING, "--all")
    lines = {line.split()[0]: line.split()[1:3] for line in text.stdout.splitlines()[:-1]}
    assert lines == {"127.0.4.4": ["other", "-"], "127.0.4.11": ["printer", "kyocera"],
                     "127.0.4.12": ["scanner", "epson_scanner"]}
