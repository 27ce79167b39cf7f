/// Reads `Authorization: Bearer <token>` and asks the identity store about it.
enum XeroBearer {
    static func check(_ request: SandboxRequest, store: XeroIdentityStore) async -> XeroIdentityStore.AccessCheck {
        guard let authorization = request.header("authorization"), authorization.count > 7,
              authorization.prefix(7).lowercased() == "bearer " else { return .invalid }
        return await store.check(accessToken: String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces))
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
