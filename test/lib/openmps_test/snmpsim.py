"""Simulated SNMP agents for tests: Debian's ``snmpsimd`` on loopback.

Two ways to give the simulator its data:

* ``Snmpsim(data_dir, endpoints=[("127.0.1.1", port), ...])`` serves every
  ``*.snmprec`` file of ``data_dir`` on every endpoint; the community is the
  file's name without ``.snmprec`` (``printer.snmprec`` -> ``printer``).
* ``Snmpsim(devices={("127.0.1.1", port): "a.snmprec", ...}, community="public")``
  gives each endpoint its own recording under one community (snmpsim's
  transport-ID data selection, ``--v2c-arch``). ``Snmpsim.spread(files,
  first="127.0.1.1")`` builds such a mapping over consecutive addresses.

The data is copied into a private folder readable by everyone, because as
root the simulator drops to ``nobody``; it works the same without root.
``__enter__`` returns once every endpoint answers an SNMP GET (or raises
with the simulator's log); ``__exit__`` stops the process and removes its
folders, also when the test failed.

    with Snmpsim(devices=Snmpsim.spread(files), community="public") as sim:
        for host, port in sim.endpoints: ...

``free_udp_port(host)`` returns a UDP port that is free on ``host``.
``snmp_get(host, port, community, oid)`` is a tiny dependency-free v2c GET
(used for readiness; handy in tests): it returns the raw response bytes or
None on timeout.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SNMPSIMD = "/usr/bin/snmpsimd"
TRANSPORT_ID = "1.3.6.1.6.1.1"  # snmpsim's UDP/IPv4 transport domain + endpoint index


def free_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port nobody listens on at ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _ber_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _ber_len(len(body)) + body


def _ber_int(v: int) -> bytes:
    return _tlv(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))


def _ber_oid(oid: str) -> bytes:
    arcs = [int(a) for a in oid.strip(".").split(".")]
    body = bytearray([arcs[0] * 40 + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return _tlv(0x06, bytes(body))


def snmp_get_packet(community: str, oid: str, request_id: int = 1, version: int = 1) -> bytes:
    """A GET request (version 0 = v1, 1 = v2c) as bytes."""
    varbind = _tlv(0x30, _ber_oid(oid) + b"\x05\x00")
    pdu = _tlv(0xA0, _ber_int(request_id) + _ber_int(0) + _ber_int(0) + _tlv(0x30, varbind))
    return _tlv(0x30, _ber_int(version) + _tlv(0x04, community.encode()) + pdu)


def snmp_get(host: str, port: int, community: str, oid: str = "1.3.6.1.2.1.1.1.0",
             timeout: float = 1.0) -> bytes | None:
    """Sends one v2c GET; returns the raw answer or None when none came."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(snmp_get_packet(community, oid), (host, port))
        try:
            return s.recvfrom(65535)[0]
        except socket.timeout:
            return None


def _wait_all_answer(targets: list[tuple[str, int, str]], deadline: float,
                     alive) -> list[tuple[str, int, str]]:
    """GETs every (host, port, community) until each answered; returns the silent ones."""
    pending = {(h, p): c for h, p, c in targets}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        while pending and time.monotonic() < deadline and alive():
            for (h, p), c in list(pending.items()):
                s.sendto(snmp_get_packet(c, "1.3.6.1.2.1.1.1.0"), (h, p))
            end = time.monotonic() + 0.5
            while pending and time.monotonic() < end:
                try:
                    _, addr = s.recvfrom(65535)
                except socket.timeout:
                    continue
                pending.pop((addr[0], addr[1]), None)
    return [(h, p, c) for (h, p), c in pending.items()]


def _nobody_ids() -> tuple[str, str, int, int]:
    user = pwd.getpwnam("nobody")
    group = grp.getgrgid(user.pw_gid)
    return user.pw_name, group.gr_name, user.pw_uid, user.pw_gid


