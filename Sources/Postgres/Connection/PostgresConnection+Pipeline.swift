import CLibPQ

// Pipeline mode: several statements in one round trip.

extension PostgresConnection {
    /// Sends all `queries` at once and reads their results in order: one network
    /// round trip instead of one per statement. If a statement fails, the rest
    /// are skipped by the server and the first error is thrown.
    ///
    /// Outside an explicit transaction, the statements of one pipeline form one
    /// implicit transaction (they share a single Sync): all of them commit, or none.
    @discardableResult
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresQueryResult] {
        // A transaction's deferred BEGIN and prelude go first, in the same round trip.
        let prelude = deferredPrelude
        deferredPrelude = []
        let results = try await runPipeline(prelude + queries)
        return Array(results.dropFirst(prelude.count))
    }

    private func runPipeline(_ queries: [PostgresQuery]) async throws -> [PostgresQueryResult] {
        if queries.isEmpty { return [] }
        return try await run(cancellable: true) {
            try self.withHandle { pg in
                guard PQenterPipelineMode(pg) == 1 else { throw self.brokenError() }
            }
            for query in queries {
                try self.sendParameterized(query)
            }
            try self.withHandle { pg in
                guard PQpipelineSync(pg) == 1 else { throw self.brokenError() }
            }
            try await self.flushOutgoing()

            var results = [PostgresQueryResult](repeating: .empty, count: queries.count)
            var firstError: PostgresError?
            var index = 0
            readLoop: while true {
                guard let result = try await self.nextResult() else {
                    index += 1  // NULL ends one statement's results
                    guard index <= queries.count else {
                        self.close()
                        throw PostgresError(kind: .protocolViolation, message: "pipeline sync never arrived; the connection was closed")
                    }
                    continue
                }
                switch result.status {
                case PGRES_PIPELINE_SYNC:
                    break readLoop
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    if index < results.count { results[index] = PostgresQueryResult(result) }
                case PGRES_FATAL_ERROR, PGRES_BAD_RESPONSE:
                    firstError = firstError ?? result.error()
                default:
                    continue  // PGRES_PIPELINE_ABORTED: skipped because an earlier statement failed
                }
            }
            try self.withHandle { pg in
                guard PQexitPipelineMode(pg) == 1 else { throw self.brokenError() }
            }
            if let firstError { throw firstError }
            return results
        }
    }
}
