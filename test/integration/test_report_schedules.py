# ctest-timeout: 300
"""Scheduled reports in the real server: a schedule due months ago makes one
run per missed occurrence, each for its own period; runs are kept for
download; a run that cannot be made is tried again and then marked failed
with its error, never dropped; a server killed while it makes a report
leaves the run pending, and the next server makes it, once.

The kill happens at a point the test controls: it holds a lock on the
devices table, so the server's report waits on it (seen in
pg_stat_activity) when the test kills it.
"""

import csv
import datetime as dt
import io
import subprocess
import time

import pytest

from openmps_test.backfill import scenario_devices, send_histories
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.postgres import PostgresCluster, wait_for

CUSTOMER = "Schedule Customer"
DEALER = "Schedule Dealer"
REPORT_SETTINGS = "reports:\n  poll_interval: 1s\n  retry_attempts: 2\n  retry_pause: 1s\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = tmp_path_factory.mktemp("schedules")
    with PostgresCluster() as pg:
        srv = OpenMpsServer(pg, work / "server", start=False)
        srv.write_config(REPORT_SETTINGS)
        with srv:
            srv.add_dealer(DEALER)
            srv.add_customer(CUSTOMER, DEALER)
            srv.cli("org", "set", "--customer", CUSTOMER, "--time-zone", "Europe/Paris")
            end = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
            enrollment = Enrollment.decode(srv.cli("collector", "add", "--customer", CUSTOMER).stdout.strip())
            srv.start()
            send_histories(enrollment, scenario_devices(end, 120))
            yield {"srv": srv, "pg": pg, "dir": work}


def runs(pg, where: str = "true") -> list[tuple]:
    out = pg.psql(f"SELECT id, status, attempts, coalesce(file_name, ''), coalesce(last_error, ''), "
                  f"period_from IS NULL FROM report_runs WHERE {where} ORDER BY due_at, id")
    return [tuple(line.split("|")) for line in out.splitlines() if line]


def test_missed_monthly_runs_are_all_made_and_kept_for_download(world):
    srv, pg = world["srv"], world["pg"]
    out = srv.cli("report", "schedule", "add", "billing", "--customer", CUSTOMER, "--monthly", "1",
                  "--hour", "6", "--format", "csv", "--mail-to", "billing@customer.example")
    schedule = out.stdout.split()[2]
    listed = srv.cli("report", "schedule", "list", "--customer", CUSTOMER).stdout
    assert "billing" in listed and "billing@customer.example" in listed
    # As if the server had been down for three months:
    pg.psql(f"UPDATE report_schedules SET next_run_at = now() - interval '80 days' WHERE id = {schedule}")
    done = wait_for(lambda: [r for r in runs(pg, f"schedule_id = {schedule}") if r[1] == "done"]
                    if len(runs(pg, f"schedule_id = {schedule} AND status = 'done'")) >= 3 else None,
                    timeout=60)
    made = runs(pg, f"schedule_id = {schedule}")
    assert len(made) == len(done) >= 3, made
    assert all(r[2] == "1" for r in made), "each made once"
    names = [r[3] for r in made]
    assert len(set(names)) == len(names), f"each run covers its own month: {names}"
    next_run = pg.psql(f"SELECT next_run_at > now() FROM report_schedules WHERE id = {schedule}").strip()
    assert next_run == "t"
    listed = srv.cli("report", "runs", "--customer", CUSTOMER).stdout
    assert "done" in listed and names[-1] in listed
    target = world["dir"] / "downloaded.csv"
    srv.cli("report", "download", made[-1][0], "-o", str(target))
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0][1] == "Numéro de série" or rows[0][1] == "Serial number"
    assert {r[1] for r in rows[1:]} >= {"SCN-RESET", "SCN-GAP"}
    # one mail per run queued in the outbox, with the file attached by reference
    queued = pg.psql("SELECT n.recipient, a.source, a.source_id FROM notifications n "
                     "JOIN notification_attachments a ON a.notification_id = n.id "
                     "WHERE n.kind = 'report' ORDER BY a.source_id").split()
    assert queued == [f"billing@customer.example|report_run|{r[0]}" for r in made]
    audit = pg.psql("SELECT action FROM audit_log WHERE action LIKE 'report_schedule.%'")
    assert "report_schedule.create" in audit
    srv.cli("report", "schedule", "remove", schedule)
    assert "report_schedule.delete" in pg.psql("SELECT action FROM audit_log")


def test_a_run_that_fails_is_retried_then_marked_failed_with_its_error(world):
    pg, srv = world["pg"], world["srv"]
    org = pg.psql(f"SELECT id FROM organisations WHERE name = '{CUSTOMER}'").strip()
    out = srv.cli("report", "schedule", "add", "status", "--customer", CUSTOMER, "--weekly", "3",
                  "--mail-to", "it@customer.example")
    schedule = out.stdout.split()[2]
    # A run of that schedule the server cannot make (a report of a newer server, say).
    run_id = pg.psql(f"INSERT INTO report_runs (schedule_id, organisation_id, report, format, due_at) "
                     f"VALUES ({schedule}, {org}, 'no-such-report', 'csv', now()) RETURNING id").split()[0]
    wait_for(lambda: runs(pg, f"id = {run_id} AND status = 'failed'"), timeout=60)
    (_, status, attempts, file_name, error, _), = runs(pg, f"id = {run_id}")
    assert (status, attempts, file_name) == ("failed", "2", "")
    assert "no report named 'no-such-report'" in error
    assert "attempts used up" in world["srv"].log()
    # reported to the schedule's recipients, not silently dropped
    failed = pg.psql("SELECT recipient, subject FROM notifications WHERE kind = 'report.failed'").strip()
    assert failed.startswith("it@customer.example|Report not made"), failed


def test_a_server_killed_while_making_a_report_leaves_it_to_the_next(world):
    srv, pg = world["srv"], world["pg"]
    blocker = subprocess.Popen(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=pg.libpq_env)
    try:
        blocker.stdin.write("BEGIN;\nLOCK TABLE devices IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n")
        blocker.stdin.flush()
        assert blocker.stdout.readline().strip() == "locked"
        out = srv.cli("report", "schedule", "add", "inventory", "--customer", CUSTOMER, "--daily",
                      "--format", "xlsx", "--keep-days", "3")
        schedule = out.stdout.split()[2]
        # Its previous occurrence, the only one due now (an hour back could
        # reach past today's run time, and then both would be made).
        pg.psql(f"UPDATE report_schedules SET next_run_at = next_run_at - interval '1 day' WHERE id = {schedule}")
        # The server claimed the run and waits for the lock inside the report.
        wait_for(lambda: pg.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND query LIKE '%devices%'").strip() != "0", timeout=60)
        srv.proc.kill()
        srv.proc.wait()
        srv.stop()
    finally:
        blocker.stdin.write("COMMIT;\n")
        blocker.stdin.close()
        blocker.wait(timeout=30)
    (pending,) = runs(pg, f"schedule_id = {schedule}")
    assert pending[1:3] == ("pending", "0"), pending
    srv.start()
    wait_for(lambda: runs(pg, f"schedule_id = {schedule} AND status = 'done'"), timeout=60)
    (done,) = runs(pg, f"schedule_id = {schedule}")
    assert done[2] == "1" and done[3].endswith(".xlsx")
    expires = pg.psql(f"SELECT expires_at - finished_at FROM report_runs WHERE id = {done[0]}").strip()
    assert expires == "3 days"
