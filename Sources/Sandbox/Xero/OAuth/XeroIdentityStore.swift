import Cryptography
import Foundation

/// The identity service's state: authorization codes, token sets with refresh
/// rotation and grace, access tokens, and the connections they grant.
actor XeroIdentityStore {
    struct AuthorizationCode {
        let clientID: String
        let redirectURI: String
        let scopes: [String]
        let codeChallenge: String?
        let authEventID: UUID
        let expiresAt: ContinuousClock.Instant
    }

    /// One user's grant to the app: what refresh tokens rotate within.
    struct TokenSet {
        let id: UUID
        let clientID: String
        var scopes: [String]
        let authEventID: UUID
        var refreshToken: String?
        var refreshTokenLastUsed: ContinuousClock.Instant
        /// The refresh token replaced by the last refresh, usable until the instant.
        var previousRefreshToken: (token: String, until: ContinuousClock.Instant, response: [UInt8])?
        var revoked = false
    }

    struct AccessToken {
        let tokenSetID: UUID
        let expiresAt: ContinuousClock.Instant
        let expiresAtDate: Date
    }

    struct Connection {
        let id: UUID
        let tenantID: UUID
        let tenantName: String
        let authEventID: UUID
        let clientID: String
        let createdAt: Date
        var updatedAt: Date
    }

    enum TokenError: Error, Equatable {
        case invalidClient, invalidGrant, unsupportedGrantType, invalidRequest(String)

        /// Xero's token-endpoint error body.
        var body: [String: String] {
            switch self {
            case .invalidClient: ["error": "invalid_client"]
            case .invalidGrant: ["error": "invalid_grant"]
            case .unsupportedGrantType: ["error": "unsupported_grant_type"]
            case .invalidRequest(let description): ["error": "invalid_request", "error_description": description]
            }
        }
    }

    /// What a valid access token allows.
    struct Grant: Sendable {
        let clientID: String
        let scopes: [String]
        let tenants: Set<UUID>
    }

    enum AccessCheck {
        case valid(Grant)
        case expired(at: Date)
        case invalid
    }

    let configuration: XeroIdentityConfiguration
    /// Valid tokens' grants, read by API calls without entering this actor; dropped
    /// here whenever an answer could change.
    let grants = XeroGrantCache()
    private let signingKey = SecureRandom.bytes(32)
    private var codes: [String: AuthorizationCode] = [:]
    private var tokenSets: [UUID: TokenSet] = [:]
    private var tokenSetByRefreshToken: [String: UUID] = [:]
    private var accessTokens: [String: AccessToken] = [:]
    private var connections: [UUID: Connection] = [:]

    init(configuration: XeroIdentityConfiguration) {
        self.configuration = configuration
    }

    // MARK: authorize

    func issueCode(clientID: String, redirectURI: String, scopes: [String], codeChallenge: String?) -> String {
        grants.clear()  // consent may connect more organisations to the app
        let code = Self.randomToken()
        let authEventID = UUID()
        codes[code] = AuthorizationCode(clientID: clientID, redirectURI: redirectURI, scopes: scopes, codeChallenge: codeChallenge,
                                        authEventID: authEventID, expiresAt: .now + configuration.authorizationCodeLifetime)
        // Consent connects every configured organisation; a re-consent bumps updatedDateUtc.
        let now = Date()
        for organisation in configuration.organisations {
            if let existing = connections.values.first(where: { $0.tenantID == organisation.tenantID && $0.clientID == clientID }) {
                connections[existing.id]?.updatedAt = now
            } else {
                let id = UUID()
                connections[id] = Connection(id: id, tenantID: organisation.tenantID, tenantName: organisation.name,
                                             authEventID: authEventID, clientID: clientID, createdAt: now, updatedAt: now)
            }
        }
        return code
    }

    // MARK: token endpoint

    func exchange(code: String, redirectURI: String?, clientID: String, codeVerifier: String?) throws(TokenError) -> [UInt8] {
        // A code works once, whatever the outcome.
        guard let grant = codes.removeValue(forKey: code), grant.expiresAt > .now, grant.clientID == clientID else { throw .invalidGrant }
        guard redirectURI == grant.redirectURI else { throw .invalidGrant }
        if let challenge = grant.codeChallenge {
            guard let verifier = codeVerifier, Self.isValidVerifier(verifier),
                  Self.base64URL(Digest.sha256(Array(verifier.utf8))) == challenge else { throw .invalidGrant }
        }
        grants.clear()
        let set = TokenSet(id: UUID(), clientID: clientID, scopes: grant.scopes, authEventID: grant.authEventID,
                           refreshToken: grant.scopes.contains("offline_access") ? Self.randomToken() : nil,
                           refreshTokenLastUsed: .now)
        tokenSets[set.id] = set
        if let refresh = set.refreshToken { tokenSetByRefreshToken[refresh] = set.id }
        return tokenResponse(for: set, includeIDToken: grant.scopes.contains("openid"))
    }

    func refresh(token: String, clientID: String) throws(TokenError) -> [UInt8] {
        guard let id = tokenSetByRefreshToken[token], var set = tokenSets[id], !set.revoked, set.clientID == clientID else { throw .invalidGrant }
        let now = ContinuousClock.now
        if let previous = set.previousRefreshToken, previous.token == token {
            // The grace period: a client whose refresh response was lost gets it again.
            guard now < previous.until else { throw .invalidGrant }
            return previous.response
        }
        guard set.refreshToken == token, now - set.refreshTokenLastUsed < configuration.refreshTokenIdleLifetime else { throw .invalidGrant }
        grants.clear()
        // Rotation: a new refresh token each time; the old one only within the grace period.
        if let previous = set.previousRefreshToken { tokenSetByRefreshToken[previous.token] = nil }
        let next = Self.randomToken()
        set.refreshToken = next
        set.refreshTokenLastUsed = now
        tokenSetByRefreshToken[next] = id
        let response = tokenResponse(for: set, includeIDToken: set.scopes.contains("openid"))
        set.previousRefreshToken = (token, now + configuration.refreshGracePeriod, response)
        tokenSets[id] = set
        return response
    }

    /// Revoking a refresh token ends the grant and removes the user's connections to the app.
    func revoke(token: String, clientID: String) throws(TokenError) {
        guard let id = tokenSetByRefreshToken[token], let set = tokenSets[id], set.clientID == clientID else { return }
        grants.clear()
        tokenSets[id]?.revoked = true
        tokenSetByRefreshToken = tokenSetByRefreshToken.filter { $0.value != id }
        accessTokens = accessTokens.filter { $0.value.tokenSetID != id }
        connections = connections.filter { $0.value.clientID != set.clientID }
    }

    // MARK: API access

    func check(accessToken: String) -> AccessCheck {
        guard let token = accessTokens[accessToken], let set = tokenSets[token.tokenSetID], !set.revoked else { return .invalid }
        guard token.expiresAt > .now else { return .expired(at: token.expiresAtDate) }
        let tenants = Set(connections.values.filter { $0.clientID == set.clientID }.map(\.tenantID))
        let grant = Grant(clientID: set.clientID, scopes: set.scopes, tenants: tenants)
        grants.remember(grant, for: accessToken, until: token.expiresAt)
        return .valid(grant)
    }

    func connections(clientID: String, authEventID: UUID?) -> [Connection] {
        connections.values.filter { $0.clientID == clientID && (authEventID == nil || $0.authEventID == authEventID) }
            .sorted { $0.createdAt < $1.createdAt }
    }

    func deleteConnection(id: UUID, clientID: String) -> Bool {
        guard connections[id]?.clientID == clientID else { return false }
        grants.clear()
        connections[id] = nil
        return true
    }

    // MARK: tokens

    /// The token endpoint's JSON body.
    private func tokenResponse(for set: TokenSet, includeIDToken: Bool) -> [UInt8] {
        let lifetime = configuration.accessTokenLifetime
        let expiresAtDate = Date().addingTimeInterval(Double(lifetime.components.seconds))
        let access = jwt([
            "nbf": Int(Date().timeIntervalSince1970), "exp": Int(expiresAtDate.timeIntervalSince1970),
            "iss": "https://identity.xero.com", "aud": "https://identity.xero.com/resources",
            "client_id": set.clientID, "sub": configuration.userID.uuidString.lowercased(),
            "xero_userid": configuration.userID.uuidString.lowercased(),
            "authentication_event_id": set.authEventID.uuidString.lowercased(),
            "jti": UUID().uuidString.lowercased(), "scope": set.scopes,
        ])
        accessTokens[access] = AccessToken(tokenSetID: set.id, expiresAt: .now + lifetime, expiresAtDate: expiresAtDate)
        var response: [String: Any] = [
            "access_token": access, "expires_in": Int(lifetime.components.seconds), "token_type": "Bearer",
            "scope": set.scopes.joined(separator: " "),
        ]
        if let refresh = set.refreshToken { response["refresh_token"] = refresh }
        if includeIDToken {
            response["id_token"] = jwt([
                "nbf": Int(Date().timeIntervalSince1970), "exp": Int(Date().timeIntervalSince1970) + 300,
                "iss": "https://identity.xero.com", "aud": set.clientID,
                "sub": configuration.userID.uuidString.lowercased(), "email": configuration.userEmail,
                "xero_userid": configuration.userID.uuidString.lowercased(),
            ])
        }
        return Array((try? JSONSerialization.data(withJSONObject: response, options: [.sortedKeys])) ?? Data())
    }

    /// An HS256 JWT signed with a key only this process knows: shaped like
    /// Xero's tokens, though clients must treat access tokens as opaque.
    private func jwt(_ claims: [String: Any]) -> String {
        let header = Self.base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = Self.base64URL(Array((try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])) ?? Data()))
        let signature = Self.base64URL(HMAC.sha256(key: signingKey, message: Array("\(header).\(payload)".utf8)))
        return "\(header).\(payload).\(signature)"
    }

    static func randomToken() -> String {
        Digest.hex(SecureRandom.bytes(32))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// RFC 7636: 43 to 128 characters of A-Z a-z 0-9 - . _ ~
    static func isValidVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count) && verifier.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || [0x2d, 0x2e, 0x5f, 0x7e].contains($0)
        }
    }
}
