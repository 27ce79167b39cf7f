import AsyncHTTPClient
@testable import Connectors
import Foundation
import HTTPServer
import Logging
import Sandbox
import XCTest

/// The identity client against the Xero sandbox on a real socket: the whole
/// consent → code → tokens → connections → refresh → revoke path, and the
/// errors a connection's owner has to act on.
final class XeroIdentityClientTests: XCTestCase {
    static let redirect = "http://127.0.0.1:9/callback"
    var server: HTTPServer!
    var endpoints: XeroEndpoints!
    let organisations = [XeroIdentityConfiguration.Organisation(tenantID: UUID(), name: "First Org"),
                         XeroIdentityConfiguration.Organisation(tenantID: UUID(), name: "Second Org")]

    override func setUp() async throws {
        var identity = XeroIdentityConfiguration(clientID: "client-1", clientSecret: "secret-1", organisations: organisations, userID: UUID())
        identity.refreshGracePeriod = .seconds(60)
        let sandbox = XeroSandbox(configuration: .init(identity: identity))
        server = try await HTTPServer.start(configuration: .init(host: "127.0.0.1", port: 0),
                                            handler: SandboxHTTPHandler(api: SandboxFrontDoor(api: sandbox, seed: 1)), logger: Logger(label: "test"))
        let base = "http://127.0.0.1:\(server.localPort)"
        endpoints = XeroEndpoints(loginURL: base, identityURL: base, apiURL: base, clientID: "client-1", clientSecret: "secret-1")
    }

    override func tearDown() async throws {
        await server?.shutdown(gracePeriod: .seconds(1))
    }

    /// The user's side: open the authorize URL, read the code and state from the redirect.
    func consent(_ url: String) async throws -> (code: String, state: String) {
        let browser = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = browser.shutdown() }
        let response = try await browser.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        XCTAssertEqual(response.status.code, 302)
        let location = try XCTUnwrap(response.headers.first(name: "location"))
        let items = URLComponents(string: location)?.queryItems ?? []
        return (try XCTUnwrap(items.first { $0.name == "code" }?.value), try XCTUnwrap(items.first { $0.name == "state" }?.value))
    }

    func testTheWholeFlowWithRotationAndRevocation() async throws {
        let client = XeroIdentityClient(endpoints: endpoints)
        let pkce = PKCE.generate()
        let url = client.authorizationURL(redirectURI: Self.redirect, scopes: XeroScopeSet.granular.scopes, state: "state-123", pkce: pkce)
        XCTAssertTrue(url.contains("code_challenge=\(pkce.challenge)") && url.contains("code_challenge_method=S256"))
        let (code, state) = try await consent(url)
        XCTAssertEqual(state, "state-123")

        let tokens = try await client.exchange(code: code, verifier: pkce.verifier, redirectURI: Self.redirect)
        XCTAssertTrue(tokens.scopes.contains("offline_access"))
        XCTAssertFalse(tokens.description.contains(tokens.accessToken), "descriptions never show a token")
        let connections = try await client.connections(accessToken: tokens.accessToken)
        XCTAssertEqual(Set(connections.map(\.tenantName)), ["First Org", "Second Org"])
        XCTAssertEqual(Set(connections.map(\.tenantId)), Set(organisations.map { $0.tenantID.uuidString.lowercased() }))

        // Rotation: a new refresh token each time; the previous one still works within the grace period.
        let first = try XCTUnwrap(tokens.refreshToken)
        let rotated = try await client.refresh(refreshToken: first)
        XCTAssertNotEqual(rotated.refreshToken, first)
        let again = try await client.refresh(refreshToken: first)
        XCTAssertNotNil(again.refreshToken, "a lost answer can be retried with the previous token")

        try await client.revoke(refreshToken: try XCTUnwrap(again.refreshToken))
        do {
            _ = try await client.refresh(refreshToken: try XCTUnwrap(again.refreshToken))
            XCTFail("a revoked refresh token refreshed")
        } catch {
            XCTAssertEqual(error as? XeroIdentityError, .invalidGrant)
        }
        do {
            _ = try await client.connections(accessToken: "not-a-token")
            XCTFail("a bad access token listed connections")
        } catch {
            XCTAssertEqual(error, .unauthorized)
        }
    }

    /// Both families reach Xero's consent page and come back granted, as asked.
    func testGranularAndBroadScopesAreBothGranted() async throws {
        let client = XeroIdentityClient(endpoints: endpoints)
        for family in [XeroScopeSet.granular, .broad] {
            let pkce = PKCE.generate()
            let url = client.authorizationURL(redirectURI: Self.redirect, scopes: family.scopes, state: "s", pkce: pkce)
            let scope = URLComponents(string: url)?.queryItems?.first { $0.name == "scope" }?.value
            XCTAssertEqual(scope, family.description)
            let (code, _) = try await consent(url)
            let tokens = try await client.exchange(code: code, verifier: pkce.verifier, redirectURI: Self.redirect)
            XCTAssertEqual(tokens.scopes, family.scopes)
            // The access token says the same of itself (what StoreCredentials reads when given no scopes).
            XCTAssertEqual(XeroAccessTokenClaims(token: tokens.accessToken)?.scopes, family.scopes)
            let expiry = try XCTUnwrap(XeroAccessTokenClaims(token: tokens.accessToken)?.expiresAt)
            XCTAssertEqual(expiry.timeIntervalSinceNow, TimeInterval(tokens.expiresIn), accuracy: 5)
        }
        XCTAssertNil(XeroAccessTokenClaims(token: "opaque-token"))
    }

    func testWrongVerifierAndReusedCodeAreInvalidGrant() async throws {
        let client = XeroIdentityClient(endpoints: endpoints)
        let pkce = PKCE.generate()
        let (code, _) = try await consent(client.authorizationURL(redirectURI: Self.redirect, scopes: ["offline_access", "accounting.contacts"],
                                                                   state: "s", pkce: pkce))
        do {
            _ = try await client.exchange(code: code, verifier: PKCE.generate().verifier, redirectURI: Self.redirect)
            XCTFail("a wrong verifier was accepted")
        } catch {
            XCTAssertEqual(error, .invalidGrant)
        }
    }

    func testWrongAppCredentialsAreInvalidClientAndAnUnreachableHostIsTransport() async throws {
        var wrong = endpoints!
        wrong.clientSecret = "not-the-secret"
        do {
            _ = try await XeroIdentityClient(endpoints: wrong).refresh(refreshToken: "whatever")
            XCTFail("wrong credentials refreshed")
        } catch {
            XCTAssertEqual(error, .invalidClient)
        }
        let nowhere = XeroEndpoints(loginURL: "http://127.0.0.1:9", identityURL: "http://127.0.0.1:9", apiURL: "http://127.0.0.1:9",
                                    clientID: "c", clientSecret: "s")
        do {
            _ = try await XeroIdentityClient(endpoints: nowhere, timeout: .seconds(2)).refresh(refreshToken: "x")
            XCTFail("an unreachable host answered")
        } catch {
            guard case .transport = error else { return XCTFail("\(error)") }
            XCTAssertFalse(error.description.contains("secret"))
        }
    }

    func testPKCEChallengeIsTheRFCExample() {
        // RFC 7636 appendix B.
        XCTAssertEqual(PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        XCTAssertEqual(PKCE.generate().verifier.count, 43)
        XCTAssertEqual(XeroIdentityClient.formEncoded(["b": "a b+c", "a": "x/y"]), "a=x%2Fy&b=a%20b%2Bc")
    }
}
