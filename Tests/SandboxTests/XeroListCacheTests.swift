import Foundation
@testable import Sandbox
import Testing

/// List answers come from a cache while the table is unchanged, and never after a change.
@Suite struct XeroListCacheTests {
    func names(_ response: SandboxResponse) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return (object["Contacts"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
    }

    @Test func aWriteInvalidatesTheCachedPage() async throws {
        let books = XeroBooks(tenantID: UUID(), name: "Cache Ltd", providerName: "Test")
        let list = SandboxRequest(method: "GET", target: "/api.xro/2.0/Contacts?page=1", headers: [], body: [])
        #expect(try names(await books.listContacts(list)).isEmpty)
        let first = try names(await books.listContacts(list))
        let put = SandboxRequest(method: "PUT", target: "/api.xro/2.0/Contacts", headers: [],
                                 body: Array(#"{"Contacts":[{"Name":"Fresh Co"}]}"#.utf8))
        #expect(await books.saveContacts(put, createOnly: true).status == 200)
        #expect(try names(await books.listContacts(list)) == first + ["Fresh Co"])
        // Another query of the same table is its own entry.
        let other = SandboxRequest(method: "GET", target: "/api.xro/2.0/Contacts?page=2", headers: [], body: [])
        #expect(try names(await books.listContacts(other)).isEmpty)
        // Each answer still has its own envelope id.
        let a = try #require(try JSONSerialization.jsonObject(with: Data(await books.listContacts(list).body)) as? [String: Any])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(await books.listContacts(list).body)) as? [String: Any])
        #expect(a["Id"] as? String != b["Id"] as? String)
        #expect(UUID(uuidString: a["Id"] as? String ?? "") != nil)
    }
}
