-- 0004: Xero consents in progress. The callback brings only `state`, so the
-- tenant is found from it before any tenant scope exists: a platform table,
-- keyed by the SHA-256 of the state (the state itself is never stored), with
-- no secret (the PKCE verifier is sealed in connection_secrets).

CREATE TABLE oauth_states (
    state_sha256 bytea PRIMARY KEY CHECK (length(state_sha256) = 32),
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    connection_id uuid NOT NULL,
    redirect_uri text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
COMMENT ON TABLE oauth_states IS 'platform table: pending OAuth consents found by the hash of their state before the tenant is known; no secrets';
GRANT SELECT, INSERT, UPDATE ON oauth_states TO ledgerbridge_app;

-- A consent covering several organisations waits for a choice: the candidates (ids and names only).
ALTER TABLE connections ADD COLUMN organisation_choices jsonb NOT NULL DEFAULT '[]';
