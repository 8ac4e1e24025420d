# ctest-timeout: 300
"""NetSnmpClient against real agents: snmpsim recordings (v1, v2c) and a
private snmpd with SNMPv3 users, through test/tools/snmp_tool."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from openmps_test.fault_proxy import SilentAgents
from openmps_test.snmpd import Snmpd, V3User
from openmps_test.snmpsim import Snmpsim, free_udp_port

BUILD = Path(os.environ.get("OPENMPS_BUILD_DIR", "build"))
TOOL = BUILD / "test" / "tools" / "snmp_tool"

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SUPPLIES = "1.3.6.1.2.1.43.11"


def oid_key(oid):
    return tuple(int(a) for a in oid.split("."))


def write_recording(path: Path, rows: dict):
    """rows: {oid: (tag, value)} -> a sorted .snmprec file."""
    lines = [f"{oid}|{tag}|{value}" for oid, (tag, value) in sorted(rows.items(), key=lambda kv: oid_key(kv[0]))]
    path.write_text("\n".join(lines) + "\n")


def printer_rows(serial="CN12345678", supplies=120):
    rows = {
        "1.3.6.1.2.1.1.1.0": (4, "OpenMPS Test Printer 9000"),
        "1.3.6.1.2.1.1.2.0": (6, "1.3.6.1.4.1.99999.1"),
        "1.3.6.1.2.1.1.3.0": (67, 123456),
        "1.3.6.1.2.1.1.5.0": (4, "printer-1"),
        "1.3.6.1.2.1.25.3.2.1.2.1": (6, "1.3.6.1.2.1.25.3.1.5"),
        "1.3.6.1.2.1.43.5.1.1.17.1": (4, serial),
        "1.3.6.1.2.1.43.10.2.1.4.1.1": (65, 4000000000),
        "1.3.6.1.2.1.31.1.1.1.10.1": (70, 18446744073709551615),
    }
    for i in range(1, supplies + 1):
        rows[f"1.3.6.1.2.1.43.11.1.1.6.1.{i}"] = (4, f"Supply {i}")
        rows[f"1.3.6.1.2.1.43.11.1.1.8.1.{i}"] = (2, 1000 + i)
        rows[f"1.3.6.1.2.1.43.11.1.1.9.1.{i}"] = (2, -3 if i % 7 == 0 else i)
    return rows


def run_tool(*args, timeout=60):
    proc = subprocess.run([str(TOOL), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert lines and "summary" in lines[-1], f"no summary: {proc.stdout}\n{proc.stderr}"
    return proc.returncode, lines[:-1], lines[-1]["summary"]


def single(*args, **kw):
    rc, targets, summary = run_tool(*args, **kw)
    assert len(targets) == 1
    return rc, targets[0]["results"], summary


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    d = tmp_path_factory.mktemp("rec")
    write_recording(d / "printer.snmprec", printer_rows())
    write_recording(d / "other.snmprec", printer_rows(serial="OTHER0001", supplies=3))
    return d


@pytest.fixture(scope="module")
def sim(recordings):
    with Snmpsim(recordings, endpoints=[("127.0.2.1", free_udp_port("127.0.2.1"))]) as s:
        yield s


def addr(sim):
    host, port = sim.endpoints[0]
    return f"{host}:{port}"


def test_tool_is_built():
    assert TOOL.exists(), f"{TOOL} missing: build the snmp_tool target"


@pytest.mark.parametrize("version", ["1", "2c"])
def test_get_existing_and_missing(sim, version):
    rc, results, summary = single("--snmp-version", version, "--community", "printer",
                                  "--get", SYS_DESCR, "--get", "1.3.6.1.2.1.1.99.0",
                                  "--get", "1.3.6.1.2.1.43.5.1.1.17.1", addr(sim))
    assert rc == 0, results
    vbs = results[0]["varbinds"]
    assert [v["oid"] for v in vbs] == [SYS_DESCR, "1.3.6.1.2.1.1.99.0", "1.3.6.1.2.1.43.5.1.1.17.1"]
    assert vbs[0]["value"] == "OpenMPS Test Printer 9000"
    assert vbs[2]["value"] == "CN12345678"
    # v2c answers the exception inline; v1 answers noSuchName and the client
    # asks again without the bad OID, keeping the others.
    assert vbs[1]["type"] in ("noSuchObject", "noSuchInstance")
    if version == "1":
        assert summary["requests"] == 2
    else:
        assert summary["requests"] == 1


def test_value_types_keep_their_range(sim):
    rc, results, _ = single("--community", "printer", "--get", "1.3.6.1.2.1.43.10.2.1.4.1.1",
                            "--get", "1.3.6.1.2.1.31.1.1.1.10.1", "--get", "1.3.6.1.2.1.1.2.0",
                            addr(sim))
    assert rc == 0
    vbs = results[0]["varbinds"]
    assert (vbs[0]["type"], vbs[0]["value"]) == ("Counter32", 4000000000)
    assert (vbs[1]["type"], vbs[1]["value"]) == ("Counter64", 18446744073709551615)
    assert (vbs[2]["type"], vbs[2]["value"]) == ("OBJECT IDENTIFIER", "1.3.6.1.4.1.99999.1")


@pytest.mark.parametrize("version", ["1", "2c"])
def test_walk_returns_the_whole_subtree(sim, version):
    expected = [oid for oid in sorted(printer_rows(), key=oid_key) if oid.startswith(SUPPLIES + ".")]
    rc, results, summary = single("--snmp-version", version, "--community", "printer",
                                  "--walk", SUPPLIES, addr(sim))
    assert rc == 0, results
    got = [v["oid"] for v in results[0]["varbinds"]]
    assert got == expected
    assert results[0]["varbinds"][6]["value"] == "Supply 7"
    if version == "2c":
        # GETBULK with 25 repetitions: 360 rows in 15 requests, not 361.
        assert summary["requests"] <= len(expected) // 25 + 2
    else:
        assert summary["requests"] == len(expected) + 1


def test_walk_max_rows_and_small_bulks(sim):
    rc, results, summary = single("--community", "printer", "--walk", SUPPLIES, "--max-rows", "10",
                                  "--max-repetitions", "3", addr(sim))
    assert rc == 0
    assert len(results[0]["varbinds"]) == 10
    assert summary["requests"] == 4


def test_getnext(sim):
    rc, results, _ = single("--community", "printer", "--getnext", "1.3.6.1.2.1.1.1", addr(sim))
    assert rc == 0
    assert results[0]["varbinds"][0]["oid"] == SYS_DESCR


def test_no_agent_times_out_after_its_tries():
    silent = ("127.0.2.9", free_udp_port("127.0.2.9"))
    with SilentAgents([silent]) as agent:
        rc, results, summary = single("--timeout-ms", "300", "--retries", "1", "--get", SYS_DESCR,
                                      "%s:%d" % silent)
    assert rc == 1
    assert results[0]["kind"] == "timeout"
    assert "within 2 × 300 ms" in results[0]["message"]
    assert summary["requests"] == 2
    # Both tries reached the device: the retry repeats the request byte for byte.
    assert len(agent.arrivals) == 2 and agent.arrivals[0] == agent.arrivals[1], agent.summary()


def test_wrong_community_is_a_timeout(sim):
    rc, results, _ = single("--community", "nosuchcommunity", "--timeout-ms", "200", "--retries",
                            "0", "--get", SYS_DESCR, addr(sim))
    assert rc == 1 and results[0]["kind"] == "timeout"


def test_unresolvable_host_is_a_network_error():
    rc, results, _ = single("--get", SYS_DESCR, "no-such-host.invalid")
    assert rc == 1 and results[0]["kind"] == "network error"
    assert "no-such-host.invalid" in results[0]["message"]


def test_many_devices_at_once(recordings, tmp_path):
    files = [recordings / "printer.snmprec"] * 10 + [recordings / "other.snmprec"] * 10
    devices = Snmpsim.spread(files, first="127.0.3.1")
    silent = [(f"127.0.3.{200 + i}", free_udp_port(f"127.0.3.{200 + i}")) for i in range(3)]
    with Snmpsim(devices=devices, community="public") as s, SilentAgents(silent) as agents:
        targets = [f"{h}:{p}" for h, p in s.endpoints]
        rc, per_target, summary = run_tool("--walk", SUPPLIES, "--get", SYS_DESCR, "--counts-only",
                                           "--timeout-ms", "1000", "--retries", "1",
                                           *targets, *[f"{h}:{p}" for h, p in silent])
    assert rc == 1  # the silent ones
    by_target = {t["target"]: t["results"] for t in per_target}
    for i, target in enumerate(targets):
        walk = by_target[target][1]
        assert walk["ok"], walk
        assert walk["count"] == (360 if i < 10 else 9)
    for h, p in silent:
        assert by_target[f"{h}:{p}"][0]["kind"] == "timeout"
    # All at once: each silent device was asked before any was asked again,
    # so together they cost one timeout, not one each.
    assert agents.asked_all_at_once(), agents.summary()


# ---- SNMPv3 against snmpd ------------------------------------------------------------

USERS = [
    V3User("alice", "SHA-256", "authpass123", "AES", "privpass123"),
    V3User("dora", "SHA", "authpass789", "DES", "privpass789"),
    V3User("bob", "SHA-512", "authpass456"),
]


def v3(user="alice", auth="SHA-256", auth_pw="authpass123", priv="AES", priv_pw="privpass123",
       context=None, timeout_ms=1000):
    args = ["--user", user, "--timeout-ms", timeout_ms, "--retries", "1"]
    if auth:
        args += ["--auth-protocol", auth, "--auth-password", auth_pw]
    if priv:
        args += ["--priv-protocol", priv, "--priv-password", priv_pw]
    if context is not None:
        args += ["--context", context]
    return args


@pytest.fixture(scope="module")
def agent(recordings):
    with Snmpsim(recordings, endpoints=[("127.0.2.2", free_udp_port("127.0.2.2"))]) as printer:
        host, port = printer.endpoints[0]
        with Snmpd(USERS, host="127.0.2.3", contexts=["ctx1"],
                   proxies={"printer": (host, port, "printer")}) as a:
            yield a


@pytest.mark.parametrize("creds", [
    v3(),
    v3(user="dora", auth="SHA", auth_pw="authpass789", priv="DES", priv_pw="privpass789"),
    v3(user="bob", auth="SHA-512", auth_pw="authpass456", priv=None),
], ids=["sha256-aes", "sha1-des", "sha512-authnopriv"])
def test_v3_right_credentials(agent, creds):
    rc, results, summary = single(*creds, "--get", SYS_DESCR, agent.address)
    assert rc == 0, results
    assert results[0]["varbinds"][0]["value"] == "OpenMPS test agent"
    assert summary["requests"] == 2  # engine discovery + the GET


def test_v3_walk(agent):
    rc, results, _ = single(*v3(), "--walk", "1.3.6.1.2.1.1", agent.address)
    assert rc == 0
    oids = [v["oid"] for v in results[0]["varbinds"]]
    assert SYS_DESCR in oids and len(oids) > 5


def test_v3_with_context(agent):
    rc, results, _ = single(*v3(context="ctx1"), "--get", SYS_DESCR, agent.address)
    assert rc == 0, results
    assert results[0]["varbinds"][0]["value"] == "OpenMPS test agent"


def test_v3_context_reaches_a_simulated_printer(agent):
    rc, results, _ = single(*v3(context="printer"), "--get", SYS_DESCR, "--walk", SUPPLIES,
                            "--counts-only", agent.address)
    assert rc == 0, results
    assert results[0]["count"] == 1 and results[1]["count"] == 360


# A timeout of ten minutes: the REPORT must be the answer, or the tool
# would still be waiting when its subprocess deadline ends the test.
NEVER = 600_000


def test_v3_wrong_auth_password_fails_at_once(agent):
    rc, results, _ = single(*v3(auth_pw="wrongpass1", timeout_ms=NEVER), "--get", SYS_DESCR,
                            agent.address, timeout=120)
    assert rc == 1
    assert results[0]["kind"] == "authentication failed"
    assert "alice" in results[0]["message"] and "wrongpass1" not in results[0]["message"]


def test_v3_unknown_user_fails_at_once(agent):
    rc, results, _ = single(*v3(user="mallory", timeout_ms=NEVER), "--get", SYS_DESCR,
                            agent.address, timeout=120)
    assert rc == 1
    assert results[0]["kind"] == "unknown user"


def test_v3_wrong_priv_password_is_diagnosed(agent):
    # snmpd drops what it cannot decrypt; the client then checks that the
    # user authenticates without privacy and names the privacy password.
    rc, results, _ = single(*v3(priv_pw="wrongpriv1", timeout_ms=1000), "--get", SYS_DESCR,
                            agent.address)
    assert rc == 1
    assert results[0]["kind"] == "decryption failed"
    assert "privacy password" in results[0]["message"]


def test_v3_unknown_context_is_diagnosed(agent):
    rc, results, _ = single(*v3(context="nosuchctx", timeout_ms=1000), "--get", SYS_DESCR,
                            agent.address)
    assert rc == 1
    assert results[0]["kind"] == "unknown context"
    assert "nosuchctx" in results[0]["message"]


def test_v3_silent_device_times_out_in_discovery():
    silent = ("127.0.2.8", free_udp_port("127.0.2.8"))
    with SilentAgents([silent]) as agent:
        rc, results, summary = single(*v3(timeout_ms=300), "--get", SYS_DESCR, "%s:%d" % silent)
    assert rc == 1
    assert results[0]["kind"] == "timeout"
    assert "engine discovery" in results[0]["message"]
    # The discovery request and its retry (a v3 retry has a message ID of its own).
    assert len(agent.arrivals) == 2, agent.summary()
