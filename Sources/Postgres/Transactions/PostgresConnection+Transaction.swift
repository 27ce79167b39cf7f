/// Transaction isolation levels, as PostgreSQL names them.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` inside one transaction: committed when it returns, rolled back
    /// when it throws or its task is cancelled.
    ///
    /// BEGIN and the `prelude` statements (the tenant setting of a tenant
    /// transaction) are not sent on their own: they travel in one pipeline with
    /// the body's first statement, so a one-statement transaction costs two round
    /// trips (statement, COMMIT) instead of three or four. A body that runs no
    /// statement opens no transaction at all.
    public func transaction<R>(
        isolation: IsolationLevel = .readCommitted,
        readOnly: Bool = false,
        prelude: [PostgresQuery] = [],
        _ body: (PostgresConnection) async throws -> R
    ) async throws -> R {
        guard transactionState == .idle, deferredPrelude.isEmpty else {
            throw PostgresError(kind: .protocolViolation, message: "a transaction is already open on this connection")
        }
        let begin = PostgresQuery(sql: "BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")", binds: [])
        deferredPrelude = [begin] + prelude
        do {
            let result = try await body(self)
            if !deferredPrelude.isEmpty {
                deferredPrelude = []  // nothing ran: there is no transaction to commit
                return result
            }
            let commit = try await query("COMMIT")
            // COMMIT of a transaction in which a statement failed (and the error was
            // swallowed by the body) silently rolls back: surface that.
            if commit.commandTag == "ROLLBACK" {
                throw PostgresError(kind: .server, message: "the transaction was rolled back because a statement in it failed", sqlState: "25P02")
            }
            return result
        } catch {
            deferredPrelude = []
            // A session that was sent a cancel request is closed by its pool; the server rolls back.
            if isReusable && transactionState != .idle {
                _ = try? await queryIgnoringCancellation("ROLLBACK")
            }
            throw error
        }
    }
}

extension ConnectionPool {
    /// A transaction on a pooled session, run again (up to `maxAttempts` in all) when
    /// PostgreSQL reports a serialization failure or deadlock. `body` must be safe
    /// to repeat: everything it did in a failed attempt was rolled back.
    public func transaction<R>(
        isolation: IsolationLevel = .readCommitted,
        readOnly: Bool = false,
        maxAttempts: Int = 1,
        prelude: [PostgresQuery] = [],
        _ body: (PostgresConnection) async throws -> R
    ) async throws -> R {
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.transaction(isolation: isolation, readOnly: readOnly, prelude: prelude, body)
                }
            } catch let error as PostgresError where error.isRetryableTransactionFailure && attempt < maxAttempts {
                // Back off a little, with jitter, so the conflicting transactions don't collide again.
                let delay = min(0.5, 0.005 * Double(1 << min(attempt, 6))) * Double.random(in: 0.5...1.5)
                try await Task.sleep(for: .seconds(delay))
                attempt += 1
            }
        }
    }
}
