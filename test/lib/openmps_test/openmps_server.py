"""Runs the real `openmps-server` for tests: configuration, migrate, org and
collector administration, the `run` daemon on free loopback ports, and a
Python mps.submit client that seals batches exactly as shared/envelope does
(PyNaCl: XChaCha20-Poly1305 with the 60-byte header as associated data).

    from openmps_test.postgres import postgres  # noqa: F401 (fixture)
    from openmps_test.openmps_server import OpenMpsServer

    def test_x(postgres, tmp_path):
        with OpenMpsServer(postgres, tmp_path) as srv:   # config + migrate + run
            srv.cli("org", "add", "--dealer", "D")
            ...
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import http.client
import json
import secrets
import signal
import socket
import ssl
import struct
import subprocess
import time
import xmlrpc.client
import zlib
from dataclasses import dataclass
from pathlib import Path

from nacl import bindings as nacl_bindings
from nacl.encoding import RawEncoder
from nacl.hash import blake2b

from openmps_test.postgres import free_port
from openmps_test.paths import server_binary


# A password the server's policy accepts (length, classes, not a common one).
STRONG_PASSWORD = "Zq7!tundra-Oboe"


# ---- envelope (shared/envelope/seal.cpp) --------------------------------------

MAGIC = b"OMPE"
HEADER_SIZE = 60
FLAG_DEFLATE = 0x01
KEY_ID_LABEL = b"openmps key id v1"


def key_id(key: bytes) -> bytes:
    return blake2b(KEY_ID_LABEL, digest_size=16, key=key, encoder=RawEncoder)[:8]


def rfc3339(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{t.microsecond // 1000:03d}Z"


def seal_payload(client_id: int, batch_seq: int, payload: bytes, key: bytes,
                 compress: bool = True, nonce: bytes | None = None) -> bytes:
    body = zlib.compress(payload, 6) if compress else payload
    nonce = nonce or secrets.token_bytes(24)
    header = bytearray(HEADER_SIZE)
    header[0:4] = MAGIC
    header[4] = 1
    header[5] = FLAG_DEFLATE if compress else 0
    struct.pack_into(">QQ", header, 8, client_id, batch_seq)
    header[24:32] = key_id(key)
    header[32:56] = nonce
    struct.pack_into(">I", header, 56, len(body) + 16)
    cipher = nacl_bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(body, bytes(header), nonce, key)
    return bytes(header) + cipher


def batch_payload(client_id: int, batch_seq: int, items: list[dict],
                  created_at: dt.datetime | None = None) -> bytes:
    doc = {"format": 1, "client_id": client_id, "batch_seq": batch_seq,
           "client_version": "test", "created_at": rfc3339(created_at or dt.datetime.now(dt.timezone.utc)),
           "items": items}
    return json.dumps(doc, separators=(",", ":")).encode()


def seal_batch(client_id: int, batch_seq: int, items: list[dict], key: bytes,
               created_at: dt.datetime | None = None, **kw) -> bytes:
    payload = batch_payload(client_id, batch_seq, items, created_at)
    return seal_payload(client_id, batch_seq, payload, key, **kw)


def make_reading(serial: str = "", *, counters: dict | None = None, supplies: list | None = None,
                 read_at: dt.datetime | None = None, ip: str = "", mac: str = "",
                 model: str = "Test Printer 1", firmware: str = "1.0", kind: str = "meter",
                 errors: list | None = None, printer_status: str = "idle",
                 client_id: str = "", address: str = "") -> dict:
    """One reading in the shared JSON form (shared/model/reading_json.cpp)."""
    return {
        "kind": kind,
        "read_at": rfc3339(read_at or dt.datetime.now(dt.timezone.utc)),
        "origin": {"client_id": client_id, "address": address or ip, "pmd": "generic"},
        "identity": {"manufacturer": "Test", "model": model, "serial": serial, "firmware": firmware,
                     "mac": mac, "host_name": "", "ip": ip, "location": "", "contact": "",
                     "sys_object_id": "1.3.6.1.4.1.99999", "sys_descr": "test printer"},
        "counters": counters if counters is not None else {"total": 1000},
        "supplies": supplies if supplies is not None else [],
        "status": {"printer_status": printer_status, "device_status": "running",
                   "errors": errors or [], "alerts": [], "vendor_code": ""},
        "capabilities": {"color": None, "duplex": None, "large_format": None,
                         "input_trays": None, "output_trays": None, "finishers": []},
        "notes": [],
    }


def make_supply(index: int, color: str, level: int, maximum: int = 100) -> dict:
    pct = None if level < 0 or maximum <= 0 else round(level * 100 / maximum)
    return {"index": index, "description": f"{color} toner", "type": "toner", "color": color,
            "level": level, "max": maximum, "level_percent": pct,
            "state": "ok" if pct is not None else "unknown", "unit": "percent",
            "class": "consumed", "part_number": "", "serial": ""}


def submitted_batch(call_xml: bytes) -> tuple[int, int]:
    """(client id, batch number) of an mps.submit call, from the envelope's
    header (sealed as associated data, so readable without the key)."""
    (envelope,), method = xmlrpc.client.loads(call_xml, use_builtin_types=True)
    assert method == "mps.submit", method
    assert envelope[:4] == MAGIC, envelope[:8]
    return struct.unpack_from(">QQ", envelope, 8)


def submit_answer(response_xml: bytes) -> str:
    """"stored", "duplicate" or "fault N" for an answer to mps.submit."""
    try:
        (answer,), _ = xmlrpc.client.loads(response_xml, use_builtin_types=True)
    except xmlrpc.client.Fault as f:
        return f"fault {f.faultCode}"
    return answer["status"]


# ---- enrollment strings (shared/envelope/enrollment.cpp) -----------------------

@dataclass
class Enrollment:
    text: str
    client_id: int
    key: bytes
    servers: list[str]
    fingerprint: str  # lower-case hex

    @staticmethod
    def encode(client_id: int, key: bytes, servers: list[str], fingerprint: str) -> str:
        """An enrollment string as `collector add` prints it, for any values."""
        body = json.dumps({"v": 1, "servers": servers, "client_id": client_id,
                           "key": base64.b64encode(key).decode(), "fingerprint": fingerprint},
                          separators=(",", ":")).encode()
        raw = body + zlib.crc32(body).to_bytes(4, "big")
        return "omps1:" + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(text: str) -> "Enrollment":
        text = text.strip()
        assert text.startswith("omps1:"), text
        raw = base64.urlsafe_b64decode(text[6:] + "=" * (-len(text[6:]) % 4))
        body, crc = raw[:-4], int.from_bytes(raw[-4:], "big")
        assert zlib.crc32(body) == crc, "enrollment checksum"
        doc = json.loads(body)
        return Enrollment(text, int(doc["client_id"]), base64.b64decode(doc["key"]),
                          list(doc["servers"]), doc["fingerprint"])


# ---- the server ----------------------------------------------------------------

@dataclass
class Client:
    """An enrolled collector: seals and submits batches."""
    server: "OpenMpsServer"
    enrollment: Enrollment
    next_seq: int = 1
    next_item: int = 1

    @property
    def client_id(self) -> int:
        return self.enrollment.client_id

    def items(self, readings: list[dict]) -> list[dict]:
        out = []
        for r in readings:
            out.append({"seq": self.next_item, "reading": r})
            self.next_item += 1
        return out

    def seal(self, readings: list[dict], batch_seq: int | None = None) -> tuple[int, bytes]:
        seq = batch_seq if batch_seq is not None else self.next_seq
        if batch_seq is None:
            self.next_seq += 1
        return seq, seal_batch(self.client_id, seq, self.items(readings), self.enrollment.key)

    def submit(self, readings: list[dict], via: str = "xmlrpc"):
        _, env = self.seal(readings)
        return self.server.submit(env, via=via)


# The `auth:` section tests run with: Argon2id at 1 MiB and one pass (the
# product's default, 64 MiB and 3 passes, would spend seconds per test on
# hashing) and no role required to use TOTP. Tests that check those pass
# their own section.
TEST_AUTH = """auth:
  password:
    hash_memory_kib: 1024
    hash_iterations: 1
  totp_required: []
