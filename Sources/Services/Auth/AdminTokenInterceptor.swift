import Cryptography
import Foundation
import RPC

/// Until principals exist (the onboarding issue), every call to a protected
/// service needs `authorization: Bearer <admin token>`.
public struct AdminTokenInterceptor: RPCInterceptor {
    let token: String?
    /// Services callable without a token (diagnostics, health, reflection).
    let openServices: Set<String>

    public init(token: String?, openServices: Set<String>) {
        self.token = token
        self.openServices = openServices
    }

    public func intercept(_ context: RPCContext, next: () async throws -> Void) async throws {
        let service = context.method.split(separator: "/").first.map(String.init) ?? ""
        if openServices.contains(service) { return try await next() }
        guard let token, !token.isEmpty else {
            throw RPCError(.unauthenticated, "no admin token is configured on this server (LEDGERBRIDGE_ADMIN_TOKEN)")
        }
        guard let header = context.metadata("authorization"), header.hasPrefix("Bearer "),
              HMAC.constantTimeEquals(Array(header.dropFirst(7).utf8), Array(token.utf8)) else {
            throw RPCError(.unauthenticated, "missing or invalid bearer token")
        }
        try await next()
    }
}
