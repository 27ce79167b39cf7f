-- 0005: the job queue. Platform tables only: ids, kinds, states and timing —
-- no tenant business data and no secrets. A job's body does its tenant work
-- inside the tenant-scoped transaction; what a sync run did is recorded in the
-- tenant-owned tables of 0006.
--
-- The life of a job, in plain SQL (Sources/Scheduler/Queue/*.swift):
--   available  -> running    claimed in batches (FOR UPDATE SKIP LOCKED), fairly
--                            across tenants, at most one exclusive (sync) job
--                            running per tenant (job_tenants.running_job_id)
--   running    -> succeeded | retryable (run_at = now + backoff) | discarded
--                 (attempts used up) | cancelled, completed in batches
--   scheduled, retryable -> available   promoted when run_at comes
--   running    -> available  its process's lease expired (rescue) or it was
--                            handed back on drain

-- The server processes that run jobs. A process's lease is renewed by its
-- heartbeat; its running jobs are rescued only once the lease has expired,
-- so a job is never run again while its owner is alive.
CREATE TABLE job_workers (
    id uuid PRIMARY KEY,
    host text NOT NULL,
    pid integer NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    beat_at timestamptz NOT NULL DEFAULT now(),
    lease_expires_at timestamptz NOT NULL,
    draining boolean NOT NULL DEFAULT false,
    -- Statistics the heartbeat reports, for GetWorkerPoolStats.
    workers integer NOT NULL DEFAULT 0,
    busy integer NOT NULL DEFAULT 0,
    claimed_total bigint NOT NULL DEFAULT 0,
    claimed_per_second double precision NOT NULL DEFAULT 0
);
COMMENT ON TABLE job_workers IS 'platform table: the server processes that run jobs, with their liveness leases';
GRANT SELECT, INSERT, UPDATE, DELETE ON job_workers TO ledgerbridge_app;

-- One row per tenant that has had an exclusive job: the lane that lets only
-- one of them run at a time, across every process. The claim locks a lane
-- row (FOR UPDATE SKIP LOCKED) before it takes the lane's next job, and sets
-- running_job_id in the same statement; completion clears it.
CREATE TABLE job_tenants (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    running_job_id bigint,
    -- Paused: the tenant's exclusive (sync) jobs wait; others still run.
    paused boolean NOT NULL DEFAULT false,
    paused_reason text,
    paused_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE job_tenants IS 'platform table: per-tenant job lanes (which sync job runs now, paused or not); ids and flags only';
GRANT SELECT, INSERT, UPDATE ON job_tenants TO ledgerbridge_app;

CREATE TABLE jobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(kind) <= 64),
    -- Exclusive jobs (the sync kinds) run one at a time per tenant.
    exclusive boolean NOT NULL DEFAULT false,
    state text NOT NULL DEFAULT 'available'
        CHECK (state IN ('available', 'scheduled', 'running', 'succeeded', 'retryable', 'discarded', 'cancelled')),
    -- 1 runs first; within a tenant only (across tenants the claim is round-robin).
    priority smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 4),
    -- Options of the job (entity names, flags); never business data or secrets.
    args jsonb NOT NULL DEFAULT '{}',
    -- The sync run this job carries out (sync_runs.id), when it is a sync.
    run_id uuid,
    -- At most one pending job per (tenant, unique_key): see jobs_unique_pending.
    unique_key text CHECK (length(unique_key) <= 200),
    attempt integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 10 CHECK (max_attempts BETWEEN 1 AND 100),
    timeout_seconds integer NOT NULL DEFAULT 1800 CHECK (timeout_seconds BETWEEN 1 AND 86400),
    run_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    attempted_at timestamptz,
    finished_at timestamptz,
    worker_id uuid,
    cancel_requested boolean NOT NULL DEFAULT false,
    last_error text,
    -- One entry per failed attempt: {"attempt", "at", "error"}.
    errors jsonb NOT NULL DEFAULT '[]'
) WITH (fillfactor = 80);
COMMENT ON TABLE jobs IS 'platform table: the job queue (ids, kinds, states, timing); job bodies do tenant work inside the tenant-scoped transaction';
GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO ledgerbridge_app;

-- The claim walks the distinct tenants with available jobs (a loose index
-- scan over this index), then takes each one's next jobs from it.
CREATE INDEX jobs_available ON jobs (tenant_id, exclusive, priority, id) WHERE state = 'available';
-- Promotion of jobs whose time has come.
CREATE INDEX jobs_waiting ON jobs (run_at) WHERE state IN ('scheduled', 'retryable');
-- A process's running jobs (heartbeat, rescue, drain).
CREATE INDEX jobs_running ON jobs (worker_id) WHERE state = 'running';
CREATE UNIQUE INDEX jobs_unique_pending ON jobs (tenant_id, unique_key)
    WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'retryable');
-- Pruning finished jobs after the retention period.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state IN ('succeeded', 'discarded', 'cancelled');
-- A tenant's jobs, newest first (ListJobs, queue depth, a run's job).
CREATE INDEX jobs_tenant ON jobs (tenant_id, id);

-- Per-tenant schedules: periodic incremental sync, the daily full reconcile,
-- the token keep-alive. A tick locks the due rows (next_at <= now(), in
-- next_at order, SKIP LOCKED), moves each one's next_at on and enqueues its
-- job in the same statement: exactly one enqueue per due tick, whatever the
-- number of processes, at a cost that grows with the due rows only.
CREATE TABLE job_schedules (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    kind text NOT NULL CHECK (kind IN ('sync.incremental', 'sync.full', 'token.keepalive')),
    every_seconds integer NOT NULL CHECK (every_seconds BETWEEN 1 AND 2592000),
    next_at timestamptz NOT NULL,
    last_enqueued_at timestamptz,
    ticks bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, kind)
);
CREATE INDEX job_schedules_due ON job_schedules (next_at);
COMMENT ON TABLE job_schedules IS 'platform table: when each tenant''s periodic jobs are next due (ids and timing only)';
GRANT SELECT, INSERT, UPDATE, DELETE ON job_schedules TO ledgerbridge_app;

-- Tenants that exist already get their schedules, spread over the interval.
INSERT INTO job_schedules (tenant_id, kind, every_seconds, next_at)
SELECT t.id, s.kind, s.every_seconds, now() + random() * s.every_seconds * interval '1 second'
FROM tenants t CROSS JOIN (VALUES ('sync.incremental', 900), ('sync.full', 86400), ('token.keepalive', 86400)) AS s (kind, every_seconds);
