/// How to reach a PostgreSQL server.
///
/// `url` is anything libpq accepts as a connection string: a
/// `postgresql://user:password@host:port/db?sslmode=...` URL or `key=value`
/// pairs. It is handed to libpq unchanged and never logged; `redactedURL`
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

    /// The URL with any password replaced by `***`.
    public var redactedURL: String { Self.redact(url) }

    static func redact(_ url: String) -> String {
        // URL form: scheme://user:password@host...
        if let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") {
            let userInfo = url[schemeEnd.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                return String(url[..<colon]) + ":***" + String(url[at...])
            }
            return url
        }
        // key=value form: blank out password=...
        return url.split(separator: " ").map { part in
            part.lowercased().hasPrefix("password=") ? "password=***" : String(part)
        }.joined(separator: " ")
    }

    /// Session settings every connection starts with, so values decode the same way everywhere.
    /// They are startup options, which makes them the session defaults that a reset returns to.
    static let sessionOptions = "-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c bytea_output=hex"
}
