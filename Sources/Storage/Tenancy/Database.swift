import Foundation
import Logging
import Postgres

/// The application's database, as the server's role (`ledgerbridge_app`) sees it.
///
/// There are exactly two ways in, and the pool itself is not reachable from
/// outside this module:
/// - `withTenant(_:)`: a transaction in which `app.tenant_id` is set (transaction-
///   local, so it can never leak to the next user of the session). Row-level
///   security shows and accepts only that tenant's rows in tenant-owned tables.
/// - `withPlatform(_:)`: a transaction with no tenant set, for platform tables
///   (the tenant registry, later the job queue). Tenant-owned tables return no
///   rows there and refuse inserts.
public final class Database: Sendable {
    let pool: ConnectionPool

    public init(url: String, pool: PoolConfiguration = PoolConfiguration(), logger: Logger = Logger(label: "ledgerbridge.database")) {
        self.pool = ConnectionPool(configuration: PostgresConfiguration(url: url), pool: pool, logger: logger)
    }

    /// Runs `body` in a transaction scoped to `tenantID`. Serialization failures and
    /// deadlocks are retried (up to `maxAttempts` runs in all), so `body` must be repeatable.
    public func withTenant<R>(
        _ tenantID: UUID,
        isolation: IsolationLevel = .readCommitted,
        readOnly: Bool = false,
        maxAttempts: Int = 3,
        _ body: (TenantTransaction) async throws -> R
    ) async throws -> R {
        // set_config(..., true) is SET LOCAL: it ends with the transaction. It rides in the
        // same round trip as BEGIN.
        let scope: PostgresQuery = "SELECT set_config('app.tenant_id', \(tenantID.lowercaseText), true)"
        return try await pool.transaction(isolation: isolation, readOnly: readOnly, maxAttempts: maxAttempts, prelude: [scope]) { connection in
            try await body(TenantTransaction(connection: connection, scopeTenantID: tenantID))
        }
    }

    /// Runs `body` in a transaction with no tenant: for platform tables only.
    public func withPlatform<R>(
        isolation: IsolationLevel = .readCommitted,
        readOnly: Bool = false,
        maxAttempts: Int = 3,
        _ body: (PlatformTransaction) async throws -> R
    ) async throws -> R {
        try await pool.transaction(isolation: isolation, readOnly: readOnly, maxAttempts: maxAttempts) { connection in
            try await body(PlatformTransaction(connection: connection, scopeTenantID: nil))
        }
    }

    /// One statement on platform tables, in its own implicit transaction: one
    /// round trip instead of three, for the job queue's hot path (claim,
    /// complete, heartbeat), where each statement is atomic on its own. No
    /// tenant is set, so tenant-owned tables show no rows here either.
    @discardableResult
    public func platformStatement(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        try await pool.withConnection { try await $0.query(query) }
    }

    /// LISTEN on `channels`, on a session of its own (see `PostgresListener`).
    public func listen(channels: [String], logger: Logger = Logger(label: "ledgerbridge.database.listener")) throws -> AsyncStream<PostgresListener.Event> {
        try PostgresListener.events(configuration: pool.configuration, channels: channels, logger: logger)
    }

    /// One round trip to the server: for health checks.
    public func ping() async throws {
        _ = try await pool.withConnection { try await $0.query("SELECT 1") }
    }

    public var poolStatistics: ConnectionPool.Statistics { pool.statistics }

    public func close() {
        pool.close()
    }
}

/// What a transaction is scoped to: one tenant, or the platform (no tenant).
public protocol TransactionScope: Sendable {}
public enum TenantScope: TransactionScope {}
public enum PlatformScope: TransactionScope {}

/// A transaction handed to a `withTenant` or `withPlatform` closure; valid only
/// inside that closure. The scope type keeps the two apart at compile time.
public struct ScopedTransaction<Scope: TransactionScope>: Sendable {
    let connection: PostgresConnection
    let scopeTenantID: UUID?

    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        try await connection.query(query)
    }

    /// Several statements in one round trip (see `PostgresConnection.pipeline`).
    @discardableResult
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresQueryResult] {
        try await connection.pipeline(queries)
    }
}

extension ScopedTransaction where Scope == TenantScope {
    /// The tenant whose rows this transaction sees.
    public var tenantID: UUID { scopeTenantID! }
}

/// A transaction in which only one tenant's rows exist.
public typealias TenantTransaction = ScopedTransaction<TenantScope>

/// A transaction with no tenant set: platform tables only.
public typealias PlatformTransaction = ScopedTransaction<PlatformScope>
