# ctest-timeout: 300
"""The server against an attacker on the network: every attack is sent to
the real server (PostgreSQL, TLS listeners), and after each one the server
still serves a real collector, stores its readings exactly once, and has
not grown without bound.

Attacks: unclosed nesting and deep arrays (xmlrpc-c would recurse), entity
expansion ("billion laughs") and a DOCTYPE, slow senders from several
addresses on one listener, envelopes forged with an enrolled collector's
id, control characters and invalid UTF-8 in a method name and in device
strings. No assertion races a timer: the tests wait (with generous bounds)
for what the server does, and judge what it did."""

import contextlib
import http.client
import json
import os
import socket
import ssl
import xmlrpc.client

import pytest

from openmps_test.openmps_server import OpenMpsServer, make_reading, seal_batch
from openmps_test.postgres import PostgresCluster, wait_for

# The server may grow by this much over all attacks of a test (heap
# fragmentation, TLS sessions, caches): far below what one expanded entity
# (about 128 MiB) or one parsed deep tree took before the pre-scan.
MEMORY_BOUND_KIB = 48 * 1024


@pytest.fixture(scope="module")
def pg():
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def server(pg, tmp_path_factory):
    # Short request deadlines: slow senders are cut within seconds.
    limits = {"request_timeout": "3s", "handshake_timeout": "3s", "idle_timeout": "3s",
              "rate_per_minute": 1, "rate_burst": 2}
    with OpenMpsServer(pg, tmp_path_factory.mktemp("server"), limits=limits) as srv:
        srv.add_dealer("Hostile Dealer")
        srv.add_customer("Victim Customer", "Hostile Dealer")
        yield srv


def resident_kib(srv: OpenMpsServer) -> int:
    for line in open(f"/proc/{srv.proc.pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def post(srv: OpenMpsServer, body: bytes, via: str = "xmlrpc", source: str = "127.0.0.1",
         timeout: float = 60) -> tuple[int, bytes]:
    port = srv.xmlrpc_port if via == "xmlrpc" else srv.web_port
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout,
                                       context=srv.ssl_context(), source_address=(source, 0))
    with contextlib.closing(conn):
        conn.request("POST", "/RPC2", body=body, headers={"Content-Type": "text/xml"})
        resp = conn.getresponse()
        return resp.status, resp.read()


def fault_of(answer: bytes) -> tuple[int, str]:
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(answer)
    return info.value.faultCode, info.value.faultString


def stored(pg, serial: str) -> int:
    return int(pg.psql(
        "SELECT count(*) FROM device_reads r JOIN devices d ON d.id = r.device_id "
        f"WHERE d.serial = '{serial}'"))


def real_collector_is_served(srv, pg, serial: str, via: str = "xmlrpc") -> None:
    """A real collector's batch is stored once; sent again, it is a duplicate."""
    client = srv.add_collector("Victim Customer")
    _, envelope = client.seal([make_reading(serial)])
    assert srv.submit(envelope, via=via)["status"] == "stored"
    assert srv.submit(envelope, via=via)["status"] == "duplicate"
    assert stored(pg, serial) == 1


def unclosed(depth: int) -> bytes:
    return b"<?xml version='1.0'?><methodCall>" + b"<a>" * depth


def deep_arrays(depth: int) -> bytes:
    return (b"<?xml version='1.0'?><methodCall><methodName>mps.submit</methodName><params>"
            b"<param>" + b"<value><array><data>" * depth + b"</data></array></value>" * depth +
            b"</param></params></methodCall>")


def billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY l0 "lol">{entities}]>'
            f"<methodCall><methodName>&l9;</methodName></methodCall>").encode()


