"""Shared fixtures for the external-client checks that ops/test runs with pytest.

These tests drive the real `ledgerbridge` binary as a separate process, the way
an operator or a process supervisor would, and inspect the database with the
`psql` client. They read what ops/test exports:

  LEDGERBRIDGE_BIN              the built binary
  LEDGERBRIDGE_MIGRATIONS_DIR   the repository's migrations/ directory
  DATABASE_URL                  the app role (ledgerbridge_app) on the test database
  MIGRATION_DATABASE_URL        the owner role (ledgerbridge_owner) on the same database
  LEDGERBRIDGE_TEST_ADMIN_URL   a superuser URL (only with the private cluster):
                                needed to create the scratch databases

Every subprocess has a timeout. Every run of the binary is checked for leaked
passwords, and nothing these helpers report (failure messages, commands)
contains a password: known secrets are replaced by <REDACTED> first.
"""

from __future__ import annotations

import contextlib
import os
import pty
import queue
import shutil
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

import pytest

ROOT_DIR = Path(__file__).resolve().parents[2]

# Upper bounds for every external process (seconds).
CLI_TIMEOUT = 90
PSQL_TIMEOUT = 30
READY_TIMEOUT = 30
SHUTDOWN_TIMEOUT = 10


# --------------------------------------------------------------------------- secrets


class Secrets:
    """Every password the tests know about; none may ever show up in the binary's output."""

    def __init__(self) -> None:
        self._values: Dict[str, str] = {}

    def add(self, label: str, value: Optional[str]) -> None:
        if not value:
            return
        self._values[value] = label
        # The same password may appear percent-encoded or decoded.
        for variant in (quote(value, safe=""), unquote(value)):
            if variant and variant not in self._values:
                self._values[variant] = label

    def add_from_url(self, label: str, url: Optional[str]) -> None:
        if not url:
            return
        try:
            parts = urlsplit(url)
        except ValueError:
            return
        if parts.password:
            self.add(label, parts.password)
        for key, value in parse_qsl(parts.query):
            if key == "password":
                self.add(label, value)

    def redact(self, text: str) -> str:
        # Longest first, so a secret that contains another is replaced whole.
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, "<REDACTED>")
        return text

    def leaks(self, text: str) -> List[str]:
        """Labels of the secrets that appear in `text` (never the secrets themselves)."""
        return sorted({label for value, label in self._values.items() if value in text})


SECRETS = Secrets()
SECRETS.add_from_url("the password of DATABASE_URL", os.environ.get("DATABASE_URL"))
SECRETS.add_from_url("the password of MIGRATION_DATABASE_URL", os.environ.get("MIGRATION_DATABASE_URL"))


@pytest.fixture(scope="session")
def secrets() -> Secrets:
    return SECRETS


def _describe(args: Sequence[str]) -> str:
    return SECRETS.redact(" ".join(str(a) for a in args))


# --------------------------------------------------------------------------- URLs


