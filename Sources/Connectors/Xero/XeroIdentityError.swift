import Foundation

/// Why a call to Xero's identity service failed, in terms a caller acts on.
/// No token or secret is ever part of it.
public enum XeroIdentityError: Error, Equatable, CustomStringConvertible {
    /// `invalid_grant`: the code or refresh token is used, expired or revoked; the user must consent again.
    case invalidGrant
    /// `invalid_client`: the app's credentials are wrong (configuration, not the tenant).
    case invalidClient
    /// Unauthorised with a bearer token (401): the access token is expired or revoked.
    case unauthorized
    /// Another answer Xero should not give, with its status and error code if any.
    case unexpected(status: Int, error: String?)
    /// No answer: connection refused, reset, timed out. Whether the server acted is unknown.
    case transport(String)

    public var description: String {
        switch self {
        case .invalidGrant: "Xero refused the grant (invalid_grant): the connection needs a new consent"
        case .invalidClient: "Xero refused the app's credentials (invalid_client)"
        case .unauthorized: "Xero refused the access token (401)"
        case .unexpected(let status, let error): "Xero answered \(status)\(error.map { " (\($0))" } ?? "")"
        case .transport(let why): "Xero could not be reached: \(why)"
        }
    }
}
