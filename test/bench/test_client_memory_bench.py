# ctest-timeout: 2400
"""Resident memory of the collector daemon while it tracks 5,000 devices.

5,000 simulated printers (the project's own recordings in
test/fixtures/printers, each copy with its own serial number and MAC, so
that discovery keeps them apart) are served by several snmpsim processes on
5,000 consecutive loopback addresses from 127.78.0.1, all on one UDP port.
The real daemon, ``openmps-client run --config FILE`` (not --once), sweeps
them, keeps them as known devices, schedules them and reads every one
(meter read and status poll), committing each reading to its SQLite outbox.

The enrollment names a server on a loopback port where nothing listens, so
every send fails and is retried with backoff: the readings stay in the
outbox (on disk) and the sender still forms and seals its batches. The
baseline, in the same run, is the same daemon with the same simulators
tracking the first 50 of these printers.

Measured from /proc/PID/status once every device has been read and the
outbox stopped growing: VmRSS (resident now) and VmHWM (the peak, sweep and
reads included). Printed: both figures for both runs, the per-device cost
(difference / 4,950) and the ratio. Target: under 50 MB for 5,000 devices.
The only assertions are correctness: every printer discovered, the daemon
stops cleanly on SIGTERM.
"""

import json
import os
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


from openmps_test.client_cli import client
from openmps_test.fleet_copies import fixtures, free_port_everywhere, printer_copies
from openmps_test.openmps_server import Enrollment
from openmps_test.snmpsim import Snmpsim

BUILD = Path(os.environ.get("OPENMPS_BUILD_DIR", "build"))
CLIENT = BUILD / "client" / "openmps-client"
DEVICES = int(os.environ.get("OPENMPS_BENCH_DEVICES", "5000"))
BASELINE = 50
SIMULATORS = int(os.environ.get("OPENMPS_BENCH_SIMULATORS", "5"))
FIRST = "127.78.0.1"
SETTLE_TIMEOUT = float(os.environ.get("OPENMPS_BENCH_SETTLE_S", "1500"))


def address(i: int) -> str:
    base = int.from_bytes(socket.inet_aton(FIRST), "big")
    return socket.inet_ntoa((base + i).to_bytes(4, "big"))


