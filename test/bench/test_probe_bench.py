# ctest-timeout: 900
"""Reading many printers at once against net-snmp's snmpbulkwalk, one device
after another, in the same run (issue 5 item 7).

Every recording (the corpus beside the project when present, else the
project's own fixtures) is served on several loopback addresses by a few
snmpsim processes. Three measurements of the same subtrees (system, host
resources, Printer-MIB):

* baseline: ``snmpbulkwalk`` per device and subtree, sequentially;
* client: NetSnmpClient walking every device at once (test/tools/snmp_tool);
* probe: the real ``openmps-client probe`` for every device, 16 at a time,
  when the command works.

It prints devices/s, requests/device, CPU seconds and the ratios, and the
simulator's own ceiling (GET requests/s it answers, and how busy it was
while the client ran): snmpsim, not the client, is the limit here.
"""

import json
import os
import resource
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from openmps_test.snmpsim import Snmpsim

SOURCE = Path(os.environ.get("OPENMPS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD = Path(os.environ.get("OPENMPS_BUILD_DIR", "build"))
TOOL = BUILD / "test" / "tools" / "snmp_tool"
CLIENT = BUILD / "client" / "openmps-client"
SUBTREES = ["1.3.6.1.2.1.1", "1.3.6.1.2.1.25", "1.3.6.1.2.1.43"]
COPIES = int(os.environ.get("OPENMPS_BENCH_COPIES", "4"))
SIMULATORS = int(os.environ.get("OPENMPS_BENCH_SIMULATORS", "2"))


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
        for target in targets:
            rows = 0
            for st in SUBTREES:
                r = subprocess.run(["snmpbulkwalk", "-v2c", "-cpublic", "-On", "-t", "5",
                                    "-m", "", target, st], capture_output=True, text=True,
                                   env=dict(os.environ, MIBS=""), timeout=120)
                rows += sum(1 for line in r.stdout.splitlines()
                            if line.startswith(".") and " = No more variables" not in line
                            and " = No Such" not in line)
            base_rows[target] = rows
        base_wall = time.monotonic() - t0
        base_cpu = children_cpu() - cpu0

        # The real probe command, when it works.
        probe_line = "probe: not measured (openmps-client probe not available)"
        if CLIENT.exists():
            def probe(target):
                return subprocess.run([str(CLIENT), "probe", target, "--json", "--timeout-ms", "5000"],
                                      capture_output=True, text=True, timeout=300).returncode
            cpu0 = children_cpu()
            t0 = time.monotonic()
            with ThreadPoolExecutor(16) as pool:
                codes = list(pool.map(probe, targets))
            probe_wall = time.monotonic() - t0
            probe_cpu = children_cpu() - cpu0
            ok = sum(1 for c in codes if c == 0)
            probe_line = (f"probe (openmps-client probe, 16 processes at once): {n / probe_wall:.1f} devices/s, "
                          f"{ok}/{n} read, CPU {probe_cpu:.2f} s, {base_wall / probe_wall:.1f}x the baseline")
    finally:
        for s in sims:
            s.__exit__(None, None, None)

    mismatched = [t for t in targets if client_rows.get(t) != base_rows.get(t)]
    report = [
        f"recordings: {len(files)} ({source}), devices: {n} on {SIMULATORS} simulator processes",
        f"simulator ceiling: {ceiling_rps:.0f} GET/s; busy {100 * sim_cpu / (client_wall * SIMULATORS):.0f}% "
        f"of its {SIMULATORS} processes while the client ran",
        f"baseline (snmpbulkwalk, sequential): {n / base_wall:.1f} devices/s, {base_wall:.1f} s, "
        f"CPU {base_cpu:.2f} s",
        f"client (NetSnmpClient, all at once): {n / client_wall:.1f} devices/s, {client_wall:.1f} s, "
        f"{summary['requests'] / n:.1f} requests/device, {summary['requests'] / client_wall:.0f} requests/s, "
        f"CPU {client_cpu:.2f} s",
        f"ratio client/baseline: {base_wall / client_wall:.1f}x wall, {base_cpu / max(client_cpu, 1e-6):.1f}x CPU",
        probe_line,
    ]
    print("\n" + "\n".join(report))
    Path(BUILD / "probe_bench.txt").write_text("\n".join(report) + "\n")
    # Same rows as net-snmp's own tool, device by device.
    assert not mismatched, [(t, client_rows.get(t), base_rows.get(t)) for t in mismatched[:5]]
