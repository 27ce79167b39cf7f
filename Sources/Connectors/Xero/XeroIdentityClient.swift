import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Xero's OAuth 2.0 identity service as an app uses it: the authorize URL,
/// code exchange (PKCE), refresh, revocation and the connections list.
/// Base URLs come from `XeroEndpoints`, so the same code talks to Xero or to
/// the sandbox.
public struct XeroIdentityClient: Sendable {
    public let endpoints: XeroEndpoints
    let client: HTTPClient
    let timeout: TimeAmount

    public init(endpoints: XeroEndpoints, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(20)) {
        self.endpoints = endpoints
        self.client = client
        self.timeout = timeout
    }

    /// Where to send the user: Xero's consent page for this app, state and PKCE challenge.
    public func authorizationURL(redirectURI: String, scopes: [String], state: String, pkce: PKCE) -> String {
        var components = URLComponents(string: endpoints.loginURL + "/identity/connect/authorize")!
        components.queryItems = [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: endpoints.clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI), URLQueryItem(name: "scope", value: scopes.joined(separator: " ")),
            URLQueryItem(name: "state", value: state), URLQueryItem(name: "code_challenge", value: pkce.challenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        // URLComponents leaves '+' alone in queries; Xero reads it as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string!
    }

    public func exchange(code: String, verifier: String, redirectURI: String) async throws(XeroIdentityError) -> XeroTokenSet {
        try await tokenRequest(["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI, "code_verifier": verifier])
    }

    /// Rotates: the answer carries a new refresh token; the old one stays usable only for Xero's grace period.
    public func refresh(refreshToken: String) async throws(XeroIdentityError) -> XeroTokenSet {
        try await tokenRequest(["grant_type": "refresh_token", "refresh_token": refreshToken])
    }

    /// Revokes the refresh token (and with it the user's connections for this app).
    public func revoke(refreshToken: String) async throws(XeroIdentityError) {
        let (status, body) = try await post(endpoints.identityURL + "/connect/revocation", form: ["token": refreshToken])
        guard (200..<300).contains(status) else { throw Self.failure(status, body) }
    }

    public func connections(accessToken: String) async throws(XeroIdentityError) -> [XeroTenantConnection] {
        var request = HTTPClientRequest(url: endpoints.apiURL + "/connections")
        request.headers.add(name: "authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "accept", value: "application/json")
        let (status, body) = try await execute(request)
        guard status == 200 else { throw status == 401 ? .unauthorized : Self.failure(status, body) }
        do { return try JSONDecoder().decode([XeroTenantConnection].self, from: Data(body)) } catch {
            throw .unexpected(status: status, error: "the connections list was not understood")
        }
    }

    // MARK: wire

    private func tokenRequest(_ form: [String: String]) async throws(XeroIdentityError) -> XeroTokenSet {
        let (status, body) = try await post(endpoints.identityURL + "/connect/token", form: form)
        guard status == 200 else { throw Self.failure(status, body) }
        do { return try JSONDecoder().decode(XeroTokenSet.self, from: Data(body)) } catch {
            throw .unexpected(status: status, error: "the token response was not understood")
        }
    }

    /// A form POST with the app's credentials: HTTP Basic when it has a secret, `client_id` in the form when not (PKCE-only apps).
    private func post(_ url: String, form: [String: String]) async throws(XeroIdentityError) -> (Int, [UInt8]) {
        var fields = form
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        if let secret = endpoints.clientSecret {
            let credentials = Data("\(endpoints.clientID):\(secret)".utf8).base64EncodedString()
            request.headers.add(name: "authorization", value: "Basic \(credentials)")
        } else {
            fields["client_id"] = endpoints.clientID
        }
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: Self.formEncoded(fields)))
        return try await execute(request)
    }

    private func execute(_ request: HTTPClientRequest) async throws(XeroIdentityError) -> (Int, [UInt8]) {
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Array(buffer: body))
        } catch {
            // The error's text may quote the URL but never a form body: no secret in it.
            throw .transport(String(describing: type(of: error)) + ": " + String(describing: error).prefix(200))
        }
    }

    static func formEncoded(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.sorted { $0.key < $1.key }.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }

    static func failure(_ status: Int, _ body: [UInt8]) -> XeroIdentityError {
        let error = ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["error"] as? String
        switch (status, error) {
        case (_, "invalid_grant"): return .invalidGrant
        case (_, "invalid_client"): return .invalidClient
        case (401, _): return .unauthorized
        default: return .unexpected(status: status, error: error)
        }
    }
}
