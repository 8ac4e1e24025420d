# ctest-timeout: 600
"""Proof of no loss, with the real binaries on loopback: the client is
killed with SIGKILL while it reads and while it sends (as the daemon and as
`run --once`), its answers are cut, reset and swallowed, the server is
stopped and killed, and PostgreSQL crashes; in the end every reading the
client committed is in PostgreSQL exactly once:

* the server's device_reads hold item sequence numbers 1..N of this
  collector, each once, where N is the number of readings the client ever
  committed (its outbox counts them; a number is never reused);
* per device and counter, the meter_readings rows number exactly the
  device's meter reads, so no counter value was stored twice or lost;
* every answer the client never got is followed by a resend of the same
  batch that the server calls a duplicate, and the server said "stored"
  once per batch.

Every fault lands at a state the test observed, never on a timer: the
printers answer through a UDP proxy that holds every request to one
printer from its n-th on (so a read is in progress, however fast or slow
the machine), and the client reaches the server through a TLS proxy
(test/lib/openmps_test/fault_proxy.py) that holds, cuts, resets, swallows
or trickles the n-th exchange before the server sees the request or after
the server answered. The test kills while an exchange is held there.

The fleet is copies of the project's own simulated printers, each with its
own serial and MAC, so the test needs nothing outside the repository.
PostgreSQL runs with its durable defaults: a crash must not lose what it
acknowledged.
"""

import json
import random
import signal
import subprocess
from pathlib import Path

import pytest

from openmps_test.client_cli import client
from openmps_test.fault_proxy import (CUT, HOLD, PASS, RESET, SWALLOW, TRICKLE, FaultProxy,
                                      UdpFaultProxy, common_udp_port)
from openmps_test.fleet_copies import fixtures, printer_copies
from openmps_test.openmps_server import (Enrollment, OpenMpsServer, submit_answer,
                                         submitted_batch)
from openmps_test.paths import client_binary
from openmps_test.postgres import DURABLE_SETTINGS, PostgresCluster, wait_for
from openmps_test.snmpsim import Snmpsim

CUSTOMER = "Fault Customer"
DEALER = "Fault Dealer"
DEVICES = 12
FRONTS = [f"127.0.4.{i}" for i in range(1, DEVICES + 1)]  # what the client asks
BACKS = "127.0.5.1"                                       # where the simulators answer
SEED = 20261123
WAIT = 120  # seconds: generous, only ever spent when something is wrong


