"""Receivers for the server's notifications, run by tests on loopback:

- ``SmtpSink``: an SMTP server (aiosmtpd) that takes mail only after
  STARTTLS and AUTH with its user and password, and keeps every message in
  a Maildir and in ``messages`` (parsed ``email.message.EmailMessage``).
  ``hold()`` makes it keep the answer to the next DATA until ``release()``:
  a test can kill the sender while it waits for the 250. A message whose
  connection is gone by then is dropped, as a real MTA drops a transaction
  that never got its final reply. ``connections`` counts the sessions
  clients opened; ``drop_connections()`` closes every open one, as a mail
  server does with a session idle too long.
- ``WebhookReceiver``: an HTTPS server that checks each call's HMAC-SHA256
  signature and timestamp (server/notify/README.md, "Webhooks"), answers with a
  scripted status (``fail_next``), can hold its answer (``hold()``), and
  keeps every call in ``calls`` and the delivery ids it took in
  ``delivered`` (a receiver dedupes by them).

Both make a throw-away certificate for 127.0.0.1 (``ca_file`` is what the
server must trust) and stop themselves in ``stop()`` / ``with``.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import http.server
import json
import os
import shutil
import ssl
import tempfile
import threading
import time
import warnings
from pathlib import Path

from openmps_test.mail import make_certificate
from openmps_test.postgres import free_port


class SmtpSink:
    def __init__(self, user: str = "alerts", password: str = "smtp-secret-1"):
        self.host = "127.0.0.1"
        self.user = user
        self.password = password
        self.dir = Path(tempfile.mkdtemp(prefix="openmps-smtp-"))
        self.maildir = self.dir / "Maildir"
        self.messages: list[email.message.EmailMessage] = []
        self.port = 0
        self._controller = None
        self._lock = threading.Lock()
        self._hold = threading.Event()
        self._hold.set()
        self._holding = threading.Event()
        self.refuse_next = 0  # answer the next N DATA with a 451
        self._peers: set = set()  # (address, port) of every session
        self._open: list = []  # aiosmtpd's SMTP of each session

    def start(self) -> "SmtpSink":
        from aiosmtpd.controller import Controller
        self.cert_file, self.key_file = make_certificate(self.dir)
        self.ca_file = self.cert_file
        for sub in ("tmp", "new", "cur"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        self.port = free_port()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._controller = Controller(
                self, hostname=self.host, port=self.port, tls_context=ctx, require_starttls=True,
                auth_required=True, auth_require_tls=True, authenticator=self._authenticate,
                server_hostname="localhost", data_size_limit=32 << 20, ready_timeout=10.0)
            self._controller.start()
        return self

    def stop(self) -> None:
        self._hold.set()
        if self._controller is not None:
            try:
                self._controller.stop()
            except Exception:  # already stopped
                pass
            self._controller = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- aiosmtpd ----------------------------------------------------------
    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode(errors="replace") == self.user
              and auth_data.password.decode(errors="replace") == self.password)
        return AuthResult(success=ok)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname  # what aiosmtpd does itself without this hook
        with self._lock:
            if session.peer not in self._peers:
                self._peers.add(session.peer)
                self._open.append(server)
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        import asyncio
        if self.refuse_next:
            self.refuse_next -= 1
            return "451 4.3.0 not now (test)"
        if not self._hold.is_set():
            self._holding.set()
            while not self._hold.is_set():
                await asyncio.sleep(0.05)
            if session.transport is None or session.transport.is_closing():
                return "421 gone"
        content = envelope.original_content or envelope.content
        self._store(content, envelope)
        return "250 2.0.0 OK: queued"

    def _store(self, content: bytes, envelope) -> None:
        with self._lock:
            name = f"{time.time_ns()}.{len(self.messages)}.sink"
            (self.maildir / "tmp" / name).write_bytes(content)
            os.rename(self.maildir / "tmp" / name, self.maildir / "new" / name)
            msg = email.message_from_bytes(content, policy=email.policy.default)
            msg["X-Test-Rcpt-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(msg)

    # ---- what tests use ------------------------------------------------------
    def hold(self) -> None:
        """Keep the answer to the next DATA until release()."""
        self._holding.clear()
        self._hold.clear()

    def wait_holding(self, timeout: float = 60) -> None:
        if not self._holding.wait(timeout):
            raise AssertionError("no message arrived to hold")

    def release(self) -> None:
        self._hold.set()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._peers)

    def drop_connections(self) -> None:
        """Closes every session; returns once they are closed."""
        import asyncio
        with self._lock:
            servers, self._open = self._open, []

        async def close(server):
            if server.transport is not None:
                server.transport.close()

        for server in servers:
            asyncio.run_coroutine_threadsafe(close(server), server.loop).result(10)

    def config(self) -> str:
        """The notify.smtp section for a server configuration (password inline)."""
        return (f"    host: 127.0.0.1\n    port: {self.port}\n    tls: starttls\n"
                f"    user: {self.user}\n    password: {self.password}\n"
                f"    from: openmps@example.com\n    ca_file: {self.ca_file}\n    timeout: 20s\n")

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


class _WebhookHandler(http.server.BaseHTTPRequestHandler):
    server_version = "test-webhook"

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 (http.server API)
        receiver: WebhookReceiver = self.server.receiver  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        call = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body, "at": time.time()}
        call["valid"] = receiver.check(call)
        with receiver.lock:
            receiver.calls.append(call)
            status = receiver.next_status()
        if receiver.holding_event is not None:
            receiver.held.set()
            receiver.holding_event.wait(120)
        if status == 200 and call["valid"]:
            with receiver.lock:
                delivery = call["headers"].get("x-openmps-delivery")
                if delivery in receiver.delivered:
                    receiver.duplicates.append(delivery)
                else:
                    receiver.delivered[delivery] = json.loads(body)
        self.send_response(status if call["valid"] else 401)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class WebhookReceiver:
    def __init__(self, secret: str = "webhook-secret-1", max_age: int = 300):
        self.secret = secret
        self.max_age = max_age
        self.dir = Path(tempfile.mkdtemp(prefix="openmps-hook-"))
        self.calls: list[dict] = []
        self.delivered: dict[str, dict] = {}
        self.duplicates: list[str] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        self.holding_event: threading.Event | None = None
        self.held = threading.Event()
        self._server = None
        self._thread = None

    def start(self) -> "WebhookReceiver":
        cert, key = make_certificate(self.dir)
        self.ca_file = cert
        self.secret_file = self.dir / "secret"
        self.secret_file.write_text(self.secret + "\n")
        os.chmod(self.secret_file, 0o600)
        self.port = free_port()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), _WebhookHandler)
        self._server.daemon_threads = True
        self._server.receiver = self  # type: ignore[attr-defined]
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.holding_event is not None:
            self.holding_event.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/hooks/openmps"

    def next_status(self) -> int:
        if self.fail_next:
            self.fail_next -= 1
            return 503
        return 200

    def hold(self) -> None:
        """Keep the answer to the next calls until release()."""
        self.held.clear()
        self.holding_event = threading.Event()

    def release(self) -> None:
        if self.holding_event is not None:
            self.holding_event.set()
            self.holding_event = None

    def check(self, call: dict) -> bool:
        """The receiver's side of the contract: signature over timestamp and
        body with the shared secret, and a fresh timestamp."""
        h = call["headers"]
        try:
            ts = int(h.get("x-openmps-timestamp", ""))
        except ValueError:
            return False
        if abs(time.time() - ts) > self.max_age:
            return False
        expected = "sha256=" + hmac.new(self.secret.encode(), f"{ts}.".encode() + call["body"],
                                        hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, h.get("x-openmps-signature", ""))
