# ctest-timeout: 2400
"""Reading a fleet of 1,000 simulated printers through the daemon's device
reader, against net-snmp's snmpbulkwalk one device after another and
against the simulators' own ceiling, in the same run.

Every recording (the corpus beside the project when present, else the
project's own fixtures) is served on as many loopback addresses as it
takes to reach OPENMPS_BENCH_DEVICES (default 1,000) by
OPENMPS_BENCH_SIMULATORS snmpsim processes (default 8). Measured in the
same run:

* simulator ceiling: what the simulators can answer. First single-OID GETs,
  every device asked 20 times at once (GET/s); then, from the probe run
  itself, the simulators' CPU per device read: with every core to
  themselves they could answer at most cores / that many devices per
  second. That is the ceiling the product is measured against;
* baseline: ``snmpbulkwalk`` of the system, host-resources and Printer-MIB
  subtrees, per device and subtree, one after another, over every device;
* walk: NetSnmpClient walking the baseline's subtrees on every device at
  once (test/tools/snmp_tool); its rows must equal snmpbulkwalk's;
* probe: the product's path, one ``openmps-client probe`` process reading
  every device at once through the device reader the daemon uses
  (definitions loaded once, one NetSnmpClient, the PMD engine), with
  ``--stats`` for the SNMP requests.

The simulators and the client share the machine's cores (two here), and
other processes may run beside them: for each phase the bench prints where
the CPU time went (simulators, client, other processes, idle, from
/proc/stat and each process's own accounting), so a figure can be read
for what it is. It asserts correctness only (every device read, no request
lost, the same rows as snmpbulkwalk), never time.
"""

import json
import os
import re
import resource
import subprocess
import threading
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
DEVICES = int(os.environ.get("OPENMPS_BENCH_DEVICES", "1000"))
SIMULATORS = int(os.environ.get("OPENMPS_BENCH_SIMULATORS", "8"))
BULKWALK_REPETITIONS = 10  # snmpbulkwalk's default -Cr
TIMING = ["--timeout-ms", "10000", "--retries", "1"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def recordings():
    corpus = SOURCE.parent / "shared" / "corpus" / "printers" / "snmprec"
    if corpus.is_dir() and list(corpus.glob("*.snmprec")):
        return "corpus", sorted(corpus.glob("*.snmprec"))
    own = SOURCE / "test" / "fixtures" / "printers"
    files = sorted(own.glob("**/*.snmprec")) if own.is_dir() else []
    if files:
        return "fixtures", files
    pytest.skip("no printer recordings (neither the corpus nor test/fixtures/printers)")


def address(i):
    return f"127.76.{i // 250}.{1 + i % 250}"


def machine_cpu():
    """(busy, idle) CPU seconds of the whole machine so far (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK, idle / CLK_TCK


def own_cpu():
    """CPU of this process and of its waited-for children (the tools)."""
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime


class Phase:
    """Wall time and where the machine's CPU went while one step ran."""

    def __init__(self, sims):
        self.sims = sims

    def __enter__(self):
        self.busy0, self.idle0 = machine_cpu()
        self.self0, self.tools0 = own_cpu()
        self.sim0 = sum(s.cpu_seconds() for s in self.sims)
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.wall = time.monotonic() - self.t0
        busy, idle = machine_cpu()
        me, tools = own_cpu()
        self.sim = sum(s.cpu_seconds() for s in self.sims) - self.sim0
        self.client = tools - self.tools0          # the tool or client this phase ran
        self.harness = me - self.self0              # this Python process
        self.busy = busy - self.busy0
        self.idle = idle - self.idle0
        self.others = max(0.0, self.busy - self.sim - self.client - self.harness)

    def split(self):
        total = max(self.busy + self.idle, 1e-9)
        parts = [("simulators", self.sim), ("client", self.client),
                 ("other processes", self.others + self.harness), ("idle", self.idle)]
        return ", ".join(f"{name} {sec:.1f} s ({100 * sec / total:.0f}%)" for name, sec in parts)


def start_simulators(shards):
    """All simulators at once (each waits until every endpoint answers)."""
    sims = [Snmpsim(devices=shard, community="public", start_timeout=900) for shard in shards]
    errors = []

    def start(s):
        try:
            s.__enter__()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=start, args=(s,)) for s in sims]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        for s in sims:
            s.stop()
        raise errors[0]
    return sims


