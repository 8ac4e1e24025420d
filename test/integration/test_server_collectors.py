# ctest-timeout: 180
"""`openmps-server collector list` and `collector revoke`: a revoked client's
batches are refused from then on, the listing shows who reported when, and
mistakes get clear errors."""

import json
import xmlrpc.client

import pytest

from openmps_test.openmps_server import OpenMpsServer, make_reading
from openmps_test.postgres import PostgresCluster

FAULT_UNKNOWN_CLIENT = 110


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with PostgresCluster() as pg, OpenMpsServer(pg, tmp_path_factory.mktemp("srv")) as srv:
        srv.add_dealer("Dealer")
        srv.add_customer("Acme", "Dealer")
        srv.add_customer("Globex", "Dealer")
        yield srv


def listing(srv, *args) -> list[dict]:
    return json.loads(srv.cli("collector", "list", "--json", *args).stdout)


def test_list_revoke_and_refusal(server):
    acme = server.add_collector("Acme")
    globex = server.add_collector("Globex")
    assert acme.submit([make_reading("SER-C1")])["status"] == "stored"

    rows = {r["id"]: r for r in listing(server)}
    assert rows[acme.client_id]["customer"] == "Acme"
    assert rows[acme.client_id]["revoked_at"] is None
    assert rows[acme.client_id]["last_seen_at"] is not None
    assert rows[acme.client_id]["last_batch_seq"] == 1
    assert rows[globex.client_id]["last_seen_at"] is None
    # one customer's listing holds only its collectors
    assert [r["id"] for r in listing(server, "--customer", "Globex")] == [globex.client_id]

    out = server.cli("collector", "revoke", str(acme.client_id)).stdout
    assert "revoked" in out and "Acme" in out
    with pytest.raises(xmlrpc.client.Fault) as info:
        acme.submit([make_reading("SER-C1")])
    assert info.value.faultCode == FAULT_UNKNOWN_CLIENT
    assert "revoked" in info.value.faultString
    # the other customer's collector is untouched
    assert globex.submit([make_reading("SER-C2")])["status"] == "stored"

    first = {r["id"]: r for r in listing(server)}[acme.client_id]["revoked_at"]
    assert first
    server.cli("collector", "revoke", str(acme.client_id))
    assert {r["id"]: r for r in listing(server)}[acme.client_id]["revoked_at"] == first

    text = server.cli("collector", "list").stdout
    assert "revoked" in text and "active" in text and "collector(s)" in text


def test_mistakes_are_clear(server):
    out = server.cli("collector", "revoke", "12345", check=False)
    assert out.returncode != 0 and "no collector 12345" in out.stderr
    out = server.cli("collector", "revoke", "abc", check=False)
    assert out.returncode != 0 and "'abc' is not a collector id" in out.stderr
    out = server.cli("collector", "list", "--customer", "Nobody", check=False)
    assert out.returncode != 0 and "no customer named 'Nobody'" in out.stderr
    out = server.cli("collector", "remove", check=False)
    assert out.returncode != 0 and "collector revoke ID" in out.stderr
