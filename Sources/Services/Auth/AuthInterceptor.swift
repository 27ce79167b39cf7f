import Cryptography
import Foundation
import RPC

/// Every call outside the open services needs `authorization: Bearer <key>`:
/// an API key (`lb_…`) or, while set, `LEDGERBRIDGE_ADMIN_TOKEN` (a bootstrap
/// operator). The principal is resolved once and travels with the call as
/// `Principal.current`.
public struct AuthInterceptor: RPCInterceptor {
    let bootstrapToken: String?
    let directory: PrincipalDirectory?
    /// Services callable without a key (diagnostics, health, reflection).
    let openServices: Set<String>

    public init(bootstrapToken: String?, directory: PrincipalDirectory?, openServices: Set<String>) {
        self.bootstrapToken = bootstrapToken.flatMap { $0.isEmpty ? nil : $0 }
        self.directory = directory
        self.openServices = openServices
    }

    public func intercept(_ context: RPCContext, next: () async throws -> Void) async throws {
        let service = context.method.split(separator: "/").first.map(String.init) ?? ""
        if openServices.contains(service) { return try await next() }
        guard let header = context.metadata("authorization"), header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw RPCError(.unauthenticated, "this call needs authorization: Bearer <API key>")
        }
        let presented = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let principal: Principal?
        if let bootstrapToken, HMAC.constantTimeEquals(Array(presented.utf8), Array(bootstrapToken.utf8)) {
            principal = .bootstrapOperator
        } else if let directory {
            principal = try await directory.resolve(token: presented)
        } else {
            principal = nil
        }
        // One message for every way a key can be wrong: nothing to probe.
        guard let principal else { throw RPCError(.unauthenticated, "invalid or revoked API key") }
        try await Principal.$current.withValue(principal) { try await next() }
    }
}
