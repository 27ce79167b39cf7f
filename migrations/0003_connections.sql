-- 0003: a tenant's connections to Xero and Cin7 Core, their sealed secrets,
-- and the OAuth states of connections being made.
--
-- connections and connection_secrets are tenant-owned (RLS forced, tenant_id
-- first). Secrets are AES-256-GCM ciphertexts sealed by the server (Vault's
-- SecretBox) with tenant, connection, provider and field as additional data:
-- a value copied to another row does not decrypt. key_id says which key of
-- the ring sealed it, so `ledgerbridge admin rotate-key` finds what is left.

CREATE TABLE connections (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    provider text NOT NULL CHECK (provider IN ('xero', 'cin7')),
    status text NOT NULL CHECK (status IN ('pending', 'connected', 'needs_reauth', 'revoked', 'error')),
    -- The Xero organisation (tenantId) or the Cin7 Core account id.
    external_id text,
    external_name text,
    scopes text[] NOT NULL DEFAULT '{}',
    access_expires_at timestamptz,
    last_refresh_at timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
-- One live connection per provider per tenant; revoked ones stay as history.
CREATE UNIQUE INDEX connections_one_live_per_provider ON connections (tenant_id, provider) WHERE status <> 'revoked';
ALTER TABLE connections ENABLE ROW LEVEL SECURITY;
ALTER TABLE connections FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON connections
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON connections TO ledgerbridge_app;

CREATE TABLE connection_secrets (
    tenant_id uuid NOT NULL,
    connection_id uuid NOT NULL,
    field text NOT NULL CHECK (field IN ('access_token', 'refresh_token', 'previous_refresh_token', 'application_key', 'pkce_verifier')),
    key_id text NOT NULL,
    sealed bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, connection_id, field),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id)
);
CREATE INDEX connection_secrets_key ON connection_secrets (tenant_id, key_id);
ALTER TABLE connection_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE connection_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON connection_secrets
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON connection_secrets TO ledgerbridge_app;
