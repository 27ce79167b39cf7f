/// Reads `Authorization: Bearer <token>` and asks the identity store about it.
enum XeroBearer {
    static func check(_ request: SandboxRequest, store: XeroIdentityStore) async -> XeroIdentityStore.AccessCheck {
        guard let token = token(in: request) else { return .invalid }
        // A token already found valid, not yet expired, with nothing changed since: no actor hop.
        if let grant = store.grants.grant(for: token) { return .valid(grant) }
        return await store.check(accessToken: token)
    }

    /// The token after "Bearer ", spaces around it dropped. Byte-wise: Foundation's
    /// trimming of a 600-character JWT was 15% of a sandbox GET's CPU.
    static func token(in request: SandboxRequest) -> String? {
        guard let header = request.header("authorization") else { return nil }
        let bytes = header.utf8
        guard bytes.count > 7, bytes.prefix(7).map({ $0 | 0x20 }) == Array("bearer ".utf8) else { return nil }
        var token = bytes.dropFirst(7)
        while token.first == UInt8(ascii: " ") { token = token.dropFirst() }
        while token.last == UInt8(ascii: " ") { token = token.dropLast() }
        return token.isEmpty ? nil : String(decoding: token, as: UTF8.self)
    }

    /// The caller, or the 401 Xero gives for a missing, unknown or expired token.
    static func caller(_ request: SandboxRequest, store: XeroIdentityStore) async -> Result<XeroIdentityStore.Grant, Failure> {
        switch await check(request, store: store) {
        case .valid(let grant): .success(grant)
        case .expired(let date): .failure(Failure(response: XeroProblem.tokenExpired(at: date)))
        case .invalid: .failure(Failure(response: XeroProblem.unauthorized(detail: "AuthenticationUnsuccessful")))
        }
    }

    struct Failure: Error {
        let response: SandboxResponse
    }
}
