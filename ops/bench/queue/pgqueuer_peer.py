"""The job queue benchmark's pgqueuer peer: the same two measurements as
QueueBenchmark (ops/bench/queue/Sources), with pgqueuer's own tables, API and
worker (QueueManager) on the same database.

    pgqueuer_peer.py install
    pgqueuer_peer.py throughput [--jobs J] [--managers M] [--batch B] [--max-tasks C]
    pgqueuer_peer.py latency [--rate R] [--seconds S] [--warmup W] [--managers M] [--batch B] [--max-tasks C]

throughput: J no-op jobs enqueued first (Queries.enqueue, 5,000 a statement),
then M QueueManagers (one connection each, dequeue batch B, at most C jobs in
flight each; 0 = no cap); the clock runs from their start until the queue
table is empty (pgqueuer deletes a job when its completion is written).
latency: the managers run idle; jobs are enqueued one at a time at R/s (one
statement each; pgqueuer's trigger NOTIFYs); per job, `created` (PostgreSQL's
now() at the insert) to the start of the body, and to `updated` (PostgreSQL's
now() when the dequeue statement that picked it started).

Prints one line `RESULT peer=pgqueuer mode=... key=value ...`. Reads PGQ_DSN
(ops/bench/queue/run passes the owner role's URL: pgqueuer creates its tables
with `install` and needs to own them).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import resource
import sys
import time
from datetime import datetime, timedelta, timezone

import asyncpg
import uvloop
from pgqueuer import AsyncpgDriver, Queries, QueueManager
from pgqueuer.models import Job

KIND = "bench_noop"


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(p: float, values: list[float]) -> float:
    """Nearest rank, as QueueBenchmark's."""
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[min(max(rank, 1), len(ordered)) - 1]


def ms(value: float) -> str:
    return f"{value * 1000:.2f}"


async def connect() -> asyncpg.Connection:
    return await asyncpg.connect(dsn=os.environ["PGQ_DSN"])


async def install(args: argparse.Namespace) -> None:
    conn = await connect()
    queries = Queries(AsyncpgDriver(conn))
    if await queries.schema_is_installed():
        print("INSTALLED already")
    else:
        await queries.install()
        print("INSTALLED pgqueuer tables")
    await conn.close()


async def require_empty(conn: asyncpg.Connection) -> None:
    left = await conn.fetchval("SELECT count(*) FROM pgqueuer")
    if left:
        sys.exit(f"error: the pgqueuer table holds {left} job(s): truncate it first")


class Managers:
    """M QueueManagers with the no-op entrypoint; `on_job` sees each job as its body starts."""

    def __init__(self, args: argparse.Namespace, on_job) -> None:
        self.args = args
        self.on_job = on_job
        self.managers: list[QueueManager] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for _ in range(self.args.managers):
            manager = QueueManager(Queries(AsyncpgDriver(await connect())))

            @manager.entrypoint(KIND)
            async def noop(job: Job) -> None:
                self.on_job(job)

            self.managers.append(manager)
        for manager in self.managers:
            self.tasks.append(asyncio.create_task(manager.run(
                batch_size=self.args.batch,
                max_concurrent_tasks=self.args.max_tasks or None,
                # Folding the log into statistics is left to the end (the check reads the log).
                log_aggregation_interval=timedelta(0),
            )))

    async def stop(self) -> None:
        for manager in self.managers:
            manager.shutdown.set()
        await asyncio.gather(*self.tasks)

    @property
    def settings(self) -> str:
        a = self.args
        return f"managers={a.managers} batch={a.batch} max_tasks={a.max_tasks} concurrency={a.managers * a.max_tasks if a.max_tasks else 'unbounded'}"


