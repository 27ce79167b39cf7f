import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Cin7 Core's API v2 as a tenant's account is called: the two credential
/// headers on every request, base URL from configuration (the real service
/// or the sandbox).
public struct Cin7Client: Sendable {
    public struct Credentials: Sendable {
        public let accountID: String
        let applicationKey: String

        public init(accountID: String, applicationKey: String) {
            self.accountID = accountID
            self.applicationKey = applicationKey
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// 403: the Account ID and Application Key do not match an API application.
        case invalidCredentials
        /// 429 or 503 with Retry-After: the account's 60 calls a minute are used up.
        case rateLimited(retryAfterSeconds: Int?)
        case unexpected(status: Int)
        case transport(String)

        public var description: String {
            switch self {
            case .invalidCredentials: "Cin7 Core refused the Account ID and Application Key (403)"
            case .rateLimited(let seconds): "Cin7 Core's rate limit was reached\(seconds.map { "; retry after \($0) s" } ?? "")"
            case .unexpected(let status): "Cin7 Core answered \(status)"
            case .transport(let why): "Cin7 Core could not be reached: \(why)"
            }
        }
    }

    /// The company behind the credentials (`GET /me`).
    public struct Company: Sendable, Decodable, Equatable {
        public let Company: String
        public let Currency: String
    }

    /// https://inventory.dearsystems.com by default; the API lives under /ExternalApi/v2.
    public let baseURL: String
    let client: HTTPClient
    let timeout: TimeAmount

    public init(baseURL: String = "https://inventory.dearsystems.com", client: HTTPClient = .shared, timeout: TimeAmount = .seconds(30)) {
        var base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        // Accept the API root as well as the host.
        if base.lowercased().hasSuffix("/externalapi/v2") { base = String(base.dropLast("/ExternalApi/v2".count)) }
        self.baseURL = base
        self.client = client
        self.timeout = timeout
    }

    /// A real call that proves the credentials (and names the company) before anything is stored.
    public func verify(_ credentials: Credentials) async throws(Failure) -> Company {
        let (status, headers, body) = try await get("me", credentials)
        switch status {
        case 200:
            do { return try JSONDecoder().decode(Company.self, from: Data(body)) } catch { throw .unexpected(status: status) }
        case 401, 403: throw .invalidCredentials
        case 429, 503: throw .rateLimited(retryAfterSeconds: headers.first(name: "retry-after").flatMap(Self.seconds))
        default: throw .unexpected(status: status)
        }
    }

    func get(_ endpoint: String, _ credentials: Credentials) async throws(Failure) -> (Int, HTTPHeaders, [UInt8]) {
        var request = HTTPClientRequest(url: "\(baseURL)/ExternalApi/v2/\(endpoint)")
        request.headers.add(name: "api-auth-accountid", value: credentials.accountID)
        request.headers.add(name: "api-auth-applicationkey", value: credentials.applicationKey)
        request.headers.add(name: "accept", value: "application/json")
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), response.headers, Array(buffer: body))
        } catch {
            throw .transport(String(describing: type(of: error)))
        }
    }

    /// "60" or "60 Seconds" (both seen from Cin7).
    static func seconds(_ text: String) -> Int? {
        Int(text.split(separator: " ").first.map(String.init) ?? "")
    }
}
