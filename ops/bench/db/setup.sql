-- Tables for the database benchmark (ops/bench/db/run). Runs as ledgerbridge_owner,
-- in a database of its own (lb_bench on the private cluster). Idempotent: the
-- tables are dropped and rebuilt with the same data on every run.
--
-- Two identical tables, same columns, primary key, data and statistics:
--   bench_items        tenant-owned: RLS enabled AND forced, with the same
--                      policy as every tenant-owned table (migrations/0001).
--   bench_items_plain  no RLS at all: the baseline for the RLS overhead.
-- Standalone (no foreign key to tenants) so the benchmark needs no migration.
--
-- Tenant t (1..:tenants) has the UUID 00000000-0000-4000-8000-<t as 12 digits>,
-- and ids 1..:rows_per_tenant. Both benchmark peers compute the same keys.

\set ON_ERROR_STOP on
\if :{?tenants}
\else
  \set tenants 10
\endif
\if :{?rows_per_tenant}
\else
  \set rows_per_tenant 10000
\endif

SET client_min_messages = warning;

BEGIN;

GRANT USAGE ON SCHEMA public TO ledgerbridge_app;

DROP TABLE IF EXISTS bench_items;
DROP TABLE IF EXISTS bench_items_plain;

CREATE TABLE bench_items (
    tenant_id uuid NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    amount numeric(12, 2) NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE bench_items_plain (LIKE bench_items INCLUDING ALL);
-- Not a platform table: an RLS-free copy that exists only in the benchmark's
-- database, so that the catalog check of the real schema never meets it.
COMMENT ON TABLE bench_items_plain IS 'platform table: benchmark baseline without RLS (ops/bench/db), never in the application database';

INSERT INTO bench_items (tenant_id, id, name, amount)
SELECT ('00000000-0000-4000-8000-' || lpad(t::text, 12, '0'))::uuid,
       i,
       'item ' || t || '-' || i,
       round((i * 7919 % 100000) / 100.0, 2)
FROM generate_series(1, :tenants) AS t, generate_series(1, :rows_per_tenant) AS i;
INSERT INTO bench_items_plain SELECT * FROM bench_items;

ALTER TABLE bench_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE bench_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bench_items
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

GRANT SELECT ON bench_items, bench_items_plain TO ledgerbridge_app;

COMMIT;

VACUUM (ANALYZE) bench_items;
VACUUM (ANALYZE) bench_items_plain;
