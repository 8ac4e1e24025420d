"""The operations listener (config `metrics:`) of the real server: /metrics
in the Prometheus text format counts API requests by operation and status,
their latency, ingested batches and readings per carrier, sign-in failures
and the database pools; /healthz answers while the process runs; /readyz
says 503 with the reason while the database is away and 200 again when it
is back."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from openmps_test.api_client import ApiClient
from openmps_test.openmps_server import OpenMpsServer, make_reading, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster, wait_for

STRONG = STRONG_PASSWORD
SAMPLE = re.compile(r'^([a-z_]+)(\{[^}]*\})? (\S+)$')


@pytest.fixture(scope="module")
def ops(tmp_path_factory):
    with PostgresCluster() as pg, \
            OpenMpsServer(pg, tmp_path_factory.mktemp("server"), metrics=True) as srv:
        srv.add_dealer("Print Partner")
        srv.add_customer("Acme", "Print Partner")
        pw = srv.dir / "pw"
        pw.write_text(STRONG)
        srv.cli("user", "add", "dana", "--role", "dealer_admin", "--dealer", "Print Partner",
                "--password-file", str(pw))
        yield pg, srv


def get(srv, path: str, method: str = "GET") -> tuple[int, str, dict]:
    req = urllib.request.Request(srv.metrics_url + path, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def samples(text: str) -> dict[str, float]:
    """Every sample line as {'name{labels}': value}; fails on a malformed line."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


def metric(srv, series: str) -> float:
    return samples(get(srv, "/metrics")[1]).get(series, 0.0)


def test_metrics_count_requests_batches_readings_and_sign_in_failures(ops):
    _, srv = ops
    status, text, headers = get(srv, "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE openmps_api_requests_total counter" in text
    assert "# TYPE openmps_api_request_duration_seconds histogram" in text
    before = samples(text)

    api = ApiClient(srv.api_url, source="127.0.0.21")
    assert api.sign_in("dana", "wrong-Password-1").status == 401
    assert api.get("/api/v1/devices").status == 401
    assert api.sign_in("dana", STRONG).status == 200
    assert api.get("/api/v1/devices").status == 200
    api.close()
    stranger = ApiClient(srv.api_url, check=False, source="127.0.0.21")
    assert 400 <= stranger.get("/api/v1/devices/../../etc/passwd").status < 500
    stranger.close()
    srv.add_collector("Acme").submit([make_reading("OPS-1", counters={"total": 5}),
                                      make_reading("OPS-2", counters={"total": 6})])

    after = samples(get(srv, "/metrics")[1])

    def grew(series: str) -> float:
        return after.get(series, 0.0) - before.get(series, 0.0)

    assert grew('openmps_sign_in_failures_total{reason="refused"}') == 1
    assert grew('openmps_api_requests_total{operation="signIn",method="POST",status="401"}') == 1
    assert grew('openmps_api_requests_total{operation="signIn",method="POST",status="200"}') == 1
    assert grew('openmps_api_requests_total{operation="listDevices",method="GET",status="401"}') == 1
    assert grew('openmps_api_requests_total{operation="listDevices",method="GET",status="200"}') == 1
    assert grew('openmps_api_request_duration_seconds_count{operation="listDevices"}') == 2
    assert after['openmps_api_request_duration_seconds_bucket{operation="listDevices",le="+Inf"}'] \
        == after['openmps_api_request_duration_seconds_count{operation="listDevices"}']
    # A stranger's path never becomes a label value.
    assert "passwd" not in get(srv, "/metrics")[1]
    assert grew('openmps_ingest_batches_total{carrier="xmlrpc",outcome="stored"}') == 1
    assert grew('openmps_ingest_readings_total{carrier="xmlrpc"}') == 2
    assert grew('openmps_ingest_duration_seconds_count{carrier="xmlrpc"}') == 1
    for pool in ("api", "ingest"):
        assert f'openmps_db_connections{{pool="{pool}",state="in_use"}}' in after
        assert f'openmps_db_connections{{pool="{pool}",state="idle"}}' in after


def test_only_get_and_the_three_paths(ops):
    _, srv = ops
    assert get(srv, "/metrics", method="POST")[0] == 405
    status, body, _ = get(srv, "/api/v1/me")
    assert status == 404 and "/metrics" in body


def test_readyz_follows_the_database_and_healthz_the_process(ops):
    pg, srv = ops
    assert get(srv, "/healthz")[:2] == (200, "ok\n")
    assert get(srv, "/readyz")[:2] == (200, "ready\n")
    pg.pause()
    try:
        status, body, _ = get(srv, "/readyz")
        assert (status, body) == (503, "not ready: the database does not answer\n")
        assert get(srv, "/healthz")[0] == 200
    finally:
        pg.resume()
    wait_for(lambda: get(srv, "/readyz")[0] == 200, timeout=60)
