# ctest-timeout: 300
"""NetSnmpClient::walkMany (several walks in one GETBULK chain, GETNEXT with
several varbinds for SNMPv1) against snmpsim and a real snmpd, through
test/tools/snmp_tool --walk-many: every root's rows must equal what a walk
of that root alone returns, in fewer requests than one chain per root."""

import pytest

from openmps_test.snmpd import Snmpd, V3User
from openmps_test.snmpsim import Snmpsim, free_udp_port

from test_snmp_client import TOOL, printer_rows, run_tool, single, write_recording

DESCR = "1.3.6.1.2.1.43.11.1.1.6"
MAX = "1.3.6.1.2.1.43.11.1.1.8"
LEVEL = "1.3.6.1.2.1.43.11.1.1.9"
SERIAL = "1.3.6.1.2.1.43.5.1.1.17"
SYSTEM = "1.3.6.1.2.1.1"
HR_DEVICE_TYPE = "1.3.6.1.2.1.25.3.2.1.2"
MISSING = "1.3.6.1.2.1.33"  # nothing there; the next OID is another subtree
PAST_THE_END = "1.3.6.1.4.1.99999.7"  # nothing after it at all: endOfMibView / noSuchName
ROOTS = [DESCR, MAX, LEVEL, SERIAL, SYSTEM, HR_DEVICE_TYPE, MISSING, PAST_THE_END]


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    d = tmp_path_factory.mktemp("rec")
    write_recording(d / "printer.snmprec", printer_rows(supplies=40))
    write_recording(d / "small.snmprec", printer_rows(supplies=3))
    with Snmpsim(d, endpoints=[("127.0.2.21", free_udp_port("127.0.2.21"))]) as s:
        yield s


def addr(sim):
    host, port = sim.endpoints[0]
    return f"{host}:{port}"


def walk_args(roots):
    return [a for r in roots for a in ("--walk", r)]


def rows_by_root(results):
    return {r["oid"]: [(v["oid"], v.get("value")) for v in r["varbinds"]] for r in results}


def oids_by_root(results):
    # sysUpTime moves between two reads of a live agent; the OIDs do not.
    return {r["oid"]: [v["oid"] for v in r["varbinds"]] for r in results}


def test_tool_is_built():
    assert TOOL.exists(), f"{TOOL} missing: build the snmp_tool target"


@pytest.mark.parametrize("version", ["1", "2c"])
@pytest.mark.parametrize("community", ["printer", "small"])
def test_walk_many_equals_each_walk_alone(sim, version, community):
    common = ["--snmp-version", version, "--community", community, *walk_args(ROOTS), addr(sim)]
    rc, alone, alone_summary = single(*common)
    assert rc == 0, alone
    rc, together, summary = single("--walk-many", *common)
    assert rc == 0, together
    assert [r["oid"] for r in together] == ROOTS
    assert all(r["ok"] and r["kind"] == "ok" for r in together), together
    assert rows_by_root(together) == rows_by_root(alone)
    got = rows_by_root(together)
    supplies = 40 if community == "printer" else 3
    assert len(got[LEVEL]) == supplies and len(got[DESCR]) == supplies
    assert got[SERIAL] == [(SERIAL + ".1", "CN12345678")]
    assert got[MISSING] == [] and got[PAST_THE_END] == []
    assert summary["requests"] < alone_summary["requests"]
    if version == "2c":
        # 48 varbinds an answer: the 8 roots' ~140 rows fit in a handful of requests.
        rows = sum(len(v) for v in got.values()) + len(ROOTS)
        assert summary["requests"] <= rows // 8 + 3, summary
    if community == "small" and version == "2c":
        assert summary["requests"] <= 2, summary  # one GETBULK, one for the system group's end


def test_walk_many_with_a_small_budget_and_max_rows(sim):
    rc, results, summary = single("--walk-many", "--community", "printer", "--max-varbinds", "4",
                                  "--max-rows", "10", *walk_args([DESCR, MAX, LEVEL]), addr(sim))
    assert rc == 0, results
    assert [len(r["varbinds"]) for r in results] == [10, 10, 10]
    # Three roots, one repetition each (4 // 3) until maxRows: 10 requests and the one that finds the cut.
    assert summary["requests"] == 11, summary


def test_walk_many_on_a_silent_device_times_out_every_root():
    port = free_udp_port("127.0.2.29")
    rc, results, summary = single("--walk-many", "--timeout-ms", "300", "--retries", "1",
                                  *walk_args([DESCR, LEVEL]), f"127.0.2.29:{port}")
    assert rc == 1
    assert [r["kind"] for r in results] == ["timeout", "timeout"]
    assert "within 2 × 300 ms" in results[0]["message"]
    assert summary["requests"] == 2  # one chain: one request and its retry


def test_walk_many_against_snmpd_v3(sim):
    """net-snmp's own agent (its GETBULK, message size and v3), direct and
    through a proxy context to the simulated printer."""
    users = [V3User("alice", "SHA-256", "authpass123", "AES", "privpass123")]
    host, port = sim.endpoints[0]
    creds = ["--user", "alice", "--auth-protocol", "SHA-256", "--auth-password", "authpass123",
             "--priv-protocol", "AES", "--priv-password", "privpass123", "--timeout-ms", "2000"]
    with Snmpd(users, host="127.0.2.22", proxies={"printer": (host, port, "printer")}) as agent:
        own = [SYSTEM, "1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.6", "1.3.6.1.6.3.15.1.2.2.1.3"]
        rc, alone, alone_summary = single(*creds, *walk_args(own), agent.address)
        assert rc == 0, alone
        rc, together, summary = single("--walk-many", *creds, *walk_args(own), agent.address)
        assert rc == 0, together
        assert oids_by_root(together) == oids_by_root(alone)
        assert len(oids_by_root(together)[SYSTEM]) > 5
        assert summary["requests"] < alone_summary["requests"], (summary, alone_summary)
        proxied = creds + ["--context", "printer"]
        rc, alone, _ = single(*proxied, *walk_args([DESCR, LEVEL, SERIAL]), agent.address)
        assert rc == 0, alone
        rc, together, _ = single("--walk-many", *proxied, *walk_args([DESCR, LEVEL, SERIAL]),
                                 agent.address)
        assert rc == 0, together
        assert rows_by_root(together) == rows_by_root(alone)
        assert len(rows_by_root(together)[LEVEL]) == 40


def test_walk_many_for_several_devices_at_once(sim):
    rc, per_target, summary = run_tool("--walk-many", "--community", "small", "--counts-only",
                                       *walk_args([DESCR, LEVEL, SYSTEM]), *[addr(sim)] * 5)
    assert rc == 0
    assert len(per_target) == 5
    for t in per_target:
        assert [r["count"] for r in t["results"]] == [3, 3, 4]
