"""Fault proxies the test drives: faults land at points the test chose, on
states it observed, never on a timer.

``FaultProxy`` sits between a client and an HTTP server (the XML-RPC or
HTTPS receiver). It terminates TLS with the server's own certificate and
key (so a client that pins the server's fingerprint accepts it) and speaks
TLS again to the server, so it sees each exchange whole: one HTTP request
and its answer. The test adds rules; a rule acts at one of two points of
the n-th exchange that reaches it after the rule was added:

* ``at_request``: the request is complete, the server has not seen it;
* ``at_answer``: the server has answered (and so stored what it stores),
  the client has not seen the answer.

Actions: ``PASS``; ``HOLD`` (the exchange waits until the test releases
it, with any other action); ``CUT`` (both connections closed, a FIN);
``RESET`` (the client's connection reset, an RST); ``SWALLOW`` (nothing
more reaches the client, its connection stays open until it gives up);
``TRICKLE`` (the answer goes out one byte per write).

    with FaultProxy(("127.0.0.1", srv.xmlrpc_port), tls=(srv.dir / "server.crt",
                                                        srv.dir / "server.key")) as proxy:
        rule = proxy.at_answer(HOLD, nth=3)      # the 3rd answer from now on
        ... start the client ...
        exchange = rule.wait()                   # the server answered, the client waits
        kill the client / the server / PostgreSQL here
        rule.release(CUT)

Every exchange is recorded (``proxy.exchanges``) with its request, the
server's answer and what became of it (``fate``): ``delivered``,
``cut``, ``reset``, ``swallowed``, ``no server`` (nobody answered
upstream) or ``client gone``.

``SilentAgents`` are UDP addresses that never answer and note the order
in which they were asked (several asked at once, or one after another).

``UdpFaultProxy`` forwards datagrams (SNMP) from front addresses the client
asks to back addresses where the agents listen, and can hold every request
to one device from its n-th on, so a read is certainly in progress when the
test acts.

Both stop on ``__exit__`` (every connection closed, every thread joined).
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

PASS = "pass"
HOLD = "hold"
CUT = "cut"
RESET = "reset"
SWALLOW = "swallow"
TRICKLE = "trickle"
ACTIONS = (PASS, HOLD, CUT, RESET, SWALLOW, TRICKLE)

MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024
WAIT = 120.0  # generous: how long a test waits for a state before it fails


class ProxyError(AssertionError):
    pass


@dataclass
class Exchange:
    """One HTTP request through the proxy and what became of it."""
    number: int
    connection: int
    request: bytes = b""
    answer: bytes | None = None
    fate: str = "open"

    @property
    def request_body(self) -> bytes:
        return self.request.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in self.request else b""

    @property
    def answer_body(self) -> bytes:
        if not self.answer or b"\r\n\r\n" not in self.answer:
            return b""
        head, body = self.answer.split(b"\r\n\r\n", 1)
        if _header(head, b"transfer-encoding").lower() == b"chunked":
            return _dechunk(body)
        return body


class Rule:
    """What to do with the n-th exchange that reaches a point."""

    def __init__(self, point: str, action: str, nth: int | None, match):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        self.point = point
        self.action = action
        self.nth = nth
        self.match = match
        self.seen = 0
        self.exchange: Exchange | None = None
        self._fired = threading.Event()
        self._released = threading.Event()
        self._then = PASS

    def _applies(self, exchange: Exchange) -> bool:
        if self._fired.is_set() and self.nth is not None:
            return False
        if self.match is not None and not self.match(exchange):
            return False
        self.seen += 1
        return self.nth is None or self.seen == self.nth

    def wait(self, timeout: float = WAIT) -> Exchange:
        """The exchange the rule acted on (for HOLD: the one held now)."""
        if not self._fired.wait(timeout):
            raise ProxyError(f"no exchange reached the {self.point} point of rule "
                             f"{self.action} nth={self.nth} in {timeout} s (saw {self.seen})")
        return self.exchange

    def release(self, then: str = PASS) -> None:
        """Lets a held exchange go on with ``then``."""
        if then not in ACTIONS or then == HOLD:
            raise ValueError(f"cannot release into {then!r}")
        self._then = then
        self._released.set()


def _header(head: bytes, name: bytes) -> bytes:
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return b""


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += body[:size]
        body = body[size + 2:]
    return bytes(out)


class _Reader:
    """Reads whole HTTP messages from a socket (Content-Length or chunked)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _more(self) -> bool:
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buffer += data
        return True

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not self._more():
                raise ConnectionError("closed in the middle of a message")
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            if len(self.buffer) > MAX_HEAD or not self._more():
                raise ConnectionError("closed in the middle of a chunk")
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line + b"\r\n"

    def message(self, answer: bool) -> bytes | None:
        """One message, None when the peer closed before its first byte."""
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > MAX_HEAD:
                raise ConnectionError("HTTP head too long")
            if not self._more():
                if self.buffer:
                    raise ConnectionError("closed in the middle of a head")
                return None
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        head += b"\r\n\r\n"
        if _header(head, b"transfer-encoding").lower() == b"chunked":
            body = b""
            while True:
                line = self._line()
                size = int(line.split(b";")[0], 16)
                body += line + self._take(size + 2)
                if size == 0:
                    return head + body
        length = _header(head, b"content-length")
        if length:
            n = int(length)
            if n > MAX_BODY:
                raise ConnectionError("HTTP body too large")
            return head + self._take(n)
        if answer and not head.startswith(b"HTTP/1.1 204") and b" 304 " not in head[:16]:
            while self._more():  # ends with the connection
                pass
            out, self.buffer = self.buffer, b""
            return head + out
        return head


