import Foundation

/// What Xero's token endpoint answers. The tokens are secrets: the
/// description shows only their lengths.
public struct XeroTokenSet: Sendable, Decodable, CustomStringConvertible {
    public let accessToken: String
    public let refreshToken: String?
    public let expiresIn: Int
    public let tokenType: String
    public let scope: String?
    public let idToken: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", refreshToken = "refresh_token", expiresIn = "expires_in", tokenType = "token_type"
        case scope, idToken = "id_token"
    }

    public var scopes: [String] { scope?.split(separator: " ").map(String.init) ?? [] }

    public var description: String {
        "XeroTokenSet(access: \(accessToken.count) chars, refresh: \(refreshToken.map { "\($0.count) chars" } ?? "none"), expires in \(expiresIn) s, scopes: \(scope ?? ""))"
    }
}

/// One organisation a consent covers (`GET /connections`).
public struct XeroTenantConnection: Sendable, Decodable, Equatable {
    /// The connection's own id (what `DELETE /connections/{id}` takes).
    public let id: String
    /// The organisation: what `xero-tenant-id` carries.
    public let tenantId: String
    public let tenantType: String
    public let tenantName: String?
}
