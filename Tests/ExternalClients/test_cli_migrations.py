"""`ledgerbridge migrate` and `ledgerbridge serve` as an operator and a supervisor see them.

Each check runs the real binary as a separate process against a real PostgreSQL
database and then looks at the database with psql. Most use a scratch database
of their own (created with LEDGERBRIDGE_TEST_ADMIN_URL and dropped afterwards)
and a temporary migrations directory: the repository's 0001_foundation.sql plus
test migrations whose side effects show how often each file ran.
"""

from __future__ import annotations

import hashlib
import signal
import socket
import threading
import time
import uuid
import subprocess
from pathlib import Path
from typing import List
from urllib.parse import urlsplit, urlunsplit

import pytest

from conftest import (
    CLI_TIMEOUT,
    READY_TIMEOUT,
    SECRETS,
    SHUTDOWN_TIMEOUT,
    CliResult,
    ServeProcess,
    check_no_secrets,
    database_of,
    url_with_password,
    url_with_port,
    user_of,
)

READY_PREFIX = "ledgerbridge serve: ready"

# Test migrations. Every file leaves one row in migration_runs when it runs, so a
# file applied twice shows up as a duplicate row (0003 and 0004 have no DDL that
# would fail on a second run and hide it). 0004 sleeps so that the racing
# processes certainly overlap while the first one is still migrating.
COUNTED_MIGRATIONS = {
    "0002_migration_runs.sql": (
        "CREATE TABLE migration_runs (file text NOT NULL, n integer NOT NULL);\n"
        "INSERT INTO migration_runs VALUES ('0002', 1);\n"
    ),
    "0003_count_again.sql": "INSERT INTO migration_runs VALUES ('0003', 1);\n",
    "0004_slow_count.sql": "SELECT pg_sleep(1.5);\nINSERT INTO migration_runs VALUES ('0004', 1);\n",
    "0005_widgets.sql": (
        "CREATE TABLE widgets (id integer PRIMARY KEY, label text NOT NULL);\n"
        "INSERT INTO migration_runs VALUES ('0005', 1);\n"
    ),
}