"""


class OpenMpsServer:
    def __init__(self, pg, workdir: Path, *, tls: bool = True, web: bool = True,
                 limits: dict | None = None, ingest: dict | None = None, start: bool = True,
                 auth: str = TEST_AUTH, portal: bool = True, metrics: bool = False):
        self.pg = pg
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.tls = tls
        self.web = web
        self.xmlrpc_port = free_port()
        self.web_port = free_port() if web else 0
        # The HTTPS listener for people and programs (the REST API, the portal).
        self.portal_port = free_port() if portal else 0
        # /metrics, /healthz and /readyz (plain HTTP on loopback).
        self.metrics_port = free_port() if metrics else 0
        self.limits = limits or {}
        self.ingest = ingest or {}
        self.auth = auth
        self.config = self.dir / "server.yaml"
        self.log_path = self.dir / "server.log"
        self.proc: subprocess.Popen | None = None
        self._autostart = start
        self.write_config()

    # configuration -------------------------------------------------------------
    def write_config(self, extra: str = "") -> None:
        lines = [
            "database:",
            f"  uri: {self.pg.uri}",
            "xmlrpc:",
            f"  listen: 127.0.0.1:{self.xmlrpc_port}",
            f"  tls: {'true' if self.tls else 'false'}",
        ]
        if self.web:
            lines += ["web:", f"  listen: 127.0.0.1:{self.web_port}"]
        if self.portal_port:
            lines += ["portal:", f"  listen: 127.0.0.1:{self.portal_port}"]
        if self.metrics_port:
            lines += ["metrics:", f"  listen: 127.0.0.1:{self.metrics_port}"]
        lines += ["certificate_names: [localhost, 127.0.0.1]", "log_level: info"]
        if self.limits:
            lines.append("limits:")
            lines += [f"  {k}: {v}" for k, v in self.limits.items()]
        if self.ingest:
            lines.append("ingest:")
            lines += [f"  {k}: {v}" for k, v in self.ingest.items()]
        self.config.write_text("\n".join(lines) + "\n" + self.auth + extra)

    # command line --------------------------------------------------------------
    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(server_binary()), *args, "--config", str(self.config)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check and out.returncode != 0:
            raise AssertionError(f"{' '.join(cmd[1:])} exited {out.returncode}:\n{out.stderr}")
        return out

    def migrate(self) -> None:
        self.cli("migrate")

    def add_dealer(self, name: str) -> None:
        self.cli("org", "add", "--dealer", name)

    def add_customer(self, name: str, dealer: str) -> None:
        self.cli("org", "add", "--customer", name, "--parent", dealer)

    def add_user(self, name: str, role: str, *where: str, password: str = STRONG_PASSWORD) -> None:
        """`user add` with the password in a file (the CLI takes no secret
        on its command line); `where` is --root, --dealer D or --customer C."""
        secret = self.dir / f"pw-{name}"
        secret.write_text(password)
        self.cli("user", "add", name, "--role", role, *where, "--password-file", str(secret))

    def add_collector(self, customer: str) -> Client:
        out = self.cli("collector", "add", "--customer", customer)
        return Client(self, Enrollment.decode(out.stdout.strip()))

    def fleet(self, customer: str | None = None, dealer: str | None = None) -> dict:
        args = ["fleet", "--json"]
        if customer:
            args += ["--customer", customer]
        if dealer:
            args += ["--dealer", dealer]
        return json.loads(self.cli(*args).stdout)

    # daemon ----------------------------------------------------------------------
    def start(self) -> None:
        self._log = open(self.log_path, "ab")
        earlier = self.log_path.stat().st_size  # a restart: only this run's lines count
        self.proc = subprocess.Popen([str(server_binary()), "run", "--config", str(self.config)],
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        # Every listener is bound before the server says "running". Probing
        # the ports instead would leave connections the server counts
        # against 127.0.0.1 for a while (tests of its connection limits
        # would see them).
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"openmps-server run exited {self.proc.returncode}:\n{self.log()}")
            if b"openmps-server running" in self.log_path.read_bytes()[earlier:]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"openmps-server did not start:\n{self.log()}")
            time.sleep(0.05)

    def stop(self, timeout: float = 30) -> int | None:
        if self.proc is None:
            return None
        code = self.proc.poll()
        if code is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = self.proc.wait()
        self.proc = None
        self._log.close()
        return code

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self) -> "OpenMpsServer":
        self.migrate()
        if self._autostart:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # clients -------------------------------------------------------------------
    def ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        # The client pins the certificate's fingerprint instead of a CA
        # (enrollment strings carry it); tests check the pin separately.
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx

    @property
    def api_url(self) -> str:
        """The portal listener: the REST API under /api/v1."""
        return f"https://127.0.0.1:{self.portal_port}"

    @property
    def metrics_url(self) -> str:
        """The operations listener: /metrics, /healthz, /readyz."""
        return f"http://127.0.0.1:{self.metrics_port}"

    def url(self, via: str = "xmlrpc") -> str:
        if via == "xmlrpc":
            scheme = "https" if self.tls else "http"
            return f"{scheme}://127.0.0.1:{self.xmlrpc_port}/RPC2"
        return f"https://127.0.0.1:{self.web_port}/RPC2"

    def proxy(self, via: str = "xmlrpc") -> xmlrpc.client.ServerProxy:
        ctx = self.ssl_context() if (via != "xmlrpc" or self.tls) else None
        return xmlrpc.client.ServerProxy(self.url(via), context=ctx, use_builtin_types=True)

    def submit(self, envelope: bytes, via: str = "xmlrpc"):
        """mps.submit; returns the answer struct or raises xmlrpc.client.Fault."""
        return self.proxy(via).mps.submit(envelope)

    def connection(self, via: str = "xmlrpc") -> http.client.HTTPConnection:
        port = self.xmlrpc_port if via == "xmlrpc" else self.web_port
        if via == "xmlrpc" and not self.tls:
            return http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        return http.client.HTTPSConnection("127.0.0.1", port, timeout=30,
                                           context=self.ssl_context())

    def post_raw(self, body: bytes, via: str = "xmlrpc", path: str = "/RPC2",
                 method: str = "POST", headers: dict | None = None) -> tuple[int, bytes]:
        with contextlib.closing(self.connection(via)) as conn:
            conn.request(method, path, body=body,
                         headers=headers or {"Content-Type": "text/xml"})
            resp = conn.getresponse()
            return resp.status, resp.read()

    def peer_fingerprint(self, via: str = "xmlrpc") -> str:
        port = self.xmlrpc_port if via == "xmlrpc" else self.web_port
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with self.ssl_context().wrap_socket(raw) as tls:
                der = tls.getpeercert(binary_form=True)
        return hashlib.sha256(der).hexdigest()
