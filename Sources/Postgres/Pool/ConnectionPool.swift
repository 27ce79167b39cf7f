import Foundation
import Logging
import Synchronization

/// A bounded set of sessions shared by many tasks.
///
/// - A caller gets an idle session, or opens a new one while under the limit,
///   or waits (FIFO) up to `checkoutTimeout`.
/// - Before a session is handed out it is checked without a round trip (has the
///   server closed it?) and pinged when it sat idle for long.
/// - On return a session that is broken, mid-transaction, past its lifetime, or
///   was sent a cancel request is closed, never handed to the next caller.
/// - After the server goes away, connection attempts back off exponentially and
///   callers fail fast with the last connection error instead of piling up; the
///   first attempt after the delay that succeeds brings the pool back.
///
/// State lives behind one lock and is never held across an await.
public final class ConnectionPool: Sendable {
    public let configuration: PostgresConfiguration
    public let poolConfiguration: PoolConfiguration
    private let logger: Logger
    private let state = Mutex(State())

    private enum Grant {
        case connection(PostgresConnection)
        /// Capacity was freed; the waiter may open a session of its own.
        case openSlot
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Grant, any Error>
        var timeout: Task<Void, Never>?
    }

    private struct State {
        var idle: [PostgresConnection] = []
        /// Sessions idle, lent out, or being opened.
        var open = 0
        var waiters: [Waiter] = []
        var abandonedWaiters: Set<UInt64> = []
        var nextWaiterID: UInt64 = 1
        var closed = false
        var consecutiveFailures = 0
        var retryNotBefore: UInt64 = 0
        var lastConnectError: PostgresError?
    }

    public init(configuration: PostgresConfiguration, pool: PoolConfiguration = PoolConfiguration(), logger: Logger = Logger(label: "ledgerbridge.postgres.pool")) {
        self.configuration = configuration
        self.poolConfiguration = pool
        self.logger = logger
    }

    deinit {
        close()
    }

    /// Lends a session to `body` and takes it back afterwards, whatever happens.
    public func withConnection<R>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Counters for metrics and tests.
    public struct Statistics: Sendable {
        public var open: Int
        public var idle: Int
        public var waiting: Int
    }

    public var statistics: Statistics {
        state.withLock { Statistics(open: $0.open, idle: $0.idle.count, waiting: $0.waiters.count) }
    }

