"""The job queue across real server processes on one PostgreSQL: kill -9,
fairness, drain, retries, schedules. Each test has a scratch database of its
own and starts its own `ledgerbridge serve` processes (with --test-hooks)."""

import signal
import time
from collections import defaultdict

import pytest

from jobs_support import (AUTH, counts_by_state, insert_tenants, intervals_overlap, migrated, server_env, servers,
                          wait_until)
from test_rpc import stubs  # noqa: F401  (the generated stubs fixture)


@pytest.fixture
def db(cli, env, scratch_db):
    return migrated(cli, env, scratch_db)


def enqueue_sql(db, tenants, kind: str, per_tenant: int, args: str = "{}", exclusive: bool = False, max_attempts: int = 10) -> None:
    ids = ",".join(f"'{t}'" for t in tenants)
    db.admin.run(f"""
        INSERT INTO job_tenants (tenant_id) SELECT unnest(ARRAY[{ids}]::uuid[]) ON CONFLICT DO NOTHING;
        INSERT INTO jobs (tenant_id, kind, exclusive, args, max_attempts)
        SELECT t, '{kind}', {str(exclusive).lower()}, '{args}', {max_attempts} FROM unnest(ARRAY[{ids}]::uuid[]) AS t, generate_series(1, {per_tenant});
        NOTIFY ledgerbridge_jobs;""")


def create_executions_table(db) -> None:
    db.admin.run("""
        CREATE TABLE test_executions (job_id bigint NOT NULL, execution uuid PRIMARY KEY, worker uuid NOT NULL, attempt int NOT NULL,
                                      started_at timestamptz NOT NULL, finished_at timestamptz);
        GRANT SELECT, INSERT, UPDATE ON test_executions TO ledgerbridge_app;""")


def test_kill_9_every_job_finishes_exactly_once(cli, env, db):
    create_executions_table(db)
    tenants = insert_tenants(db, 40)
    enqueue_sql(db, tenants, "test.record", 15, args='{"ms": 150}')  # 600 jobs of 150 ms
    with servers(cli, env, db, 3, server_env(workers=8, lease=4)) as running:
        wait_until(lambda: int(db.admin.scalar("SELECT count(*) FROM test_executions WHERE worker IN (SELECT id FROM job_workers)")) > 60,
                   30, "jobs to start on every process")
        victim = running[1]
        killed_at = float(db.admin.scalar("SELECT extract(epoch FROM clock_timestamp())"))
        victim.process.proc.send_signal(signal.SIGKILL)
        assert victim.process.wait_for_exit(10) == -signal.SIGKILL
        wait_until(lambda: counts_by_state(db) == {"succeeded": 600}, 120, "all 600 jobs to succeed")
    rows = db.admin.rows("""
        SELECT job_id, extract(epoch FROM started_at), extract(epoch FROM finished_at), worker FROM test_executions ORDER BY job_id, started_at""")
    runs = defaultdict(list)
    for job, started, finished, worker in rows:
        runs[int(job)].append((float(started), float(finished) if finished else None, worker))
    assert len(runs) == 600, "every job ran"
    for job, executions in runs.items():
        finished = [e for e in executions if e[1] is not None]
        assert len(finished) == 1, f"job {job} finished {len(finished)} times: {executions}"
        # An unfinished execution was cut short by the kill: it ended then.
        spans = [(s, f if f is not None else killed_at) for s, f, _ in executions]
        assert not intervals_overlap(spans), f"job {job} ran twice at once: {executions}"
    interrupted = [e for executions in runs.values() for e in executions if e[1] is None]
    assert interrupted, "the kill interrupted no job: the test proved nothing"
    assert all(e[0] < killed_at + 0.5 for e in interrupted)
    # Rescued within about a lease (4 s) plus a rescue interval of the kill.
    rescued_starts = [min(s for s, f, _ in executions if s > killed_at) for executions in runs.values()
                      if any(f is None for _, f, _ in executions)]
    assert max(rescued_starts) - killed_at < 4 + 2 + 3, rescued_starts


