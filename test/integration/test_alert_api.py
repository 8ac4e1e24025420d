# ctest-timeout: 300
"""Alerts, their rules and subscriptions through the REST API of the real
server, every answer checked against server/api/openapi.yaml: listing in
the reader's language, acknowledging (audited, refused to viewers, 409 when
not open), rules with every bad key named, subscriptions with a webhook
secret shown once and a test message queued; and nothing of another dealer
(404, empty lists) — its rows are hidden by row-level security."""

import datetime as dt

import pytest

from openmps_test.api_client import ApiClient, OpenApi, openapi_document
from openmps_test.openmps_server import OpenMpsServer, make_reading, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster, wait_for

STRONG = STRONG_PASSWORD
DEALER, OTHER = "Alert API Partner", "Rival Partner"
ACME, INITECH = "Acme AG", "Initech Ltd"
NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with PostgresCluster() as pg:
        srv = OpenMpsServer(pg, tmp_path_factory.mktemp("server"))
        srv.write_config("alerts:\n  poll_interval: 1s\n  sweep_interval: 1s\n")
        with srv:
            srv.add_dealer(DEALER)
            srv.add_customer(ACME, DEALER)
            srv.add_dealer(OTHER)
            srv.add_customer(INITECH, OTHER)
            srv.add_user("dana", "dealer_admin", "--dealer", DEALER)
            srv.add_user("cara", "customer_admin", "--customer", ACME)
            srv.add_user("vic", "customer_viewer", "--customer", ACME)
            srv.add_user("olga", "dealer_admin", "--dealer", OTHER)
            for customer, serial in ((ACME, "ACME-1"), (INITECH, "INI-1")):
                c = srv.add_collector(customer)
                c.submit([make_reading(serial, counters={"total": 90_000},
                                       read_at=NOW - dt.timedelta(hours=2))])
                c.submit([make_reading(serial, counters={"total": 5},
                                       errors=["serviceRequested"], read_at=NOW)])
            wait_for(lambda: pg.psql("SELECT count(*) FROM alerts").strip() == "4", timeout=60)
            ids = {n: int(pg.psql(f"SELECT id FROM organisations WHERE name = '{n}'"))
                   for n in (DEALER, OTHER, ACME, INITECH)}
            contract = OpenApi(openapi_document())
            clients = {}
            for i, user in enumerate(("dana", "cara", "vic", "olga")):
                c = ApiClient(srv.api_url, contract, source=f"127.0.0.{60 + i}")
                assert c.sign_in(user, STRONG).status == 200
                clients[user] = c
            yield {"srv": srv, "pg": pg, "ids": ids, **clients}
            for c in clients.values():
                c.close()


def acme_alert(world, condition):
    items = world["dana"].get(f"/api/v1/alerts?condition={condition}&customer_id="
                              f"{world['ids'][ACME]}").json["items"]
    assert len(items) == 1
    return items[0]


def test_alerts_are_listed_in_the_readers_language_and_only_its_own(world):
    r = world["dana"].get("/api/v1/alerts?locale=de")
    assert r.status == 200
    titles = {a["title"] for a in r.json["items"]}
    assert titles == {"Service angefordert", "Zähler zurückgesetzt (total)"}
    assert {a["customer"]["name"] for a in r.json["items"]} == {ACME}
    page = world["dana"].get("/api/v1/alerts?limit=1").json
    assert len(page["items"]) == 1 and page["next_after"]
    rest = world["dana"].get(f"/api/v1/alerts?limit=1&after={page['next_after']}").json
    assert rest["items"][0]["id"] < page["items"][0]["id"]
    assert len(world["vic"].get("/api/v1/alerts").json["items"]) == 2
    assert {a["customer"]["name"] for a in world["olga"].get("/api/v1/alerts").json["items"]} == {INITECH}
    alert = acme_alert(world, "service_requested")
    assert world["olga"].get(f"/api/v1/alerts/{alert['id']}").status == 404
    assert world["dana"].get(f"/api/v1/alerts/{alert['id']}").json["severity"] == "critical"
    assert world["dana"].get("/api/v1/alerts?state=sideways").status == 400
    assert world["dana"].get("/api/v1/alerts?condition=tonerr").status == 400


