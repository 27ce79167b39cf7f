import CLibPQ
import Foundation

/// Owns one PGresult. A finished PGresult is immutable, so reading it from
/// any thread is safe; it is freed when the last row referring to it goes.
final class ResultHandle: @unchecked Sendable {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) {
        self.result = result
    }

    deinit {
        PQclear(result)
    }

    var status: ExecStatusType { PQresultStatus(result) }
    var rowCount: Int { Int(PQntuples(result)) }
    var columnCount: Int { Int(PQnfields(result)) }

    func columnName(_ column: Int) -> String {
        PQfname(result, Int32(column)).map { String(cString: $0) } ?? "?column?"
    }

    func columnIndex(named name: String) -> Int? {
        let index = PQfnumber(result, "\"\(name.replacingOccurrences(of: "\"", with: "\"\""))\"")
        return index < 0 ? nil : Int(index)
    }

    func columnType(_ column: Int) -> PostgresDataType {
        PostgresDataType(rawValue: UInt32(PQftype(result, Int32(column))))
    }

    func text(row: Int, column: Int) -> String? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    /// Rows inserted, updated, deleted, or selected, from the command tag.
    var rowsAffected: Int {
        PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
    }

    var commandTag: String {
        PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }

    func error() -> PostgresError {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let primary = field(CLibPQ_DIAG_MESSAGE_PRIMARY())
            ?? PQresultErrorMessage(result).map { String(cString: $0) }
            ?? "unknown error"
        return PostgresError(
            kind: .server,
            message: primary.trimmingCharacters(in: .whitespacesAndNewlines),
            sqlState: field(CLibPQ_DIAG_SQLSTATE()),
            severity: field(CLibPQ_DIAG_SEVERITY()),
            detail: field(CLibPQ_DIAG_MESSAGE_DETAIL()),
            hint: field(CLibPQ_DIAG_MESSAGE_HINT()),
            constraint: field(CLibPQ_DIAG_CONSTRAINT_NAME()),
            table: field(CLibPQ_DIAG_TABLE_NAME()),
            column: field(CLibPQ_DIAG_COLUMN_NAME()))
    }
}
