-- 0002: who may call. Principals (operators, consultants, tenant identities),
-- their API keys (stored only as a SHA-256 of a 256-bit random secret, found
-- by a short key id), and which consultant may act on which tenant.
--
-- All three are platform tables: they decide which tenants a call may reach,
-- so they are read before any tenant is chosen; they hold no tenant business
-- data and no usable secret.

CREATE TABLE principals (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('operator', 'consultant', 'tenant')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The tenant a tenant principal is; NULL for operators and consultants.
    tenant_id uuid REFERENCES tenants (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'tenant') = (tenant_id IS NOT NULL))
);
CREATE UNIQUE INDEX principals_one_per_tenant ON principals (tenant_id) WHERE kind = 'tenant';
COMMENT ON TABLE principals IS 'platform table: callers (operators, consultants, one identity per tenant); names only, no secrets';
GRANT SELECT, INSERT ON principals TO ledgerbridge_app;

CREATE TABLE api_keys (
    key_id text PRIMARY KEY CHECK (key_id ~ '^[a-z0-9]{12}$'),
    principal_id uuid NOT NULL REFERENCES principals (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    secret_sha256 bytea NOT NULL CHECK (length(secret_sha256) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by uuid REFERENCES principals (id),
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX api_keys_principal ON api_keys (principal_id, created_at);
COMMENT ON TABLE api_keys IS 'platform table: API keys as SHA-256 hashes of 256-bit random secrets (the secret is shown once, never stored)';
GRANT SELECT, INSERT ON api_keys TO ledgerbridge_app;
GRANT UPDATE (last_used_at, revoked_at) ON api_keys TO ledgerbridge_app;

CREATE TABLE consultant_assignments (
    consultant_id uuid NOT NULL REFERENCES principals (id),
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    assigned_by uuid REFERENCES principals (id),
    PRIMARY KEY (consultant_id, tenant_id)
);
CREATE INDEX consultant_assignments_tenant ON consultant_assignments (tenant_id);
COMMENT ON TABLE consultant_assignments IS 'platform table: which consultant may act on which tenant (the authorization map, read before a tenant is chosen)';
GRANT SELECT, INSERT, DELETE ON consultant_assignments TO ledgerbridge_app;
