"""Helpers for the job-queue checks: a migrated scratch database of their own
(the queue is shared by every tenant of a database, so these tests must not see
the other tests' jobs) and several `ledgerbridge serve` processes on it."""

import contextlib
import re
import signal
import time
import uuid
from typing import Callable, Dict, List, Optional, Tuple

import grpc

from conftest import READY_TIMEOUT, SHUTDOWN_TIMEOUT, ScratchDatabase, ServeProcess

ADMIN_TOKEN = "jobs-admin-" + uuid.uuid4().hex
AUTH = (("authorization", f"Bearer {ADMIN_TOKEN}"),)


def migrated(cli, env, scratch: ScratchDatabase) -> ScratchDatabase:
    result = cli.migrate(scratch.owner_url, env.migrations_dir)
    assert result.returncode == 0, result.explain()
    return scratch


def server_env(workers: int = 8, lease: float = 4, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    values = {
        "LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "LEDGERBRIDGE_TEST_HOOKS": "1", "LEDGERBRIDGE_WORKERS": str(workers),
        "LEDGERBRIDGE_JOB_LEASE": str(lease), "LEDGERBRIDGE_JOB_POLL_INTERVAL": "0.2", "LEDGERBRIDGE_JOB_RETRY_BASE": "0.2",
    }
    values.update(extra or {})
    return values


class Server:
    def __init__(self, process: ServeProcess, port: int) -> None:
        self.process = process
        self.port = port
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")

    @property
    def pid(self) -> int:
        return self.process.proc.pid


@contextlib.contextmanager
def servers(cli, env, scratch: ScratchDatabase, count: int, extra_env: Optional[Dict[str, str]] = None, clean_exit: bool = True):
    """`count` server processes on the scratch database; SIGTERM (exit 0 expected) at the end, unless killed."""
    started: List[Server] = []
    stack = contextlib.ExitStack()
    with stack:
        for _ in range(count):
            process = stack.enter_context(cli.serve(scratch.app_url, env.migrations_dir, env=extra_env or server_env()))
            line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
            assert line, f"serve did not become ready:\n{process.explain()}"
            started.append(Server(process, int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))))
        yield started
        for server in started:
            server.channel.close()
            if server.process.proc.poll() is None:
                code = server.process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT)
                if clean_exit:
                    assert code == 0, server.process.explain()


def insert_tenants(scratch: ScratchDatabase, count: int) -> List[str]:
    """Tenants straight into the registry (with their schedules far off), faster than the RPC for hundreds."""
    rows = scratch.admin.rows(f"""
        WITH t AS (
            INSERT INTO tenants (id, slug, name)
            SELECT gen_random_uuid(), 'q-' || substr(md5(random()::text), 1, 12) || '-' || n, 'Queue tenant ' || n FROM generate_series(1, {count}) AS n
            RETURNING id
        ), s AS (
            INSERT INTO job_schedules (tenant_id, kind, every_seconds, next_at)
            SELECT t.id, k, 86400, now() + interval '1 day' FROM t CROSS JOIN unnest(ARRAY['sync.incremental', 'sync.full', 'token.keepalive']) AS k
        )
        SELECT id FROM t ORDER BY id""")
    return [row[0] for row in rows]


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def counts_by_state(scratch: ScratchDatabase, where: str = "true") -> Dict[str, int]:
    return {state: int(n) for state, n in scratch.admin.rows(f"SELECT state, count(*) FROM jobs WHERE {where} GROUP BY state")}


def parse_ts(text: str) -> float:
    """A PostgreSQL timestamptz as printed by psql (UTC session) to epoch seconds."""
    from datetime import datetime
    return datetime.fromisoformat(text.replace(" ", "T")).timestamp()


def intervals_overlap(spans: List[Tuple[float, float]]) -> bool:
    spans = sorted(spans)
    return any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:]))
