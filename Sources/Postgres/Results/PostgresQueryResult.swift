/// The rows and command outcome of one statement.
public struct PostgresQueryResult: Sendable, RandomAccessCollection {
    private let handle: ResultHandle?

    static let empty = PostgresQueryResult(nil)

    init(_ handle: ResultHandle?) {
        self.handle = handle
    }

    /// Column names, in order.
    public var columns: [String] {
        (0..<(handle?.columnCount ?? 0)).map { handle!.columnName($0) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { handle?.rowCount ?? 0 }

    public subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < endIndex, "row index out of range")
        return PostgresRow(result: self, index: position)
    }

    /// Rows inserted, updated, deleted or selected (from the command tag).
    public var rowsAffected: Int { handle?.rowsAffected ?? 0 }

    /// The command tag, e.g. "INSERT 0 1".
    public var commandTag: String { handle?.commandTag ?? "" }

    var columnCount: Int { handle?.columnCount ?? 0 }

    // Column names and types are read from the PGresult when a cell is decoded,
    // not up front: most results (BEGIN, COMMIT, set_config) are never looked at.
    func cell(row: Int, column: Int) -> PostgresCell {
        PostgresCell(text: handle?.text(row: row, column: column), type: handle!.columnType(column), result: self, column: column)
    }

    func columnName(_ column: Int) -> String {
        handle?.columnName(column) ?? "?column?"
    }

    func columnIndex(named name: String) -> Int? {
        handle?.columnIndex(named: name)
    }
}

/// One row of a result. Decoding checks the column's type and NULL-ness.
public struct PostgresRow: Sendable {
    let result: PostgresQueryResult
    let index: Int

    public var columnCount: Int { result.columnCount }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard column >= 0 && column < result.columnCount else {
            throw PostgresError.decoding("column index \(column) out of range (row has \(result.columnCount) columns)")
        }
        return try T.decode(from: result.cell(row: index, column: column))
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, named name: String) throws -> T {
        guard let column = result.columnIndex(named: name) else {
            throw PostgresError.decoding("no column named \(name) in the result")
        }
        return try T.decode(from: result.cell(row: index, column: column))
    }

    /// Decodes the first columns as a tuple: `let (id, name) = try row.decode((UUID, String).self)`.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var column = 0
        func next<U: PostgresDecodable>(_ type: U.Type) throws -> U {
            defer { column += 1 }
            return try decode(U.self, at: column)
        }
        return (repeat try next((each T).self))
    }
}
