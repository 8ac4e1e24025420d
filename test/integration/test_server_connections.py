# ctest-timeout: 180
"""Connection limits of the XML-RPC listener: one host holding idle sockets
cannot take the workers from everybody else, connections beyond the
listener's capacity are refused at once, and idle ones end with the request
timeout, after which the listener serves again."""

import contextlib
import http.client
import socket
import time

import pytest

from openmps_test.openmps_server import OpenMpsServer
from openmps_test.postgres import PostgresCluster, wait_for

LIST_METHODS = (b"<?xml version='1.0'?><methodCall><methodName>system.listMethods</methodName>"
                b"<params></params></methodCall>")


@pytest.fixture(scope="module")
def pg():
    with PostgresCluster() as cluster:
        yield cluster


def list_methods_from(srv: OpenMpsServer, source: str, timeout: float = 10) -> int:
    """POSTs system.listMethods from the given loopback source address."""
    conn = http.client.HTTPSConnection("127.0.0.1", srv.xmlrpc_port, timeout=timeout,
                                       context=srv.ssl_context(), source_address=(source, 0))
    with contextlib.closing(conn):
        conn.request("POST", "/RPC2", body=LIST_METHODS, headers={"Content-Type": "text/xml"})
        resp = conn.getresponse()
        assert b"mps.submit" in resp.read()
        return resp.status


def idle_socket(srv: OpenMpsServer, source: str = "127.0.0.1") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", srv.xmlrpc_port), timeout=10,
                                 source_address=(source, 0))
    s.settimeout(0.2)
    return s


def closed_by_server(s: socket.socket) -> bool:
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionError:
        return True


def test_one_peer_cannot_hold_every_worker(pg, tmp_path):
    limits = {"max_connections": 8, "max_connections_per_peer": 3}
    with OpenMpsServer(pg, tmp_path, web=False, limits=limits) as srv:
        sockets = [idle_socket(srv) for _ in range(4)]
        try:
            # Workers take connections in no fixed order: whichever comes
            # fourth is closed at once, not after the 30 s request timeout.
            closed = set()

            def one_closed():
                closed.update(i for i, s in enumerate(sockets)
                              if i not in closed and closed_by_server(s))
                return closed
            assert wait_for(one_closed, timeout=5), srv.log()
            assert wait_for(lambda: "refused: it already holds 3" in srv.log(), timeout=5)
            assert len(one_closed()) == 1, f"closed: {sorted(closed)}"
            # Another host is served while the first one idles.
            assert list_methods_from(srv, "127.0.0.2") == 200
            assert len(one_closed()) == 1
        finally:
            for s in sockets:
                s.close()
        # Its sockets gone, the first host is served again.
        assert wait_for(lambda: list_methods_from(srv, "127.0.0.1") == 200, timeout=10)


def test_beyond_capacity_refused_and_idle_ones_time_out(pg, tmp_path):
    # 2 handled at once + 2 queued: the rest is refused immediately.
    limits = {"max_connections": 2, "max_connections_per_peer": 100, "request_timeout_seconds": 2}
    with OpenMpsServer(pg, tmp_path, web=False, limits=limits) as srv:
        sockets = [idle_socket(srv) for _ in range(8)]
        try:
            # Refused well before the 2 s request timeout could have ended them.
            started = time.monotonic()
            refused = set()

            def four_refused():
                refused.update(i for i, s in enumerate(sockets)
                               if i not in refused and closed_by_server(s))
                return len(refused) >= 4
            assert wait_for(four_refused, timeout=5)
            assert time.monotonic() - started < 1.5, "closed by the timeout, not refused"
            # The held ones end with the request timeout; then it serves again.
            assert wait_for(lambda: all(i in refused or closed_by_server(s)
                                        for i, s in enumerate(sockets)), timeout=15)
            assert list_methods_from(srv, "127.0.0.1") == 200
        finally:
            for s in sockets:
                s.close()
