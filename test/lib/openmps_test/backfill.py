"""Weeks of past readings for devices a real client has read, through the
real ingest path: sealed batches (one a day, reading times in the past)
submitted by mps.submit to the server named in an enrollment string, with
its certificate pinned by the enrollment's fingerprint.

Give it its own collector (`openmps-server collector add`): the devices are
matched by serial within the customer, so the history joins the devices the
client reported, and the client's own batch numbers stay untouched.

Going back from each device's latest counters, every counter falls by a
daily rate (weekends a tenth of it); every supply level rises by a daily
rate until it would pass 100 %, where a replacement is (so going forward a
cartridge is used up and replaced). Plus, for tests of the billing
arithmetic, `scenario_devices()` adds devices of their own: one whose
counter restarted (controller replaced), one read with a gap, and one
replaced by a new serial at the same address.

As a program (scripts/demo):

    python3 -m openmps_test.backfill --enrollment 'omps1:...' --fleet fleet.json --days 42

where fleet.json is `openmps-server fleet --json --customer NAME`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import socket
import ssl
import sys
import time
import xmlrpc.client
from dataclasses import dataclass, field
from urllib.parse import urlparse

from openmps_test.openmps_server import Enrollment, make_reading, seal_batch

DAY = dt.timedelta(days=1)


@dataclass
class History:
    """What was sent for one device: its readings, oldest first."""
    serial: str
    readings: list[dict] = field(default_factory=list)

    def counter_at(self, name: str, when: dt.datetime) -> int | None:
        """The value of the last reading at or before `when`."""
        best = None
        for r in self.readings:
            if _parse(r["read_at"]) <= when and name in r["counters"]:
                best = r["counters"][name]
        return best


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _weekday_factor(day: dt.date) -> float:
    return 0.1 if day.weekday() >= 5 else 1.0


def _series(current: dict[str, int], days: int, end: dt.datetime, rng: random.Random,
            pages_per_day: int) -> list[dict[str, int]]:
    """Counters for each of `days` days before `end`, oldest first, ending
    below `current`."""
    total = max(current.get("total", 0), 1)
    back = {name: 0 for name in current}
    out = []
    for d in range(1, days + 1):
        day = (end - d * DAY).date()
        printed = pages_per_day * _weekday_factor(day) * rng.uniform(0.6, 1.4)
        for name, value in current.items():
            share = value / total if name != "total" else 1.0
            back[name] += max(0, round(printed * min(share, 1.0)))
        out.append({name: max(0, current[name] - back[name]) for name in current})
    out.reverse()
    return out


def _levels(current: list[dict], days: int, rng: random.Random) -> list[list[dict]]:
    """Supplies for each of `days` days, oldest first; a level rising past
    100 % going back is a cartridge replaced there."""
    per_supply = []
    for s in current:
        pct = s.get("level_percent")
        if pct is None or s.get("max", 0) <= 0:
            per_supply.append([dict(s) for _ in range(days)])
            continue
        slope = rng.uniform(0.6, 2.2)
        level = float(pct)
        back = []
        for _ in range(days):
            level += slope
            if level > 100:
                level = rng.uniform(2, 8) + (level - 100)  # before the replacement: nearly empty
            back.append(level)
        back.reverse()
        per_supply.append([_with_level(s, round(v)) for v in back])
    return [[per_supply[i][d] for i in range(len(current))] for d in range(days)]


def _with_level(supply: dict, percent: int) -> dict:
    s = dict(supply)
    percent = max(0, min(100, percent))
    s["level"] = round(percent * s["max"] / 100)
    s["level_percent"] = percent
    s["state"] = "empty" if percent == 0 else ("low" if percent <= 10 else "ok")
    return s


def _reading(device: dict, at: dt.datetime, counters: dict, supplies: list[dict]) -> dict:
    ident = device["identity"]
    r = make_reading(ident.get("serial", ""), counters=counters, supplies=supplies, read_at=at,
                     ip=ident.get("ip", ""), mac=ident.get("mac", ""),
                     model=ident.get("model", ""), firmware=ident.get("firmware", ""))
    r["identity"].update({k: ident.get(k, "") for k in
                          ("manufacturer", "host_name", "location", "contact", "sys_object_id",
                           "sys_descr")})
    return r


def history_for(device: dict, days: int, end: dt.datetime, seed: int) -> History:
    """`days` daily readings of a device (fleet JSON entry) before `end`."""
    rng = random.Random(f"{seed}:{device['identity'].get('serial')}")
    hour = dt.timedelta(hours=2, minutes=rng.randrange(0, 50))
    counters = _series(dict(device.get("counters", {})), days, end, rng, rng.randrange(40, 400))
    supplies = _levels(device.get("supplies", []), days, rng)
    h = History(device["identity"].get("serial", ""))
    for d in range(days):
        at = (end - (days - d) * DAY).replace(hour=0, minute=0, second=0, microsecond=0) + hour
        h.readings.append(_reading(device, at, counters[d], supplies[d]))
    return h


def scenario_devices(end: dt.datetime, days: int, middle: dt.datetime | None = None,
                     gap_at: dt.datetime | None = None) -> list[History]:
    """Devices whose histories the billing arithmetic must explain: a
    controller swap (counters restart) and a device replaced by a new serial
    at the same address, both on `middle` (default: halfway), and a device
    not read for a week around `gap_at` (default: halfway)."""
    def device(serial: str, ip: str) -> dict:
        return {"identity": {"serial": serial, "ip": ip, "mac": "", "model": "Test Printer 1",
                             "firmware": "1.0", "manufacturer": "Test", "location": "Copy room"},
                "counters": {}, "supplies": []}

    def day(d: int) -> dt.datetime:
        return (end - (days - d) * DAY).replace(hour=3, minute=0, second=0, microsecond=0)

    def index(when: dt.datetime | None) -> int:
        return days // 2 if when is None else days - (end - when).days

    mid, gap_mid = index(middle), index(gap_at)
    out = []
    reset = History("SCN-RESET")
    for d in range(days):
        total = 50_000 + 100 * d if d < mid else 7 + 100 * (d - mid)
        reset.readings.append(_reading(device("SCN-RESET", "10.99.0.1"), day(d), {"total": total}, []))
    out.append(reset)
    gap = History("SCN-GAP")
    for d in range(days):
        if gap_mid - 4 <= d <= gap_mid + 3:
            continue
        gap.readings.append(_reading(device("SCN-GAP", "10.99.0.2"), day(d), {"total": 9000 + 50 * d}, []))
    out.append(gap)
    old, new = History("SCN-OLD"), History("SCN-NEW")
    for d in range(days):
        if d < mid:
            old.readings.append(_reading(device("SCN-OLD", "10.99.0.3"), day(d), {"total": 120_000 + 80 * d}, []))
        else:
            new.readings.append(_reading(device("SCN-NEW", "10.99.0.3"), day(d), {"total": 10 + 80 * (d - mid)}, []))
    out += [old, new]
    return out


class Sender:
    """Seals one batch per day and submits it to the enrollment's server."""

    def __init__(self, enrollment: Enrollment):
        self.enrollment = enrollment
        self.seq = 1
        self.item = 1
        url = next((s for s in enrollment.servers if s.startswith(("xmlrpcs://", "https://"))), None)
        if url is None:
            raise ValueError("the enrollment names no xmlrpcs:// or https:// server")
        u = urlparse(url)
        self.host, self.port = u.hostname, u.port or 443
        self.path = u.path or "/RPC2"
        self._check_pin()

    def _context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # pinned by fingerprint instead (_check_pin)
        return ctx

    def _check_pin(self) -> None:
        with socket.create_connection((self.host, self.port), timeout=10) as raw:
            with self._context().wrap_socket(raw) as tls:
                der = tls.getpeercert(binary_form=True)
        if hashlib.sha256(der).hexdigest() != self.enrollment.fingerprint.lower():
            raise ValueError(f"{self.host}:{self.port}: certificate does not match the enrollment")

    def send(self, readings: list[dict]) -> None:
        items = []
        for r in readings:
            items.append({"seq": self.item, "reading": r})
            self.item += 1
        envelope = seal_batch(self.enrollment.client_id, self.seq, items, self.enrollment.key)
        self.seq += 1
        proxy = xmlrpc.client.ServerProxy(f"https://{self.host}:{self.port}{self.path}",
                                          context=self._context(), use_builtin_types=True)
        for attempt in range(60):
            try:
                answer = proxy.mps.submit(envelope)
                break
            except xmlrpc.client.Fault as f:
                if f.faultCode not in (200, 201) or attempt == 59:  # rate limited, busy: later
                    raise
                time.sleep(1)
        if answer.get("status") not in ("stored", "duplicate"):
            raise RuntimeError(f"batch {self.seq - 1}: {answer}")