def external_entity() -> bytes:
    return (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<methodCall><methodName>&x;</methodName></methodCall>")


@pytest.mark.parametrize("via", ["xmlrpc", "web"])
def test_parser_attacks_are_refused_before_the_parser(server, pg, via):
    before = resident_kib(server)
    attacks = {
        "300,000 unclosed elements": unclosed(300_000),
        "70,000 nested arrays": deep_arrays(70_000),
        "entity expansion": billion_laughs(),
        "external entity": external_entity(),
    }
    for name, body in attacks.items():
        for _ in range(4):  # repeated: nothing accumulates
            status, answer = post(server, body, via=via)
            assert status == 200, name
            code, text = fault_of(answer)
            assert code in (100, 101), f"{name}: {code} {text}"
    assert server.proc.poll() is None, server.log()
    grown = resident_kib(server) - before
    assert grown < MEMORY_BOUND_KIB, f"resident memory grew by {grown} KiB"
    real_collector_is_served(server, pg, f"HOSTILE-PARSE-{via}", via=via)


def slow_sender(srv: OpenMpsServer, source: str) -> ssl.SSLSocket:
    """A TLS connection that sends the first line of a request and one header, then idles."""
    raw = socket.create_connection(("127.0.0.1", srv.xmlrpc_port), timeout=60,
                                   source_address=(source, 0))
    tls = srv.ssl_context().wrap_socket(raw)
    tls.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: x\r\n")
    return tls


def closed(s: ssl.SSLSocket) -> bool:
    try:
        s.settimeout(0.2)
        return s.recv(1) == b""
    except (socket.timeout, ssl.SSLWantReadError):
        return False
    except (ConnectionError, ssl.SSLError, OSError):
        return True


def test_slow_senders_from_many_addresses_starve_nobody(server, pg):
    attackers = [f"127.0.66.{i}" for i in range(1, 5)]
    sockets = []
    try:
        for source in attackers:
            for _ in range(16):
                try:
                    sockets.append(slow_sender(server, source))
                except (ConnectionError, ssl.SSLError, OSError):
                    pass  # refused at once: over the address's share
        print(f"\n{len(sockets)} slow senders held by the server at first")
        # While they hang on: both listeners and the portal's still answer.
        real_collector_is_served(server, pg, "HOSTILE-SLOW-X", via="xmlrpc")
        real_collector_is_served(server, pg, "HOSTILE-SLOW-W", via="web")
        conn = http.client.HTTPSConnection("127.0.0.1", server.portal_port, timeout=60,
                                           context=server.ssl_context())
        with contextlib.closing(conn):
            conn.request("GET", "/api/v1/auth/methods")
            assert conn.getresponse().status == 200
        # Each slow sender is cut by its request deadline, and that is logged.
        assert wait_for(lambda: all(closed(s) for s in sockets), timeout=120), server.log()
        assert "not complete in time (limits.request_timeout)" in server.log() or \
            "(limits.max_pending_per_peer)" in server.log()
    finally:
        for s in sockets:
            s.close()
    assert server.proc.poll() is None


def submit_call(envelope: bytes, method: str = "mps.submit") -> bytes:
    return xmlrpc.client.dumps((envelope,), method).encode()


def test_forged_envelopes_cannot_lock_a_collector_out(server, pg):
    victim = server.add_collector("Victim Customer")
    # rate_per_minute 1, rate_burst 2: were forged envelopes charged to the
    # victim's id, two of them would lock it out for a minute.
    for i in range(40):
        forged = seal_batch(victim.client_id, 1000 + i,
                            [{"seq": 1, "reading": make_reading("FORGED")}], os.urandom(32))
        status, answer = post(server, submit_call(forged), source="127.0.0.77")
        assert status in (200, 429), status
        if status == 200:
            code, _ = fault_of(answer)
            assert code in (111, 112, 200), code  # wrong key, tampered, or the address's limit
    assert victim.submit([make_reading("HOSTILE-VICTIM")])["status"] == "stored"
    assert victim.submit([make_reading("HOSTILE-VICTIM")])["status"] == "stored"
    # The limit itself still holds for the victim's own (authentic) traffic.
    with pytest.raises(xmlrpc.client.Fault) as info:
        victim.submit([make_reading("HOSTILE-VICTIM")])
    assert info.value.faultCode == 200
    assert stored(pg, "FORGED") == 0


def method_call(name: bytes) -> bytes:
    return (b"<?xml version='1.0'?><methodCall><methodName>" + name +
            b"</methodName><params></params></methodCall>")


def test_control_characters_never_forge_a_log_line(server, pg):
    # A newline in a method name is valid XML: the server logs the unknown
    # name, escaped, on its own warning's line.
    status, answer = post(server, method_call(b"mps.nothing\n&lt;3&gt;FORGED method line"))
    assert status == 200 and fault_of(answer)[0] == 100
    # Raw ESC, NUL and 0xFF: refused; never written to the log raw.
    status, answer = post(server, method_call(b"mps.nothing\x1b[2J\x00\xff"))
    assert status == 200 and fault_of(answer)[0] in (100, 101)
    # Device strings with newlines, escapes and invalid UTF-8 (as JSON escapes).
    client = server.add_collector("Victim Customer")
    reading = make_reading("HOSTILE-TEXT", model="Model\n<2>FORGED device line\x1b[31m\x07")
    reading["identity"]["location"] = "Floor\r\n<1>FORGED 2"
    try:
        client.submit([reading])
    except xmlrpc.client.Fault as fault:
        assert fault.faultCode == 114, fault  # a clear refusal of the payload is fine too
    raw = server.log_path.read_bytes()
    lines = raw.split(b"\n")
    forged = [line for line in lines if b"FORGED" in line]
    assert forged, "the unknown method was not logged"
    for line in forged:
        assert b"unknown method" in line or b"HOSTILE-TEXT" in line, line
    for line in lines:
        assert not line.lstrip().startswith((b"<1>", b"<2>", b"<3>", b"FORGED")), line
    for byte in (b"\x00", b"\x1b", b"\xff", b"\x07", b"\r"):
        assert byte not in raw, f"raw {byte!r} in the server log"
    assert server.proc.poll() is None
    json.loads(server.cli("fleet", "--json").stdout)  # what was stored is valid UTF-8
    real_collector_is_served(server, pg, "HOSTILE-AFTER-TEXT")


def handshake(port: int, ctx: ssl.SSLContext) -> str | None:
    """The cipher the server agreed to, or None when it refused."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
            with ctx.wrap_socket(raw) as tls:
                return tls.cipher()[0]
    except (ssl.SSLError, ConnectionError):
        return None


def client_context(low: ssl.TLSVersion, high: ssl.TLSVersion, ciphers: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    # Our own client side must be able to offer what the server has to refuse.
    ctx.set_ciphers(ciphers + ":@SECLEVEL=0")
    ctx.minimum_version, ctx.maximum_version = low, high
    return ctx


CBC = ("ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:"
       "ECDHE-ECDSA-AES256-SHA384:AES128-SHA:AES256-SHA256:DES-CBC3-SHA")
AEAD = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305"


@pytest.mark.parametrize("listener", ["xmlrpc", "web", "portal"])
def test_tls_offers_only_1_2_and_newer_with_forward_secret_aead(server, listener):
    port = {"xmlrpc": server.xmlrpc_port, "web": server.web_port,
            "portal": server.portal_port}[listener]
    v = ssl.TLSVersion
    assert handshake(port, client_context(v.TLSv1, v.TLSv1_1, "ALL")) is None
    assert handshake(port, client_context(v.TLSv1_2, v.TLSv1_2, CBC)) is None
    assert handshake(port, client_context(v.TLSv1_2, v.TLSv1_2, "AES128-GCM-SHA256")) is None
    # The same client, offering what the policy allows, gets through.
    assert handshake(port, client_context(v.TLSv1_2, v.TLSv1_2, AEAD)) in AEAD.split(":")
    assert handshake(port, client_context(v.TLSv1_3, v.TLSv1_3, "ALL")) is not None