def sha256_hex(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_ledger(migrations_dir: Path) -> List[List[str]]:
    """What schema_migrations must hold once every file in `migrations_dir` is applied once."""
    rows = []
    for path in sorted(migrations_dir.glob("*.sql")):
        rows.append([str(int(path.name[:4])), path.name, sha256_hex(path)])
    return rows


def assert_succeeded(result: CliResult) -> None:
    assert result.returncode == 0, result.explain()


def assert_refused(result: CliResult, *phrases: str) -> None:
    assert result.returncode != 0, "expected a non-zero exit\n" + result.explain()
    for phrase in phrases:
        assert phrase in result.output, f"expected {phrase!r} in the output\n" + result.explain()


def applied_files(result: CliResult) -> List[str]:
    """The files a successful `migrate` says it applied ([] when it found the schema up to date)."""
    for line in result.stdout.splitlines():
        if line.startswith("ledgerbridge migrate: applied "):
            return [name.strip() for name in line[len("ledgerbridge migrate: applied "):].split(",")]
        if line.startswith("ledgerbridge migrate: schema is up to date"):
            return []
    pytest.fail("migrate printed neither 'applied ...' nor 'schema is up to date'\n" + result.explain())


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- 1. concurrent migrate


@pytest.mark.parametrize("processes", [2, 5])
def test_concurrent_migrate_applies_each_file_once(cli, scratch_db, make_migrations_dir, processes):
    migrations = make_migrations_dir(COUNTED_MIGRATIONS)
    cmd = cli.command("migrate", "--database-url", scratch_db.owner_url, "--migrations-dir", str(migrations))

    # Start every process at the same instant.
    barrier = threading.Barrier(processes)
    children: List[subprocess.Popen] = [None] * processes  # type: ignore[list-item]
    start_errors: List[BaseException] = []

    def start(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            children[i] = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        except BaseException as error:  # noqa: BLE001 - reported below
            start_errors.append(error)

    starters = [threading.Thread(target=start, args=(i,)) for i in range(processes)]
    for t in starters:
        t.start()
    for t in starters:
        t.join(timeout=60)
    assert not start_errors, f"could not start the migrate processes: {start_errors!r}"

    # Watch how many sessions the owner role has open on the scratch database
    # while they run: at least two at once proves the processes really raced.
    most_at_once = 0
    deadline = time.monotonic() + CLI_TIMEOUT
    while any(c.poll() is None for c in children) and time.monotonic() < deadline:
        count = scratch_db.admin.scalar(
            f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{scratch_db.name}' "
            f"AND usename = '{user_of(scratch_db.owner_url)}' AND pid <> pg_backend_pid()"
        )
        most_at_once = max(most_at_once, int(count or 0))
        time.sleep(0.05)

    results: List[CliResult] = []
    for child in children:
        try:
            out, err = child.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for c in children:
                c.kill()
            pytest.fail(f"a concurrent migrate did not finish within {CLI_TIMEOUT}s (stuck on the lock?)")
        result = CliResult(cmd, child.returncode, out, err)
        check_no_secrets("a concurrent `ledgerbridge migrate`", result.output)
        results.append(result)

    for result in results:
        assert_succeeded(result)
    assert most_at_once >= 2, (
        f"the {processes} migrate processes never had two sessions open at once (max {most_at_once}): the race was not exercised"
    )

    # Between them, the processes applied each file exactly once; the others found nothing to do.
    applied = [name for result in results for name in applied_files(result)]
    all_files = sorted(p.name for p in migrations.glob("*.sql"))
    assert sorted(applied) == all_files, "files applied by the racing processes (each must appear once): " + repr(applied)
    idle = [r for r in results if not applied_files(r)]
    for result in idle:
        assert f"schema is up to date ({len(all_files)} migrations)" in result.stdout, result.explain()

    # The database agrees: one ledger row per file, with the file's checksum, and
    # each file's side effect happened exactly once.
    assert scratch_db.admin.schema_migrations() == expected_ledger(migrations)
    assert scratch_db.admin.rows("SELECT file, count(*) FROM migration_runs GROUP BY file ORDER BY file") == [
        ["0002", "1"], ["0003", "1"], ["0004", "1"], ["0005", "1"],
    ]
    assert scratch_db.admin.table_exists("widgets")
    assert scratch_db.admin.table_exists("tenants")

    # And a later run finds the schema up to date and changes nothing.
    before = scratch_db.admin.snapshot()
    again = cli.migrate(scratch_db.owner_url, migrations)
    assert_succeeded(again)
    assert applied_files(again) == []
    assert scratch_db.admin.snapshot() == before


# --------------------------------------------------------------------------- 2. edited applied file


@pytest.mark.parametrize(
    "edited_file, edit",
    [
        ("0003_count_again.sql", "INSERT INTO migration_runs VALUES ('edited', 1);\n"),
        # Even a comment-only change is a change.
        ("0001_foundation.sql", "-- an innocent-looking comment\n"),
    ],
)
def test_migrate_refuses_an_applied_file_that_was_edited(cli, scratch_db, make_migrations_dir, edited_file, edit):
    migrations = make_migrations_dir({k: COUNTED_MIGRATIONS[k] for k in ("0002_migration_runs.sql", "0003_count_again.sql")})
    assert_succeeded(cli.migrate(scratch_db.owner_url, migrations))
    before = scratch_db.admin.snapshot()

    path = migrations / edited_file
    original = path.read_text(encoding="utf-8")
    path.write_text(original + edit, encoding="utf-8")
    # A new file is pending too: it must not be applied while an applied file is edited.
    (migrations / "0004_after_edit.sql").write_text("CREATE TABLE after_edit (id integer);\n", encoding="utf-8")

    result = cli.migrate(scratch_db.owner_url, migrations)
    assert_refused(result, edited_file, "changed after it was applied")
    assert scratch_db.admin.snapshot() == before, "the database changed although migrate refused"
    assert not scratch_db.admin.table_exists("after_edit")

    # serve refuses the edited file as well.
    served = cli.serve_once(scratch_db.app_url, migrations)
    assert_refused(served, "refusing to start", edited_file, "changed after it was applied")

    # Restoring the file is the way out: the pending migration then applies.
    path.write_text(original, encoding="utf-8")
    fixed = cli.migrate(scratch_db.owner_url, migrations)
    assert_succeeded(fixed)
    assert applied_files(fixed) == ["0004_after_edit.sql"]
    assert scratch_db.admin.schema_migrations() == expected_ledger(migrations)


# --------------------------------------------------------------------------- 3. serve and the schema


def test_serve_refuses_an_unmigrated_database(cli, env, scratch_db):
    result = cli.serve_once(scratch_db.app_url, env.migrations_dir)
    assert_refused(result, "refusing to start", "not up to date", "ledgerbridge migrate", "0001_foundation.sql")
    assert not scratch_db.admin.table_exists("schema_migrations"), "serve must not create or migrate anything"


def test_serve_refuses_a_partly_migrated_database(cli, scratch_db, make_migrations_dir):
    foundation_only = make_migrations_dir()
    assert_succeeded(cli.migrate(scratch_db.owner_url, foundation_only))
    full = make_migrations_dir({"0002_migration_runs.sql": COUNTED_MIGRATIONS["0002_migration_runs.sql"]})

    refused = cli.serve_once(scratch_db.app_url, full)
    assert_refused(refused, "refusing to start", "not up to date", "0002_migration_runs.sql", "ledgerbridge migrate")
    assert "0001_foundation.sql" not in refused.output.split("refusing to start", 1)[1], (
        "only the pending file should be listed\n" + refused.explain()
    )
    assert not scratch_db.admin.table_exists("migration_runs"), "serve must not migrate"

    migrated = cli.migrate(scratch_db.owner_url, full)
    assert_succeeded(migrated)
    assert applied_files(migrated) == ["0002_migration_runs.sql"]


def run_until_ready_then_stop(server: ServeProcess, stop_signal: int) -> None:
    started = time.monotonic()
    ready = server.wait_for_line(READY_PREFIX, READY_TIMEOUT)
    assert ready is not None, f"serve printed no line starting with {READY_PREFIX!r} within {READY_TIMEOUT}s\n" + server.explain()
    # Ready means it stays up until told to stop.
    time.sleep(0.5)
    assert server.proc.poll() is None, "serve exited on its own after ready\n" + server.explain()
    signalled = time.monotonic()
    code = server.stop(stop_signal, SHUTDOWN_TIMEOUT)
    assert code is not None, f"serve did not exit within {SHUTDOWN_TIMEOUT}s of {signal.Signals(stop_signal).name}\n" + server.explain()
    assert code == 0, f"serve exited {code} on {signal.Signals(stop_signal).name}\n" + server.explain()
    assert signalled - started < READY_TIMEOUT + 1


def test_serve_announces_ready_on_a_pipe_without_waiting_for_exit(cli, env):
    """A supervisor reads stdout through a pipe: the ready line must arrive when serve is ready,
    not when its stdout buffer is flushed at exit. (Reached through the environment variables,
    on the test database ops/test migrated.)"""
    with cli.serve(None, None, env={"DATABASE_URL": env.app_url, "LEDGERBRIDGE_MIGRATIONS_DIR": str(env.migrations_dir)}) as server:
        run_until_ready_then_stop(server, signal.SIGTERM)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_is_ready_on_a_migrated_database_and_exits_0_on_signal(cli, scratch_db, make_migrations_dir, stop_signal):
    # stdout on a terminal here, so that this checks readiness and shutdown whatever the pipe buffering.
    migrations = make_migrations_dir({"0002_migration_runs.sql": COUNTED_MIGRATIONS["0002_migration_runs.sql"]})
    assert_succeeded(cli.migrate(scratch_db.owner_url, migrations))
    with cli.serve(scratch_db.app_url, migrations, stdout_tty=True) as server:
        run_until_ready_then_stop(server, stop_signal)


def test_serve_and_migrate_refuse_a_database_newer_than_the_binary(cli, env, scratch_db, make_migrations_dir):
    newer = make_migrations_dir({"0900_from_the_future.sql": "CREATE TABLE from_the_future (id integer);\n"})
    assert_succeeded(cli.migrate(scratch_db.owner_url, newer))
    before = scratch_db.admin.snapshot()

    # The repository's migrations (none numbered 0900) stand for an older binary.
    served = cli.serve_once(scratch_db.app_url, env.migrations_dir)
    assert_refused(served, "refusing to start", "newer than this binary")

    migrated = cli.migrate(scratch_db.owner_url, env.migrations_dir)
    assert_refused(migrated, "newer than this binary")
    assert scratch_db.admin.snapshot() == before


# --------------------------------------------------------------------------- 4. failing migration


BROKEN_MIGRATIONS = {
    # Fails at run time, after earlier statements of the same file have executed.
    "runtime-error": (
        "CREATE TABLE half_done (id integer);\n"
        "INSERT INTO half_done VALUES (1);\n"
        "INSERT INTO migration_runs VALUES ('0003', 1);\n"
        "SELECT * FROM no_such_table_anywhere;\n"
    ),
    # A constraint violation in the last statement.
    "constraint-violation": (
        "CREATE TABLE half_done (id integer);\n"
        "INSERT INTO migration_runs VALUES ('0003', 1);\n"
        "INSERT INTO migration_runs VALUES (NULL, 1);\n"
    ),
    # Does not even parse.
    "syntax-error": (
        "CREATE TABLE half_done (id integer);\n"
        "INSERT INTO migration_runs VALUES ('0003', 1);\n"
        "CREATE TABLE (;\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_MIGRATIONS))
def test_a_failing_migration_is_rolled_back_and_named(cli, scratch_db, make_migrations_dir, kind):
    migrations = make_migrations_dir({
        "0002_migration_runs.sql": COUNTED_MIGRATIONS["0002_migration_runs.sql"],
        "0003_broken.sql": BROKEN_MIGRATIONS[kind],
        "0004_after_broken.sql": "CREATE TABLE after_broken (id integer);\n",
    })
    result = cli.migrate(scratch_db.owner_url, migrations)
    assert_refused(result, "0003_broken.sql")
    assert "ledgerbridge migrate: applied" not in result.stdout, result.explain()

    # Files before it stay applied (each has its own transaction); it and those after it do not.
    ledger = scratch_db.admin.schema_migrations()
    assert [row[1] for row in ledger] == ["0001_foundation.sql", "0002_migration_runs.sql"]
    assert not scratch_db.admin.table_exists("half_done"), "statements before the error were not rolled back"
    assert scratch_db.admin.rows("SELECT file, n FROM migration_runs ORDER BY file") == [["0002", "1"]]
    assert not scratch_db.admin.table_exists("after_broken"), "a migration after the failing one ran"

    # The failure leaves nothing behind that blocks the next run (lock, half-open transaction):
    # once the file is fixed, migrate picks up where it stopped.
    (migrations / "0003_broken.sql").write_text(
        "CREATE TABLE half_done (id integer);\nINSERT INTO migration_runs VALUES ('0003', 1);\n", encoding="utf-8"
    )
    fixed = cli.migrate(scratch_db.owner_url, migrations)
    assert_succeeded(fixed)
    assert applied_files(fixed) == ["0003_broken.sql", "0004_after_broken.sql"]
    assert scratch_db.admin.schema_migrations() == expected_ledger(migrations)
    assert scratch_db.admin.rows("SELECT file, n FROM migration_runs ORDER BY file") == [["0002", "1"], ["0003", "1"]]


# --------------------------------------------------------------------------- 5. secrets hygiene
#
# Every run above is already checked (in conftest) for the passwords of
# DATABASE_URL and MIGRATION_DATABASE_URL in its stdout and stderr. These
# checks add the failure paths where a connection string is most tempting to print.


def test_migrate_on_the_test_database_is_up_to_date_and_quiet_about_passwords(cli, env):
    # Through the environment variables, as ops/test runs it.
    result = cli.run("migrate", env={"MIGRATION_DATABASE_URL": env.owner_url, "LEDGERBRIDGE_MIGRATIONS_DIR": str(env.migrations_dir)})
    assert_succeeded(result)
    assert "schema is up to date" in result.stdout, result.explain()


def _wrong_password_url(real_url: str, form: str, password: str) -> str:
    """`real_url` with `password` instead of its own, written in one of the forms libpq accepts."""
    parts = urlsplit(real_url)
    keywords = f"host={parts.hostname} port={parts.port or 5432} dbname={database_of(real_url)} user={parts.username}"
    if form == "url":
        return url_with_password(real_url, password)
    if form == "url-query-parameter":
        netloc = parts.netloc.rsplit("@", 1)[-1]
        query = (parts.query + "&" if parts.query else "") + f"password={password}"
        return urlunsplit((parts.scheme, f"{parts.username}@{netloc}", parts.path, query, ""))
    if form == "key-value":
        return f"{keywords} password={password}"
    if form == "key-value-spaced":
        return f"{keywords} password = {password}"
    if form == "key-value-quoted":
        return f"{keywords} password='{password}'"
    raise AssertionError(form)


@pytest.mark.parametrize("form", ["url", "url-query-parameter", "key-value", "key-value-spaced", "key-value-quoted"])
@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_a_wrong_password_is_not_echoed(cli, env, command, form):
    words = [f"wrongpw{uuid.uuid4().hex}", f"pw{uuid.uuid4().hex}"]
    wrong = " ".join(words) if form == "key-value-quoted" else words[0]
    SECRETS.add("the wrong password the test passed", wrong)
    for word in words:  # no part of it either
        SECRETS.add("(part of) the wrong password the test passed", word)
    url = _wrong_password_url(env.owner_url if command == "migrate" else env.app_url, form, wrong)
    # cli.run fails the test if the wrong password or a real one appears in the output.
    result = cli.run(command, "--database-url", url, "--migrations-dir", str(env.migrations_dir), timeout=READY_TIMEOUT + SHUTDOWN_TIMEOUT)
    assert_refused(result, "password authentication failed")


@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_a_wrong_password_from_the_environment_is_not_echoed(cli, env, command):
    wrong = f"wrongpw{uuid.uuid4().hex}"
    SECRETS.add("the wrong password the test passed", wrong)
    real, variable = (env.owner_url, "MIGRATION_DATABASE_URL") if command == "migrate" else (env.app_url, "DATABASE_URL")
    result = cli.run(
        command, env={variable: url_with_password(real, wrong), "LEDGERBRIDGE_MIGRATIONS_DIR": str(env.migrations_dir)},
        timeout=READY_TIMEOUT + SHUTDOWN_TIMEOUT,
    )
    assert_refused(result, "password authentication failed")


@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_an_unreachable_server_does_not_echo_the_password(cli, env, command):
    real = env.owner_url if command == "migrate" else env.app_url
    url = url_with_port(real, closed_port())
    result = cli.run(command, "--database-url", url, "--migrations-dir", str(env.migrations_dir), timeout=READY_TIMEOUT + SHUTDOWN_TIMEOUT)
    assert result.returncode != 0, result.explain()
    assert "connect" in result.output.lower(), "the error should say the connection failed\n" + result.explain()


def test_a_missing_database_does_not_echo_the_password(cli, env):
    missing = f"{database_of(env.app_url)[:40]}_missing_{uuid.uuid4().hex[:8]}"
    for command, real in (("migrate", env.owner_url), ("serve", env.app_url)):
        parts = urlsplit(real)
        url = urlunsplit((parts.scheme, parts.netloc, "/" + missing, parts.query, ""))
        result = cli.run(command, "--database-url", url, "--migrations-dir", str(env.migrations_dir), timeout=READY_TIMEOUT + SHUTDOWN_TIMEOUT)
        assert_refused(result, missing)