def send_histories(enrollment: Enrollment, histories: list[History], days_per_batch: int = 7) -> int:
    """Submits the histories oldest first, a week of readings per batch (the
    server's rate limit counts batches); returns the batches sent."""
    by_day: dict[str, list[dict]] = {}
    for h in histories:
        for r in h.readings:
            by_day.setdefault(r["read_at"][:10], []).append(r)
    sender = Sender(enrollment)
    days = sorted(by_day)
    batches = 0
    for i in range(0, len(days), days_per_batch):
        sender.send([r for day in days[i:i + days_per_batch] for r in by_day[day]])
        batches += 1
    return batches


def backfill(enrollment: Enrollment, devices: list[dict], days: int, end: dt.datetime | None = None,
             seed: int = 1, scenarios: bool = False, middle: dt.datetime | None = None,
             gap_at: dt.datetime | None = None) -> list[History]:
    """Histories for the devices (fleet JSON entries), `days` days before `end`
    (default: today 00:00 UTC), sent through ingest; returns what was sent."""
    end = end or dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    histories = [history_for(d, days, end, seed) for d in devices if d["identity"].get("serial")]
    if scenarios:
        histories += scenario_devices(end, days, middle, gap_at)
    send_histories(enrollment, histories)
    return histories


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--enrollment", required=True, help="omps1:... of a collector for the history")
    p.add_argument("--fleet", required=True, help="openmps-server fleet --json output (a file)")
    p.add_argument("--days", type=int, default=42)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    with open(args.fleet) as f:
        devices = json.load(f)["devices"]
    histories = backfill(Enrollment.decode(args.enrollment), devices, args.days, seed=args.seed)
    readings = sum(len(h.readings) for h in histories)
    print(f"backfill: {readings} readings of {len(histories)} devices over {args.days} days sent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
