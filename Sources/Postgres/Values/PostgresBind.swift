/// One statement parameter, already encoded for the wire.
///
/// Values travel separately from the SQL text (PQsendQueryParams), so nothing a
/// caller passes can change the statement: this is the only way values reach SQL.
public struct PostgresBind: Sendable {
    public enum Format: Int32, Sendable {
        case text = 0
        case binary = 1
    }

    public var type: PostgresDataType
    public var format: Format
    /// nil is SQL NULL.
    public var bytes: [UInt8]?

    public init(type: PostgresDataType, format: Format = .text, bytes: [UInt8]?) {
        self.type = type
        self.format = format
        self.bytes = bytes
    }

    public init(type: PostgresDataType, text: String?) {
        self.init(type: type, format: .text, bytes: text.map { Array($0.utf8) })
    }

    public static func null(_ type: PostgresDataType = .unspecified) -> PostgresBind {
        PostgresBind(type: type, bytes: nil)
    }
}

/// A type that can be sent as a statement parameter.
public protocol PostgresEncodable: Sendable {
    var postgresBind: PostgresBind { get }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresBind: PostgresBind {
        switch self {
        case .some(let value): value.postgresBind
        case .none: .null()
        }
    }
}

extension PostgresBind: PostgresEncodable {
    public var postgresBind: PostgresBind { self }
}