def url_with_database(url: str, database: str) -> str:
    """`url` pointing at another database: only the path changes (user, password, host, query stay)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError("not a postgresql:// URL")
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(database, safe=""), parts.query, parts.fragment))


def url_with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    user = quote(unquote(parts.username or ""), safe="")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def url_with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0] + "@" if len(netloc) == 2 else ""
    host = parts.hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return urlunsplit((parts.scheme, f"{userinfo}{host}:{port}", parts.path, parts.query, parts.fragment))


def database_of(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def user_of(url: str) -> str:
    return unquote(urlsplit(url).username or "")


# --------------------------------------------------------------------------- environment


@dataclass(frozen=True)
class TestEnvironment:
    binary: Path
    migrations_dir: Path
    app_url: str
    owner_url: str

    def __repr__(self) -> str:
        return SECRETS.redact(f"TestEnvironment(binary={str(self.binary)!r}, app_url={self.app_url!r}, owner_url={self.owner_url!r})")

    @property
    def app_role(self) -> str:
        return user_of(self.app_url)

    @property
    def owner_role(self) -> str:
        return user_of(self.owner_url)


@pytest.fixture(scope="session")
def env() -> TestEnvironment:
    binary = os.environ.get("LEDGERBRIDGE_BIN")
    if not binary:
        pytest.skip("LEDGERBRIDGE_BIN is not set: run these checks through ops/test (it builds the binary and exports it)")
    path = Path(binary)
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"LEDGERBRIDGE_BIN={binary} is not an executable file")
    if shutil.which("psql") is None:
        pytest.fail("the psql client is not installed (ops/test installs it with the postgresql packages)")

    migrations = Path(os.environ.get("LEDGERBRIDGE_MIGRATIONS_DIR") or ROOT_DIR / "migrations")
    if not (migrations / "0001_foundation.sql").is_file():
        pytest.fail(f"{migrations} has no 0001_foundation.sql (LEDGERBRIDGE_MIGRATIONS_DIR)")

    app_url = os.environ.get("DATABASE_URL")
    owner_url = os.environ.get("MIGRATION_DATABASE_URL")
    if not app_url or not owner_url:
        pytest.skip("DATABASE_URL and MIGRATION_DATABASE_URL are not set: run these checks through ops/test")
    for name, url in (("DATABASE_URL", app_url), ("MIGRATION_DATABASE_URL", owner_url)):
        if urlsplit(url).scheme not in ("postgres", "postgresql") or not database_of(url):
            pytest.skip(f"{name} is not a postgresql://user:password@host:port/database URL; these checks need that form")
    return TestEnvironment(binary=path, migrations_dir=migrations, app_url=app_url, owner_url=owner_url)


@pytest.fixture(scope="session")
def admin_url() -> str:
    url = os.environ.get("LEDGERBRIDGE_TEST_ADMIN_URL")
    if not url:
        pytest.skip(
            "LEDGERBRIDGE_TEST_ADMIN_URL is not set (only ops/test's private cluster provides a superuser): "
            "this check needs its own scratch database"
        )
    return url


# --------------------------------------------------------------------------- psql


class Psql:
    """`psql` as a client: unaligned, tuples only, stops at the first error."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __repr__(self) -> str:
        return SECRETS.redact(f"Psql({self.url!r})")

    def run(self, sql: str, timeout: float = PSQL_TIMEOUT) -> str:
        args = ["psql", "-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c", sql]
        try:
            proc = subprocess.run(
                args, capture_output=True, text=True, timeout=timeout, env={**os.environ, "PGCONNECT_TIMEOUT": "10"}
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"psql timed out after {timeout}s: {_describe(args)}")
        if proc.returncode != 0:
            pytest.fail(f"psql failed ({proc.returncode}) running {SECRETS.redact(sql)!r}: {SECRETS.redact(proc.stderr.strip())}")
        return proc.stdout.strip()

    def rows(self, sql: str) -> List[List[str]]:
        out = self.run(sql)
        return [line.split("|") for line in out.splitlines()] if out else []

    def scalar(self, sql: str) -> str:
        return self.run(sql)

    def table_exists(self, name: str) -> bool:
        return self.scalar(f"SELECT to_regclass('public.{name}') IS NOT NULL") == "t"

    def schema_migrations(self) -> List[List[str]]:
        if not self.table_exists("schema_migrations"):
            return []
        return self.rows("SELECT version, file_name, checksum FROM schema_migrations ORDER BY version")

    def snapshot(self) -> Dict[str, object]:
        """Everything a migration could change that these tests care about."""
        return {
            "relations": self.rows(
                "SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' ORDER BY 2, 1"
            ),
            "columns": self.rows(
                "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, a.attnum"
            ),
            "policies": self.rows("SELECT tablename, policyname, qual FROM pg_policies ORDER BY 1, 2"),
            "schema_migrations": self.rows(
                "SELECT version, file_name, checksum, applied_at FROM schema_migrations ORDER BY version"
            )
            if self.table_exists("schema_migrations")
            else None,
            "migration_runs": self.rows("SELECT file, n FROM migration_runs ORDER BY file, n")
            if self.table_exists("migration_runs")
            else None,
        }


# --------------------------------------------------------------------------- the binary


