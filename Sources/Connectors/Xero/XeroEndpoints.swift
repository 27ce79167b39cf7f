import Foundation

/// Where Xero's three hosts are and which app is calling: the real services
/// by default, the sandbox (all three on one port) when configured so.
public struct XeroEndpoints: Sendable, Equatable {
    /// https://login.xero.com — the authorize page.
    public var loginURL: String
    /// https://identity.xero.com — token and revocation.
    public var identityURL: String
    /// https://api.xero.com — connections and the Accounting API.
    public var apiURL: String
    public var clientID: String
    /// nil for a PKCE-only app with no secret.
    public var clientSecret: String?

    public init(loginURL: String = "https://login.xero.com", identityURL: String = "https://identity.xero.com",
                apiURL: String = "https://api.xero.com", clientID: String, clientSecret: String?) {
        self.loginURL = Self.trimmed(loginURL)
        self.identityURL = Self.trimmed(identityURL)
        self.apiURL = Self.trimmed(apiURL)
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    private static func trimmed(_ url: String) -> String {
        url.hasSuffix("/") ? String(url.dropLast()) : url
    }

}

// Secrets never in descriptions (a log line or an error message may print one).
extension XeroEndpoints: CustomStringConvertible {
    public var description: String {
        "XeroEndpoints(login: \(loginURL), identity: \(identityURL), api: \(apiURL), client: \(clientID), secret: \(clientSecret == nil ? "none" : "set"))"
    }
}