def memory(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"):
            fields[key] = int(value.split()[0])
    return fields  # kB, except Threads


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def measure(work: Path, count: int, port: int, server_port: int) -> dict:
    data = work / "data"
    config = work / "client.yaml"
    work.mkdir()
    config.write_text(
        f"data_dir: {data}\n"
        "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
        "log_level: info\n"
        # Generous: a few Python simulators serve 5,000 printers, and a
        # request queued behind others there must not count as silence.
        "snmp:\n"
        "  timeout_ms: 5000\n"
        "  retries: 2\n"
        "credentials:\n"
        "  - name: public\n"
        "    version: 2c\n"
        "    community: public\n"
        "networks:\n"
        "  - name: bench\n"
        f"    ranges: [\"{address(0)}-{address(count - 1)}\"]\n"
        f"    port: {port}\n"
        "    credentials: [public]\n")
    config.chmod(0o600)
    client("enroll", Enrollment.encode(4711, os.urandom(32), [f"xmlrpcs://127.0.0.1:{server_port}"],
                                       os.urandom(32).hex()),
           "--config", str(config))
    log = open(work / "run.log", "wb")
    t0 = time.monotonic()
    daemon = subprocess.Popen([str(CLIENT), "run", "--config", str(config)],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        # Settled: every device known and read once, and the outbox quiet.
        status, stable, last = None, 0, None
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while time.monotonic() < deadline:
            time.sleep(3)
            assert daemon.poll() is None, (work / "run.log").read_text()[-3000:]
            status = json.loads(client("status", "--config", str(config), "--json").stdout)
            read = sum(1 for d in status["device_list"] if d["last_meter_at"])
            now = (status["devices"], read, status["outbox"]["committed_items"])
            stable = stable + 1 if now == last else 0
            last = now
            if status["devices"] >= count and read >= count and stable >= 2:
                break
            if stable >= 10:
                break  # nothing changed for 30 s: measure what is there, the asserts judge
        settled = time.monotonic() - t0
        samples = []
        for _ in range(5):
            samples.append(memory(daemon.pid))
            time.sleep(1)
        fds = fd_count(daemon.pid)
        cpu = sum(int(x) for x in
                  Path(f"/proc/{daemon.pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13])
        cpu /= os.sysconf("SC_CLK_TCK")
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=120)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        log.close()
    assert code == 0, f"daemon exit {code} after SIGTERM\n" + (work / "run.log").read_text()[-3000:]
    return {
        "devices": status["devices"],
        "read": last[1],
        "committed": last[2],
        "settled_s": settled,
        "rss_kb": max(s["VmRSS"] for s in samples),
        "hwm_kb": max(s["VmHWM"] for s in samples),
        "anon_kb": max(s["RssAnon"] for s in samples),
        "file_kb": max(s["RssFile"] for s in samples),
        "threads": samples[-1]["Threads"],
        "fds": fds,
        "cpu_s": cpu,
    }


def wait_idle(sims, timeout=600.0):
    """Until the simulators have worked off the readiness probes still queued
    in their sockets (thousands with this many endpoints): a request behind
    that backlog would time out and the printer would look absent."""
    deadline = time.monotonic() + timeout
    last = sum(s.cpu_seconds() for s in sims)
    while time.monotonic() < deadline:
        time.sleep(2)
        now = sum(s.cpu_seconds() for s in sims)
        if now - last < 0.1:
            return
        last = now


def mb(kb: float) -> str:
    return f"{kb / 1024:.1f} MB"


def test_client_memory_bench(tmp_path):
    assert CLIENT.exists(), f"{CLIENT} missing"
    files = printer_copies(fixtures(), DEVICES, tmp_path)
    port = free_port_everywhere()
    server_port = free_port_everywhere(socket.SOCK_STREAM)  # nothing will listen there
    shards = [{} for _ in range(SIMULATORS)]
    for i, f in enumerate(files):
        shards[i % SIMULATORS][(address(i), port)] = f
    sims = [Snmpsim(devices=shard, community="public", start_timeout=900) for shard in shards]
    try:
        t0 = time.monotonic()
        with ThreadPoolExecutor(len(sims)) as pool:
            list(pool.map(lambda s: s.__enter__(), sims))
        wait_idle(sims)
        sims_ready = time.monotonic() - t0
        base = measure(tmp_path / "baseline", BASELINE, port, server_port)
        big = measure(tmp_path / "fleet", DEVICES, port, server_port)
    finally:
        for s in sims:
            s.stop()

    per_device = (big["rss_kb"] - base["rss_kb"]) * 1024 / (DEVICES - BASELINE)
    lines = [f"{DEVICES} simulated printers on {SIMULATORS} snmpsim processes "
             f"(ready in {sims_ready:.0f} s); the server is unreachable, readings stay in the outbox"]
    for name, r in (("baseline", base), ("fleet", big)):
        lines.append(
            f"{name}: {r['devices']} devices tracked, {r['read']} read, {r['committed']} readings "
            f"committed, settled after {r['settled_s']:.0f} s; VmRSS {mb(r['rss_kb'])} "
            f"(anon {mb(r['anon_kb'])}, file {mb(r['file_kb'])}), VmHWM {mb(r['hwm_kb'])}, "
            f"{r['threads']} threads, {r['fds']} fds, CPU {r['cpu_s']:.1f} s")
    lines.append(
        f"ratio fleet/baseline: VmRSS {big['rss_kb'] / base['rss_kb']:.2f}x, "
        f"VmHWM {big['hwm_kb'] / base['hwm_kb']:.2f}x; {per_device / 1024:.2f} kB per extra device; "
        f"target VmRSS < 50 MB for {DEVICES}: {mb(big['rss_kb'])}")
    print("\n" + "\n".join(lines))
    (BUILD / "client_memory_bench.txt").write_text("\n".join(lines) + "\n")
    # Correctness, not timing: discovery kept every printer apart.
    assert base["devices"] == BASELINE
    assert big["devices"] == DEVICES