def test_acknowledging_is_audited_and_refused_to_viewers(world):
    alert = acme_alert(world, "counter_reset")
    path = f"/api/v1/alerts/{alert['id']}/acknowledgement"
    assert world["vic"].post(path, {"note": "seen"}).status == 403
    assert world["olga"].post(path, {"note": "mine?"}).status == 404
    assert world["cara"].post(path, {}).status == 422
    r = world["cara"].post(path, {"note": "controller replaced"})
    assert r.status == 200
    assert r.json["state"] == "cleared" and r.json["note"] == "controller replaced"
    assert r.json["acknowledged_by"] == "cara"
    assert world["cara"].post(path, {"note": "again"}).status == 409
    audit = world["pg"].psql("SELECT actor, detail FROM audit_log WHERE action = 'alert.acknowledge' "
                             f"AND target_id = '{alert['id']}'")
    assert audit.strip() == "cara|controller replaced"
    service = acme_alert(world, "service_requested")
    r = world["dana"].post(f"/api/v1/alerts/{service['id']}/acknowledgement", {"note": "on my way"})
    assert r.json["state"] == "open" and r.json["acknowledged_at"]  # stays open until it ends


def test_rules_per_organisation_and_device_with_every_bad_key_named(world):
    acme = world["ids"][ACME]
    path = f"/api/v1/organisations/{acme}/alert-rules"
    r = world["dana"].get(path)
    assert r.status == 200 and r.json["settings"] == {}
    assert r.json["effective"]["toner"]["low"] == 20
    bad = world["dana"].request("PUT", path, {"settings": {"jam": {"hold_down": "soon"}}})
    assert bad.status == 422 and "jam.hold_down" in bad.json["detail"]
    bad = world["dana"].request("PUT", path, {"settings": {"tonerr": {}}})
    assert bad.status == 422 and "tonerr" in bad.json["detail"]
    ok = world["cara"].request("PUT", path, {"settings": {"toner": {"low": 30},
                                                          "quiet_hours": "22:00-06:00"}})
    assert ok.status == 200
    assert ok.json["effective"]["toner"]["low"] == 30
    assert ok.json["effective"]["toner"]["very_low"] == 10
    assert world["vic"].request("PUT", path, {"settings": {}}).status == 403
    assert world["olga"].get(path).status == 404
    assert world["olga"].request("PUT", path, {"settings": {}}).status == 404
    device = world["pg"].psql("SELECT id FROM devices WHERE serial = 'ACME-1'").strip()
    d = world["dana"].request("PUT", f"/api/v1/devices/{device}/alert-rules",
                              {"settings": {"jam": {"enabled": False}}})
    assert d.status == 200
    assert d.json["effective"]["jam"]["enabled"] is False
    assert d.json["effective"]["toner"]["low"] == 30  # the customer's
    assert world["olga"].get(f"/api/v1/devices/{device}/alert-rules").status == 404
    assert world["pg"].psql("SELECT count(*) FROM audit_log WHERE action = 'alert_rules.update'").strip() == "2"