def _reset(sock) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _cut(sock) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class FaultProxy:
    """An HTTP(S) proxy under the test's control; see the module docstring."""

    def __init__(self, upstream: tuple[str, int], *, host: str = "127.0.0.1",
                 tls: tuple[Path, Path] | None = None, upstream_tls: bool | None = None):
        self.upstream = upstream
        self.host = host
        self.port = 0
        self._server_ctx = None
        if tls:
            self._server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._server_ctx.load_cert_chain(str(tls[0]), str(tls[1]))
        self._upstream_ctx = None
        if tls if upstream_tls is None else upstream_tls:
            self._upstream_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            self._upstream_ctx.check_hostname = False
            self._upstream_ctx.verify_mode = ssl.CERT_NONE
        self.exchanges: list[Exchange] = []
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._connections = 0
        self._open: set = set()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None

    # -- rules ----------------------------------------------------------------
    def at_request(self, action: str, nth: int | None = 1, match=None) -> Rule:
        return self._add(Rule("request", action, nth, match))

    def at_answer(self, action: str, nth: int | None = 1, match=None) -> Rule:
        return self._add(Rule("answer", action, nth, match))

    def _add(self, rule: Rule) -> Rule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Removes every rule; held exchanges go on as released."""
        with self._lock:
            rules, self._rules = self._rules, []
        for r in rules:
            r._released.set()

    def wait_exchanges(self, count: int, timeout: float = WAIT) -> list[Exchange]:
        """Waits until ``count`` exchanges have ended (delivered or not)."""
        with self._changed:
            if not self._changed.wait_for(
                    lambda: sum(e.fate != "open" for e in self.exchanges) >= count, timeout):
                raise ProxyError(f"{count} exchanges did not end in {timeout} s: {self.exchanges}")
            return list(self.exchanges)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    # -- lifecycle ------------------------------------------------------------
    def __enter__(self) -> "FaultProxy":
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((self.host, 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
        self.clear()
        with self._lock:
            open_now = list(self._open)
        for s in open_now:
            _reset(s)
        for t in self._threads:
            t.join(30)

    def _spawn(self, target, *args) -> None:
        t = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(t)
        t.start()

    def _track(self, sock) -> None:
        with self._lock:
            self._open.add(sock)

    def _forget(self, sock) -> None:
        with self._lock:
            self._open.discard(sock)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections += 1
                number = self._connections
            self._track(sock)
            self._spawn(self._serve, sock, number)

    # -- one client connection ---------------------------------------------------
    def _decide(self, point: str, exchange: Exchange) -> str:
        with self._lock:
            rule = next((r for r in self._rules if r.point == point and r._applies(exchange)), None)
        if rule is None:
            return PASS
        rule.exchange = exchange
        if rule.action != HOLD:
            rule._fired.set()
            return rule.action
        exchange.fate = f"held at {point}"
        rule._fired.set()
        while not rule._released.wait(0.5):
            if self._stopping.is_set():
                return RESET
        exchange.fate = "open"
        return rule._then

    def _end(self, exchange: Exchange, fate: str) -> None:
        with self._changed:
            exchange.fate = fate
            self._changed.notify_all()

    def _connect_upstream(self):
        raw = socket.create_connection(self.upstream, timeout=30)
        raw.settimeout(None)
        if self._upstream_ctx is None:
            return raw
        return self._upstream_ctx.wrap_socket(raw)

    def _serve(self, raw, number: int) -> None:
        client = raw
        try:
            if self._server_ctx is not None:
                try:
                    client = self._server_ctx.wrap_socket(raw, server_side=True)
                except (OSError, ssl.SSLError):
                    return
                self._track(client)
            self._exchanges(client, number)
        finally:
            for s in (client, raw):
                self._forget(s)
                with contextlib.suppress(OSError):
                    s.close()

    def _exchanges(self, client, number: int) -> None:
        reader = _Reader(client)
        upstream = None
        up_reader = None
        try:
            while not self._stopping.is_set():
                try:
                    request = reader.message(answer=False)
                except (OSError, ConnectionError):
                    return
                if request is None:
                    return
                with self._changed:
                    exchange = Exchange(len(self.exchanges) + 1, number, request)
                    self.exchanges.append(exchange)
                action = self._decide("request", exchange)
                if action != PASS and action != TRICKLE:
                    self._act(client, exchange, action)
                    return
                answer = None
                for attempt in (1, 2):  # a kept-alive connection the server closed: once more
                    try:
                        if upstream is None:
                            upstream = self._connect_upstream()
                            self._track(upstream)
                            up_reader = _Reader(upstream)
                        upstream.sendall(request)
                        answer = up_reader.message(answer=True)
                    except (OSError, ConnectionError):
                        answer = None
                    if answer is not None:
                        break
                    if upstream is not None:
                        self._forget(upstream)
                        _cut(upstream)
                        upstream = None
                if answer is None:
                    self._end(exchange, "no server")
                    _reset(client)
                    return
                exchange.answer = answer
                action = self._decide("answer", exchange)
                if action in (CUT, RESET, SWALLOW):
                    self._act(client, exchange, action)
                    return
                try:
                    if action == TRICKLE:
                        for i in range(len(answer)):
                            client.sendall(answer[i:i + 1])
                    else:
                        client.sendall(answer)
                except OSError:
                    self._end(exchange, "client gone")
                    return
                self._end(exchange, "delivered")
                if _header(answer.split(b"\r\n\r\n", 1)[0], b"connection").lower() == b"close":
                    _cut(client)
                    return
        finally:
            if upstream is not None:
                self._forget(upstream)
                _cut(upstream)

    def _act(self, client, exchange: Exchange, action: str) -> None:
        if action == CUT:
            self._end(exchange, "cut")
            _cut(client)
        elif action == RESET:
            self._end(exchange, "reset")
            _reset(client)
        elif action == SWALLOW:
            self._end(exchange, "swallowed")
            # Nothing more goes either way; the client decides when to give up.
            with contextlib.suppress(OSError):
                while not self._stopping.is_set():
                    ready, _, _ = select.select([client], [], [], 0.5)
                    if ready and not client.recv(65536):
                        break


class _HoldRule:
    def __init__(self, front, nth: int):
        self.front = front
        self.nth = nth
        self.seen = 0
        self._fired = threading.Event()
        self._released = threading.Event()

    def wait(self, timeout: float = WAIT) -> int:
        if not self._fired.wait(timeout):
            raise ProxyError(f"request {self.nth} to {self.front} did not come in {timeout} s "
                             f"(saw {self.seen})")
        return self.seen

    def release(self) -> None:
        """Requests flow again (the held ones were dropped, as a lossy
        network would)."""
        self._released.set()


class UdpFaultProxy:
    """Datagrams from front addresses to back addresses (one agent each)."""

    def __init__(self, routes: dict[tuple[str, int], tuple[str, int]]):
        self.routes = dict(routes)
        self.requests: dict[tuple[str, int], int] = {f: 0 for f in self.routes}
        self._rules: list[_HoldRule] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._fronts: dict[socket.socket, tuple[str, int]] = {}
        # (front, client address) -> the socket that talks to the agent
        self._uplinks: dict[tuple, socket.socket] = {}
        self._downlinks: dict[socket.socket, tuple] = {}

    def hold_from(self, front: tuple[str, int], nth: int = 1) -> _HoldRule:
        """Holds the n-th request to ``front`` from now on and all after it."""
        rule = _HoldRule(front, nth)
        with self._lock:
            self._rules.append(rule)
        return rule

    def __enter__(self) -> "UdpFaultProxy":
        for front in self.routes:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(front)
            self._fronts[s] = front
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(30)
        for s in list(self._fronts) + list(self._downlinks):
            s.close()

    def _holding(self, front) -> bool:
        with self._lock:
            self._rules = [r for r in self._rules if not r._released.is_set()]
            for r in self._rules:
                if r.front != front:
                    continue
                r.seen += 1
                if r.seen >= r.nth:
                    r._fired.set()
                    return True
        return False

    def _loop(self) -> None:
        while not self._stopping.is_set():
            sockets = list(self._fronts) + list(self._downlinks)
            ready, _, _ = select.select(sockets, [], [], 0.2)
            for s in ready:
                try:
                    data, peer = s.recvfrom(65535)
                except OSError:
                    continue
                if s in self._fronts:
                    self._forward(self._fronts[s], s, data, peer)
                else:
                    front_sock, client = self._downlinks[s]
                    with contextlib.suppress(OSError):
                        front_sock.sendto(data, client)

    def _forward(self, front, front_sock, data: bytes, client) -> None:
        with self._lock:
            self.requests[front] += 1
        if self._holding(front):
            return
        key = (front, client)
        up = self._uplinks.get(key)
        if up is None:
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            up.bind((self.routes[front][0], 0))
            self._uplinks[key] = up
            self._downlinks[up] = (front_sock, client)
        with contextlib.suppress(OSError):
            up.sendto(data, self.routes[front])


class SilentAgents:
    """UDP addresses that never answer and note, in order, what each of
    them received. A client that asks them all at once sends every first
    request before any retry (a retry repeats a request byte for byte); a
    client that asks one after another retries the first before it asks
    the second."""

    def __init__(self, addresses: list[tuple[str, int]]):
        self.addresses = list(addresses)
        self.arrivals: list[tuple[tuple[str, int], bytes]] = []
        self._sockets: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "SilentAgents":
        for address in self.addresses:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(address)
            self._sockets.append(s)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._thread.join(30)
        for s in self._sockets:
            s.close()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            ready, _, _ = select.select(self._sockets, [], [], 0.2)
            for s in ready:
                with contextlib.suppress(OSError):
                    data, _ = s.recvfrom(65535)
                    self.arrivals.append((s.getsockname(), data))

    def asked_all_at_once(self) -> bool:
        """Every address was asked before the first retry reached any."""
        seen = set()
        asked = set()
        for address, data in self.arrivals:
            if (address, data) in seen:
                break
            seen.add((address, data))
            asked.add(address)
        return asked == set(self.addresses)

    def summary(self) -> list[str]:
        return [f"{host}:{port} {len(data)} bytes" for (host, port), data in self.arrivals]


def common_udp_port(hosts: list[str]) -> int:
    """A UDP port free on every one of ``hosts``."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind((hosts[0], 0))
            port = probe.getsockname()[1]
        try:
            with contextlib.ExitStack() as stack:
                for h in hosts:
                    s = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                    s.bind((h, port))
            return port
        except OSError:
            continue
    raise RuntimeError(f"no UDP port free on all of {hosts}")
