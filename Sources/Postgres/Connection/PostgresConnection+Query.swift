import CLibPQ

// Running statements: send, flush, then collect results, waiting on the reactor
// whenever libpq would block (psycopg's send and fetch generators).

extension PostgresConnection {
    /// Runs one parameterized statement and returns its rows.
    ///
    /// Cancelling the calling task sends a cancel request to the server and waits
    /// for it to stop the statement; the call then throws `CancellationError`.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        if !deferredPrelude.isEmpty {
            return try await pipeline([query])[0]
        }
        return try await run(cancellable: true) {
            if query.prepared {
                try await self.sendPrepared(query)
            } else {
                try self.sendParameterized(query)
            }
            try await self.flushOutgoing()
            return try await self.collectResults()
        }
    }

    /// Runs a script of one or more statements without parameters (the simple
    /// query protocol). Only for migrations and tests: values never go here.
    public func executeScript(_ sql: String) async throws {
        if !deferredPrelude.isEmpty {
            try await pipeline([])
        }
        try await run(cancellable: true) {
            try self.withHandle { pg in
                guard PQsendQuery(pg, sql) == 1 else { throw self.brokenError() }
            }
            try await self.flushOutgoing()
            _ = try await self.collectResults()
        }
    }

    /// Like `query`, but ignoring task cancellation: for clean-up statements
    /// (ROLLBACK) that must run even when the task that needs them was cancelled.
    @discardableResult
    func queryIgnoringCancellation(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        try await run(cancellable: false) {
            try self.sendParameterized(query)
            try await self.flushOutgoing()
            return try await self.collectResults()
        }
    }

    func run<T>(cancellable: Bool, _ body: () async throws -> T) async throws -> T {
        lastUsedAt = MonotonicClock.now
        guard cancellable else { return try await body() }
        try Task.checkCancellation()
        do {
            return try await withTaskCancellationHandler(operation: body, onCancel: { self.requestCancel() })
        } catch let error as PostgresError where error.isQueryCanceled && Task.isCancelled {
            throw CancellationError()
        }
    }

    func sendParameterized(_ query: PostgresQuery) throws {
        try withHandle { pg in
            let sent = withParameterArrays(query.binds) { count, types, values, lengths, formats in
                PQsendQueryParams(pg, query.sql, count, types, values, lengths, formats, 0)
            }
            guard sent == 1 else { throw self.brokenError() }
        }
    }

    /// Sends `query` as this session's prepared statement, preparing it first
    /// (one more round trip) the first time its text is seen here.
    func sendPrepared(_ query: PostgresQuery) async throws {
        let name: String
        if let known = preparedNames[query.sql] {
            name = known
        } else {
            // A fresh name even after a failed attempt: the server may have kept that one.
            preparedCount += 1
            name = "lb_\(preparedCount)"
            try withHandle { pg in
                let sent = withParameterArrays(query.binds) { count, types, _, _, _ in PQsendPrepare(pg, name, query.sql, count, types) }
                guard sent == 1 else { throw self.brokenError() }
            }
            try await flushOutgoing()
            _ = try await collectResults()
            preparedNames[query.sql] = name
        }
        try withHandle { pg in
            let sent = withParameterArrays(query.binds) { count, _, values, lengths, formats in
                PQsendQueryPrepared(pg, name, count, values, lengths, formats, 0)
            }
            guard sent == 1 else { throw self.brokenError() }
        }
    }

    /// Writes out everything libpq has buffered. While waiting to write, also
    /// reads, so a server that is sending to us cannot deadlock the exchange.
    func flushOutgoing() async throws {
        while true {
            let pending = try withHandle { PQflush($0) }
            if pending == 0 { return }
            if pending < 0 { throw brokenError() }
            try throwIfBroken()
            let outcome = try await IOReactor.shared.wait(fd: socket, for: .readWrite, cancellable: false)
            if case .ready(let readiness) = outcome, readiness.readable {
                guard try withHandle({ PQconsumeInput($0) }) == 1 else { throw brokenError() }
            }
        }
    }

    /// The next result, or nil at the end of the current statement's results.
    func nextResult() async throws -> ResultHandle? {
        while try withHandle({ PQisBusy($0) }) == 1 {
            try throwIfBroken()
            _ = try await IOReactor.shared.wait(fd: socket, for: .read, cancellable: false)
            guard try withHandle({ PQconsumeInput($0) }) == 1 else { throw brokenError() }
        }
        return try withHandle { pg in PQgetResult(pg).map(ResultHandle.init) }
    }

    /// A session whose server went away has no socket left to wait on: fail instead.
    func throwIfBroken() throws {
        try withHandle { pg in
            if PQstatus(pg) == CONNECTION_BAD || PQsocket(pg) < 0 { throw brokenError() }
        }
    }

    /// Reads every result of the statement(s) just sent: the last row set wins,
    /// the first error is thrown once libpq is ready for the next statement.
    func collectResults() async throws -> PostgresQueryResult {
        var last: PostgresQueryResult?
        var firstError: PostgresError?
        while let result = try await nextResult() {
            switch result.status {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                last = PostgresQueryResult(result)
            case PGRES_FATAL_ERROR, PGRES_BAD_RESPONSE:
                firstError = firstError ?? result.error()
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                // COPY needs its own protocol; leave the session unusable rather than half-read.
                close()
                throw PostgresError(kind: .protocolViolation, message: "COPY is not supported through query(); the connection was closed")
            default:
                continue
            }
        }
        if let firstError { throw firstError }
        if let pg = try? withHandle({ $0 }), PQstatus(pg) != CONNECTION_OK { throw brokenError() }
        return last ?? .empty
    }
}

/// Lays the binds out in one buffer and hands libpq the parallel arrays it wants.
/// The small per-parameter arrays live on the stack (this runs for every statement).
private func withParameterArrays<T>(
    _ binds: [PostgresBind],
    _ body: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> T
) -> T {
    let count = binds.count
    if count == 0 { return body(0, nil, nil, nil, nil) }
    var storage: [UInt8] = [0]
    storage.reserveCapacity(binds.reduce(1) { $0 + ($1.bytes?.count ?? 0) + 1 })
    return withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { offsets in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { lengths in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { formats in
                withUnsafeTemporaryAllocation(of: Oid.self, capacity: count) { types in
                    for (index, bind) in binds.enumerated() {
                        types[index] = Oid(bind.type.rawValue)
                        formats[index] = bind.format.rawValue
                        if let bytes = bind.bytes {
                            offsets[index] = storage.count
                            storage.append(contentsOf: bytes)
                            storage.append(0)  // text-format values are read as C strings
                            lengths[index] = Int32(bytes.count)
                        } else {
                            offsets[index] = -1
                            lengths[index] = 0
                        }
                    }
                    return storage.withUnsafeBufferPointer { buffer in
                        let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                        return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { values in
                            for index in 0..<count {
                                values[index] = offsets[index] < 0 ? nil : base + offsets[index]
                            }
                            return body(Int32(count), types.baseAddress, values.baseAddress, lengths.baseAddress, formats.baseAddress)
                        }
                    }
                }
            }
        }
    }
}