def test_subscriptions_with_a_webhook_secret_shown_once(world):
    dealer = world["ids"][DEALER]
    r = world["dana"].post("/api/v1/alert-subscriptions",
                           {"organisation_id": dealer, "channel": "webhook",
                            "url": "https://hooks.example.com/openmps", "include_clears": True})
    assert r.status == 201 and len(r.json["secret"]) == 43
    hook = r.json["subscription"]
    mail = world["dana"].post("/api/v1/alert-subscriptions",
                              {"organisation_id": dealer, "channel": "email",
                               "address": "service@partner.example", "locale": "it",
                               "min_severity": "critical", "conditions": ["service_requested"]})
    assert mail.status == 201 and mail.json["secret"] is None
    bad = world["dana"].post("/api/v1/alert-subscriptions",
                             {"organisation_id": dealer, "channel": "email",
                              "address": "not an address"})
    assert bad.status == 422
    bad = world["dana"].post("/api/v1/alert-subscriptions",
                             {"organisation_id": dealer, "channel": "email", "role": "dealer_admin",
                              "address": "x@example.com"})
    assert bad.status == 422
    assert world["olga"].post("/api/v1/alert-subscriptions",
                              {"organisation_id": dealer, "channel": "email",
                               "address": "spy@rival.example"}).status == 422
    listed = world["dana"].get("/api/v1/alert-subscriptions").json["items"]
    assert {s["id"] for s in listed} == {hook["id"], mail.json["subscription"]["id"]}
    assert world["olga"].get("/api/v1/alert-subscriptions").json["items"] == []
    test = world["dana"].post(f"/api/v1/alert-subscriptions/{mail.json['subscription']['id']}/test")
    assert test.status == 202
    queued = world["pg"].psql("SELECT recipient, locale, kind FROM notifications WHERE id = "
                              f"{test.json['notification_id']}")
    assert queued.strip() == "service@partner.example|it|test"
    assert world["olga"].delete(f"/api/v1/alert-subscriptions/{hook['id']}").status == 404
    assert world["dana"].delete(f"/api/v1/alert-subscriptions/{hook['id']}").status == 204
    assert world["dana"].delete(f"/api/v1/alert-subscriptions/{hook['id']}").status == 404


def test_a_subscription_is_changed_in_place_and_audited(world):
    acme, dana, cara, vic, olga = world["ids"][ACME], world["dana"], world["cara"], world["vic"], world["olga"]
    created = cara.post("/api/v1/alert-subscriptions",
                        {"organisation_id": acme, "channel": "email", "address": "it@acme.example"})
    assert created.status == 201
    s = created.json["subscription"]
    changed = cara.patch(f"/api/v1/alert-subscriptions/{s['id']}",
                         {"role": "customer_admin", "min_severity": "critical", "locale": "fr",
                          "conditions": ["toner", "service_requested"], "include_clears": True})
    assert changed.status == 200, changed.body
    c = changed.json
    assert (c["id"], c["channel"], c["organisation"]["id"]) == (s["id"], "email", acme)
    assert (c["role"], c["address"], c["min_severity"], c["locale"]) == ("customer_admin", None, "critical", "fr")
    assert (c["conditions"], c["include_clears"]) == (["toner", "service_requested"], True)
    assert cara.patch(f"/api/v1/alert-subscriptions/{s['id']}", {"locale": ""}).json["locale"] is None
    # Refused, and nothing changed: a bad address, a condition that does not exist,
    # another tenant, a role that may not manage subscriptions.
    for body, member in (({"address": "not an address"}, "address"), ({"conditions": ["nonsense"]}, "conditions")):
        bad = cara.patch(f"/api/v1/alert-subscriptions/{s['id']}", body)
        assert bad.status == 422 and bad.json["invalid_params"][0]["name"] == member, bad.json
    assert olga.patch(f"/api/v1/alert-subscriptions/{s['id']}", {"min_severity": "info"}).status == 404
    assert vic.patch(f"/api/v1/alert-subscriptions/{s['id']}", {"min_severity": "info"}).status == 403
    now = [x for x in dana.get("/api/v1/alert-subscriptions").json["items"] if x["id"] == s["id"]]
    assert [(x["role"], x["min_severity"], x["conditions"]) for x in now] == \
        [("customer_admin", "critical", ["toner", "service_requested"])]
    audit = world["pg"].psql("SELECT count(*) FROM audit_log WHERE action = 'alert_subscription.update' "
                             f"AND target_id = '{s['id']}' AND actor = 'cara'")
    assert audit.strip() == "2"
    assert cara.delete(f"/api/v1/alert-subscriptions/{s['id']}").status == 204
