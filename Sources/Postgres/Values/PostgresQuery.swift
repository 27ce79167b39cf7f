/// A SQL statement and its parameters.
///
/// Built with string interpolation, every interpolated value becomes a `$n`
/// parameter, never SQL text:
///
///     let query: PostgresQuery = "SELECT name FROM tenants WHERE id = \(tenantID)"
///     // sql: "SELECT name FROM tenants WHERE id = $1", binds: [tenantID]
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var sql: String
    public var binds: [PostgresBind]
    /// Run as a named prepared statement of the session, prepared at its first use:
    /// later runs skip parsing and planning (a generic plan once PostgreSQL finds it
    /// no worse). For hot statements whose text never varies (the job queue's claim).
    /// Statements sent with a transaction's held-back BEGIN are not prepared.
    public var prepared = false

    public init(_ sql: String, _ binds: [any PostgresEncodable] = []) {
        self.sql = sql
        self.binds = binds.map(\.postgresBind)
    }

    public init(sql: String, binds: [PostgresBind]) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(sql: value, binds: [])
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(sql: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// The SQL text only: parameter values are deliberately left out (they may be secrets).
    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(value.postgresBind)
            sql += "$\(binds.count)"
        }

        /// SQL text written in the program itself (a column list, a table name from a
        /// constant), spliced as is. Never pass anything that came from outside.
        public mutating func appendInterpolation(unescaped sql: StaticString) {
            self.sql += sql.description
        }

        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            binds.append(value.postgresBind)
            sql += "$\(binds.count)"
        }
    }
}
