# ctest-timeout: 600
"""The alert engine with the real server and PostgreSQL, readings sealed by
the test with the reading times it chooses (so hold-downs and silences are
decided by the readings' own timestamps, never by racing the clock), an
SMTP server that wants STARTTLS and AUTH and an HTTPS webhook receiver that
checks signatures. The dealer subscribes an address (German) and a webhook.

Each test has its own customer, collector and device serials; mails are
told apart by serial.
"""

import datetime as dt
import json
import signal

import pytest

from openmps_test.notify_sinks import SmtpSink, WebhookReceiver
from openmps_test.openmps_server import OpenMpsServer, make_reading, make_supply
from openmps_test.postgres import PostgresCluster, wait_for

DEALER = "Alert Dealer"
NOW = dt.datetime.now(dt.timezone.utc)


def config(sink: SmtpSink, hooks: WebhookReceiver) -> str:
    return ("notify:\n  smtp:\n" + sink.config() +
            f"  webhooks:\n    ca_file: {hooks.ca_file}\n  poll_interval: 1s\n"
            "alerts:\n  sweep_interval: 1s\n  silence_interval: 1s\n  meter_interval: 1s\n"
            "  forecast_interval: 1s\n  poll_interval: 1s\n")


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("alerts")
    with PostgresCluster() as pg, SmtpSink() as sink, WebhookReceiver() as hooks:
        srv = OpenMpsServer(pg, tmp / "a", web=False, start=False)
        srv.write_config(config(sink, hooks))
        srv.migrate()
        srv.add_dealer(DEALER)
        srv.cli("org", "set", "--dealer", DEALER, "--locale", "de")
        srv.cli("alert", "subscribe", "--dealer", DEALER, "--email", "service@dealer.example")
        srv.cli("alert", "subscribe", "--dealer", DEALER, "--webhook", hooks.url, "--secret-file",
                str(hooks.secret_file), "--include-clears")
        srv.start()
        yield Rig(pg, sink, hooks, srv, tmp)
        srv.stop()


class Rig:
    def __init__(self, pg, sink, hooks, srv, tmp):
        self.pg, self.sink, self.hooks, self.srv, self.tmp = pg, sink, hooks, srv, tmp

    def customer(self, name: str, **rules: str):
        self.srv.add_customer(name, DEALER)
        for key, value in rules.items():
            self.srv.cli("alert", "rules", "--customer", name, "--set", f"{key.replace('__', '.')}={value}")
        return self.srv.add_collector(name)

    def mails(self, serial: str) -> list:
        return [m for m in self.sink.messages if f"({serial})" in m["Subject"]]

    def hook_calls(self, serial: str) -> list[dict]:
        out = []
        for call in self.hooks.calls:
            body = json.loads(call["body"])
            alerts = body.get("alerts") or [body.get("alert") or {}]
            if any((a.get("device") or {}).get("serial") == serial for a in alerts):
                out.append(body)
        return out

    def alerts(self, serial: str) -> list[tuple]:
        rows = self.pg.psql(
            "SELECT a.condition, a.subject, a.stage, a.state, a.severity FROM alerts a "
            f"JOIN devices d ON d.id = a.device_id WHERE d.serial = '{serial}' ORDER BY a.id")
        return [tuple(r.split("|")) for r in rows.split("\n") if r]

    def settled(self) -> bool:
        """Every queued event acted on."""
        return self.pg.psql("SELECT count(*) FROM event_queue").strip() == "0"


def at(hours_ago: float = 0, minutes: float = 0) -> dt.datetime:
    return NOW - dt.timedelta(hours=hours_ago) + dt.timedelta(minutes=minutes)


