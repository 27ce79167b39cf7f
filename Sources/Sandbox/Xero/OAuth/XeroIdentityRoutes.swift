import Cryptography
import Foundation

/// The identity endpoints of Xero's three hosts, on the sandbox's one port:
/// login.xero.com `/identity/connect/authorize`, identity.xero.com
/// `/connect/token` and `/connect/revocation`, api.xero.com `/Connections`.
struct XeroIdentityRoutes: Sendable {
    let store: XeroIdentityStore

    func register(in router: inout SandboxRouter) {
        router.add("GET", "/identity/connect/authorize") { await authorize($0) }
        router.add("POST", "/connect/token") { await token($0) }
        router.add("POST", "/connect/revocation") { await revoke($0) }
        router.add("GET", "/connections") { await listConnections($0) }
        router.add("DELETE", "/connections/{id}") { await deleteConnection($0) }
    }

    // MARK: login.xero.com

    /// Consent is given at once for the configured user; the browser is sent
    /// back with `code` and `state`. Bad client, redirect URI or scope get
    /// Xero's error page, never a redirect (an attacker's URI must not get codes).
    func authorize(_ request: SandboxRequest) async -> SandboxResponse {
        let query = request.query
        let configuration = store.configuration
        guard query["client_id"] == configuration.clientID else { return errorPage("unauthorized_client") }
        guard let redirectURI = query["redirect_uri"], configuration.accepts(redirectURI: redirectURI) else {
            return errorPage("invalid redirect_uri")
        }
        guard query["response_type"] == "code" else { return errorPage("unsupported_response_type") }
        let scopes = (query["scope"] ?? "").split(separator: " ").map(String.init)
        guard !scopes.isEmpty, scopes.allSatisfy(XeroScopes.isKnown) else { return errorPage("invalid_scope") }
        var challenge: String?
        if let codeChallenge = query["code_challenge"] {
            guard query["code_challenge_method"] == "S256", codeChallenge.count == 43 else { return errorPage("invalid_request: code_challenge_method must be S256") }
            challenge = codeChallenge
        } else if configuration.clientSecret == nil {
            return errorPage("invalid_request: a PKCE app must send code_challenge")
        }
        let code = await store.issueCode(clientID: configuration.clientID, redirectURI: redirectURI, scopes: scopes, codeChallenge: challenge)
        var location = redirectURI + (redirectURI.contains("?") ? "&" : "?") + "code=" + FormEncoding.encode(code)
        if let state = query["state"] { location += "&state=" + FormEncoding.encode(state) }
        if scopes.contains("openid") { location += "&scope=" + FormEncoding.encode(scopes.joined(separator: " ")) }
        return .empty(302, headers: [("location", location)])
    }

    private func errorPage(_ reason: String) -> SandboxResponse {
        .text(500, "<html><body><h1>Sorry, something went wrong</h1><p>Error: \(reason)</p></body></html>", contentType: "text/html; charset=utf-8")
    }

    // MARK: identity.xero.com

    func token(_ request: SandboxRequest) async -> SandboxResponse {
        let form = request.formFields
        do {
            let clientID = try authenticateClient(request, form: form)
            switch form["grant_type"] {
            case "authorization_code":
                guard let code = form["code"] else { throw XeroIdentityStore.TokenError.invalidRequest("code is required") }
                return .json(200, try await store.exchange(code: code, redirectURI: form["redirect_uri"], clientID: clientID, codeVerifier: form["code_verifier"]))
            case "refresh_token":
                guard let token = form["refresh_token"] else { throw XeroIdentityStore.TokenError.invalidRequest("refresh_token is required") }
                return .json(200, try await store.refresh(token: token, clientID: clientID))
            default:
                throw XeroIdentityStore.TokenError.unsupportedGrantType
            }
        } catch let error as XeroIdentityStore.TokenError {
            return .json(400, object: error.body)
        } catch {
            return .json(400, object: XeroIdentityStore.TokenError.invalidGrant.body)
        }
    }

    func revoke(_ request: SandboxRequest) async -> SandboxResponse {
        let form = request.formFields
        do {
            let clientID = try authenticateClient(request, form: form)
            guard let token = form["token"] else { return .json(400, object: XeroIdentityStore.TokenError.invalidRequest("token is required").body) }
            try await store.revoke(token: token, clientID: clientID)
            return .empty(200)
        } catch let error as XeroIdentityStore.TokenError {
            return .json(400, object: error.body)
        } catch {
            return .json(400, object: XeroIdentityStore.TokenError.invalidClient.body)
        }
    }

    /// HTTP Basic or `client_id`/`client_secret` in the form (the Python SDK's
    /// way). A PKCE app has no secret and sends only `client_id`.
    private func authenticateClient(_ request: SandboxRequest, form: QueryParameters) throws -> String {
        let configuration = store.configuration
        var id = form["client_id"], secret = form["client_secret"]
        if let authorization = request.header("authorization"), authorization.lowercased().hasPrefix("basic "),
           let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
           let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":") {
            id = String(pair[..<colon])
            secret = String(pair[pair.index(after: colon)...])
        }
        guard id == configuration.clientID else { throw XeroIdentityStore.TokenError.invalidClient }
        if let expected = configuration.clientSecret {
            guard let secret, HMAC.constantTimeEquals(Array(secret.utf8), Array(expected.utf8)) else { throw XeroIdentityStore.TokenError.invalidClient }
        } else {
            // A PKCE app has no secret: one sent is wrong.
            guard secret == nil || secret == "" else { throw XeroIdentityStore.TokenError.invalidClient }
        }
        return configuration.clientID
    }

    // MARK: api.xero.com/Connections

    func listConnections(_ request: SandboxRequest) async -> SandboxResponse {
        let clientID: String
        switch await XeroBearer.caller(request, store: store) {
        case .success(let grant): clientID = grant.clientID
        case .failure(let failure): return failure.response
        }
        var eventFilter: UUID?
        if let raw = request.query["authEventId"] {
            guard let id = UUID(uuidString: raw) else { return XeroProblem.badRequest("authEventId must be a UUID") }
            eventFilter = id
        }
        let list = await store.connections(clientID: clientID, authEventID: eventFilter).map { connection -> [String: Any] in
            [
                "id": connection.id.uuidString.lowercased(), "tenantId": connection.tenantID.uuidString.lowercased(),
                "authEventId": connection.authEventID.uuidString.lowercased(), "tenantType": "ORGANISATION",
                "tenantName": connection.tenantName,
                "createdDateUtc": XeroDateFormat.connectionDate(connection.createdAt),
                "updatedDateUtc": XeroDateFormat.connectionDate(connection.updatedAt),
            ]
        }
        return .json(200, object: list)
    }

    func deleteConnection(_ request: SandboxRequest) async -> SandboxResponse {
        let clientID: String
        switch await XeroBearer.caller(request, store: store) {
        case .success(let grant): clientID = grant.clientID
        case .failure(let failure): return failure.response
        }
        guard let id = UUID(uuidString: request.parameter("id")), await store.deleteConnection(id: id, clientID: clientID) else {
            return XeroProblem.notFound()
        }
        return .empty(204)
    }
}

enum FormEncoding {
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
