# ctest-timeout: 300
"""The notification outbox through the REST API of the real server, with
PostgreSQL and an SMTP server (STARTTLS, AUTH), every answer checked against
server/api/openapi.yaml:

- a mail the SMTP server refuses (451) until its last attempt is dead;
  listNotifications shows it to the admins of its subtree (filters, pages),
  to no one of another dealer, and refuses viewers;
- retryNotification queues it again (audited, with the caller's name): the
  mail arrives exactly once; retrying it again is a 409, another dealer's
  admin gets a 404 and a viewer a 403;
- sendTestNotification queues a test mail in the language asked for (or
  the organisation's) that arrives; another dealer's organisation, a bad
  address or a webhook without its secret are 422 naming the field, and
  nothing is queued;
- `notify list --json` prints the same objects as the API."""

import json

import pytest

from openmps_test.api_client import ApiClient, OpenApi, openapi_document
from openmps_test.notify_sinks import SmtpSink
from openmps_test.openmps_server import OpenMpsServer, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster, wait_for

STRONG = STRONG_PASSWORD
DEALER, OTHER = "Outbox Partner", "Rival Outbox Partner"
ACME, INITECH = "Acme Outbox AG", "Initech Outbox Ltd"


def queue_mail(pg, org: int, to: str, kind: str = "report") -> int:
    nid = int(pg.psql(
        "INSERT INTO notifications (organisation_id, kind, channel, recipient, subject, body) "
        f"VALUES ({org}, '{kind}', 'email', '{to}', 'Monthly', 'Attached.') RETURNING id"
    ).split()[0])
    pg.psql("NOTIFY openmps_outbox")
    return nid


def state(pg, nid: int) -> tuple[str, int]:
    s, attempts = pg.psql(f"SELECT state, attempts FROM notifications WHERE id = {nid}").split("|")
    return s, int(attempts)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with PostgresCluster() as pg, SmtpSink() as sink:
        srv = OpenMpsServer(pg, tmp_path_factory.mktemp("server"))
        srv.write_config("alerts:\n  poll_interval: 1h\n  sweep_interval: 1h\n"
                         "notify:\n  smtp:\n" + sink.config() +
                         "  max_attempts: 2\n  retry_first: 1s\n  retry_max: 1s\n"
                         "  poll_interval: 1s\n")
        with srv:
            srv.add_dealer(DEALER)
            srv.add_customer(ACME, DEALER)
            srv.add_dealer(OTHER)
            srv.add_customer(INITECH, OTHER)
            srv.add_user("dana", "dealer_admin", "--dealer", DEALER)
            srv.add_user("cara", "customer_admin", "--customer", ACME)
            srv.add_user("vic", "customer_viewer", "--customer", ACME)
            srv.add_user("olga", "dealer_admin", "--dealer", OTHER)
            ids = {n: int(pg.psql(f"SELECT id FROM organisations WHERE name = '{n}'"))
                   for n in (DEALER, OTHER, ACME, INITECH)}
            # Acme's mail: refused twice (451), so dead after its two attempts.
            sink.refuse_next = 2
            dead = queue_mail(pg, ids[ACME], "billing@acme.example")
            wait_for(lambda: state(pg, dead) == ("dead", 2), timeout=60)
            sent = [queue_mail(pg, ids[ACME], f"ok{i}@acme.example") for i in range(2)]
            sent.append(queue_mail(pg, ids[INITECH], "it@initech.example", kind="alert.raised"))
            wait_for(lambda: all(state(pg, n)[0] == "sent" for n in sent), timeout=60)
            contract = OpenApi(openapi_document())
            clients = {}
            for i, user in enumerate(("dana", "cara", "vic", "olga")):
                c = ApiClient(srv.api_url, contract, source=f"127.0.0.{70 + i}")
                assert c.sign_in(user, STRONG).status == 200
                clients[user] = c
            yield {"srv": srv, "pg": pg, "sink": sink, "ids": ids, "dead": dead, "sent": sent,
                   **clients}
            for c in clients.values():
                c.close()


def listed(client, query: str = "") -> list[dict]:
    r = client.get("/api/v1/notifications" + query)
    assert r.status == 200, r.body
    return r.json["items"]


