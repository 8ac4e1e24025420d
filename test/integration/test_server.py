# ctest-timeout: 300
"""openmps-server with a real PostgreSQL: administration, XML-RPC over TLS
and POST /RPC2 over HTTPS, exactly-once ingest, every refusal with its
fault code, limits, and tenant isolation of the fleet view."""

import datetime as dt
import email.utils
import signal
import time
import xmlrpc.client

import pytest

from openmps_test.openmps_server import (OpenMpsServer, make_reading, make_supply, seal_batch,
                                         seal_payload)
from openmps_test.postgres import PostgresCluster
from openmps_test.proc import ignored_signals

FAULT_BAD_CALL = 100
FAULT_GARBAGE = 101
FAULT_TRUNCATED = 103
FAULT_OVERSIZE = 104
FAULT_UNKNOWN_CLIENT = 110
FAULT_WRONG_KEY = 111
FAULT_TAMPERED = 112
FAULT_REPLAYED = 113
FAULT_BAD_PAYLOAD = 114
FAULT_RATE_LIMITED = 200


@pytest.fixture(scope="module")
def pg():
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def server(pg, tmp_path_factory):
    with OpenMpsServer(pg, tmp_path_factory.mktemp("server")) as srv:
        srv.add_dealer("Dealer One")
        srv.add_customer("Acme", "Dealer One")
        srv.add_customer("Globex", "Dealer One")
        yield srv
    assert srv.proc is None


def fault_code(call):
    with pytest.raises(xmlrpc.client.Fault) as info:
        call()
    return info.value.faultCode, info.value.faultString


def t(minutes_ago: int) -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(minutes=minutes_ago)


def count(pg, sql: str) -> int:
    return int(pg.psql(sql).strip())


