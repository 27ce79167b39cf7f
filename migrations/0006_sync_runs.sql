-- 0006: what each tenant's syncs did, and how the tenant wants them run.
-- Tenant-owned (RLS forced, tenant_id first): runs, per-entity progress and
-- errors, and the sync settings.

-- One sync run: what a SyncNow, a schedule tick or a webhook asked for. Its
-- job (jobs.run_id) carries it out; retries of the job are attempts of the
-- same run.
CREATE TABLE sync_runs (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    job_id bigint,
    kind text NOT NULL CHECK (kind IN ('incremental', 'full', 'entity', 'webhook')),
    trigger text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'webhook')),
    entities text[] NOT NULL DEFAULT '{}',
    state text NOT NULL CHECK (state IN ('queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled')),
    message text,
    requested_by text,
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sync_runs_recent ON sync_runs (tenant_id, created_at DESC, id DESC);
ALTER TABLE sync_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_runs
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON sync_runs TO ledgerbridge_app;

-- Progress of one entity type within a run.
CREATE TABLE sync_run_entities (
    tenant_id uuid NOT NULL,
    run_id uuid NOT NULL,
    entity text NOT NULL,
    fetched integer NOT NULL DEFAULT 0,
    created integer NOT NULL DEFAULT 0,
    updated integer NOT NULL DEFAULT 0,
    skipped integer NOT NULL DEFAULT 0,
    failed integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, run_id, entity),
    FOREIGN KEY (tenant_id, run_id) REFERENCES sync_runs (tenant_id, id)
);
ALTER TABLE sync_run_entities ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_run_entities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_run_entities
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON sync_run_entities TO ledgerbridge_app;

-- Errors of a run: which record of which entity, and why.
CREATE TABLE sync_run_errors (
    tenant_id uuid NOT NULL,
    id bigint GENERATED ALWAYS AS IDENTITY,
    run_id uuid NOT NULL,
    entity text NOT NULL DEFAULT '',
    reference text NOT NULL DEFAULT '',
    message text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES sync_runs (tenant_id, id)
);
CREATE INDEX sync_run_errors_run ON sync_run_errors (tenant_id, run_id, id);
ALTER TABLE sync_run_errors ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_run_errors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_run_errors
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON sync_run_errors TO ledgerbridge_app;

-- How the tenant wants its syncs: per entity type enabled and direction,
-- payments import/export, the contact conflict policy. No row = defaults.
-- (The schedule interval lives in job_schedules, where the ticker reads it.)
CREATE TABLE sync_settings (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    settings jsonb NOT NULL,
    updated_by text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);
ALTER TABLE sync_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_settings
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON sync_settings TO ledgerbridge_app;
