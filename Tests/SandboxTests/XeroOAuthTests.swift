import Cryptography
import Foundation
@testable import Sandbox
import Testing

/// The Xero sandbox's OAuth 2.0 flow, driven in process.
@Suite struct XeroOAuthTests {
    static let redirect = "http://127.0.0.1:5000/callback"
    static let orgs = [XeroIdentityConfiguration.Organisation(tenantID: UUID(), name: "Demo Company (NZ)"),
                       XeroIdentityConfiguration.Organisation(tenantID: UUID(), name: "Second Org Ltd")]

    func sandbox(secret: String? = "SECRET", _ tweak: (inout XeroIdentityConfiguration) -> Void = { _ in }) -> XeroSandbox {
        var identity = XeroIdentityConfiguration(clientID: "CID", clientSecret: secret, organisations: Self.orgs)
        tweak(&identity)
        return XeroSandbox(configuration: .init(identity: identity))
    }

    func call(_ sandbox: XeroSandbox, _ method: String, _ target: String, headers: [(String, String)] = [], form: [String: String]? = nil) async -> SandboxResponse {
        let body = form.map { fields in fields.map { "\($0.key)=\(FormEncoding.encode($0.value))" }.joined(separator: "&") } ?? ""
        return await sandbox.respond(to: SandboxRequest(method: method, target: target, headers: headers.map { (name: $0.0, value: $0.1) }, body: Array(body.utf8)))
    }

    func json(_ response: SandboxResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// Authorize and return the code from the redirect.
    func authorize(_ sandbox: XeroSandbox, scope: String = "offline_access accounting.settings openid", challenge: String? = nil) async throws -> String {
        var target = "/identity/connect/authorize?response_type=code&client_id=CID&redirect_uri=\(FormEncoding.encode(Self.redirect))&scope=\(FormEncoding.encode(scope))&state=xyz"
        if let challenge { target += "&code_challenge=\(challenge)&code_challenge_method=S256" }
        let response = await call(sandbox, "GET", target)
        #expect(response.status == 302)
        let location = try #require(response.header("location").flatMap(URLComponents.init(string:)))
        #expect(location.queryItems?.first { $0.name == "state" }?.value == "xyz")
        return try #require(location.queryItems?.first { $0.name == "code" }?.value)
    }

    func exchange(_ sandbox: XeroSandbox, code: String, extra: [String: String] = [:], basic: Bool = true) async -> SandboxResponse {
        var form = ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect].merging(extra) { $1 }
        var headers: [(String, String)] = []
        if basic { headers.append(("authorization", "Basic " + Data("CID:SECRET".utf8).base64EncodedString())) } else { form["client_id"] = "CID" }
        return await call(sandbox, "POST", "/connect/token", headers: headers, form: form)
    }

    func refresh(_ sandbox: XeroSandbox, _ token: String, secret: String = "SECRET") async -> SandboxResponse {
        await call(sandbox, "POST", "/connect/token", form: ["grant_type": "refresh_token", "refresh_token": token, "client_id": "CID", "client_secret": secret])
    }

    @Test func codeExchangeGivesTokensAndConnectionsForEveryConsentedOrganisation() async throws {
        let sandbox = sandbox()
        let tokens = try json(await exchange(sandbox, code: try await authorize(sandbox)))
        #expect(tokens["token_type"] as? String == "Bearer")
        #expect(tokens["expires_in"] as? Int == 1800)
        #expect((tokens["access_token"] as? String)?.split(separator: ".").count == 3, "JWT-shaped")
        #expect(tokens["refresh_token"] is String)
        #expect(tokens["id_token"] is String, "openid was asked for")
        #expect(tokens["scope"] as? String == "offline_access accounting.settings openid")
        let connections = await call(sandbox, "GET", "/Connections", headers: [("authorization", "Bearer \(tokens["access_token"] as! String)")])
        #expect(connections.status == 200)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(connections.body)) as? [[String: Any]])
        #expect(Set(list.compactMap { $0["tenantName"] as? String }) == ["Demo Company (NZ)", "Second Org Ltd"])
        #expect(list.allSatisfy { ($0["createdDateUtc"] as? String)?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$"#, options: .regularExpression) != nil })
        #expect(Set(list.compactMap { $0["authEventId"] as? String }).count == 1, "one consent, one auth event")
    }

    @Test func aCodeWorksOnceAndOnlyWithItsRedirectAndClient() async throws {
        let sandbox = sandbox()
        let code = try await authorize(sandbox)
        #expect(try json(await exchange(sandbox, code: code, extra: ["redirect_uri": "http://127.0.0.1:5000/other"]))["error"] as? String == "invalid_grant")
        #expect(try json(await exchange(sandbox, code: code))["error"] as? String == "invalid_grant", "a failed exchange used the code up")
        let another = try await authorize(sandbox)
        let wrongSecret = await call(sandbox, "POST", "/connect/token", headers: [("authorization", "Basic " + Data("CID:nope".utf8).base64EncodedString())],
                                     form: ["grant_type": "authorization_code", "code": another, "redirect_uri": Self.redirect])
        #expect(wrongSecret.status == 400)
        #expect(try json(wrongSecret)["error"] as? String == "invalid_client")
        #expect(try json(await call(sandbox, "POST", "/connect/token", form: ["grant_type": "password", "client_id": "CID", "client_secret": "SECRET"]))["error"] as? String == "unsupported_grant_type")
    }

