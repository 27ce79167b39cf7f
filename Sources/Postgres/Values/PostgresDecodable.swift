/// One value of a result row, in PostgreSQL's text output format.
public struct PostgresCell: Sendable {
    /// nil is SQL NULL.
    public let text: String?
    public let type: PostgresDataType
    public let columnName: String

    /// The text, or a decoding error naming the column when the value is NULL.
    public func requireText(as swiftType: Any.Type) throws -> String {
        guard let text else {
            throw PostgresError.decoding("column \(columnName) is NULL; decode it as \(swiftType)? to accept NULL")
        }
        return text
    }

    /// Fails unless the column's type is one of `accepted`.
    public func requireType(_ accepted: Set<PostgresDataType>, for swiftType: Any.Type) throws {
        guard accepted.contains(type) else {
            throw PostgresError.decoding("column \(columnName) has type \(type), which does not decode as \(swiftType)")
        }
    }

    func invalid(_ swiftType: Any.Type) -> PostgresError {
        PostgresError.decoding("column \(columnName): value of type \(type) is not a valid \(swiftType)")
    }
}

/// A type that a result column can be decoded into.
public protocol PostgresDecodable: Sendable {
    static func decode(from cell: PostgresCell) throws -> Self
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws -> Self {
        cell.text == nil ? nil : try Wrapped.decode(from: cell)
    }
}
