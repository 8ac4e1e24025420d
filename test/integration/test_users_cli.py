# ctest-timeout: 180
"""`openmps-server user ...` against a real PostgreSQL: accounts for the
first administrator and for operators, passwords never on the command line,
the password policy, one-time passwords, and an audit entry for every
change in the append-only audit log."""

import json
import subprocess

import pytest

from openmps_test.openmps_server import OpenMpsServer, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster

STRONG = STRONG_PASSWORD


@pytest.fixture(scope="module")
def pg():
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def server(pg, tmp_path_factory):
    with OpenMpsServer(pg, tmp_path_factory.mktemp("server"), start=False) as srv:
        srv.add_dealer("Print Partner")
        srv.add_customer("Acme", "Print Partner")
        yield srv


def audit(pg, action: str) -> list[dict]:
    rows = pg.psql("SELECT coalesce(json_agg(a ORDER BY id), '[]') FROM audit_log a "
                   f"WHERE action = '{action}'")
    return json.loads(rows)


def users(server) -> dict:
    return {u["username"]: u for u in json.loads(server.cli("user", "list", "--json").stdout)}


def with_stdin(server, text: str, *args: str) -> subprocess.CompletedProcess:
    from openmps_test.paths import server_binary
    return subprocess.run([str(server_binary()), *args, "--config", str(server.config)],
                          input=text, capture_output=True, text=True, timeout=60)


def test_first_admin_gets_a_one_time_password(server, pg):
    out = server.cli("user", "add", "admin", "--role", "root_admin", "--root")
    assert "added user 'admin'" in out.stdout
    line = [l for l in out.stdout.splitlines() if l.startswith("one-time password")][0]
    one_time = line.rsplit(": ", 1)[1]
    assert len(one_time) == 20
    row = pg.psql("SELECT password_change_required, password_hash LIKE '$argon2id$%' "
                  "FROM users WHERE username = 'admin'").strip()
    assert row == "t|t"
    assert one_time not in pg.psql("SELECT password_hash FROM users")
    entry = audit(pg, "user.create")[0]
    assert entry["actor"].startswith("cli:")
    assert entry["after"]["username"] == "admin" and entry["after"]["role"] == "root_admin"
    assert entry["organisation_id"] == int(pg.psql("SELECT id FROM organisations WHERE kind='root'"))
    assert one_time not in json.dumps(entry)


def test_password_from_file_or_stdin_never_argv(server, tmp_path, pg):
    pw = tmp_path / "pw"
    pw.write_text(STRONG + "\n")
    server.cli("user", "add", "dana@partner.example", "--role", "dealer_admin", "--dealer",
               "Print Partner", "--password-file", str(pw), "--display-name", "Dana",
               "--locale", "de")
    u = users(server)["dana@partner.example"]
    assert (u["role"], u["organisation"], u["locale"], u["display_name"]) == \
        ("dealer_admin", "Print Partner", "de", "Dana")
    assert pg.psql("SELECT password_change_required FROM users WHERE username = "
                   "'dana@partner.example'").strip() == "f"
    out = with_stdin(server, STRONG + "\n", "user", "add", "carl", "--role", "customer_admin",
                     "--customer", "Acme", "--password-file", "-")
    assert out.returncode == 0, out.stderr
    out = server.cli("user", "add", "eve", "--role", "customer_admin", "--customer", "Acme",
                     "--password", STRONG, check=False)
    assert out.returncode == 2 and "--password-file" in out.stderr


def test_weak_passwords_and_misfits_are_refused(server, tmp_path):
    pw = tmp_path / "weak"
    for weak, why in [("Sommer2024!", "common"), ("short1A", "shorter than 8"),
                      ("alllowercase", "at least 3")]:
        pw.write_text(weak)
        out = server.cli("user", "add", "weak", "--role", "customer_viewer", "--customer", "Acme",
                         "--password-file", str(pw), check=False)
        assert out.returncode != 0 and why in out.stderr, out.stderr
    out = server.cli("user", "add", "misfit", "--role", "dealer_admin", "--customer", "Acme",
                     check=False)
    assert out.returncode != 0 and "does not fit a customer organisation" in out.stderr
    out = server.cli("user", "add", "ADMIN", "--role", "root_admin", "--root", check=False)
    assert out.returncode != 0 and "taken" in out.stderr
    out = server.cli("user", "add", "x", "--role", "boss", "--root", check=False)
    assert out.returncode == 2 and "--role" in out.stderr
    assert "weak" not in users(server) and "misfit" not in users(server)


def test_disable_enable_and_reset(server, pg):
    server.cli("user", "add", "tina", "--role", "dealer_technician", "--dealer", "Print Partner")
    server.cli("user", "disable", "tina")
    assert users(server)["tina"]["disabled"] is True
    assert pg.psql("SELECT disabled_reason FROM users WHERE username='tina'").strip() == \
        "administrator"
    server.cli("user", "enable", "tina")
    assert users(server)["tina"]["disabled"] is False
    assert pg.psql("SELECT enabled_at IS NOT NULL FROM users WHERE username='tina'").strip() == "t"
    before = pg.psql("SELECT password_hash FROM users WHERE username='tina'")
    out = server.cli("user", "reset-password", "tina")
    assert "one-time password for 'tina'" in out.stdout
    assert pg.psql("SELECT password_hash FROM users WHERE username='tina'") != before
    server.cli("user", "reset-totp", "tina")
    actions = [a["action"] for a in json.loads(pg.psql(
        "SELECT json_agg(a ORDER BY id) FROM audit_log a WHERE target_id = "
        "(SELECT id::text FROM users WHERE username='tina')"))]
    assert actions == ["user.create", "user.disable", "user.enable", "user.password_reset",
                       "user.totp_reset"]
    out = server.cli("user", "disable", "nobody", check=False)
    assert out.returncode != 0 and "no user named 'nobody'" in out.stderr


def test_list_as_table_and_by_organisation(server):
    out = server.cli("user", "list", "--customer", "Acme").stdout
    names = [line.split()[1] for line in out.splitlines()[1:]]
    assert names == ["carl"]
    assert out.splitlines()[0].split()[:3] == ["ID", "USERNAME", "ROLE"]


def test_the_audit_log_is_append_only(server, pg):
    for sql in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log",
                "TRUNCATE audit_log"):
        with pytest.raises(subprocess.CalledProcessError) as info:
            pg.psql(sql)
        assert "append-only" in info.value.stderr
    assert len(audit(pg, "user.create")) >= 4