def test_toner_low_very_low_and_replaced_in_the_dealers_language(rig):
    c = rig.customer("Toner Customer")
    s = "TONER-1"
    supply = lambda level, serial="C1": [dict(make_supply(1, "black", level), serial=serial,
                                              description="Black Toner")]
    c.submit([make_reading(s, supplies=supply(50), read_at=at(4))])
    c.submit([make_reading(s, supplies=supply(18), read_at=at(3))])
    mail = wait_for(lambda: rig.mails(s), timeout=30)[0]
    assert mail["Subject"] == ("[OpenMPS] Warnung: Black Toner niedrig (18 %) – "
                               "Test Printer 1 (TONER-1), Toner Customer")
    assert mail["To"] == "service@dealer.example"
    attached = [p for p in mail.iter_attachments()]
    assert [p.get_filename() for p in attached] == [f"alert-{json.loads(attached[0].get_content())['id']}.json"]
    alert = json.loads(attached[0].get_content())
    assert (alert["condition"], alert["stage"], alert["subject"]) == ("toner", "low", "1")
    assert alert["device"]["serial"] == s and alert["customer"]["name"] == "Toner Customer"
    c.submit([make_reading(s, supplies=supply(8), read_at=at(2))])
    wait_for(lambda: len(rig.mails(s)) == 2, timeout=30)
    assert "sehr niedrig (8 %)" in rig.mails(s)[1]["Subject"]
    c.submit([make_reading(s, supplies=supply(100, "C2"), read_at=at(1))])
    wait_for(lambda: any(h["event"] == "alert.cleared" for h in rig.hook_calls(s)), timeout=30)
    assert rig.alerts(s) == [("toner", "1", "very_low", "cleared", "warning")]
    assert [h["event"] for h in rig.hook_calls(s)] == ["alert.raised", "alert.worse", "alert.cleared"]
    assert len(rig.mails(s)) == 2  # e-mail subscriptions do not want clears
    assert all(call["valid"] for call in rig.hooks.calls)


def test_a_jam_cleared_within_the_hold_down_raises_nothing(rig):
    c = rig.customer("Jam Inside")
    s = "JAM-IN"
    c.submit([make_reading(s, read_at=at(3))])
    c.submit([make_reading(s, errors=["jammed"], read_at=at(2)),
              make_reading(s, read_at=at(2, minutes=10))])  # 10 min < 15 min
    wait_for(rig.settled, timeout=30)
    wait_for(lambda: rig.alerts(s) == [("jam", "", "", "cancelled", "warning")], timeout=30)
    assert rig.mails(s) == [] and rig.hook_calls(s) == []


def test_a_jam_that_lasts_is_raised_once(rig):
    c = rig.customer("Jam Outside")
    s = "JAM-OUT"
    c.submit([make_reading(s, read_at=at(3))])
    c.submit([make_reading(s, errors=["jammed"], read_at=at(2))])
    c.submit([make_reading(s, errors=["jammed"], read_at=at(2, minutes=20))])
    mail = wait_for(lambda: rig.mails(s), timeout=30)[0]
    assert mail["Subject"].startswith("[OpenMPS] Warnung: Papierstau")
    c.submit([make_reading(s, read_at=at(1))])
    wait_for(lambda: rig.alerts(s) == [("jam", "", "", "cleared", "warning")], timeout=30)
    wait_for(lambda: [h["event"] for h in rig.hook_calls(s)] == ["alert.raised", "alert.cleared"],
             timeout=30)
    assert len(rig.mails(s)) == 1


def test_a_device_silent_while_its_collector_reports(rig):
    c = rig.customer("Silent Customer")
    c.submit([make_reading("GONE", read_at=at(24 * 5)), make_reading("HERE", read_at=at(24 * 5))])
    c.submit([make_reading("HERE", read_at=at(0))])
    mail = wait_for(lambda: rig.mails("GONE"), timeout=30)[0]
    assert "Gerät meldet sich nicht seit" in mail["Subject"]
    assert rig.alerts("GONE") == [("device_silent", "", "warning", "open", "warning")]
    assert rig.alerts("HERE") == []
    c.submit([make_reading("GONE", read_at=at(0, minutes=1))])  # back
    wait_for(lambda: rig.alerts("GONE")[-1][3] == "cleared", timeout=30)


