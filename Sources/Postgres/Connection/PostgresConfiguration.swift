import CLibPQ

/// How to reach a PostgreSQL server.
///
/// `url` is anything libpq accepts as a connection string: a
/// `postgresql://user:password@host:port/db?sslmode=...` URL or `key=value`
/// pairs. It is handed to libpq unchanged and never logged; `safeDescription`
/// is the form for logs and error messages.
public struct PostgresConfiguration: Sendable {
    public var url: String
    public var applicationName: String
    /// Seconds allowed for establishing a connection (TCP, TLS, authentication).
    public var connectTimeout: Double

    public init(url: String, applicationName: String = "ledgerbridge", connectTimeout: Double = 10) {
        self.url = url
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
    }

    /// `user@host:port/database`, taken apart by libpq itself: the form for logs and
    /// error messages. Nothing else of the connection string (a password in any of the
    /// forms libpq accepts, TLS key paths) can appear in it.
    public var safeDescription: String {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            return "(unparseable connection string)"
        }
        defer { PQconninfoFree(options) }
        var fields: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                fields[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        let host = fields["host"] ?? fields["hostaddr"] ?? "localhost"
        let port = fields["port"].map { ":" + $0 } ?? ""
        let user = fields["user"].map { $0 + "@" } ?? ""
        return "\(user)\(host)\(port)/\(fields["dbname"] ?? "")"
    }

    /// Session settings every connection starts with, so values decode the same way everywhere.
    /// They are startup options, which makes them the session defaults that a reset returns to.
    /// JIT off: this is a transactional workload, and JIT only pays for long analytic queries.
    /// The job queue's claim (many CTEs, row estimates it cannot know, such as `LIMIT 2 * share`)
    /// is costed above `jit_above_cost` once its tables have statistics, and compiling it took
    /// 60-70 ms per claim of a few milliseconds (ops/bench/queue: 3,500 instead of 16,000 jobs/s).
    static let sessionOptions = "-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c bytea_output=hex -c jit=off"
}