class ClientRun:
    """openmps-client run in the background, its log in a file we can read."""

    def __init__(self, config: Path, log: Path, once: bool):
        self.log_path = log
        self.log_file = open(log, "wb")
        args = [str(client_binary()), "run", "--config", str(config)] + (["--once"] if once else [])
        self.proc = subprocess.Popen(args, stdout=self.log_file, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        assert self.proc.poll() is None, f"the client ended before the kill:\n{self.log()}"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(WAIT)
        self.log_file.close()

    def finish(self) -> int:
        code = self.proc.wait(WAIT)
        self.log_file.close()
        return code


def status(config: Path) -> dict:
    return json.loads(client("status", "--config", str(config), "--json").stdout)


def committed(config: Path) -> int:
    """Readings committed so far (0 before the client created its outbox)."""
    out = client("status", "--config", str(config), "--json", check=False)
    return json.loads(out.stdout)["outbox"]["committed_items"] if out.returncode == 0 else 0


def acknowledged(exchange) -> bool:
    return submit_answer(exchange.answer_body) in ("stored", "duplicate")


@pytest.fixture
def rig(tmp_path):
    copies = tmp_path / "printers"
    copies.mkdir()
    files = printer_copies(fixtures(), DEVICES, copies)
    port = common_udp_port(FRONTS)
    with PostgresCluster(settings=DURABLE_SETTINGS) as pg, \
            Snmpsim(devices=Snmpsim.spread(files, first=BACKS), community="public") as sim, \
            UdpFaultProxy({(f, port): back for f, back in zip(FRONTS, sim.endpoints)}) as udp:
        # One reading per batch makes many calls, all from the proxy's one
        # address; rate limits are not what this test is about. One ingest
        # worker: after a database crash the first batch meets its broken
        # connection.
        many = 1000000
        srv = OpenMpsServer(pg, tmp_path / "server", web=False, ingest={"workers": 1},
                            limits={"rate_per_minute": many, "rate_burst": many,
                                    "peer_rate_per_minute": many, "peer_rate_burst": many})
        with srv, FaultProxy(("127.0.0.1", srv.xmlrpc_port),
                             tls=(srv.dir / "server.crt", srv.dir / "server.key")) as proxy:
            srv.add_dealer(DEALER)
            srv.add_customer(CUSTOMER, DEALER)
            e = Enrollment.decode(srv.cli("collector", "add", "--customer", CUSTOMER).stdout)
            # The same enrollment, with the proxy as the server's address.
            via_proxy = Enrollment.encode(e.client_id, e.key, [f"xmlrpcs://{proxy.address}"],
                                          e.fingerprint)
            config = tmp_path / "client.yaml"
            config.write_text(
                f"data_dir: {tmp_path / 'client-data'}\n"
                "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
                "log_level: info\n"
                # Held reads must not time out before the test acts.
                "snmp: {timeout_ms: 30000, retries: 1}\n"
                "credentials: [{name: public, version: 2c, community: public}]\n"
                "networks:\n"
                f"  - {{name: lab, ranges: [\"{FRONTS[0]}-{FRONTS[-1]}\"], port: {port}, "
                "credentials: [public]}\n"
                # One reading per batch: many sends to interrupt.
                "carrier: {connect_timeout: 30s, request_timeout: 60s, send_interval: 0s, "
                "max_batch_items: 1}\n")
            config.chmod(0o600)
            client("enroll", via_proxy, "--config", str(config))
            yield Rig(srv, pg, udp, proxy, config, tmp_path, port)


class Rig:
    def __init__(self, srv, pg, udp, proxy, config, work, port):
        self.srv, self.pg, self.udp, self.proxy = srv, pg, udp, proxy
        self.config, self.work, self.port = config, work, port
        self.runs = 0
        self.rng = random.Random(SEED)
        self.notes: list[str] = []

    def start(self, once: bool) -> ClientRun:
        self.runs += 1
        return ClientRun(self.config, self.work / f"client-{self.runs}.log", once)

    def logs(self) -> str:
        return "".join((self.work / f"client-{i}.log").read_text(errors="replace")
                       for i in range(1, self.runs + 1))

    def kill_during_reads(self, once: bool) -> None:
        """Every request to one printer from its n-th on is held: its read
        cannot finish. The kill comes once k of the others are committed."""
        before = committed(self.config)
        device = self.rng.randrange(DEVICES)
        nth = self.rng.randint(3, 7)  # past the sweep's requests, before the read's last
        k = self.rng.randint(6, DEVICES - 1)
        hold = self.udp.hold_from((FRONTS[device], self.port), nth)
        c = self.start(once)
        hold.wait(WAIT)
        assert "sweep of network 'lab'" in c.log(), "the hold came before the reads:\n" + c.log()
        wait_for(lambda: committed(self.config) >= before + k, timeout=WAIT, interval=0.1)
        c.kill()
        hold.release()
        assert "read 12 of 12" not in c.log()
        self.notes.append(f"{'once' if once else 'daemon'} killed during reads "
                          f"({k}+ of {DEVICES} read)")

    def kill_in_exchange(self, once: bool, point: str, action: str = HOLD) -> None:
        """The n-th exchange is held (or swallowed) before the server saw
        it or after it answered; the client dies there."""
        nth = self.rng.randint(1, 3)
        add = self.proxy.at_request if point == "request" else self.proxy.at_answer
        rule = add(action, nth)
        c = self.start(once)
        exchange = rule.wait(WAIT)
        c.kill()
        if action == HOLD:
            rule.release(RESET)
        if point == "answer":
            assert acknowledged(exchange), exchange.answer
        self.notes.append(f"{'once' if once else 'daemon'} killed with exchange {nth} "
                          f"{action} at its {point}")


def test_kills_cuts_and_outages_lose_nothing_and_store_nothing_twice(rig):
    srv, pg, proxy, config = rig.srv, rig.pg, rig.proxy, rig.config

    # 1. Killed while reading: the daemon (sending beside it) and two rounds.
    rig.kill_during_reads(once=False)
    rig.kill_during_reads(once=True)
    rig.kill_during_reads(once=True)

    # 2. The daemon, killed while a batch waits before the server, while the
    #    server's answer waits, and while an answer is swallowed.
    rig.kill_in_exchange(once=False, point="request")
    rig.kill_in_exchange(once=False, point="answer")
    rig.kill_in_exchange(once=False, point="answer", action=SWALLOW)

    # 3. SIGTERM while a batch is on its way: the daemon stops reading,
    #    finishes that batch and exits cleanly.
    rule = proxy.at_request(HOLD, 1)
    c = rig.start(once=False)
    exchange = rule.wait(WAIT)
    c.proc.send_signal(signal.SIGTERM)
    wait_for(lambda: "shutting down" in c.log(), timeout=WAIT, interval=0.05)
    rule.release(PASS)
    assert c.finish() == 0, c.log()
    _, batch = submitted_batch(exchange.request_body)
    assert exchange.fate == "delivered" and f"batch {batch} (1 readings) " in c.log(), c.log()
    assert "stopped;" in c.log(), c.log()

    # 4. One round at a time, killed while a batch waits before the server
    #    and while the answer waits.
    rig.kill_in_exchange(once=True, point="request")
    rig.kill_in_exchange(once=True, point="answer")

    # 5. The answer cut on a fresh connection: the round ends with the
    #    batch kept. Reset on a kept-alive connection and every answer sent
    #    one byte at a time: libcurl asks again on a fresh connection and
    #    the server calls it a duplicate.
    proxy.at_answer(CUT, 1)
    c = rig.start(once=True)
    assert c.finish() == 1, c.log()
    assert "could not be emptied" in c.log()
    proxy.clear()
    reset = proxy.at_answer(RESET, rig.rng.randint(2, 4))
    proxy.at_answer(TRICKLE, None)
    c = rig.start(once=True)
    assert c.finish() == 0, c.log()
    _, batch = submitted_batch(reset.wait(0).request_body)
    assert f"batch {batch} (1 readings) duplicate via" in c.log(), c.log()
    proxy.clear()

    # 6. The server stops (SIGTERM) while a batch waits before it, and is
    #    killed (SIGKILL) after it stored a batch and before its answer left.
    #    The client keeps what it could not send and says so.
    for stop in ("SIGTERM", "SIGKILL"):
        rule = (proxy.at_request if stop == "SIGTERM" else proxy.at_answer)(HOLD, rig.rng.randint(1, 3))
        c = rig.start(once=True)
        rule.wait(WAIT)
        if stop == "SIGTERM":
            assert srv.stop(timeout=WAIT) == 0, srv.log()
        else:
            srv.proc.kill()
            srv.stop()
        rule.release(PASS if stop == "SIGTERM" else CUT)
        assert c.finish() == 1, c.log()
        assert "could not be emptied" in c.log(), c.log()
        assert status(config)["outbox"]["stored_items"] > 0
        srv.start()

    # 7. PostgreSQL crashes right after it committed a batch (the answer is
    #    held until the crash is over): the commit survives; the next batch
    #    finds no database and waits in the outbox.
    rule = proxy.at_answer(HOLD, rig.rng.randint(1, 3))
    c = rig.start(once=True)
    exchange = rule.wait(WAIT)
    pg.crash()
    rule.release(PASS)
    assert c.finish() == 1, c.log()
    assert "could not be emptied" in c.log() and "try again later" in c.log(), c.log()
    crashed_batch = submitted_batch(exchange.request_body)[1]
    pg.resume()

    # 8. A last round with everything up empties the outbox.
    c = rig.start(once=True)
    assert c.finish() == 0, c.log()
    final = status(config)
    box = final["outbox"]
    assert box["stored_items"] == 0 and box["rejected_batches"] == 0, box
    n = box["committed_items"]
    assert box["confirmed_items"] == n > 0
    collector = final["client_id"]

    # Every committed reading is in the database exactly once.
    rows = pg.psql(
        "SELECT count(*), count(DISTINCT item_seq), coalesce(min(item_seq), 0), "
        f"coalesce(max(item_seq), 0) FROM device_reads WHERE collector_id = {collector}")
    assert tuple(int(x) for x in rows.strip().split("|")) == (n, n, 1, n)
    assert pg.psql(f"SELECT count(*) FROM ingest_batches WHERE collector_id = {collector} "
                   f"AND batch_seq = {crashed_batch}").strip() == "1"

    # Per device and counter: one stored value per meter read.
    meter_reads = dict(
        tuple(int(x) for x in line.split("|")) for line in pg.psql(
            "SELECT device_id, count(*) FROM device_reads "
            f"WHERE collector_id = {collector} AND kind = 'meter' GROUP BY device_id").split())
    per_counter = pg.psql(
        "SELECT r.device_id, m.counter_id, count(*) FROM meter_readings m "
        "JOIN (SELECT DISTINCT device_id FROM device_reads "
        f"      WHERE collector_id = {collector}) r USING (device_id) "
        "GROUP BY 1, 2 ORDER BY 1, 2").split()
    for line in per_counter:
        device, counter, count = (int(x) for x in line.split("|"))
        assert count == meter_reads[device], (device, counter, count, meter_reads[device])
    assert per_counter, "no counter values stored at all"

    # What the proxy saw: "stored" once per batch; every acknowledgement the
    # client never got is followed by a resend that the server calls a
    # duplicate.
    answered = [(submitted_batch(x.request_body)[1], submit_answer(x.answer_body), x)
                for x in proxy.exchanges if x.answer is not None]
    stored = sorted(b for b, a, _ in answered if a == "stored")
    batches = int(pg.psql(f"SELECT count(*) FROM ingest_batches WHERE collector_id = {collector}"))
    assert stored == sorted(set(stored)) and len(stored) == batches
    lost = [x for b, a, x in answered if a in ("stored", "duplicate") and x.fate != "delivered"]
    assert len(lost) >= 6, [x.fate for x in lost]
    for x in lost:
        batch = submitted_batch(x.request_body)[1]
        assert any(b == batch and a == "duplicate" and y.number > x.number
                   for b, a, y in answered), f"batch {batch}: answer {x.fate}, never resent"
    duplicates = sum(a == "duplicate" for _, a, _ in answered)
    print(f"\n{rig.runs} client runs; {'; '.join(rig.notes)}; {n} readings committed and stored "
          f"once in {batches} batches; {len(proxy.exchanges)} exchanges, {len(lost)} answers "
          f"lost, {duplicates} resends acknowledged as duplicates")
