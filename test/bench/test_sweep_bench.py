# ctest-timeout: 1800
"""A discovery sweep of a whole /16 on loopback through the real
``openmps-client scan``.

65,534 addresses of 127.77.0.0/16 (network and broadcast left out, as the
client does for CIDR blocks); a few hundred of them are simulated printers
(the project's own recordings in test/fixtures/printers, each copy with its
own serial number and MAC so that none is a duplicate of another), served
by several snmpsim processes on one UDP port; nothing listens there on the
other addresses. The scan runs with the client's defaults: timeout 2 s per
try, one retry (two tries), 512 addresses in flight.

Printed:

* wall time against its bound, addresses x timeout x tries / concurrency:
  the time a sweep takes when every address is silent and the window of 512
  is always full. Target: within 1.5 x the bound.
* a baseline measured in the same run: the client sweeping one window of
  512 silent addresses (what a silent address really costs here); the
  measured bound for the /16 is addresses / 512 x that.
* CPU seconds of the client (user + system), the simulators' CPU.
* printers found; every simulated printer must be found (correctness, not
  timing: nothing here asserts on time).

A silent address on 127/8 answers a UDP packet with ICMP port unreachable
at once. The client's sockets are not connected, so Linux does not report
that error to them: such an address costs the full timeout x tries, as a
silent address on a real network does, and the bound is the real cost.
The benchmark measures this instead of assuming it (see the baseline).
"""

import json
import os
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


from openmps_test.fleet_copies import fixtures, free_port_everywhere, printer_copies
from openmps_test.snmpsim import Snmpsim

BUILD = Path(os.environ.get("OPENMPS_BUILD_DIR", "build"))
CLIENT = BUILD / "client" / "openmps-client"
NETWORK = "127.77.0.0/16"
PRINTERS = int(os.environ.get("OPENMPS_BENCH_PRINTERS", "300"))
SIMULATORS = int(os.environ.get("OPENMPS_BENCH_SIMULATORS", "3"))
# The client's defaults (client/README.md), which the scan below does not override.
TIMEOUT_S = 2.0
TRIES = 2
CONCURRENCY = 512


def host(index: int) -> str:
    """The index-th host of 127.77.0.0/16 (1 .. 65534)."""
    return f"127.77.{index >> 8}.{index & 255}"


def run_timed(args):
    """Runs the client; returns (wall s, user+system CPU s, exit status, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(args, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{stderr[-2000:]}"
    return wall, usage.ru_utime + usage.ru_stime, stdout


def test_sweep_bench(tmp_path):
    assert CLIENT.exists(), f"{CLIENT} missing"
    files = printer_copies(fixtures(), PRINTERS, tmp_path)
    port = free_port_everywhere()
    # Spread evenly over the /16, so every wave of the sweep meets a few.
    step = 65534 // PRINTERS
    addresses = [host(1 + i * step + (i % 7)) for i in range(PRINTERS)]
    shards = [{} for _ in range(SIMULATORS)]
    for i, (address, f) in enumerate(zip(addresses, files)):
        shards[i % SIMULATORS][(address, port)] = f
    sims = [Snmpsim(devices=shard, community="public", start_timeout=600) for shard in shards]
    try:
        with ThreadPoolExecutor(len(sims)) as pool:
            list(pool.map(lambda s: s.__enter__(), sims))

        # Baseline: one window of silent addresses (no simulator on this port there).
        wave_wall, wave_cpu, wave_out = run_timed(
            [str(CLIENT), "scan", f"127.76.0.1-127.76.{CONCURRENCY >> 8}.{CONCURRENCY & 255}",
             "--port", str(port), "--json"])
        wave = json.loads(wave_out)
        assert wave["probed"] == CONCURRENCY and wave["answered"] == 0

        sim_cpu0 = sum(s.cpu_seconds() for s in sims)
        wall, cpu, out = run_timed([str(CLIENT), "scan", NETWORK, "--port", str(port), "--json"])
        sim_cpu = sum(s.cpu_seconds() for s in sims) - sim_cpu0
    finally:
        for s in sims:
            s.stop()

    result = json.loads(out)
    found = {}
    for d in result["devices"]:
        assert d["printer"], d
        for a in [d["address"], *d["also_at"]]:
            found[a] = d["serial"]
    n = result["probed"]
    bound = n * TIMEOUT_S * TRIES / CONCURRENCY
    measured = n / CONCURRENCY * wave["elapsed_s"]
    report = [
        f"sweep of {NETWORK}: {n} addresses, {PRINTERS} simulated printers on {SIMULATORS} "
        f"snmpsim processes, the rest silent; timeout {TIMEOUT_S:.0f} s x {TRIES} tries, "
        f"concurrency {CONCURRENCY}",
        f"wall {wall:.1f} s, bound {bound:.1f} s (addresses x timeout x tries / concurrency): "
        f"{wall / bound:.3f} x the bound (target <= 1.5)",
        f"baseline, one window of {wave['probed']} silent addresses: {wave['elapsed_s']:.2f} s "
        f"(timeout x tries = {TIMEOUT_S * TRIES:.1f} s: a silent loopback address is not "
        f"given up early on its ICMP error); measured bound {n} / {CONCURRENCY} x "
        f"{wave['elapsed_s']:.2f} s = {measured:.1f} s; the sweep (its own "
        f"{result['elapsed_s']:.1f} s) took {result['elapsed_s'] / measured:.3f} x that",
        f"client CPU {cpu:.2f} s (user + system; {1000 * cpu / n:.3f} ms per address), "
        f"{cpu / wall * 100:.1f} % of one core; simulators {sim_cpu:.2f} s",
        f"printers found {len(found)} of {PRINTERS}; answered {result['answered']}, "
        f"{n / wall:.0f} addresses/s",
    ]
    print("\n" + "\n".join(report))
    (BUILD / "sweep_bench.txt").write_text("\n".join(report) + "\n")
    # Correctness: every simulated printer, each once, nothing else.
    assert n == 65534
    missing = sorted(set(addresses) - set(found))
    assert not missing, f"{len(missing)} printers not found, e.g. {missing[:5]}"
    assert set(found) == set(addresses)
    assert len(result["devices"]) == PRINTERS, "a printer was reported twice"