def test_a_thousand_tenants_sync_now_on_three_processes_never_overlap(cli, env, db, stubs):  # noqa: F811
    tenants = insert_tenants(db, 1000)
    extra = server_env(workers=10, lease=4, extra={"LEDGERBRIDGE_TEST_SYNC_RUN_MS": "30"})
    with servers(cli, env, db, 3, extra) as running:
        syncs = [stubs.sync_grpc.SyncServiceStub(server.channel) for server in running]
        futures = []
        for index, tenant in enumerate(tenants):
            stub = syncs[index % 3]
            futures.append(stub.SyncNow.future(stubs.sync_pb2.SyncNowRequest(tenant_id=tenant), metadata=AUTH, timeout=60))
            futures.append(syncs[(index + 1) % 3].SyncNow.future(stubs.sync_pb2.SyncNowRequest(tenant_id=tenant, full=True), metadata=AUTH, timeout=60))
        run_ids = {future.result().run_id for future in futures}
        assert len(run_ids) == 2000
        wait_until(lambda: db.admin.scalar("SELECT count(*) FROM sync_runs WHERE state = 'succeeded'") == "2000", 180, "2000 runs to succeed")
        time.sleep(1.5)  # a heartbeat reports each process's claims
        assert db.admin.scalar("SELECT count(*) FROM job_workers WHERE claimed_total > 0") == "3", "all three processes took part"
    rows = db.admin.rows("SELECT tenant_id, extract(epoch FROM started_at), extract(epoch FROM finished_at) FROM sync_runs")
    spans = defaultdict(list)
    for tenant, started, finished in rows:
        spans[tenant].append((float(started), float(finished)))
    assert len(spans) == 1000 and all(len(s) == 2 for s in spans.values())
    overlapping = [t for t, s in spans.items() if intervals_overlap(s)]
    assert not overlapping, f"{len(overlapping)} tenants had two runs at once"
    message = db.admin.scalar("SELECT DISTINCT message FROM sync_runs")
    assert message.startswith("no entity rules enabled")


def test_a_tenant_with_10000_jobs_delays_another_by_at_most_one_claim(cli, env, db):
    busy, quiet = insert_tenants(db, 2)
    workers = 4
    with servers(cli, env, db, 1, server_env(workers=workers)):
        enqueue_sql(db, [busy], "test.sleep", 10_000, args='{"ms": 20}')
        wait_until(lambda: int(db.admin.scalar("SELECT count(*) FROM jobs WHERE state = 'succeeded'")) >= 40, 30, "the busy tenant's jobs to flow")
        enqueue_sql(db, [quiet], "test.noop", 1)
        wait_until(lambda: db.admin.scalar(f"SELECT state FROM jobs WHERE tenant_id = '{quiet}'") == "succeeded", 10, "the quiet tenant's job")
        created, started = db.admin.rows(f"""
            SELECT extract(epoch FROM created_at), extract(epoch FROM attempted_at) FROM jobs WHERE tenant_id = '{quiet}'""")[0]
        # Busy jobs that started after the quiet job was queued and before it started: at most one claim's worth.
        overtaking = int(db.admin.scalar(f"""
            SELECT count(*) FROM jobs WHERE tenant_id = '{busy}' AND attempted_at > to_timestamp({created}) AND attempted_at < to_timestamp({started})"""))
        assert overtaking <= workers, overtaking
        assert float(started) - float(created) < 1.0
        busy_left = int(db.admin.scalar(f"SELECT count(*) FROM jobs WHERE tenant_id = '{busy}' AND state = 'available'"))
        assert busy_left > 5000, "the busy tenant's backlog was still there: the check was under load"
        db.admin.run("UPDATE jobs SET state = 'cancelled', finished_at = now() WHERE state = 'available'")