def test_a_silent_collector_is_one_alert(rig):
    c = rig.customer("Collector Customer", collector_silent__send_interval="1s",
                     collector_silent__slack="1s", collector_silent__factor="1")
    c.submit([make_reading(f"COL-{i}", read_at=at(0)) for i in range(5)])
    cid = c.client_id
    wait_for(lambda: rig.pg.psql(
        f"SELECT count(*) FROM alerts WHERE collector_id = {cid} AND condition = 'collector_silent' "
        "AND state = 'open'").strip() == "1", timeout=60)
    # The devices it reads raise nothing of their own: their silence is measured
    # against what their collector reports.
    assert all(rig.alerts(f"COL-{i}") == [] for i in range(5))
    c.submit([make_reading("COL-0", read_at=at(0, minutes=1))])
    wait_for(lambda: rig.pg.psql(
        f"SELECT count(*) FROM alerts WHERE collector_id = {cid} AND condition = 'collector_silent' "
        "AND state = 'cleared'").strip() == "1", timeout=60)


def test_a_counter_reset_is_acknowledged_into_the_audit_log(rig):
    c = rig.customer("Counter Customer")
    s = "RESET-1"
    c.submit([make_reading(s, counters={"total": 50_000}, read_at=at(2))])
    c.submit([make_reading(s, counters={"total": 12}, read_at=at(1))])
    wait_for(lambda: rig.mails(s), timeout=30)
    assert "Zähler zurückgesetzt (total)" in rig.mails(s)[0]["Subject"]
    alert_id = rig.pg.psql("SELECT a.id FROM alerts a JOIN devices d ON d.id = a.device_id "
                           f"WHERE d.serial = '{s}'").strip()
    out = rig.srv.cli("alert", "ack", alert_id, "--note", "controller board replaced")
    assert "acknowledged" in out.stdout
    assert rig.alerts(s) == [("counter_reset", "", "", "cleared", "warning")]
    audit = rig.pg.psql("SELECT action, actor, detail FROM audit_log WHERE action = 'alert.acknowledge' "
                        f"AND target_id = '{alert_id}'")
    assert audit.startswith("alert.acknowledge|cli:") and "controller board replaced" in audit
    again = rig.srv.cli("alert", "ack", alert_id, "--note", "twice", check=False)
    assert again.returncode != 0 and "not open" in again.stderr


def test_a_storm_is_a_few_mails_and_one_digest(rig):
    c = rig.customer("Storm Customer", offline__hold_down="0s", storm__threshold="2",
                     storm__window="3s")
    c.submit([make_reading(f"STORM-{i}", read_at=at(1)) for i in range(6)])
    c.submit([make_reading(f"STORM-{i}", errors=["offline"], read_at=at(0)) for i in range(6)])
    digest = wait_for(lambda: [m for m in rig.sink.messages if m["X-OpenMPS-Kind"] == "alert.digest"
                               and "gleichartige Alarme" in m["Subject"]], timeout=60)
    single = [m for i in range(6) for m in rig.mails(f"STORM-{i}")]
    held = json.loads(next(digest[0].iter_attachments()).get_content())
    assert len(single) == 2 and len(held) == 4
    assert {a["condition"] for a in held} == {"offline"}
    assert digest[0]["Subject"] == "[OpenMPS] 4 gleichartige Alarme auf einmal"


def test_quiet_hours_hold_mail_until_they_end(rig):
    hour = NOW.hour
    quiet = f"{(hour - 1) % 24:02d}:00-{(hour + 2) % 24:02d}:00"
    c = rig.customer("Quiet Customer", quiet_hours=quiet, service_requested__severity="critical")
    s = "QUIET-1"
    c.submit([make_reading(s, errors=["serviceRequested"], read_at=at(0))])
    wait_for(lambda: rig.pg.psql(
        "SELECT count(*) FROM alert_holds h JOIN alerts a ON a.id = h.alert_id JOIN devices d "
        f"ON d.id = a.device_id WHERE d.serial = '{s}'").strip() == "2", timeout=30)
    release = rig.pg.psql(
        "SELECT DISTINCT to_char(h.release_at AT TIME ZONE 'UTC', 'HH24:MI') FROM alert_holds h "
        f"JOIN alerts a ON a.id = h.alert_id JOIN devices d ON d.id = a.device_id WHERE d.serial = '{s}'")
    assert release.strip() == f"{(hour + 2) % 24:02d}:00"
    assert rig.mails(s) == [] and rig.hook_calls(s) == []


