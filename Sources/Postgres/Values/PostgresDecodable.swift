/// One value of a result row, in PostgreSQL's text output format.
public struct PostgresCell: Sendable {
    /// nil is SQL NULL.
    public let text: String?
    public let type: PostgresDataType
    let result: PostgresQueryResult
    let column: Int

    /// The column's name: looked up only when an error needs it.
    public var columnName: String { result.columnName(column) }

    /// The text, or a decoding error naming the column when the value is NULL.
    public func requireText(as swiftType: Any.Type) throws -> String {
        guard let text else {
            throw PostgresError.decoding("column \(columnName) is NULL; decode it as \(swiftType)? to accept NULL")
        }
        return text
    }

    /// Fails unless the column's type is one of `accepted`.
    public func requireType(_ accepted: some Collection<PostgresDataType>, for swiftType: Any.Type) throws {
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
