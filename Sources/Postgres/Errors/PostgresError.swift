/// An error from PostgreSQL or from talking to it.
///
/// Server errors keep the fields a caller needs to react (SQLSTATE, constraint)
/// and `kind` names the ones code commonly branches on. The description never
/// includes connection strings or parameter values, so it is safe to log.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server reported an error; `sqlState` says which.
        case server
        /// No connection could be made, or an open one broke.
        case connection
        /// A result value could not be decoded into the requested Swift type.
        case decoding
        /// The pool could not hand out a connection in time.
        case poolTimeout
        /// The pool was shut down.
        case poolClosed
        /// The API was used in a way the protocol does not allow.
        case protocolViolation
    }

    public var kind: Kind
    public var sqlState: String?
    public var severity: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?

    public init(
        kind: Kind, message: String, sqlState: String? = nil, severity: String? = nil,
        detail: String? = nil, hint: String? = nil, constraint: String? = nil,
        table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.severity = severity
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    public var description: String {
        var text = "PostgreSQL \(kind)"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let detail { text += " (detail: \(detail))" }
        if let constraint { text += " [constraint \(constraint)]" }
        return text
    }

    // MARK: Common SQLSTATEs, as typed questions.

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    public var isNotNullViolation: Bool { sqlState == "23502" }
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// 40001 serialization_failure or 40P01 deadlock_detected: the transaction may succeed if run again.
    public var isRetryableTransactionFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
    public var isSerializationFailure: Bool { sqlState == "40001" }
    public var isQueryCanceled: Bool { sqlState == "57014" }
    public var isInsufficientPrivilege: Bool { sqlState == "42501" }
    public var isUndefinedTable: Bool { sqlState == "42P01" }
    /// Class 08 (connection exception) or 57P01-57P03 (server shutting down / restarting),
    /// or a broken connection noticed by the client.
    public var isConnectionFailure: Bool {
        kind == .connection || (sqlState?.hasPrefix("08") ?? false)
            || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03"
    }

    static func connection(_ message: String) -> PostgresError {
        PostgresError(kind: .connection, message: message)
    }

    static func decoding(_ message: String) -> PostgresError {
        PostgresError(kind: .decoding, message: message)
    }
}