def test_a_supply_that_runs_out_before_the_lead_time(rig):
    c = rig.customer("Forecast Customer", toner__low="5", toner__very_low="1")
    s = "FORECAST-1"
    rig.srv.cli("org", "set", "--customer", "Forecast Customer", "--lead-days", "7")
    readings = [make_reading(s, supplies=[dict(make_supply(1, "black", 60 - 5 * day),
                                               description="Black Toner")],
                             read_at=at(24 * (10 - day))) for day in range(10)]
    c.submit(readings)
    wait_for(lambda: ("runs_out", "1", "due", "open", "warning") in rig.alerts(s), timeout=60)
    mail = wait_for(lambda: [m for m in rig.mails(s) if "leer, bevor Ersatz" in m["Subject"]],
                    timeout=30)
    assert "Black Toner ist leer, bevor Ersatz" in mail[0]["Subject"], mail[0]["Subject"]


def test_meter_reading_missing_before_the_billing_day(rig):
    c = rig.customer("Billing Customer")
    s = "METER-1"
    billing = (NOW + dt.timedelta(days=2)).day
    rig.srv.cli("org", "set", "--customer", "Billing Customer", "--billing-day", str(billing),
                "--time-zone", "UTC")
    c.submit([make_reading(s, read_at=at(24 * 5)), make_reading("METER-2", read_at=at(24 * 5))])
    c.submit([make_reading("METER-2", read_at=at(0))])
    wait_for(lambda: any(a[0] == "meter_missing" for a in rig.alerts(s)), timeout=60)
    assert not any(a[0] == "meter_missing" for a in rig.alerts("METER-2"))


def test_two_servers_raise_and_send_each_alert_once(rig, tmp_path):
    other = OpenMpsServer(rig.pg, tmp_path / "b", web=False, start=False)
    other.write_config(config(rig.sink, rig.hooks))
    for name in ("master.key", "server.crt", "server.key"):
        (other.dir / name).write_bytes((rig.srv.dir / name).read_bytes())
        (other.dir / name).chmod(0o600)
    other.start()
    try:
        c = rig.customer("Twin Customer", storm__threshold="100")
        serials = [f"TWIN-{i}" for i in range(20)]
        c.submit([make_reading(s, read_at=at(2)) for s in serials])
        # Two batches at once, one through each server.
        env1 = c.seal([make_reading(s, errors=["serviceRequested"], read_at=at(1)) for s in serials[:10]])[1]
        env2 = c.seal([make_reading(s, errors=["serviceRequested"], read_at=at(1)) for s in serials[10:]])[1]
        rig.srv.submit(env1)
        other.submit(env2)
        wait_for(lambda: sum(len(rig.mails(s)) for s in serials) >= 20, timeout=60)
        wait_for(rig.settled, timeout=30)
    finally:
        other.stop()
    for s in serials:
        assert rig.alerts(s) == [("service_requested", "", "", "open", "critical")], s
        assert len(rig.mails(s)) == 1, s
        assert len([h for h in rig.hook_calls(s) if h["event"] == "alert.raised"]) == 1, s


def test_killed_between_the_alert_and_its_mail_it_is_sent_once(rig):
    c = rig.customer("Kill Customer")
    s = "KILL-1"
    c.submit([make_reading(s, read_at=at(2))])
    rig.sink.hold()
    c.submit([make_reading(s, errors=["serviceRequested"], read_at=at(1))])
    try:
        rig.sink.wait_holding()
        rig.srv.proc.send_signal(signal.SIGKILL)
        rig.srv.proc.wait(30)
        rig.srv.proc = None
        rig.srv._log.close()
    finally:
        rig.sink.release()
    assert rig.alerts(s) == [("service_requested", "", "", "open", "critical")]
    rig.srv.start()
    wait_for(lambda: rig.mails(s), timeout=60)
    wait_for(lambda: rig.pg.psql("SELECT count(*) FROM notifications WHERE state = 'queued'").strip() == "0",
             timeout=60)
    assert len(rig.mails(s)) == 1
    assert rig.alerts(s) == [("service_requested", "", "", "open", "critical")]