class Snmpsim:
    """A running snmpsimd; see the module docstring."""

    def __init__(self, data_dir: str | os.PathLike | None = None,
                 endpoints: list[tuple[str, int]] | None = None, *,
                 devices: dict[tuple[str, int], str | os.PathLike] | None = None,
                 community: str = "public", extra_args: list[str] | None = None,
                 start_timeout: float = 60.0, log_to_file: bool = False):
        if (data_dir is None) == (devices is None):
            raise ValueError("Snmpsim: give either data_dir (+ endpoints) or devices")
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.devices = {(h, int(p)): Path(f) for (h, p), f in (devices or {}).items()}
        if self.data_dir is not None:
            self.endpoints = list(endpoints or [("127.0.0.1", free_udp_port("127.0.0.1"))])
        else:
            self.endpoints = list(self.devices)
        self.community = community
        self.extra_args = list(extra_args or [])
        self.start_timeout = start_timeout
        self.log_to_file = log_to_file
        self.proc: subprocess.Popen | None = None
        self.tmp: Path | None = None

    @staticmethod
    def spread(files, first: str = "127.0.1.1", port: int | None = None) -> dict:
        """{(address, port): file} over consecutive loopback addresses from ``first``."""
        base = int.from_bytes(socket.inet_aton(first), "big")
        out = {}
        for i, f in enumerate(files):
            host = socket.inet_ntoa((base + i).to_bytes(4, "big"))
            out[(host, port or free_udp_port(host))] = f
        return out

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> "Snmpsim":
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _start(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="openmps-snmpsim-"))
        os.chmod(self.tmp, 0o755)
        data = self.tmp / "data"
        cache = self.tmp / "cache"
        data.mkdir(mode=0o755)
        cache.mkdir(mode=0o755)
        args = [SNMPSIMD, f"--data-dir={data}", f"--cache-dir={cache}"]
        probes: list[tuple[str, int, str]] = []
        if self.data_dir is not None:
            files = sorted(self.data_dir.glob("*.snmprec"))
            if not files:
                raise FileNotFoundError(f"Snmpsim: no .snmprec files in {self.data_dir}")
            for f in files:
                shutil.copyfile(f, data / f.name)
            for host, port in self.endpoints:
                probes.append((host, port, files[0].stem))
        else:
            # One folder per community; inside it one file per transport ID,
            # so the endpoint with index N serves 1.3.6.1.6.1.1.N.snmprec.
            folder = data / self.community
            folder.mkdir(mode=0o755, parents=True)
            copied: dict[Path, Path] = {}
            for index, ((host, port), src) in enumerate(self.devices.items()):
                dst = folder / f"{TRANSPORT_ID}.{index}.snmprec"
                if src in copied:
                    os.link(copied[src], dst)
                else:
                    shutil.copyfile(src, dst)
                    copied[src] = dst
                probes.append((host, port, self.community))
            args.append("--v2c-arch")
        for root, dirs, names in os.walk(data):
            for n in dirs:
                os.chmod(os.path.join(root, n), 0o755)
            for n in names:
                os.chmod(os.path.join(root, n), 0o644)
        if os.geteuid() == 0:
            user, group, uid, gid = _nobody_ids()
            os.chown(cache, uid, gid)
            args += [f"--process-user={user}", f"--process-group={group}"]
        self.log_path = self.tmp / "snmpsimd.log"
        if self.log_to_file:
            args.append(f"--logging-method=file:{self.log_path}")
            os.chmod(self.tmp, 0o777)
        else:
            args.append("--logging-method=null")
        args += [f"--agent-udpv4-endpoint={h}:{p}" for h, p in self.endpoints]
        args += self.extra_args
        self._stderr = open(self.tmp / "stderr.log", "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._stderr,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        silent = _wait_all_answer(probes, deadline, lambda: self.proc.poll() is None)
        if self.proc.poll() is not None or silent:
            raise RuntimeError(
                f"snmpsimd did not answer on {len(silent)} of {len(probes)} endpoints "
                f"(exit {self.proc.poll()}); its output:\n{self.output()}")

    def output(self) -> str:
        try:
            return (self.tmp / "stderr.log").read_text(errors="replace")[-4000:]
        except (OSError, TypeError):
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "_stderr", None) is not None:
            self._stderr.close()
            self._stderr = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def cpu_seconds(self) -> float:
        """User + system CPU the simulator has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
