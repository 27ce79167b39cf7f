import Foundation
import Postgres
import Storage

/// Consents never finished leave two things behind: their `oauth_states` row,
/// and — for a connection that never got tokens — its sealed PKCE verifier.
///
/// A state is kept for `retention` after it expires, so that a late or
/// replayed callback still reads "expired" or "already completed" instead of
/// "not one this server issued"; after that it is deleted. The verifier goes
/// with the last state of a connection still waiting for its first consent:
/// the connection row stays PENDING (history, and the next
/// BeginXeroConnection reuses it) with a note saying the consent lapsed. The
/// scheduler calls this periodically; BeginXeroConnection calls it at most
/// once a minute per process, so a server without the scheduler stays tidy.
extension ConnectionService {
    public struct ConsentSweep: Sendable, Equatable {
        /// `oauth_states` rows deleted.
        public var states = 0
        /// Abandoned consents whose PKCE verifier was erased.
        public var verifiers = 0
    }

    /// How long an expired state is kept before it is deleted.
    public static let consentRetention: TimeInterval = 3600

    static let lapsedConsent = "the consent was not completed in time; BeginXeroConnection starts a new one"

    /// Deletes up to `limit` states expired for longer than `retention`, and the
    /// verifiers of the consents they ended. Safe to run anywhere, any time, twice.
    public func sweepExpiredConsents(retention: TimeInterval = consentRetention, limit: Int = 500) async throws -> ConsentSweep {
        let rows = try await database.withPlatform(readOnly: true) { tx in
            try await tx.query("""
                SELECT tenant_id, connection_id, encode(state_sha256, 'hex') FROM oauth_states
                WHERE expires_at < now() - make_interval(secs => \(retention)) ORDER BY expires_at LIMIT \(limit)
                """)
        }
        var byTenant: [UUID: (connections: Set<UUID>, states: [String])] = [:]
        for row in rows {
            let tenant = try row.decode(UUID.self, at: 0)
            byTenant[tenant, default: ([], [])].connections.insert(try row.decode(UUID.self, at: 1))
            byTenant[tenant, default: ([], [])].states.append(try row.decode(String.self, at: 2))
        }
        var sweep = ConsentSweep()
        // Tenant by tenant: verifiers and states go together, in the tenant's own transaction.
        for (tenant, batch) in byTenant {
            let done = try await database.withTenant(tenant) { tx in
                let erased = try await tx.query("""
                    DELETE FROM connection_secrets s USING connections c
                    WHERE s.tenant_id = \(tenant) AND s.field = 'pkce_verifier' AND s.connection_id = ANY(\(Array(batch.connections)))
                      AND c.tenant_id = s.tenant_id AND c.id = s.connection_id AND c.status = 'pending'
                      AND NOT EXISTS (SELECT 1 FROM connection_secrets t WHERE t.tenant_id = s.tenant_id AND t.connection_id = s.connection_id
                                      AND t.field = 'refresh_token')
                      AND NOT EXISTS (SELECT 1 FROM oauth_states o WHERE o.tenant_id = s.tenant_id AND o.connection_id = s.connection_id
                                      AND o.used_at IS NULL AND o.expires_at > now())
                    RETURNING s.connection_id
                    """).map { try $0.decode(UUID.self, at: 0) }
                if !erased.isEmpty {
                    try await tx.query("""
                        UPDATE connections SET last_error = coalesce(last_error, \(Self.lapsedConsent)), updated_at = now()
                        WHERE tenant_id = \(tenant) AND id = ANY(\(erased))
                        """)
                }
                let deleted = try await tx.query("""
                    DELETE FROM oauth_states WHERE tenant_id = \(tenant)
                      AND state_sha256 = ANY(SELECT decode(h, 'hex') FROM unnest(\(batch.states)::text[]) AS h)
                      AND expires_at < now() - make_interval(secs => \(retention))
                    RETURNING 1
                    """).count
                return (deleted, erased.count)
            }
            sweep.states += done.0
            sweep.verifiers += done.1
        }
        return sweep
    }

    /// BeginXeroConnection's share of the sweeping: a small batch, at most once a
    /// minute per process, and never a reason for the consent to fail.
    func sweepExpiredConsentsOccasionally() async {
        guard sweeps.claim() else { return }
        _ = try? await sweepExpiredConsents(limit: 100)
    }
}
