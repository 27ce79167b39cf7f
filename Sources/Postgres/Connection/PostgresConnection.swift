import CLibPQ
import Foundation
import Synchronization

/// One PostgreSQL session over libpq, driven without blocking any shared thread.
///
/// libpq runs in non-blocking mode; every step that would wait (connecting,
/// flushing a large request, waiting for a result) suspends the calling task
/// on `IOReactor`, which owns the waiting. The protocol steps themselves live
/// in the `+Query`, `+Pipeline` and `+Notifications` extensions.
///
/// A connection is used by one task at a time: the pool lends it exclusively.
/// Only `requestCancel()` is called from elsewhere, and it touches nothing but
/// the thread-safe canceller and an atomic flag.
public final class PostgresConnection: @unchecked Sendable {
    private var pg: OpaquePointer?
    private let canceller: QueryCanceller
    private let cancelSent = Atomic<Bool>(false)
    /// Monotonic nanoseconds when the session was established.
    public let createdAt: UInt64
    var lastUsedAt: UInt64
    /// When the pool retires this session (monotonic nanoseconds); set by the pool.
    var expiresAt: UInt64 = .max
    /// The server process serving this session (for pg_terminate_backend, logs).
    public let backendPID: Int32
    /// Statements that open a transaction (BEGIN and its prelude), held back until the
    /// transaction's first statement so that they share its round trip.
    var deferredPrelude: [PostgresQuery] = []
    /// This session's prepared statements, by SQL text (see `PostgresQuery.prepared`).
    var preparedNames: [String: String] = [:]
    var preparedCount = 0

    private init(pg: OpaquePointer) {
        self.pg = pg
        self.canceller = QueryCanceller(PQgetCancel(pg))
        self.createdAt = MonotonicClock.now
        self.lastUsedAt = createdAt
        self.backendPID = PQbackendPID(pg)
    }

    deinit {
        close()
    }

    /// Opens a session. Fails with a `.connection` error (never containing the password)
    /// when the server cannot be reached or refuses the credentials.
    public static func connect(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
        let parameters = [
            ("dbname", configuration.url),
            ("application_name", configuration.applicationName),
            ("options", PostgresConfiguration.sessionOptions),
            ("client_encoding", "UTF8"),
        ]
        guard let pg = withCStringArrays(parameters, { keywords, values in PQconnectStartParams(keywords, values, 1) }) else {
            throw PostgresError.connection("out of memory starting a connection")
        }
        if PQstatus(pg) == CONNECTION_BAD {
            let message = errorMessage(pg)
            PQfinish(pg)
            throw PostgresError.connection(message)
        }
        let deadline = MonotonicClock.deadline(after: configuration.connectTimeout)
        var status = PGRES_POLLING_WRITING
        do {
            while status != PGRES_POLLING_OK {
                let interest: IOReactor.Interest
                switch status {
                case PGRES_POLLING_READING: interest = .read
                case PGRES_POLLING_WRITING: interest = .write
                case PGRES_POLLING_FAILED: throw PostgresError.connection(errorMessage(pg))
                default: interest = .readWrite
                }
                // The socket can change between steps (libpq tries each host address in turn).
                let outcome = try await IOReactor.shared.wait(fd: PQsocket(pg), for: interest, deadline: deadline, cancellable: true)
                if case .timedOut = outcome {
                    throw PostgresError.connection("timed out after \(configuration.connectTimeout)s connecting to the database")
                }
                status = PQconnectPoll(pg)
            }
        } catch {
            PQfinish(pg)
            throw error
        }
        guard PQsetnonblocking(pg, 1) == 0 else {
            let message = errorMessage(pg)
            PQfinish(pg)
            throw PostgresError.connection(message)
        }
        // Server NOTICEs (e.g. "relation already exists, skipping") would otherwise go to stderr.
        PQsetNoticeReceiver(pg, { _, _ in }, nil)
        return PostgresConnection(pg: pg)
    }

    /// Ends the session. Safe to call twice.
    public func close() {
        guard let pg else { return }
        self.pg = nil
        PQfinish(pg)
    }

    /// True while the session is usable: open, not broken, and never the target of a
    /// cancel request (which might still arrive and hit the next caller's query).
    public var isReusable: Bool {
        guard let pg else { return false }
        return PQstatus(pg) == CONNECTION_OK && !cancelSent.load(ordering: .relaxed)
    }

    public enum TransactionState: Sendable {
        case idle, active, inTransaction, failedTransaction, unknown
    }

    public var transactionState: TransactionState {
        guard let pg else { return .unknown }
        switch PQtransactionStatus(pg) {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_ACTIVE: return .active
        case PQTRANS_INTRANS: return .inTransaction
        case PQTRANS_INERROR: return .failedTransaction
        default: return .unknown
        }
    }

    /// A zero-round-trip liveness check: if the idle socket has anything to read
    /// (the server closed it, or sent an error before shutting down), let libpq
    /// consume it and report whether the session survived.
    func isAliveWhileIdle() -> Bool {
        guard let pg, PQstatus(pg) == CONNECTION_OK else { return false }
        // A server that ends a session sends an error and then closes: the first read takes
        // the error, the next one meets the end of the stream. A live idle session has
        // nothing left to read once notifications are consumed.
        for _ in 0..<4 {
            var pollFD = pollfd(fd: PQsocket(pg), events: Int16(POLLIN), revents: 0)
            guard poll(&pollFD, 1, 0) > 0 else { return PQstatus(pg) == CONNECTION_OK }
            if PQconsumeInput(pg) == 0 || PQstatus(pg) != CONNECTION_OK { return false }
            discardNotifications()
        }
        return false
    }

    // MARK: - Cancellation

    /// Asks the server to cancel whatever this session is running. Returns at once;
    /// the request is sent from a background thread because libpq's cancel blocks.
    /// The session is marked not reusable: a cancel that arrives late would hit the next query.
    public func requestCancel() {
        cancelSent.store(true, ordering: .relaxed)
        canceller.sendInBackground()
    }

    // MARK: - Access for the protocol extensions

    func withHandle<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        guard let pg else { throw PostgresError.connection("the connection is closed") }
        return try body(pg)
    }

    var socket: Int32 { pg.map { PQsocket($0) } ?? -1 }

    /// The connection's current error text, or a generic one.
    func currentErrorMessage() -> String {
        pg.map(Self.errorMessage) ?? "the connection is closed"
    }

    func brokenError() -> PostgresError {
        PostgresError.connection(currentErrorMessage())
    }

    static func errorMessage(_ pg: OpaquePointer) -> String {
        guard let text = PQerrorMessage(pg) else { return "unknown libpq error" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "connection lost" : message
    }
}

/// Calls `body` with NUL-terminated keyword and value arrays, as PQconnectStartParams wants.
private func withCStringArrays<T>(
    _ pairs: [(String, String)],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> T
) -> T {
    let keywords = pairs.map { UnsafePointer(strdup($0.0)) } + [nil]
    let values = pairs.map { UnsafePointer(strdup($0.1)) } + [nil]
    defer {
        keywords.forEach { free(UnsafeMutablePointer(mutating: $0)) }
        values.forEach { free(UnsafeMutablePointer(mutating: $0)) }
    }
    return keywords.withUnsafeBufferPointer { k in
        values.withUnsafeBufferPointer { v in body(k.baseAddress!, v.baseAddress!) }
    }
}