@dataclass
class CliResult:
    args: List[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr

    def __repr__(self) -> str:  # pytest prints this in assertion failures: never with a password
        return SECRETS.redact(f"CliResult(args={self.args!r}, returncode={self.returncode!r})")

    def explain(self) -> str:
        return SECRETS.redact(
            f"`{' '.join(self.args)}` exited {self.returncode}\n--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


def check_no_secrets(what: str, text: str) -> None:
    leaked = SECRETS.leaks(text)
    if leaked:
        pytest.fail(f"{', '.join(leaked)} appears in the output of {what}:\n{SECRETS.redact(text)}")


def _cli_env(env_vars: Optional[Dict[str, str]]) -> Dict[str, str]:
    # Only what a test passes explicitly: no URL or directory leaks in from ops/test's environment.
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MIGRATION_DATABASE_URL", "LEDGERBRIDGE_MIGRATIONS_DIR")}
    # A free port for every server a test starts, unless the test says otherwise.
    base["LEDGERBRIDGE_PORT"] = "0"
    base.update(env_vars or {})
    return base


class Cli:
    def __init__(self, environment: TestEnvironment) -> None:
        self.environment = environment

    def command(self, *args: str) -> List[str]:
        return [str(self.environment.binary), *args]

    def run(self, *args: str, env: Optional[Dict[str, str]] = None, timeout: float = CLI_TIMEOUT) -> CliResult:
        cmd = self.command(*args)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_cli_env(env), cwd=ROOT_DIR)
        except subprocess.TimeoutExpired as expired:
            partial = (expired.stdout or b"") if isinstance(expired.stdout, bytes) else (expired.stdout or "")
            pytest.fail(f"timed out after {timeout}s: {_describe(cmd)}\n{SECRETS.redact(str(partial))}")
        result = CliResult(cmd, proc.returncode, proc.stdout, proc.stderr)
        check_no_secrets(f"`{_describe(cmd)}`", result.output)
        return result

    def migrate(self, database_url: str, migrations_dir: Path, **kwargs) -> CliResult:
        return self.run("migrate", "--database-url", database_url, "--migrations-dir", str(migrations_dir), **kwargs)

    def serve_once(self, database_url: str, migrations_dir: Path, timeout: float = READY_TIMEOUT) -> CliResult:
        """Runs `serve` expecting it to exit on its own (a refusal); a ready server is stopped and reported."""
        with ServeProcess(self.command("serve", "--database-url", database_url, "--migrations-dir", str(migrations_dir))) as server:
            returncode = server.wait_for_exit(timeout)
            if returncode is None:
                server.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT)
                pytest.fail(f"serve was expected to refuse and exit, but it kept running:\n{server.explain()}")
            return server.result()

    def serve(
        self, database_url: Optional[str], migrations_dir: Optional[Path], env: Optional[Dict[str, str]] = None, stdout_tty: bool = False
    ) -> "ServeProcess":
        args = ["serve"]
        if database_url is not None:
            args += ["--database-url", database_url]
        if migrations_dir is not None:
            args += ["--migrations-dir", str(migrations_dir)]
        return ServeProcess(self.command(*args), env=env, stdout_tty=stdout_tty)


