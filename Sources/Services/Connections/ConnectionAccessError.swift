import Foundation

/// Why a connection's credentials could not be handed to a sync, in terms the
/// scheduler acts on: `needsReauth` pauses the tenant's syncs until someone
/// consents again; `unavailable` is worth a retry later; `tokenRejected` means
/// Xero refused even a freshly refreshed token. No secret is ever part of it.
public struct ConnectionAccessError: Error, Equatable, CustomStringConvertible {
    /// Extensible: new codes do not break callers that switch with a default.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case notFound = "not_found", notConnected = "not_connected", needsReauth = "needs_reauth"
            case tokenRejected = "token_rejected", unavailable
        }

        private let base: Base

        /// No such connection in this tenant.
        public static let notFound = Code(base: .notFound)
        /// Not a connection of that provider, or not connected (pending, revoked, error).
        public static let notConnected = Code(base: .notConnected)
        /// The provider refused the stored grant: a new consent is needed.
        public static let needsReauth = Code(base: .needsReauth)
        /// Xero answered 401 to a token refreshed just before (after exactly one refresh).
        public static let tokenRejected = Code(base: .tokenRejected)
        /// The provider or the database could not be reached; try again later.
        public static let unavailable = Code(base: .unavailable)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let connectionID: UUID
    public let message: String

    public init(_ code: Code, connection: UUID, _ message: String) {
        self.code = code
        self.connectionID = connection
        self.message = message
    }

    public var description: String { "connection \(connectionID.uuidString.lowercased()): \(message) (\(code))" }
}

/// What the body of `withXero` throws when Xero answers 401 to its call: the
/// token is refreshed once and the body run once more.
public struct XeroTokenRejected: Error, Equatable {
    public init() {}
}
