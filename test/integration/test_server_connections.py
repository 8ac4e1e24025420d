# ctest-timeout: 240
"""Connection limits of the XML-RPC listener: one host holding idle sockets
cannot take the workers from everybody else, connections beyond what the
listener may hold are refused, and a connection that never finishes its
handshake is cut by its deadline, after which the listener serves again;
and how many connections the portal's listener keeps alive between requests.

No assertion races a timer: where a close must be a refusal, every deadline
of the server is minutes away, so nothing but the refusal can close the
socket while the test waits (with a generous bound) for it."""

import contextlib
import http.client
import socket

import pytest

from openmps_test.openmps_server import OpenMpsServer
from openmps_test.postgres import PostgresCluster, wait_for

LIST_METHODS = (b"<?xml version='1.0'?><methodCall><methodName>system.listMethods</methodName>"
                b"<params></params></methodCall>")
# Deadlines far beyond any wait of these tests.
NO_DEADLINES = {"handshake_timeout": "5m", "request_timeout": "10m", "idle_timeout": "10m"}


@pytest.fixture(scope="module")
def pg():
    with PostgresCluster() as cluster:
        yield cluster


def list_methods_from(srv: OpenMpsServer, source: str, timeout: float = 60) -> int:
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


class Closed:
    """Which of some sockets the server closed so far."""

    def __init__(self, sockets):
        self.sockets = sockets
        self.closed = set()

    def __call__(self) -> set:
        self.closed.update(i for i, s in enumerate(self.sockets)
                           if i not in self.closed and closed_by_server(s))
        return self.closed


def served(srv: OpenMpsServer, source: str) -> bool:
    try:
        return list_methods_from(srv, source) == 200
    except OSError:
        return False


def test_one_peer_cannot_hold_every_worker(pg, tmp_path):
    limits = {"max_connections": 8, "max_connections_per_peer": 3, "max_pending_per_peer": 8,
              **NO_DEADLINES}
    with OpenMpsServer(pg, tmp_path, web=False, limits=limits) as srv:
        sockets = [idle_socket(srv) for _ in range(4)]
        try:
            # Workers take connections in no fixed order: whichever comes
            # fourth is refused (no deadline can have closed it).
            closed = Closed(sockets)
            assert wait_for(closed, timeout=60), srv.log()
            assert wait_for(lambda: "refused: it already holds 3" in srv.log(), timeout=60)
            assert len(closed()) == 1, f"closed: {sorted(closed())}"
            # Another host is served while the first one idles.
            assert list_methods_from(srv, "127.0.0.2") == 200
            assert len(closed()) == 1
        finally:
            for s in sockets:
                s.close()
        # Its sockets gone, the first host is served again (once the workers
        # holding them have seen them close: until then it is refused).
        assert wait_for(lambda: served(srv, "127.0.0.1"), timeout=60), srv.log()


def test_pending_connections_beyond_the_limit_are_refused_or_evicted(pg, tmp_path):
    # 8 threads: at most 4 connections in their handshake or request, 2 per
    # host. Eight idle sockets from two hosts: four are held, four refused.
    limits = {"max_connections": 8, "max_connections_per_peer": 100,
              "max_pending_connections": 4, "max_pending_per_peer": 2, **NO_DEADLINES}
    with OpenMpsServer(pg, tmp_path, web=False, limits=limits) as srv:
        sockets = [idle_socket(srv, f"127.0.0.{2 + i % 2}") for i in range(8)]
        try:
            closed = Closed(sockets)
            assert wait_for(lambda: len(closed()) >= 4, timeout=60), srv.log()
            assert wait_for(lambda: "(limits.max_pending_per_peer)" in srv.log(), timeout=60)
            assert len(closed()) == 4, srv.log()
            # A third host finds the listener full: once the held ones are a
            # few seconds into their handshake, the oldest is cut for it.
            assert wait_for(lambda: served(srv, "127.0.0.4"), timeout=60), srv.log()
            assert len(closed()) >= 5
            assert "cut: longest in its TLS handshake while the listener was full" in srv.log()
        finally:
            for s in sockets:
                s.close()


def test_a_handshake_never_finished_is_cut_by_its_deadline(pg, tmp_path):
    limits = {"max_connections": 2, "max_connections_per_peer": 100,
              "handshake_timeout": "1s", "request_timeout": "10m"}
    with OpenMpsServer(pg, tmp_path, web=False, limits=limits) as srv:
        # Two threads, one of which may be pending: the sockets hold the
        # listener's only pending place until their deadline ends them.
        sockets = [idle_socket(srv) for _ in range(3)]
        try:
            closed = Closed(sockets)
            assert wait_for(lambda: len(closed()) == 3, timeout=60), srv.log()
            assert wait_for(lambda: "cut: TLS handshake not complete in time "
                                    "(limits.handshake_timeout)" in srv.log(), timeout=60)
        finally:
            for s in sockets:
                s.close()
        assert list_methods_from(srv, "127.0.0.1") == 200


def test_portal_keeps_32_connections_alive(pg, tmp_path):
    """People's browsers keep their connections to the portal open between
    requests: the portal listener keeps 32 of them alive (a closed one costs
    the next request a TLS handshake); the answer to a 33rd says it closes.
    Every deadline is minutes away, so none of the 32 can end meanwhile."""
    with OpenMpsServer(pg, tmp_path, limits=NO_DEADLINES) as srv:
        conns, closing = [], []
        try:
            for _ in range(33):
                conn = http.client.HTTPSConnection("127.0.0.1", srv.portal_port, timeout=60,
                                                   context=srv.ssl_context())
                conns.append(conn)
                conn.request("GET", "/api/v1/me")
                resp = conn.getresponse()
                resp.read()
                assert resp.status == 401
                closing.append(resp.getheader("Connection", "").lower() == "close")
            assert closing == [False] * 32 + [True], srv.log()[-2000:]
        finally:
            for conn in conns:
                conn.close()
