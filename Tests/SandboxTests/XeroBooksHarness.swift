import Foundation
@testable import Sandbox
import Testing

/// Calls an organisation's books directly, past the gate (token, tenant,
/// limits): the gate has its own tests; these are about the entities.
struct XeroBooksHarness {
    let books: XeroBooks

    init(tenantID: UUID = UUID()) {
        books = XeroBooks(tenantID: tenantID, name: "Harness Ltd", providerName: "Harness App")
    }

    static func request(_ method: String, _ target: String, _ body: Any? = nil) -> SandboxRequest {
        let bytes = body.map { Array(try! JSONSerialization.data(withJSONObject: $0)) } ?? []
        return SandboxRequest(method: method, target: target, headers: [("accept", "application/json")], body: bytes)
    }

    static func object(_ response: SandboxResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// The records of a success envelope.
    static func records(_ response: SandboxResponse, _ collection: String) throws -> [[String: Any]] {
        try #require(try object(response)[collection] as? [[String: Any]], "\(String(decoding: response.body, as: UTF8.self))")
    }

    /// The one record of a success envelope.
    static func record(_ response: SandboxResponse, _ collection: String) throws -> [String: Any] {
        let list = try records(response, collection)
        try #require(list.count == 1, "\(String(decoding: response.body, as: UTF8.self))")
        return list[0]
    }

    /// Every validation message of a 400.
    static func messages(_ response: SandboxResponse) throws -> [String] {
        #expect(response.status == 400, "\(String(decoding: response.body, as: UTF8.self))")
        let elements = try #require(try object(response)["Elements"] as? [[String: Any]])
        return elements.flatMap { ($0["ValidationErrors"] as? [[String: Any]] ?? []).compactMap { $0["Message"] as? String } }
    }

    static func text(_ response: SandboxResponse) -> String {
        String(decoding: response.body, as: UTF8.self)
    }

    // MARK: shortcuts

    func putAccount(_ body: [String: Any]) async -> SandboxResponse {
        await books.createAccount(Self.request("PUT", "/api.xro/2.0/Accounts", body))
    }

    func postAccount(_ id: String, _ body: [String: Any]) async -> SandboxResponse {
        await books.updateAccount(Self.request("POST", "/api.xro/2.0/Accounts/\(id)", ["Accounts": [body]]), key: id)
    }

    func account(code: String) async throws -> [String: Any] {
        let list = try Self.records(await books.listAccounts(Self.request("GET", "/api.xro/2.0/Accounts?where=Code%3D%3D%22\(code)%22")), "Accounts")
        return try #require(list.first)
    }

    func putItems(_ items: [[String: Any]], query: String = "") async -> SandboxResponse {
        await books.saveItems(Self.request("PUT", "/api.xro/2.0/Items\(query)", ["Items": items]), createOnly: true)
    }

    func postItems(_ items: [[String: Any]], query: String = "") async -> SandboxResponse {
        await books.saveItems(Self.request("POST", "/api.xro/2.0/Items\(query)", ["Items": items]), createOnly: false)
    }

    func taxRates(_ method: String, _ rates: [[String: Any]]) async -> SandboxResponse {
        await books.saveTaxRates(Self.request(method, "/api.xro/2.0/TaxRates", ["TaxRates": rates]), createOnly: method == "PUT")
    }
}