    /// Closes idle sessions, fails waiters, and closes lent ones as they come back.
    public func close() {
        let (idle, waiters) = state.withLock { state -> ([PostgresConnection], [Waiter]) in
            state.closed = true
            defer { state.idle.removeAll(); state.waiters.removeAll() }
            state.open -= state.idle.count
            return (state.idle, state.waiters)
        }
        idle.forEach { $0.close() }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: PostgresError(kind: .poolClosed, message: "the connection pool was closed"))
        }
    }

    // MARK: - Lending

    private enum Decision {
        case use(PostgresConnection)
        case open
        case wait
        case fail(PostgresError)
    }

    func lease() async throws -> PostgresConnection {
        while true {
            try Task.checkCancellation()
            let decision = state.withLock { state -> Decision in
                if state.closed { return .fail(PostgresError(kind: .poolClosed, message: "the connection pool was closed")) }
                if let connection = state.idle.popLast() { return .use(connection) }
                if state.open < poolConfiguration.maxConnections {
                    state.open += 1
                    return .open
                }
                return .wait
            }
            switch decision {
            case .fail(let error):
                throw error
            case .use(let connection):
                if await isHealthy(connection) { return connection }
                discard(connection)
            case .open:
                return try await openReservedConnection()
            case .wait:
                switch try await waitForGrant() {
                case .connection(let connection):
                    if await isHealthy(connection) { return connection }
                    discard(connection)
                case .openSlot:
                    return try await openReservedConnection()
                }
            }
        }
    }

    func release(_ connection: PostgresConnection) {
        let reusable = connection.isReusable && connection.transactionState == .idle && !isExpired(connection)
        if !reusable {
            discard(connection)
            return
        }
        let waiter = state.withLock { state -> Waiter? in
            if state.closed { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        if let waiter {
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: .connection(connection))
        } else if state.withLock({ $0.closed }) {
            discard(connection)
        }
    }

    // MARK: - Opening and closing sessions

    /// Opens a session for a slot already counted in `open`; gives the slot back on failure.
    private func openReservedConnection() async throws -> PostgresConnection {
        let now = MonotonicClock.now
        let backoff = state.withLock { state -> PostgresError? in
            guard now < state.retryNotBefore, let last = state.lastConnectError else { return nil }
            return last
        }
        if let backoff {
            freeSlot()
            throw PostgresError.connection("database unavailable (retrying with backoff): \(backoff.message)")
        }
        do {
            let connection = try await PostgresConnection.connect(configuration)
            let lifetime = poolConfiguration.maxLifetime * (1 - Double.random(in: 0...0.05))
            connection.expiresAt = connection.createdAt + UInt64(lifetime * 1e9)
            state.withLock { state in
                if state.consecutiveFailures > 0 {
                    logger.info("database reachable again", metadata: ["failures": "\(state.consecutiveFailures)"])
                }
                state.consecutiveFailures = 0
                state.lastConnectError = nil
            }
            return connection
        } catch let error as PostgresError {
            state.withLock { state in
                state.consecutiveFailures += 1
                let delay = min(poolConfiguration.maxReconnectDelay,
                                poolConfiguration.initialReconnectDelay * pow(2, Double(state.consecutiveFailures - 1)))
                state.retryNotBefore = MonotonicClock.deadline(after: delay * Double.random(in: 0.9...1.1))
                state.lastConnectError = error
            }
            logger.warning("database connection failed", metadata: ["error": "\(error.message)", "url": "\(configuration.safeDescription)"])
            freeSlot()
            throw error
        } catch {
            freeSlot()
            throw error
        }
    }

    private func discard(_ connection: PostgresConnection) {
        connection.close()
        freeSlot()
    }

    /// One fewer session open; a waiter, if any, may open one in its place.
    private func freeSlot() {
        let waiter = state.withLock { state -> Waiter? in
            state.open -= 1
            guard !state.closed, !state.waiters.isEmpty, state.open < poolConfiguration.maxConnections else { return nil }
            state.open += 1
            return state.waiters.removeFirst()
        }
        if let waiter {
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: .openSlot)
        }
    }

    private func isExpired(_ connection: PostgresConnection) -> Bool {
        MonotonicClock.now >= connection.expiresAt
    }

    private func isHealthy(_ connection: PostgresConnection) async -> Bool {
        guard connection.isAliveWhileIdle(), !isExpired(connection) else { return false }
        let idleFor = Double(MonotonicClock.now - connection.lastUsedAt) / 1e9
        guard idleFor > poolConfiguration.pingAfterIdle else { return true }
        do {
            try await connection.query("SELECT 1")
            return true
        } catch {
            return false
        }
    }

    // MARK: - Waiting

    private func waitForGrant() async throws -> Grant {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        let timeoutSeconds = poolConfiguration.checkoutTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                let abandoned = state.withLock { state -> Bool in
                    if state.abandonedWaiters.remove(id) != nil { return true }
                    state.waiters.append(Waiter(id: id, continuation: continuation, timeout: nil))
                    return false
                }
                if abandoned {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let timeout = Task { [weak self] in
                    try? await Task.sleep(for: .seconds(timeoutSeconds))
                    guard !Task.isCancelled, let self else { return }
                    self.abandonWaiter(id, with: PostgresError(
                        kind: .poolTimeout,
                        message: "no database connection became free within \(timeoutSeconds)s (pool of \(self.poolConfiguration.maxConnections))"),
                        rememberIfMissing: false)
                }
                let granted = state.withLock { state -> Bool in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return true }
                    state.waiters[index].timeout = timeout
                    return false
                }
                if granted { timeout.cancel() }
            }
        } onCancel: {
            self.abandonWaiter(id, with: CancellationError(), rememberIfMissing: true)
        }
    }

    /// Fails a waiter that is still waiting. A cancellation that comes before the waiter
    /// has registered is remembered so that the registration fails at once.
    private func abandonWaiter(_ id: UInt64, with error: any Error, rememberIfMissing: Bool) {
        let waiter = state.withLock { state -> Waiter? in
            if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                return state.waiters.remove(at: index)
            }
            if rememberIfMissing { state.abandonedWaiters.insert(id) }
            return nil
        }
        if let waiter {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: error)
        }
    }
}
