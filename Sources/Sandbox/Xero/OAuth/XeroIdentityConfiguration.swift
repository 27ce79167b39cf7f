import Foundation

/// The app and user the Xero sandbox's identity service knows, and its token
/// lifetimes. Defaults are Xero's documented values (../shared/reference/xero-api.md §1).
public struct XeroIdentityConfiguration: Sendable {
    public struct Organisation: Sendable {
        public var tenantID: UUID
        public var name: String
        public init(tenantID: UUID, name: String) {
            self.tenantID = tenantID
            self.name = name
        }
    }

    public var clientID: String
    /// nil: a PKCE app (no secret; `code_verifier` is required).
    public var clientSecret: String?
    /// Exact redirect URIs the app registered; empty accepts any loopback URI
    /// (http://127.0.0.1, http://localhost, http://[::1], any port and path).
    public var redirectURIs: [String]
    /// The organisations the configured user consents to, all at once.
    public var organisations: [Organisation]
    public var userID: UUID
    public var userEmail: String

    public var accessTokenLifetime: Duration = .seconds(1800)
    /// After a refresh, the previous refresh token still works this long.
    public var refreshGracePeriod: Duration = .seconds(30 * 60)
    /// A refresh token not used for this long expires.
    public var refreshTokenIdleLifetime: Duration = .seconds(60 * 24 * 3600)
    /// Xero does not document it; codes are meant to be exchanged at once.
    public var authorizationCodeLifetime: Duration = .seconds(300)

    public init(clientID: String, clientSecret: String?, redirectURIs: [String] = [], organisations: [Organisation],
                userID: UUID = UUID(), userEmail: String = "sandbox.user@example.com") {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURIs = redirectURIs
        self.organisations = organisations
        self.userID = userID
        self.userEmail = userEmail
    }

    func accepts(redirectURI: String) -> Bool {
        if !redirectURIs.isEmpty { return redirectURIs.contains(redirectURI) }
        guard let url = URL(string: redirectURI), url.scheme == "http" || url.scheme == "https" else { return false }
        return ["127.0.0.1", "localhost", "::1", "[::1]"].contains(url.host ?? "")
    }
}