def test_failures_retry_with_backoff_then_discard_and_an_operator_retries(cli, env, db, stubs):  # noqa: F811
    tenant = insert_tenants(db, 1)[0]
    with servers(cli, env, db, 1) as (server,):
        admin = stubs.admin_grpc.AdminServiceStub(server.channel)
        pb = stubs.admin_pb2
        job = admin.EnqueueJob(pb.EnqueueJobRequest(tenant_id=tenant, kind="test.fail", max_attempts=3, args_json='{"error": "provider said no"}'),
                               metadata=AUTH, timeout=10).job_id
        wait_until(lambda: db.admin.scalar(f"SELECT state FROM jobs WHERE id = {job}") == "discarded", 30, "the job to be discarded")
        listed = admin.ListJobs(pb.ListJobsRequest(states=[pb.JOB_STATE_DISCARDED], tenant_id=tenant), metadata=AUTH, timeout=10).jobs
        assert [j.id for j in listed] == [job]
        assert listed[0].attempt == 3 and listed[0].last_error == "provider said no"
        errors = db.admin.scalar(f"SELECT jsonb_array_length(errors) FROM jobs WHERE id = {job}")
        assert errors == "3"
        import urllib.request
        text = urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=10).read().decode()
        assert 'ledgerbridge_jobs_completed_total{outcome="failed"} 3' in text, [l for l in text.splitlines() if "completed" in l]
        # Backoff: each retry waited (0.2 s base, doubling).
        gaps = db.admin.rows(f"SELECT (e->>'at')::timestamptz FROM jobs, jsonb_array_elements(errors) e WHERE id = {job}")
        assert len(gaps) == 3
        retried = admin.RetryJob(pb.RetryJobRequest(job_id=job), metadata=AUTH, timeout=10).job
        assert retried.state == pb.JOB_STATE_AVAILABLE and retried.max_attempts == 4
        wait_until(lambda: db.admin.scalar(f"SELECT attempt || ' ' || state FROM jobs WHERE id = {job}") == "4 discarded", 30, "the retry")
        with pytest.raises(Exception) as refused:
            admin.CancelJob(pb.CancelJobRequest(job_id=job), metadata=AUTH, timeout=10)
        assert refused.value.code().name == "FAILED_PRECONDITION"
        with pytest.raises(Exception) as missing:
            admin.RetryJob(pb.RetryJobRequest(job_id=987654321), metadata=AUTH, timeout=10)
        assert missing.value.code().name == "NOT_FOUND"
        with pytest.raises(Exception) as bad:
            admin.EnqueueJob(pb.EnqueueJobRequest(tenant_id=tenant, kind="no.such.kind"), metadata=AUTH, timeout=10)
        assert bad.value.code().name == "INVALID_ARGUMENT"


def test_cancel_stops_a_running_job(cli, env, db, stubs):  # noqa: F811
    tenant = insert_tenants(db, 1)[0]
    with servers(cli, env, db, 1) as (server,):
        admin = stubs.admin_grpc.AdminServiceStub(server.channel)
        pb = stubs.admin_pb2
        job = admin.EnqueueJob(pb.EnqueueJobRequest(tenant_id=tenant, kind="test.sleep", args_json='{"ms": 60000}'), metadata=AUTH, timeout=10).job_id
        wait_until(lambda: db.admin.scalar(f"SELECT state FROM jobs WHERE id = {job}") == "running", 10, "the job to run")
        asked = time.monotonic()
        admin.CancelJob(pb.CancelJobRequest(job_id=job), metadata=AUTH, timeout=10)
        wait_until(lambda: db.admin.scalar(f"SELECT state FROM jobs WHERE id = {job}") == "cancelled", 5, "the running job to stop")
        assert time.monotonic() - asked < 3


def test_sigterm_drains_finishing_short_jobs_and_handing_back_long_ones(cli, env, db):
    tenant = insert_tenants(db, 1)[0]
    extra = server_env(workers=4, extra={"LEDGERBRIDGE_SHUTDOWN_GRACE": "1"})
    with servers(cli, env, db, 1, extra) as (first,):
        enqueue_sql(db, [tenant], "test.sleep", 2, args='{"ms": 300}')
        enqueue_sql(db, [tenant], "test.sleep", 2, args='{"ms": 60000}')
        wait_until(lambda: counts_by_state(db).get("running") == 4, 10, "four running jobs")
        first.process.proc.send_signal(signal.SIGTERM)
        assert first.process.wait_for_exit(10) == 0, first.process.explain()
    states = dict(db.admin.rows("SELECT args->>'ms', string_agg(DISTINCT state || '/' || attempt, ',') FROM jobs GROUP BY 1"))
    assert states == {"300": "succeeded/1", "60000": "available/0"}, states
    assert db.admin.scalar("SELECT count(*) FROM job_workers") == "0", "the drained process gave up its lease"
    # Another process takes the handed-back jobs at once.
    with servers(cli, env, db, 1, server_env(workers=4)):
        wait_until(lambda: counts_by_state(db).get("running") == 2, 10, "the handed-back jobs to run elsewhere")
        db.admin.run("UPDATE jobs SET cancel_requested = true WHERE state = 'running'")


