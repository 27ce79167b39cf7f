import Foundation
@testable import Sandbox
import Testing

/// A Cin7 sandbox driven in process, with one account unless told otherwise.
struct Cin7Harness {
    static let account = "6f1c2f0e-1d8a-4a53-9a57-0c1a2b3c4d5e"
    static let key = "test-application-key"

    let sandbox: Cin7Sandbox

    init(sampleData: Bool = true, _ tweak: (inout Cin7Configuration) -> Void = { _ in }) {
        var account = Cin7Configuration.Account(accountID: Self.account, applicationKeys: [Self.key], companyName: "Harness Pty Ltd")
        account.sampleData = sampleData
        var configuration = Cin7Configuration(accounts: [account])
        configuration.limits = .unlimited
        tweak(&configuration)
        sandbox = Cin7Sandbox(configuration: configuration)
    }

    func call(_ method: String, _ target: String, body: Any? = nil, account: String? = Self.account, key: String? = Self.key,
              rawBody: [UInt8]? = nil) async -> SandboxResponse {
        var headers: [(name: String, value: String)] = [("content-type", "application/json")]
        if let account { headers.append(("api-auth-accountid", account)) }
        if let key { headers.append(("api-auth-applicationkey", key)) }
        let bytes = rawBody ?? body.map { Array(try! JSONSerialization.data(withJSONObject: $0)) } ?? []
        return await sandbox.respond(to: SandboxRequest(method: method, target: Cin7Sandbox.basePath + "/" + target, headers: headers, body: bytes))
    }

    /// A call that must answer 200 with a JSON object.
    func ok(_ method: String, _ target: String, body: Any? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let response = await call(method, target, body: body)
        #expect(response.status == 200, "\(method) \(target): \(String(decoding: response.body, as: UTF8.self))", sourceLocation: sourceLocation)
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], sourceLocation: sourceLocation)
    }

    /// The Error Model elements of a failed call, after checking its status and shape.
    func failure(_ method: String, _ target: String, body: Any? = nil, rawBody: [UInt8]? = nil, status: Int,
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String] {
        let response = await call(method, target, body: body, rawBody: rawBody)
        #expect(response.status == status, "\(method) \(target): \(String(decoding: response.body, as: UTF8.self))", sourceLocation: sourceLocation)
        return try Self.errorMessages(response, status: status, sourceLocation: sourceLocation)
    }

    static func errorMessages(_ response: SandboxResponse, status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let elements = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]], sourceLocation: sourceLocation)
        #expect(!elements.isEmpty, sourceLocation: sourceLocation)
        for element in elements {
            #expect(Set(element.keys) == ["ErrorCode", "Exception"], sourceLocation: sourceLocation)
            #expect(element["ErrorCode"] as? Int == status, sourceLocation: sourceLocation)
        }
        return elements.compactMap { $0["Exception"] as? String }
    }

    nonisolated(unsafe) static let customer: [String: Any] = ["Status": "Active", "Currency": "AUD", "PaymentTerm": "30 days", "AccountReceivable": "610",
                                          "RevenueAccount": "200", "TaxRule": "GST on Income"]

    static func customer(_ name: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        customer.merging(["Name": name]) { $1 }.merging(extra) { $1 }
    }

    static func product(_ sku: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        ["SKU": sku, "Name": "Product \(sku)", "Category": "General", "Type": "Stock", "CostingMethod": "FIFO", "UOM": "Item",
         "Status": "Active"].merging(extra) { $1 }
    }
}

extension [String: Any] {
    func list(_ key: String) -> [[String: Any]] {
        self[key] as? [[String: Any]] ?? []
    }
}