class ServeProcess:
    """A `ledgerbridge serve` child whose stdout and stderr are read line by line as they come."""

    def __init__(self, cmd: List[str], env: Optional[Dict[str, str]] = None, stdout_tty: bool = False) -> None:
        """`stdout_tty`: stdout is a pseudo-terminal (as for an operator at a shell) instead of a pipe
        (as for a process supervisor)."""
        self.cmd = cmd
        self.stdout_lines: List[str] = []
        self.stderr_lines: List[str] = []
        self._stdout_queue: "queue.Queue[Optional[str]]" = queue.Queue()
        if stdout_tty:
            master, slave = pty.openpty()
            try:
                self.proc = subprocess.Popen(
                    cmd, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=_cli_env(env), cwd=ROOT_DIR,
                )
            finally:
                os.close(slave)
            stdout_reader = threading.Thread(target=self._pump_fd, args=(master, self.stdout_lines, self._stdout_queue, True), daemon=True)
        else:
            self.proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=_cli_env(env), cwd=ROOT_DIR,
            )
            stdout_reader = threading.Thread(target=self._pump_fd, args=(self.proc.stdout.fileno(), self.stdout_lines, self._stdout_queue), daemon=True)
        self._readers = [
            stdout_reader,
            threading.Thread(target=self._pump_fd, args=(self.proc.stderr.fileno(), self.stderr_lines, None), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _pump_fd(fd: int, sink: List[str], q: Optional["queue.Queue[Optional[str]]"], close: bool = False) -> None:
        """Reads `fd` as bytes arrive (no buffering on our side) and hands on complete lines."""
        try:
            ServeProcess._pump_lines(fd, sink, q)
        finally:
            if close:
                os.close(fd)

    @staticmethod
    def _pump_lines(fd: int, sink: List[str], q: Optional["queue.Queue[Optional[str]]"]) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # a pty's master reports EIO once the child side is closed
                chunk = b""
            if not chunk:
                break
            pending += chunk
            while b"\n" in pending:
                raw, pending = pending.split(b"\n", 1)
                line = raw.decode("utf-8", "replace").rstrip("\r") + "\n"
                sink.append(line)
                if q is not None:
                    q.put(line)
        if pending:
            line = pending.decode("utf-8", "replace")
            sink.append(line)
            if q is not None:
                q.put(line)
        if q is not None:
            q.put(None)

    def __enter__(self) -> "ServeProcess":
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=SHUTDOWN_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        self._join_readers()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()
        # Whatever happened, nothing serve printed may contain a password.
        if exc[0] is None:
            check_no_secrets(f"`{_describe(self.cmd)}`", "".join(self.stdout_lines + self.stderr_lines))

    def _join_readers(self) -> None:
        for reader in self._readers:
            reader.join(timeout=5)

    def wait_for_line(self, prefix: str, timeout: float) -> Optional[str]:
        """The first stdout line starting with `prefix`, or None if it did not come within `timeout` / stdout closed."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                line = self._stdout_queue.get(timeout=remaining)
            except queue.Empty:
                return None
            if line is None:
                return None
            if line.startswith(prefix):
                return line

    def wait_for_exit(self, timeout: float) -> Optional[int]:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        self._join_readers()
        return code

    def stop(self, sig: int, timeout: float) -> Optional[int]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait_for_exit(timeout)

    def result(self) -> CliResult:
        return CliResult(self.cmd, self.proc.returncode if self.proc.returncode is not None else -999,
                         "".join(self.stdout_lines), "".join(self.stderr_lines))

    def explain(self) -> str:
        return self.result().explain()


@pytest.fixture(scope="session")
def cli(env: TestEnvironment) -> Cli:
    return Cli(env)


# --------------------------------------------------------------------------- scratch databases and migration dirs


@dataclass
class ScratchDatabase:
    name: str
    app_url: str
    owner_url: str
    admin: Psql  # superuser on this database: sees everything, RLS or not

    def __repr__(self) -> str:
        return f"ScratchDatabase({self.name!r})"


@pytest.fixture
def scratch_db_factory(env: TestEnvironment, admin_url: str) -> Callable[[], ScratchDatabase]:
    """Fresh, empty databases owned by the owner role (as ops/lib/postgres.sh makes them), dropped afterwards.

    Their names start with the test database's name, so a run interrupted before
    clean-up leaves databases that ops/test's stale-database sweep removes.
    """
    server = Psql(admin_url)
    created: List[str] = []

    def create() -> ScratchDatabase:
        name = f"{database_of(env.app_url)[:40]}_s_{uuid.uuid4().hex[:10]}"
        server.run(f'CREATE DATABASE "{name}" OWNER "{env.owner_role}"')
        created.append(name)
        server.run(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        server.run(f'GRANT CONNECT, TEMPORARY ON DATABASE "{name}" TO "{env.app_role}"')
        return ScratchDatabase(
            name=name,
            app_url=url_with_database(env.app_url, name),
            owner_url=url_with_database(env.owner_url, name),
            admin=Psql(url_with_database(admin_url, name)),
        )

    yield create

    for name in created:
        server.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_db(scratch_db_factory) -> ScratchDatabase:
    return scratch_db_factory()


@pytest.fixture
def make_migrations_dir(env: TestEnvironment, tmp_path: Path) -> Callable[..., Path]:
    """A temporary migrations directory: the repository's 0001_foundation.sql plus `extra` files."""
    counter = [0]

    def make(extra: Optional[Dict[str, str]] = None, foundation: bool = True) -> Path:
        counter[0] += 1
        directory = tmp_path / f"migrations-{counter[0]}"
        directory.mkdir()
        if foundation:
            shutil.copyfile(env.migrations_dir / "0001_foundation.sql", directory / "0001_foundation.sql")
        for name, sql in (extra or {}).items():
            (directory / name).write_text(sql, encoding="utf-8")
        return directory

    return make


@contextlib.contextmanager
def running_server(cli: "Cli", env: TestEnvironment, extra_env: Optional[Dict[str, str]] = None):
    """`ledgerbridge serve` against the test database until the block ends; yields (port, process).
    It must stop cleanly on SIGTERM."""
    import re as _re
    with cli.serve(env.app_url, env.migrations_dir, env=extra_env) as process:
        line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
        assert line, f"serve did not become ready:\n{process.explain()}"
        yield int(_re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1)), process
        assert process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0