def test_migrate_is_idempotent(server, pg):
    out = server.cli("migrate")
    assert "0 applied now" in out.stdout
    assert count(pg, "SELECT count(*) FROM schema_migrations") >= 1
    assert count(pg, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'meter_readings_2%'") >= 4


def test_org_errors_are_clear(server):
    out = server.cli("org", "add", "--dealer", "Dealer One", check=False)
    assert out.returncode != 0 and "exists already" in out.stderr
    out = server.cli("org", "add", "--customer", "X", "--parent", "Nobody", check=False)
    assert out.returncode != 0 and "no dealer named 'Nobody'" in out.stderr
    out = server.cli("org", "add", "--customer", "X", check=False)
    assert out.returncode == 2 and "--parent" in out.stderr
    out = server.cli("collector", "add", "--customer", "Nobody", check=False)
    assert out.returncode != 0 and "no customer named 'Nobody'" in out.stderr


def test_enrollment_string_matches_server(server):
    client = server.add_collector("Acme")
    e = client.enrollment
    assert e.servers == [f"xmlrpcs://127.0.0.1:{server.xmlrpc_port}",
                         f"https://127.0.0.1:{server.web_port}/RPC2"]
    assert len(e.key) == 32 and 0 < e.client_id < 2**53
    assert e.fingerprint == server.peer_fingerprint("xmlrpc") == server.peer_fingerprint("web")
    other = server.add_collector("Acme")
    assert other.client_id != client.client_id and other.enrollment.key != e.key


def test_list_methods(server):
    methods = server.proxy().system.listMethods()
    assert "mps.submit" in methods and "system.listMethods" in methods
    assert "mps.submit" in server.proxy("web").system.listMethods()


def test_every_answer_says_the_server_time(server):
    """Collectors compare the Date header with their own clock."""
    for via in ("xmlrpc", "https"):
        conn = server.connection(via)
        try:
            conn.request("POST", "/RPC2", body=b"<methodCall/>", headers={"Content-Type": "text/xml"})
            r = conn.getresponse()
            r.read()
            said = email.utils.parsedate_to_datetime(r.getheader("Date"))
        finally:
            conn.close()
        assert abs((said - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 120, said


def test_submit_stored_then_duplicate_then_conflict(server, pg):
    client = server.add_collector("Acme")
    readings = [make_reading("SER-A1", counters={"total": 1200, "mono": 1000, "color": 200},
                             supplies=[make_supply(1, "black", 40), make_supply(2, "cyan", -3)],
                             read_at=t(10), ip="10.0.0.1", mac="AA:BB:CC:00:00:01")]
    seq, env = client.seal(readings)
    ack = server.submit(env)
    assert ack == {"status": "stored", "client_id": str(client.client_id), "batch_seq": seq, "items": 1}
    # The same envelope again, and the same batch sealed anew: duplicate.
    assert server.submit(env)["status"] == "duplicate"
    # Other content under the used number: conflict (replayed).
    _, other = client.seal([make_reading("SER-A1", counters={"total": 1300}, read_at=t(5))],
                           batch_seq=seq)
    code, text = fault_code(lambda: server.submit(other))
    assert code == FAULT_REPLAYED and "other content" in text
    rows = pg.psql("SELECT c.name, m.value FROM meter_readings m JOIN counter_names c ON "
                   "c.id = m.counter_id JOIN devices d ON d.id = m.device_id "
                   "WHERE d.serial = 'SER-A1' ORDER BY c.name").split()
    assert rows == ["color|200", "mono|1000", "total|1200"]
    assert count(pg, f"SELECT count(*) FROM ingest_batches WHERE collector_id = {client.client_id}") == 1
    assert "refused (replayed)" in server.log()


def test_resealed_identical_batch_is_duplicate(server, pg):
    client = server.add_collector("Acme")
    items = client.items([make_reading("SER-R1", read_at=t(3), ip="10.0.0.9")])
    created = t(3)
    first = seal_batch(client.client_id, 1, items, client.enrollment.key, created_at=created)
    again = seal_batch(client.client_id, 1, items, client.enrollment.key, created_at=created)
    assert first != again  # new nonce
    assert server.submit(first)["status"] == "stored"
    assert server.submit(again)["status"] == "duplicate"
    assert count(pg, "SELECT count(*) FROM device_reads r JOIN devices d ON d.id = r.device_id "
                     "WHERE d.serial = 'SER-R1'") == 1


def test_item_sent_again_in_a_new_batch_is_stored_once(server, pg):
    client = server.add_collector("Acme")
    items = client.items([make_reading("SER-I1", counters={"total": 5}, read_at=t(30), ip="10.0.0.20")])
    assert server.submit(seal_batch(client.client_id, 1, items, client.enrollment.key))["status"] == "stored"
    more = items + client.items([make_reading("SER-I1", counters={"total": 9}, read_at=t(20), ip="10.0.0.20")])
    assert server.submit(seal_batch(client.client_id, 2, more, client.enrollment.key))["status"] == "stored"
    assert pg.psql("SELECT items, items_stored FROM ingest_batches WHERE collector_id = "
                   f"{client.client_id} ORDER BY batch_seq").split() == ["1|1", "2|1"]
    assert count(pg, "SELECT count(*) FROM meter_readings m JOIN devices d ON d.id = m.device_id "
                     "WHERE d.serial = 'SER-I1'") == 2


def test_same_read_under_new_item_numbers_is_stored_once(server, pg):
    # Two items with the same device and time (a client that re-read and
    # re-numbered): the COPY fast path meets an existing row and falls back.
    client = server.add_collector("Acme")
    at = t(7)
    r = make_reading("SER-C1", counters={"total": 10, "mono": 10}, supplies=[make_supply(1, "black", 5)],
                     read_at=at, ip="10.0.0.30")
    assert client.submit([r, r])["status"] == "stored"
    assert client.submit([r])["status"] == "stored"
    dev = pg.psql("SELECT id FROM devices WHERE serial = 'SER-C1'").strip()
    assert count(pg, f"SELECT count(*) FROM meter_readings WHERE device_id = {dev}") == 2
    assert count(pg, f"SELECT count(*) FROM supply_levels WHERE device_id = {dev}") == 1
    assert count(pg, f"SELECT count(*) FROM status_history WHERE device_id = {dev}") == 1
    assert count(pg, f"SELECT count(*) FROM device_reads WHERE device_id = {dev}") == 3


def test_refusals_have_their_fault_codes(server):
    client = server.add_collector("Acme")
    _, env = client.seal([make_reading("SER-F1")])
    # unknown client: a key nobody was given
    stranger = seal_batch(2**52 + 7, 1, [{"seq": 1, "reading": make_reading("X")}], b"k" * 32)
    assert fault_code(lambda: server.submit(stranger))[0] == FAULT_UNKNOWN_CLIENT
    # wrong key: the right client id sealed with another key
    wrong = seal_batch(client.client_id, 50, [{"seq": 1, "reading": make_reading("X")}], b"w" * 32)
    assert fault_code(lambda: server.submit(wrong))[0] == FAULT_WRONG_KEY
    # tampered: one bit flipped in the ciphertext
    bad = bytearray(env)
    bad[-5] ^= 0x01
    assert fault_code(lambda: server.submit(bytes(bad)))[0] == FAULT_TAMPERED
    # garbage and truncated envelopes
    assert fault_code(lambda: server.submit(b"hello world, not an envelope"))[0] == FAULT_GARBAGE
    assert fault_code(lambda: server.submit(env[:40]))[0] == FAULT_TRUNCATED
    # sealed fine, but the batch inside is not a batch
    junk = seal_payload(client.client_id, 51, b'{"format": 1}', client.enrollment.key)
    assert fault_code(lambda: server.submit(junk))[0] == FAULT_BAD_PAYLOAD
    # not a well-formed call, a wrong parameter, an unknown method
    status, body = server.post_raw(b"<?xml version='1.0'?><methodCall><oops")
    assert status == 200
    assert fault_code(lambda: xmlrpc.client.loads(body))[0] == FAULT_BAD_CALL
    assert fault_code(lambda: server.proxy().mps.submit("a string"))[0] == FAULT_BAD_CALL
    assert fault_code(lambda: server.proxy().mps.submit())[0] == FAULT_BAD_CALL
    assert fault_code(lambda: server.proxy().system.multicall([]))[0] == FAULT_BAD_CALL
    assert fault_code(lambda: server.proxy().no.such())[0] == FAULT_BAD_CALL
    # nothing of it was stored
    log = server.log()
    for kind in ("unknown client", "wrong key", "tampered", "garbage", "truncated", "bad payload"):
        assert f"refused ({kind})" in log, kind


def test_oversize_request_is_refused(server):
    # The server answers from the headers alone, without reading the body.
    conn = server.connection()
    conn.putrequest("POST", "/RPC2")
    conn.putheader("Content-Type", "text/xml")
    conn.putheader("Content-Length", str(13 << 20))
    conn.endheaders()
    resp = conn.getresponse()
    status, body = resp.status, resp.read()
    conn.close()
    assert status == 200
    assert fault_code(lambda: xmlrpc.client.loads(body))[0] == FAULT_OVERSIZE


def test_web_port_only_serves_rpc2(server):
    status, _ = server.post_raw(b"", via="web", path="/other")
    assert status == 404
    status, _ = server.post_raw(b"", via="web", method="GET")
    assert status == 405


def test_https_post_rpc2_stores(server, pg):
    client = server.add_collector("Globex")
    ack = client.submit([make_reading("SER-G1", counters={"total": 77}, ip="10.1.0.1", read_at=t(2))],
                        via="web")
    assert ack["status"] == "stored"
    assert pg.psql("SELECT carrier FROM ingest_batches WHERE collector_id = "
                   f"{client.client_id}").strip() == "https"


def test_devices_resolved_changes_recorded_backwards_flagged(server, pg):
    client = server.add_collector("Acme")
    client.submit([make_reading("SER-D1", counters={"total": 500}, firmware="1.0", ip="10.0.1.1",
                                mac="aa:bb:cc:00:01:01", read_at=t(60))])
    # same serial, new firmware and address; total went back (counter reset)
    client.submit([make_reading("SER-D1", counters={"total": 20}, firmware="2.0", ip="10.0.1.2",
                                mac="aa:bb:cc:00:01:01", read_at=t(50))])
    # no serial this time: found by MAC
    client.submit([make_reading("", counters={"total": 30}, firmware="2.0", ip="10.0.1.3",
                                mac="AA:BB:CC:00:01:01", read_at=t(40))])
    # no serial, no MAC: found by address
    client.submit([make_reading("", counters={"total": 40}, firmware="2.0", ip="10.0.1.3",
                                read_at=t(30))])
    assert count(pg, "SELECT count(*) FROM devices WHERE serial = 'SER-D1'") == 1
    dev = pg.psql("SELECT id FROM devices WHERE serial = 'SER-D1'").strip()
    assert count(pg, f"SELECT count(*) FROM meter_readings WHERE device_id = {dev}") == 4
    assert pg.psql(f"SELECT value, flags FROM meter_readings WHERE device_id = {dev} "
                   "ORDER BY read_at").split() == ["500|0", "20|1", "30|0", "40|0"]
    kinds = pg.psql(f"SELECT kind FROM device_events WHERE device_id = {dev} ORDER BY id").split()
    assert kinds.count("firmware_changed") == 1 and kinds.count("counter_backwards") == 1
    assert kinds.count("ip_changed") == 2 and kinds[0] == "new_device"


def test_nothing_half_stored(server, pg):
    client = server.add_collector("Acme")
    good = make_reading("SER-H1", counters={"total": 1}, read_at=t(5))
    bad = make_reading("SER-H2", counters={"total": 1}, read_at=t(5))
    bad["counters"]["total"] = -5  # invalid: the whole batch is refused
    _, env = client.seal([good, bad])
    assert fault_code(lambda: server.submit(env))[0] == FAULT_BAD_PAYLOAD
    assert count(pg, "SELECT count(*) FROM devices WHERE serial IN ('SER-H1', 'SER-H2')") == 0


def test_fleet_json_and_tenant_isolation(server):
    acme = server.add_collector("Acme")
    globex = server.add_collector("Globex")
    acme.submit([make_reading("SER-T1", counters={"total": 4242, "color": 42},
                              supplies=[make_supply(1, "black", 80), make_supply(2, "yellow", -2)],
                              ip="10.2.0.1", model="Model T", read_at=t(1), errors=["lowToner"])])
    globex.submit([make_reading("SER-T2", counters={"total": 99}, ip="10.3.0.1", read_at=t(1))])
    fleet = server.fleet(customer="Acme")
    assert fleet["scope"] == {"kind": "customer", "name": "Acme"}
    serials = {d["identity"]["serial"] for d in fleet["devices"]}
    assert "SER-T1" in serials and "SER-T2" not in serials and "SER-G1" not in serials
    assert all(d["device"]["customer"] == "Acme" for d in fleet["devices"])
    t1 = next(d for d in fleet["devices"] if d["identity"]["serial"] == "SER-T1")
    assert t1["counters"] == {"total": 4242, "color": 42}
    assert t1["identity"]["model"] == "Model T"
    assert [(s["color"], s["level_percent"], s["state"]) for s in t1["supplies"]] == \
        [("black", 80, "ok"), ("yellow", None, "unknown")]
    assert t1["status"]["errors"] == ["lowToner"]
    other = server.fleet(customer="Globex")
    assert {d["identity"]["serial"] for d in other["devices"]} >= {"SER-T2"}
    assert "SER-T1" not in {d["identity"]["serial"] for d in other["devices"]}
    everything = server.fleet()
    assert fleet["count"] + other["count"] == everything["count"]
    text = server.cli("fleet", "--customer", "Acme").stdout
    assert "SER-T1" in text and "4242" in text and "SER-T2" not in text


def test_rate_limit(pg, tmp_path):
    with OpenMpsServer(pg, tmp_path, web=False, limits={"rate_per_minute": 1, "rate_burst": 2}) as srv:
        # Each test server shares the database; use a fresh customer.
        srv.add_dealer("Rate Dealer")
        srv.add_customer("Rate Customer", "Rate Dealer")
        client = srv.add_collector("Rate Customer")
        assert client.submit([make_reading("SER-RL1")])["status"] == "stored"
        assert client.submit([make_reading("SER-RL1")])["status"] == "stored"
        code, text = fault_code(lambda: client.submit([make_reading("SER-RL1")]))
        assert code == FAULT_RATE_LIMITED and "rate limited" in text
        assert "rate limited client" in srv.log()


def test_plain_tcp_only_when_asked(pg, tmp_path):
    with OpenMpsServer(pg, tmp_path, tls=False, web=False) as srv:
        assert "plain TCP" in srv.log()
        assert "mps.submit" in srv.proxy().system.listMethods()


def test_config_errors_name_file_line_field(pg, tmp_path):
    srv = OpenMpsServer(pg, tmp_path, start=False)
    srv.config.write_text(f"database:\n  uri: {pg.uri}\nxmlrpc:\n  listen: nowhere\n")
    out = srv.cli("migrate", check=False)
    assert out.returncode == 1
    assert f"{srv.config}:4:" in out.stderr and "xmlrpc.listen" in out.stderr
    srv.config.write_text(f"database:\n  uri: {pg.uri}\nxmlrcp:\n  listen: 1.2.3.4:5\n")
    out = srv.cli("migrate", check=False)
    assert "xmlrcp: unknown key" in out.stderr and ":3:" in out.stderr


def test_sigterm_is_a_clean_shutdown_and_a_hang_up_is_no_signal(pg, tmp_path):
    srv = OpenMpsServer(pg, tmp_path, web=False)
    srv.migrate()
    srv.start()
    # Python starts children with SIGPIPE at its default (fatal), so this
    # is the server's own doing: a peer hanging up mid-write costs a
    # connection, not the process.
    ignored = ignored_signals(srv.proc.pid)
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(30) == 0
    assert "stopped cleanly" in srv.log()
    srv.proc = None
    srv._log.close()
    assert signal.SIGPIPE in ignored


def test_database_outage_is_retryable_and_recovers(tmp_path):
    with PostgresCluster() as own:
        with OpenMpsServer(own, tmp_path, web=False, ingest={"workers": 1}) as srv:
            srv.add_dealer("D")
            srv.add_customer("C", "D")
            client = srv.add_collector("C")
            assert client.submit([make_reading("SER-O1", read_at=t(3))])["status"] == "stored"
            own.pause()
            _, env = client.seal([make_reading("SER-O1", counters={"total": 2000}, read_at=t(2))])
            code, text = fault_code(lambda: srv.submit(env))
            assert code == 201 and "try again later" in text
            own.resume()
            # The worker reconnects; the same envelope is stored now, once.
            assert srv.submit(env)["status"] == "stored"
            assert srv.submit(env)["status"] == "duplicate"
            assert count(own, "SELECT count(*) FROM device_reads") == 2
            assert "database unavailable" in srv.log()


def test_capabilities_and_supply_descriptions_stored_from_the_first_reading(server, pg):
    client = server.add_collector("Acme")
    first = make_reading("SER-CAP1", supplies=[make_supply(1, "black", 70)], ip="10.2.9.1", read_at=t(30))
    first["capabilities"] = {"color": True, "duplex": False, "large_format": None,
                             "input_trays": 3, "output_trays": None, "finishers": ["staple"]}
    assert client.submit([first])["status"] == "stored"
    dev = next(d for d in server.fleet(customer="Acme")["devices"] if d["identity"]["serial"] == "SER-CAP1")
    assert dev["capabilities"] == first["capabilities"]
    assert dev["supplies"][0]["description"] == "black toner"
    # A later reading with a new cartridge: the supplies table follows, the
    # unchanged capabilities are not rewritten.
    second = make_reading("SER-CAP1", supplies=[make_supply(1, "black", 100)], ip="10.2.9.1", read_at=t(20))
    second["supplies"][0]["description"] = "black toner XL"
    second["supplies"][0]["part_number"] = "TN-2420"
    second["supplies"][0]["serial"] = "CRUM-0002"
    second["capabilities"] = first["capabilities"]
    assert client.submit([second])["status"] == "stored"
    dev_id = dev["device"]["id"]
    assert pg.psql(f"SELECT description || '|' || part_number || '|' || serial FROM supplies "
                   f"WHERE device_id = {dev_id} AND supply_index = 1").strip() \
        == "black toner XL|TN-2420|CRUM-0002"
    assert pg.psql(f"SELECT capabilities->>'input_trays' FROM devices WHERE id = {dev_id}").strip() == "3"
    dev = next(d for d in server.fleet(customer="Acme")["devices"] if d["identity"]["serial"] == "SER-CAP1")
    assert dev["supplies"][0]["description"] == "black toner XL" and dev["supplies"][0]["level_percent"] == 100
    assert dev["supplies"][0]["serial"] == "CRUM-0002" and dev["supplies"][0]["part_number"] == "TN-2420"


def test_device_kind_is_stored_and_a_bad_one_refused(server, pg):
    client = server.add_collector("Acme")
    scanner = make_reading("SER-SCAN1", counters={"scan.total": 4200})
    scanner["identity"]["kind"] = "scanner"
    assert client.submit([scanner])["status"] == "stored"
    assert pg.psql("SELECT kind FROM devices WHERE serial = 'SER-SCAN1'").strip() == "scanner"
    listed = [d for d in server.fleet(customer="Acme")["devices"]
              if d["identity"]["serial"] == "SER-SCAN1"]
    assert listed and listed[0]["identity"]["kind"] == "scanner"
    bad = make_reading("SER-SCAN2")
    bad["identity"]["kind"] = "toaster"
    code, text = fault_code(lambda: client.submit([bad]))
    assert code == FAULT_BAD_PAYLOAD and "identity.kind" in text, text
    assert pg.psql("SELECT count(*) FROM devices WHERE serial = 'SER-SCAN2'").strip() == "0"