def bulkwalk_rows(target):
    """Rows and requests of snmpbulkwalk over the three subtrees."""
    rows = requests = 0
    for st in SUBTREES:
        r = subprocess.run(["snmpbulkwalk", "-v2c", "-cpublic", "-On", "-t", "10", "-m", "",
                            target, st], capture_output=True, text=True,
                           env=dict(os.environ, MIBS=""), timeout=120)
        got = sum(1 for line in r.stdout.splitlines()
                  if line.startswith(".") and " = No more variables" not in line
                  and " = No Such" not in line)
        rows += got
        # It asks 10 repetitions at a time and once more past the end.
        requests += got // BULKWALK_REPETITIONS + 1
    return rows, requests


def test_probe_bench():
    assert TOOL.exists(), f"{TOOL} missing"
    assert CLIENT.exists(), f"{CLIENT} missing"
    source, files = recordings()
    devices = [files[i % len(files)] for i in range(DEVICES)]
    shards = [{} for _ in range(SIMULATORS)]
    for i, f in enumerate(devices):
        shards[i % SIMULATORS][(address(i), 16100 + i % SIMULATORS)] = f
    t0 = time.monotonic()
    sims = start_simulators(shards)
    started = time.monotonic() - t0
    try:
        targets = [f"{h}:{p}" for s in sims for h, p in s.endpoints]
        n = len(targets)

        # Simulator ceiling, single-OID GETs: every device asked 20 times at once.
        with Phase(sims) as flood:
            out = subprocess.run([str(TOOL), "--get", "1.3.6.1.2.1.1.3.0", "--counts-only",
                                  *TIMING, *(targets * 20)],
                                 capture_output=True, text=True, timeout=900)
        ceiling = json.loads(out.stdout.splitlines()[-1])["summary"]
        get_rps = ceiling["responses"] / flood.wall

        # The product: one probe process reading every device at once.
        with Phase(sims) as probe:
            out = subprocess.run([str(CLIENT), "probe", *targets, "--json", "--stats", *TIMING],
                                 capture_output=True, text=True, timeout=900)
        records = [json.loads(line) for line in out.stdout.splitlines()]
        assert len(records) == n, out.stderr[-2000:]
        probe_failed = [r for r in records if "error" in r]
        stats = STATS.search(out.stderr)
        assert stats, out.stderr[-2000:]
        p_requests, p_responses, p_timeouts, _, p_varbinds = map(int, stats.groups())

        # NetSnmpClient alone walking the baseline's subtrees on every device at once.
        walk_args = [a for st in SUBTREES for a in ("--walk", st)]
        with Phase(sims) as walk:
            out = subprocess.run([str(TOOL), *walk_args, "--counts-only", *TIMING, *targets],
                                 capture_output=True, text=True, timeout=900)
        lines = [json.loads(line) for line in out.stdout.splitlines()]
        summary = lines[-1]["summary"]
        walk_rows = {t["target"]: sum(r["count"] for r in t["results"]) for t in lines[:-1]}
        walk_failed = [t for t in lines[:-1] if not all(r["ok"] for r in t["results"])]

        # The baseline: snmpbulkwalk, one device and subtree after the other.
        base_rows = {}
        base_requests = 0
        with Phase(sims) as base:
            for target in targets:
                base_rows[target], requests = bulkwalk_rows(target)
                base_requests += requests
    finally:
        for s in sims:
            s.stop()

    # What the simulators could do for this work with every core to themselves.
    sim_cpu_per_device = probe.sim / n
    ceiling_dps = CORES / sim_cpu_per_device
    # ... and with the CPU that other processes left while the probe ran.
    left = (probe.busy + probe.idle - probe.others - probe.harness) / probe.wall
    fair_dps = left / sim_cpu_per_device
    probe_dps = n / probe.wall
    report = [
        f"fleet: {n} devices ({len(files)} {source} recordings, each on "
        f"{n // len(files)}-{-(-n // len(files))} addresses), {SIMULATORS} snmpsim processes, "
        f"{CORES} cores shared by simulators and client (simulators started in {started:.0f} s)",
        f"simulator ceiling, single-OID GETs from snmp_tool: {get_rps:.0f} GET/s; "
        f"CPU: {flood.split()}",
        f"simulator ceiling for the probe's work: {1000 * sim_cpu_per_device:.2f} ms of simulator "
        f"CPU per device read ({1000 * probe.sim / max(p_requests, 1):.2f} ms per request): "
        f"{ceiling_dps:.0f} devices/s with all {CORES} cores to the simulators",
        f"baseline, snmpbulkwalk one device after another: {n / base.wall:.1f} devices/s, "
        f"{base.wall:.1f} s, ~{base_requests / n:.1f} requests/device (rows / "
        f"{BULKWALK_REPETITIONS} + 1 per subtree), {sum(base_rows.values()) / n:.0f} rows/device; "
        f"CPU: {base.split()}",
        f"walk, NetSnmpClient alone, three subtrees of every device at once: "
        f"{n / walk.wall:.0f} devices/s, {walk.wall:.1f} s, {summary['requests'] / n:.1f} "
        f"requests/device, {summary['varbinds'] / n:.0f} varbinds/device; CPU: {walk.split()}",
        f"probe, openmps-client probe of every device in one process: {probe_dps:.0f} devices/s, "
        f"{probe.wall:.2f} s, {n - len(probe_failed)}/{n} read, {p_requests / n:.1f} "
        f"requests/device ({p_responses} answered, {p_timeouts} timeouts), "
        f"{p_varbinds / n:.0f} varbinds/device, {p_requests / probe.wall:.0f} requests/s; "
        f"CPU: {probe.split()}",
        f"ratio probe / baseline: {base.wall / probe.wall:.1f}x devices/s",
        f"probe / simulator ceiling: {100 * probe_dps / ceiling_dps:.0f}% "
        f"({probe_dps:.0f} of {ceiling_dps:.0f} devices/s); against the ceiling with the "
        f"{left:.2f} cores other processes left: {100 * probe_dps / fair_dps:.0f}% "
        f"({fair_dps:.0f} devices/s)",
        "what stops it: " + limit(probe),
    ]
    print("\n" + "\n".join(report))
    (BUILD / "probe_bench.txt").write_text("\n".join(report) + "\n")
    mismatched = [t for t in targets if walk_rows.get(t) != base_rows.get(t)]
    # Same rows as net-snmp's own tool, device by device.
    assert not walk_failed, walk_failed[:3]
    assert not mismatched, [(t, walk_rows.get(t), base_rows.get(t)) for t in mismatched[:5]]
    # Every device read by the product, without a request lost.
    assert not probe_failed, probe_failed[:3]
    assert p_timeouts == 0 and p_requests == p_responses, (p_requests, p_responses, p_timeouts)


def limit(p: Phase) -> str:
    """Names what kept the probe from the ceiling, from where the CPU went."""
    total = p.busy + p.idle
    shares = {"the simulators' own work": p.sim, "the client's CPU": p.client,
              "other processes on the machine": p.others + p.harness, "idle cores": p.idle}
    taken = sorted(((sec, what) for what, sec in shares.items() if what != "the simulators' own work"),
                   reverse=True)
    words = ", ".join(f"{what} {100 * sec / total:.0f}%" for sec, what in taken)
    if p.idle / total < 0.10:
        return (f"the cores: they were busy {100 * p.busy / total:.0f}% of the probe's time, "
                f"the simulators got {100 * p.sim / total:.0f}% of them; the rest went to "
                f"{words}")
    return (f"waiting, not CPU: the cores were idle {100 * p.idle / total:.0f}% of the probe's "
            f"time (requests in flight did not keep every simulator busy); besides the "
            f"simulators' {100 * p.sim / total:.0f}%: {words}")