    @Test func pkceNeedsTheMatchingVerifierAndNoSecret() async throws {
        let sandbox = sandbox(secret: nil)
        let verifier = String(repeating: "v", count: 50)
        let challenge = XeroIdentityStore.base64URL(Digest.sha256(Array(verifier.utf8)))
        let code = try await authorize(sandbox, challenge: challenge)
        let bad = await exchange(sandbox, code: code, extra: ["code_verifier": String(repeating: "w", count: 50)], basic: false)
        #expect(try json(bad)["error"] as? String == "invalid_grant")
        let good = await exchange(sandbox, code: try await authorize(sandbox, challenge: challenge), extra: ["code_verifier": verifier], basic: false)
        #expect(good.status == 200)
        // Without a challenge a PKCE app cannot even start.
        let refused = await call(sandbox, "GET", "/identity/connect/authorize?response_type=code&client_id=CID&redirect_uri=\(FormEncoding.encode(Self.redirect))&scope=offline_access")
        #expect(refused.status == 500)
    }

    @Test func badClientRedirectOrScopeGetAnErrorPageNotARedirect() async throws {
        let sandbox = sandbox { $0.redirectURIs = ["https://app.example.com/cb"] }
        for target in [
            "/identity/connect/authorize?response_type=code&client_id=OTHER&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=openid",
            "/identity/connect/authorize?response_type=code&client_id=CID&redirect_uri=https%3A%2F%2Fevil.example.com%2Fcb&scope=openid",
            "/identity/connect/authorize?response_type=code&client_id=CID&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=accounting.everything",
        ] {
            let response = await call(sandbox, "GET", target)
            #expect(response.status == 500)
            #expect(response.header("location") == nil)
        }
    }

    @Test func refreshRotatesAndThePreviousTokenHasAGracePeriod() async throws {
        let sandbox = sandbox { $0.refreshGracePeriod = .milliseconds(300) }
        let first = try json(await exchange(sandbox, code: try await authorize(sandbox)))
        let rt1 = try #require(first["refresh_token"] as? String)
        let second = try json(await refresh(sandbox, rt1))
        let rt2 = try #require(second["refresh_token"] as? String)
        #expect(rt2 != rt1, "rotated")
        // Within the grace period the old token still answers (the same new tokens).
        #expect(try json(await refresh(sandbox, rt1))["refresh_token"] as? String == rt2)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try json(await refresh(sandbox, rt1))["error"] as? String == "invalid_grant")
        let third = try json(await refresh(sandbox, rt2))
        #expect(third["refresh_token"] is String)
        #expect(try json(await refresh(sandbox, rt2, secret: "wrong"))["error"] as? String == "invalid_client")
    }

    @Test func accessTokensExpireWithXerosTokenExpiredDetail() async throws {
        let sandbox = sandbox { $0.accessTokenLifetime = .milliseconds(200) }
        let tokens = try json(await exchange(sandbox, code: try await authorize(sandbox)))
        let bearer = [("authorization", "Bearer \(tokens["access_token"] as! String)")]
        #expect(await call(sandbox, "GET", "/connections", headers: bearer).status == 200)
        try await Task.sleep(for: .milliseconds(300))
        let expired = await call(sandbox, "GET", "/connections", headers: bearer)
        #expect(expired.status == 401)
        #expect((try json(expired)["Detail"] as? String)?.hasPrefix("TokenExpired: token expired at ") == true)
        #expect(await call(sandbox, "GET", "/connections", headers: [("authorization", "Bearer garbage")]).status == 401)
    }

    @Test func unusedRefreshTokensExpire() async throws {
        let sandbox = sandbox { $0.refreshTokenIdleLifetime = .milliseconds(200) }
        let tokens = try json(await exchange(sandbox, code: try await authorize(sandbox)))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try json(await refresh(sandbox, tokens["refresh_token"] as! String))["error"] as? String == "invalid_grant")
    }

    @Test func revocationEndsTheGrantAndRemovesConnections() async throws {
        let sandbox = sandbox()
        let tokens = try json(await exchange(sandbox, code: try await authorize(sandbox)))
        let refreshToken = tokens["refresh_token"] as! String
        let revoked = await call(sandbox, "POST", "/connect/revocation", headers: [("authorization", "Basic " + Data("CID:SECRET".utf8).base64EncodedString())],
                                 form: ["token": refreshToken])
        #expect(revoked.status == 200)
        #expect(try json(await refresh(sandbox, refreshToken))["error"] as? String == "invalid_grant")
        #expect(await call(sandbox, "GET", "/connections", headers: [("authorization", "Bearer \(tokens["access_token"] as! String)")]).status == 401)
        let again = try json(await exchange(sandbox, code: try await authorize(sandbox)))
        let list = await call(sandbox, "GET", "/Connections", headers: [("authorization", "Bearer \(again["access_token"] as! String)")])
        #expect(try #require(try JSONSerialization.jsonObject(with: Data(list.body)) as? [Any]).count == 2, "consent again reconnects")
    }

    @Test func deleteConnectionIs204ThenNotFound() async throws {
        let sandbox = sandbox()
        let tokens = try json(await exchange(sandbox, code: try await authorize(sandbox)))
        let bearer = [("authorization", "Bearer \(tokens["access_token"] as! String)")]
        let list = try #require(try JSONSerialization.jsonObject(with: Data(await call(sandbox, "GET", "/connections", headers: bearer).body)) as? [[String: Any]])
        let id = try #require(list.first?["id"] as? String)
        #expect(await call(sandbox, "DELETE", "/connections/\(id)", headers: bearer).status == 204)
        let gone = await call(sandbox, "DELETE", "/Connections/\(id)", headers: bearer)
        #expect(gone.status == 404)
        #expect(String(decoding: gone.body, as: UTF8.self) == "The resource you're looking for cannot be found")
    }
}
