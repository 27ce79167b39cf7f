import Foundation
@testable import Sandbox
import Testing

/// `GET /Organisation` through the whole sandbox (token, tenant, router),
/// and the lock dates it shows once set.
@Suite struct XeroOrganisationTests {
    static let tenant = UUID()

    func sandboxAndBearer() async throws -> (XeroSandbox, [(String, String)]) {
        let identity = XeroIdentityConfiguration(clientID: "CID", clientSecret: "SECRET",
                                                 organisations: [.init(tenantID: Self.tenant, name: "Kiwi Widgets Ltd")])
        let sandbox = XeroSandbox(configuration: .init(identity: identity))
        let oauth = XeroOAuthTests()
        let code = try await oauth.authorize(sandbox, scope: "offline_access accounting.settings")
        let tokens = try oauth.json(await oauth.exchange(sandbox, code: code))
        let access = try #require(tokens["access_token"] as? String)
        return (sandbox, [("authorization", "Bearer \(access)"), ("xero-tenant-id", Self.tenant.uuidString.lowercased()),
                          ("accept", "application/json")])
    }

    @Test func theOrganisationIsTheTenantAndCannotBeChanged() async throws {
        let (sandbox, headers) = try await sandboxAndBearer()
        func call(_ method: String, _ path: String) async -> SandboxResponse {
            await sandbox.respond(to: SandboxRequest(method: method, target: "/api.xro/2.0" + path, headers: headers.map { (name: $0.0, value: $0.1) }, body: []))
        }
        let response = await call("GET", "/Organisation")
        let organisation = try XeroBooksHarness.record(response, "Organisations")
        #expect(organisation["OrganisationID"] as? String == Self.tenant.uuidString.lowercased())
        #expect(organisation["Name"] as? String == "Kiwi Widgets Ltd" && organisation["BaseCurrency"] as? String == "NZD")
        #expect(organisation["Version"] as? String == "NZ" && organisation["CountryCode"] as? String == "NZ")
        #expect(organisation["Timezone"] as? String == "NEWZEALANDSTANDARDTIME" && organisation["SalesTaxBasis"] as? String == "PAYMENTS")
        #expect(organisation["PeriodLockDate"] == nil, "shown only if set")
        #expect((organisation["CreatedDateUTC"] as? String)?.hasPrefix("/Date(") == true)
        #expect(await call("POST", "/Organisation").status == 501)
        #expect(await call("PUT", "/Organisation").status == 405)
        // Every settings route answers through the gate.
        for path in ["/Accounts", "/TaxRates", "/TaxRates/OUTPUT2", "/Items", "/TrackingCategories"] {
            #expect(await call("GET", path).status == 200, "\(path)")
        }
    }

    @Test func lockDatesAreShownAsMidnightUTC() async throws {
        let books = XeroBooks(tenantID: UUID(), name: "Locked Ltd", providerName: "App")
        let noon = Date(timeIntervalSince1970: 1_703_980_800 + 43_200) // 2023-12-31T12:00:00Z
        await books.setLockDates(period: noon, endOfYear: nil)
        let organisation = try XeroBooksHarness.record(await books.getOrganisation(), "Organisations")
        #expect(organisation["PeriodLockDate"] as? String == "/Date(1703980800000+0000)/")
        #expect(organisation["EndOfYearLockDate"] == nil)
    }
}
