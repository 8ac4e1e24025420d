# ctest-timeout: 900
"""Reading many printers at once against net-snmp's snmpbulkwalk, one device
after another, in the same run (issue 5 item 7).

Every recording (the corpus beside the project when present, else the
project's own fixtures) is served on several loopback addresses by a few
snmpsim processes. Measured in the same run:

* baseline: ``snmpbulkwalk`` of the system, host-resources and Printer-MIB
  subtrees, per device and subtree, one after another;
* probe: the product's path, one ``openmps-client probe`` process reading
  every device at once (definitions loaded once, one NetSnmpClient, the
  device reader and the PMD engine), with ``--stats`` for the SNMP requests;
* walk: NetSnmpClient walking the baseline's subtrees on every device at
  once (test/tools/snmp_tool); its rows must equal snmpbulkwalk's.

It prints devices/s, requests and varbinds per device, CPU seconds and the ratios against
the baseline, and the simulator's own ceiling (GET requests/s it answers,
and how busy it was while the probe ran): snmpsim, not the client, is the
limit here.
"""

import json
import os
import re
import resource
import subprocess
import time
from pathlib import Path

import pytest

from openmps_test.snmpsim import Snmpsim

SOURCE = Path(os.environ.get("OPENMPS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD = Path(os.environ.get("OPENMPS_BUILD_DIR", "build"))
TOOL = BUILD / "test" / "tools" / "snmp_tool"
CLIENT = BUILD / "client" / "openmps-client"
SUBTREES = ["1.3.6.1.2.1.1", "1.3.6.1.2.1.25", "1.3.6.1.2.1.43"]
STATS = re.compile(r"snmp requests (\d+), responses (\d+), timeouts (\d+), devices (\d+), "
                   r"varbinds (\d+)")
COPIES = int(os.environ.get("OPENMPS_BENCH_COPIES", "4"))
# snmpsim is one Python process per simulator; several share the load.
SIMULATORS = int(os.environ.get("OPENMPS_BENCH_SIMULATORS", "4"))
BULKWALK_REPETITIONS = 10  # snmpbulkwalk's default -Cr


def recordings():
    corpus = SOURCE.parent / "shared" / "corpus" / "printers" / "snmprec"
    if corpus.is_dir() and list(corpus.glob("*.snmprec")):
        return "corpus", sorted(corpus.glob("*.snmprec"))
    own = SOURCE / "test" / "fixtures" / "printers"
    files = sorted(own.glob("**/*.snmprec")) if own.is_dir() else []
    if files:
        return "fixtures", files
    pytest.skip("no printer recordings (neither the corpus nor test/fixtures/printers)")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def address(i):
    return f"127.0.{10 + i // 250}.{1 + i % 250}"


def test_probe_bench():
    assert TOOL.exists(), f"{TOOL} missing"
    source, files = recordings()
    devices = [f for _ in range(COPIES) for f in files]
    shards = [{} for _ in range(SIMULATORS)]
    for i, f in enumerate(devices):
        shards[i % SIMULATORS][(address(i), 16100 + i % SIMULATORS)] = f
    sims = [Snmpsim(devices=shard, community="public", start_timeout=180) for shard in shards]
    for s in sims:
        s.__enter__()
    try:
        targets = [f"{h}:{p}" for s in sims for h, p in s.endpoints]
        n = len(targets)

        # Simulator ceiling: plain GETs, every device asked 20 times at once.
        cpu0 = children_cpu()
        t0 = time.monotonic()
        out = subprocess.run([str(TOOL), "--get", "1.3.6.1.2.1.1.3.0", "--counts-only",
                              "--timeout-ms", "5000", *(targets * 20)],
                             capture_output=True, text=True, timeout=600)
        ceiling = json.loads(out.stdout.splitlines()[-1])["summary"]
        ceiling_rps = ceiling["responses"] / ceiling["elapsed_s"]

        # The client: every device and subtree at once.
        sim_cpu0 = sum(s.cpu_seconds() for s in sims)
        cpu0 = children_cpu()
        t0 = time.monotonic()
        walk_args = [a for st in SUBTREES for a in ("--walk", st)]
        out = subprocess.run([str(TOOL), *walk_args, "--counts-only", "--timeout-ms", "5000",
                              "--retries", "1", *targets], capture_output=True, text=True, timeout=600)
        client_wall = time.monotonic() - t0
        client_cpu = children_cpu() - cpu0
        sim_cpu = sum(s.cpu_seconds() for s in sims) - sim_cpu0
        lines = [json.loads(l) for l in out.stdout.splitlines()]
        summary = lines[-1]["summary"]
        client_rows = {t["target"]: sum(r["count"] for r in t["results"]) for t in lines[:-1]}
        failed = [t for t in lines[:-1] if not all(r["ok"] for r in t["results"])]
        assert not failed, failed[:3]

        # The baseline: snmpbulkwalk, one device and subtree after the other.
        cpu0 = children_cpu()
        t0 = time.monotonic()
        base_rows = {}
        base_requests = 0
        for target in targets:
            rows = 0
            for st in SUBTREES:
                r = subprocess.run(["snmpbulkwalk", "-v2c", "-cpublic", "-On", "-t", "5",
                                    "-m", "", target, st], capture_output=True, text=True,
                                   env=dict(os.environ, MIBS=""), timeout=120)
                got = sum(1 for line in r.stdout.splitlines()
                          if line.startswith(".") and " = No more variables" not in line
                          and " = No Such" not in line)
                rows += got
                # snmpbulkwalk asks 10 repetitions a time and one more past the end.
                base_requests += got // BULKWALK_REPETITIONS + 1
            base_rows[target] = rows
        base_wall = time.monotonic() - t0
        base_cpu = children_cpu() - cpu0

        # The product: one probe process reading every device at once.
        assert CLIENT.exists(), f"{CLIENT} missing"
        sim_cpu0 = sum(s.cpu_seconds() for s in sims)
        cpu0 = children_cpu()
        t0 = time.monotonic()
        out = subprocess.run([str(CLIENT), "probe", *targets, "--json", "--stats",
                              "--timeout-ms", "5000", "--retries", "1"],
                             capture_output=True, text=True, timeout=600)
        probe_wall = time.monotonic() - t0
        probe_cpu = children_cpu() - cpu0
        probe_sim_cpu = sum(s.cpu_seconds() for s in sims) - sim_cpu0
        records = [json.loads(line) for line in out.stdout.splitlines()]
        assert len(records) == n, out.stderr[-2000:]
        probe_failed = [r for r in records if "error" in r]
        stats = STATS.search(out.stderr)
        assert stats, out.stderr[-2000:]
        p_requests, p_responses, p_timeouts, _, p_varbinds = map(int, stats.groups())
    finally:
        for s in sims:
            s.__exit__(None, None, None)

    mismatched = [t for t in targets if client_rows.get(t) != base_rows.get(t)]
    report = [
        f"recordings: {len(files)} ({source}), devices: {n} on {SIMULATORS} simulator processes",
        f"simulator ceiling: {ceiling_rps:.0f} GET/s; busy {100 * sim_cpu / (client_wall * SIMULATORS):.0f}% "
        f"of its {SIMULATORS} processes while the client ran",
        f"baseline (snmpbulkwalk, sequential): {n / base_wall:.1f} devices/s, {base_wall:.1f} s, "
        f"~{base_requests / n:.1f} requests/device (rows / {BULKWALK_REPETITIONS} + 1 per subtree), "
        f"{sum(base_rows.values()) / n:.0f} rows/device, CPU {base_cpu:.2f} s",
        f"walk (NetSnmpClient, subtrees, all at once): {n / client_wall:.1f} devices/s, {client_wall:.1f} s, "
        f"{summary['requests'] / n:.1f} requests/device, {summary['varbinds'] / n:.0f} varbinds/device, "
        f"{summary['requests'] / client_wall:.0f} requests/s, CPU {client_cpu:.2f} s",
        f"ratio walk/baseline: {base_wall / client_wall:.1f}x wall, {base_cpu / max(client_cpu, 1e-6):.1f}x CPU",
        f"probe (openmps-client probe, all devices in one process): {n / probe_wall:.1f} devices/s, "
        f"{probe_wall:.2f} s, {n - len(probe_failed)}/{n} read, {p_requests / n:.1f} requests/device "
        f"({p_responses} answered, {p_timeouts} timeouts), {p_varbinds / n:.0f} varbinds/device, "
        f"{p_requests / probe_wall:.0f} requests/s, "
        f"CPU {probe_cpu:.2f} s; simulators busy "
        f"{100 * probe_sim_cpu / (probe_wall * SIMULATORS):.0f}%; "
        f"{100 * p_requests / probe_wall / ceiling_rps:.0f}% of the GET ceiling, "
        f"{100 * (p_requests / probe_wall) / (summary['requests'] / client_wall):.0f}% of the walk's "
        f"request rate",
        f"ratio probe/baseline: {base_wall / probe_wall:.1f}x wall, "
        f"{base_cpu / max(probe_cpu, 1e-6):.1f}x CPU",
        f"requests/device: probe {p_requests / n:.1f} (identify, scalars, one walkMany chain of "
        f"every column) against ~{base_requests / n:.1f} for the baseline's three subtrees",
    ]
    print("\n" + "\n".join(report))
    Path(BUILD / "probe_bench.txt").write_text("\n".join(report) + "\n")
    # Same rows as net-snmp's own tool, device by device.
    assert not mismatched, [(t, client_rows.get(t), base_rows.get(t)) for t in mismatched[:5]]
    # Every device read by the product, without a request lost.
    assert not probe_failed, probe_failed[:3]
    assert p_timeouts == 0 and p_requests == p_responses, (p_requests, p_responses, p_timeouts)