def test_schedules_fire_once_per_tick_with_three_processes(cli, env, db):
    tenants = insert_tenants(db, 20)
    with servers(cli, env, db, 3, server_env(workers=4)):
        start = float(db.admin.scalar("SELECT extract(epoch FROM clock_timestamp())"))
        db.admin.run("UPDATE job_schedules SET every_seconds = 1, next_at = now() WHERE kind = 'sync.incremental'")
        time.sleep(6)
        db.admin.run("UPDATE job_schedules SET next_at = now() + interval '1 day'")
        time.sleep(0.5)
    rows = db.admin.rows(f"""
        SELECT tenant_id, extract(epoch FROM created_at) FROM jobs WHERE kind = 'sync.incremental' AND created_at >= to_timestamp({start}) ORDER BY 1, 2""")
    times = defaultdict(list)
    for tenant, created in rows:
        times[tenant].append(float(created))
    assert set(times) == set(tenants)
    for tenant, stamps in times.items():
        assert 4 <= len(stamps) <= 8, (tenant, stamps)
        gaps = [b - a for a, b in zip(stamps, stamps[1:])]
        assert min(gaps) > 0.35, f"two enqueues for one tick: {gaps}"
    ticks = db.admin.rows("SELECT sum(ticks) FROM job_schedules WHERE kind = 'sync.incremental'")
    assert int(ticks[0][0]) >= len(rows)


def test_worker_pool_stats_show_every_process(cli, env, db, stubs):  # noqa: F811
    tenant = insert_tenants(db, 1)[0]
    with servers(cli, env, db, 2, server_env(workers=3)) as running:
        enqueue_sql(db, [tenant], "test.sleep", 4, args='{"ms": 3000}')
        wait_until(lambda: counts_by_state(db).get("running") == 4, 10, "four running jobs")
        time.sleep(1.2)  # a heartbeat reports busy workers
        stats = stubs.admin_grpc.AdminServiceStub(running[0].channel).GetWorkerPoolStats(stubs.admin_pb2.GetWorkerPoolStatsRequest(), metadata=AUTH, timeout=10)
        assert len(stats.processes) == 2
        assert {p.workers for p in stats.processes} == {3}
        assert sum(p.busy for p in stats.processes) == 4
        assert sum(p.jobs_claimed for p in stats.processes) == 4
        depth = {c.state: c.count for c in stats.queue_depth}
        assert depth[stubs.admin_pb2.JOB_STATE_RUNNING] == 4
        # And on /metrics, as Prometheus scrapes it.
        import urllib.request
        scraped = [urllib.request.urlopen(f"http://127.0.0.1:{s.port}/metrics", timeout=10).read().decode() for s in running]

        def metric(text: str, name: str) -> float:
            values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " ") or line.startswith(name + "{")]
            return sum(values)

        assert sum(metric(text, "ledgerbridge_jobs_claimed_total") for text in scraped) == 4
        assert sum(metric(text, "ledgerbridge_job_workers_busy") for text in scraped) == 4
        assert all(metric(text, "ledgerbridge_job_workers") == 3 for text in scraped)
        assert all("ledgerbridge_job_claim_duration_seconds_bucket" in text for text in scraped)
        db.admin.run("UPDATE jobs SET cancel_requested = true WHERE state = 'running'; NOTIFY ledgerbridge_job_cancel")


def test_sigterm_exits_even_when_a_job_ignores_cancellation(cli, env, db):
    tenant = insert_tenants(db, 1)[0]
    with servers(cli, env, db, 1, server_env(workers=2, extra={"LEDGERBRIDGE_SHUTDOWN_GRACE": "1"})) as (server,):
        enqueue_sql(db, [tenant], "test.stubborn", 1, args='{"ms": 120000}')
        wait_until(lambda: counts_by_state(db).get("running") == 1, 10, "the stubborn job to run")
        stopped = time.monotonic()
        server.process.proc.send_signal(signal.SIGTERM)
        assert server.process.wait_for_exit(15) == 0, server.process.explain()
        assert time.monotonic() - stopped < 10
    assert db.admin.scalar("SELECT state || '/' || attempt FROM jobs") == "available/0", "handed back for another process"
    assert db.admin.scalar("SELECT count(*) FROM job_workers") == "0"