async def throughput(args: argparse.Namespace) -> None:
    conn = await connect()
    queries = Queries(AsyncpgDriver(conn))
    await require_empty(conn)
    began = time.perf_counter()
    first_id = None
    for first in range(0, args.jobs, 5000):
        n = min(5000, args.jobs - first)
        ids = await queries.enqueue([KIND] * n, [None] * n, [0] * n)
        first_id = min(ids) if first_id is None else first_id
    enqueue_seconds = time.perf_counter() - began

    handled = 0
    all_handled = asyncio.Event()

    def on_job(job: Job) -> None:
        nonlocal handled
        handled += 1
        if handled >= args.jobs:
            all_handled.set()

    managers = Managers(args, on_job)
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    await managers.start()
    await all_handled.wait()
    handlers_done = time.perf_counter() - start
    while await conn.fetchval("SELECT EXISTS (SELECT 1 FROM pgqueuer)"):
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds() - cpu0
    await managers.stop()

    succeeded = await conn.fetchval(
        "SELECT count(DISTINCT job_id) FROM pgqueuer_log WHERE status = 'successful' AND entrypoint = $1 AND job_id >= $2",
        KIND, first_id)
    if succeeded != args.jobs or handled != args.jobs:
        sys.exit(f"error: wrong result: {args.jobs} jobs: {succeeded} logged successful, {handled} handler runs")
    await conn.close()
    print(f"RESULT peer=pgqueuer mode=throughput jobs={args.jobs} seconds={elapsed:.3f} jobs_per_s={args.jobs / elapsed:.1f}"
          f" handlers_done_s={handlers_done:.3f} enqueue_per_s={args.jobs / enqueue_seconds:.1f}"
          f" cpu_s={cpu:.3f} cpu_us_per_job={cpu * 1e6 / args.jobs:.1f} {managers.settings}")


async def latency(args: argparse.Namespace) -> None:
    conn = await connect()
    queries = Queries(AsyncpgDriver(conn))
    await require_empty(conn)
    started: dict[int, float] = {}
    picked: dict[int, float] = {}

    def on_job(job: Job) -> None:
        started[job.id] = (datetime.now(timezone.utc) - job.created).total_seconds()
        picked[job.id] = (job.updated - job.created).total_seconds()

    managers = Managers(args, on_job)
    await managers.start()
    await asyncio.sleep(1)  # the managers LISTEN before the first enqueue

    total = int(args.rate * args.seconds)
    interval = 1 / args.rate
    counted: list[int] = []
    loop = asyncio.get_running_loop()
    begin = loop.time()
    for i in range(total):
        offset = i * interval
        delay = begin + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        (job_id,) = await queries.enqueue(KIND, None)
        if offset >= args.warmup:
            counted.append(job_id)
    enqueue_seconds = loop.time() - begin
    deadline = loop.time() + 30
    while len(started) < total or await conn.fetchval("SELECT EXISTS (SELECT 1 FROM pgqueuer)"):
        if loop.time() > deadline:
            sys.exit(f"error: wrong result: {total - len(started)} job(s) not run 30 s after the last enqueue")
        await asyncio.sleep(0.005)
    await managers.stop()
    await conn.close()

    start_latency = [started[j] for j in counted if j in started]
    pick_latency = [picked[j] for j in counted if j in picked]
    if len(start_latency) != len(counted):
        sys.exit(f"error: wrong result: {len(counted)} jobs counted, {len(start_latency)} started")
    print(f"RESULT peer=pgqueuer mode=latency rate={args.rate:.1f} achieved_rate={total / enqueue_seconds:.1f} jobs={len(counted)}"
          f" start_p50_ms={ms(percentile(50, start_latency))} start_p99_ms={ms(percentile(99, start_latency))}"
          f" start_max_ms={ms(max(start_latency))}"
          f" claim_p50_ms={ms(percentile(50, pick_latency))} claim_p99_ms={ms(percentile(99, pick_latency))} {managers.settings}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["install", "throughput", "latency"])
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--managers", type=int, default=2, help="QueueManagers, one connection each")
    parser.add_argument("--batch", type=int, default=50, help="dequeue batch size of each manager")
    parser.add_argument("--max-tasks", type=int, default=0, help="jobs in flight per manager (0: no cap; else >= 2 x batch)")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=1)
    args = parser.parse_args()
    if "PGQ_DSN" not in os.environ:
        sys.exit("error: PGQ_DSN is not set")
    run = {"install": install, "throughput": throughput, "latency": latency}[args.mode]
    uvloop.run(run(args))


if __name__ == "__main__":
    main()