def test_admins_see_their_subtrees_notifications_and_no_others(world):
    dead, sent = world["dead"], world["sent"]
    assert [n["id"] for n in listed(world["dana"])] == [sent[1], sent[0], dead]
    assert [n["id"] for n in listed(world["cara"])] == [sent[1], sent[0], dead]
    assert [n["id"] for n in listed(world["olga"])] == [sent[2]]
    one = listed(world["dana"], "?state=dead")
    assert [n["id"] for n in one] == [dead]
    assert one[0]["attempts"] == 2 and "451" in one[0]["last_error"]
    assert one[0]["organisation"] == ACME and one[0]["recipient"] == "billing@acme.example"
    assert listed(world["dana"], f"?organisation_id={world['ids'][ACME]}&kind=report&state=sent")
    assert listed(world["dana"], "?channel=webhook") == []
    assert listed(world["dana"], f"?organisation_id={world['ids'][INITECH]}") == []
    page = world["dana"].get("/api/v1/notifications?limit=2").json
    assert [n["id"] for n in page["items"]] == [sent[1], sent[0]] and page["next_after"]
    rest = world["dana"].get(f"/api/v1/notifications?limit=2&after={page['next_after']}").json
    assert [n["id"] for n in rest["items"]] == [dead] and rest["next_after"] is None
    assert world["vic"].get("/api/v1/notifications").status == 403
    assert world["dana"].get("/api/v1/notifications?state=lost").status == 400
    assert world["dana"].get("/api/v1/notifications?after=x").status == 400


def test_a_dead_notification_retried_through_the_api_arrives_once(world):
    pg, sink, dead = world["pg"], world["sink"], world["dead"]
    path = f"/api/v1/notifications/{dead}/retry"
    assert world["vic"].post(path).status == 403
    assert world["olga"].post(path).status == 404
    assert world["cara"].post(f"/api/v1/notifications/{world['sent'][0]}/retry").status == 409
    assert state(pg, dead) == ("dead", 2)  # nothing changed by the refusals
    r = world["cara"].post(path)
    assert r.status == 200, r.body
    assert r.json["id"] == dead and r.json["attempts"] == 0
    assert r.json["state"] in ("queued", "sent")  # a worker may already have it
    audit = pg.psql("SELECT actor, before, after FROM audit_log "
                    f"WHERE action = 'notification.retry' AND target_id = '{dead}'")
    actor, before, after = audit.strip().split("|")
    assert actor == "cara"
    assert json.loads(before) == {"state": "dead", "attempts": 2}
    assert json.loads(after) == {"state": "queued", "attempts": 0}
    wait_for(lambda: state(pg, dead) == ("sent", 1), timeout=60)
    mid = pg.psql(f"SELECT message_id FROM notifications WHERE id = {dead}").strip()
    assert sum(mid in m["Message-ID"] for m in sink.messages) == 1
    assert world["cara"].post(path).status == 409


def test_a_test_mail_queued_through_the_api_arrives(world):
    pg, sink, acme = world["pg"], world["sink"], world["ids"][ACME]
    count = pg.psql("SELECT count(*) FROM notifications").strip()
    refused = [
        (world["olga"], {"organisation_id": acme, "channel": "email", "address": "x@example.com"},
         "organisation_id"),
        (world["cara"], {"organisation_id": acme, "channel": "email", "address": "not an address"},
         "address"),
        (world["cara"], {"organisation_id": acme, "channel": "webhook",
                         "url": "https://hooks.example/x"}, "secret"),
        (world["cara"], {"organisation_id": acme, "channel": "webhook", "url": "http://plain.example/x",
                         "secret": "s" * 20}, "url"),
    ]
    for client, body, field in refused:
        r = client.post("/api/v1/notifications/test", body)
        assert r.status == 422, (body, r.body)
        assert [p["name"] for p in r.json["invalid_params"]] == [field], r.body
    assert world["vic"].post("/api/v1/notifications/test", {
        "organisation_id": acme, "channel": "email", "address": "x@example.com"}).status == 403
    assert pg.psql("SELECT count(*) FROM notifications").strip() == count  # nothing queued
    r = world["cara"].post("/api/v1/notifications/test", {
        "organisation_id": acme, "channel": "email", "address": "check@acme.example", "locale": "de"})
    assert r.status == 202, r.body
    nid = r.json["notification_id"]
    wait_for(lambda: state(pg, nid)[0] == "sent", timeout=60)
    msg = next(m for m in sink.messages if m["To"] == "check@acme.example")
    assert msg["Subject"] == f"[OpenMPS] Testbenachrichtigung für {ACME}"
    assert msg["X-OpenMPS-Kind"] == "test"
    listed_test = listed(world["cara"], "?kind=test")
    assert [(n["id"], n["state"]) for n in listed_test] == [(nid, "sent")]
    assert listed(world["olga"], "?kind=test") == []


def test_the_command_line_lists_the_same_objects(world):
    api = listed(world["dana"], "?kind=report")
    cli = json.loads(world["srv"].cli("notify", "list", "--kind", "report", "--json").stdout)
    assert cli == api
