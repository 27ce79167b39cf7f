-- 0001: the tenant registry and the audit log, with row-level tenant isolation.
--
-- Runs as ledgerbridge_owner, which owns every table. The server connects as
-- ledgerbridge_app, which owns nothing, is not superuser and has no BYPASSRLS,
-- so the policies below bind it. (ops/lib/postgres.sh creates both roles for
-- the embedded cluster; README.md says what to create elsewhere.)
--
-- The rule for every tenant-owned table:
--   * tenant_id uuid NOT NULL, first column of the primary key and of every index;
--   * RLS enabled AND forced (forced: even the owner is filtered);
--   * one policy comparing tenant_id to the transaction-local setting
--     app.tenant_id, with no subqueries (keeps the schema Citus-ready).
-- An unset or empty app.tenant_id makes the comparison NULL: no rows, no inserts.
-- Tables with a tenant_id that are shared platform data say so with
-- COMMENT ON TABLE ... IS 'platform table: <why>'. A test checks all of this
-- over the live catalog.

GRANT USAGE ON SCHEMA public TO ledgerbridge_app;
GRANT SELECT ON schema_migrations TO ledgerbridge_app;

-- The registry of client businesses. It is platform data, not tenant-owned:
-- operators and consultants list it, and it holds only identity and status
-- (no business data, no secrets). Who may see which tenant is decided by the
-- service layer's authorization, so no operator-bypass policy is ever added
-- to a tenant-owned table.
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE tenants IS 'platform table: the registry of tenants (identity and status only); tenant rows live in tenant-owned tables';
GRANT SELECT, INSERT, UPDATE ON tenants TO ledgerbridge_app;

-- What happened to a tenant, by whom. Append-only for the server.
CREATE TABLE audit_log (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id bigint GENERATED ALWAYS AS IDENTITY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON audit_log TO ledgerbridge_app;
