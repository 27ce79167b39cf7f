import Foundation
@testable import Sandbox
import Testing

/// Creates and updates: the list wrapper they answer with, what they validate,
/// what they keep.
@Suite struct Cin7WriteTests {
    @Test func writesAnswerWithTheOneRecordListWrapper() async throws {
        let harness = Cin7Harness()
        let cases: [(String, String, [String: Any])] = [
            ("customer", "CustomerList", Cin7Harness.customer("Wrapper Co")),
            ("supplier", "SupplierList", ["Name": "Wrapper Supplies", "Status": "Active", "Currency": "NZD", "PaymentTerm": "7 days",
                                          "AccountPayable": "800", "TaxRule": "BAS Excluded"]),
            ("product", "Products", Cin7Harness.product("WRAP-1")),
            ("ref/account", "AccountsList", ["Code": "455", "Name": "Freight", "Type": "EXPENSE", "Status": "ACTIVE"]),
            ("ref/tax", "TaxRuleList", ["Name": "Zero", "Account": "820", "IsActive": true, "TaxInclusive": false,
                                        "Components": [["Name": "None", "Percent": 0]]]),
        ]
        for (endpoint, key, body) in cases {
            let answer = try await harness.ok("POST", endpoint, body: body)
            #expect(answer["Total"] as? Int == 1 && answer["Page"] as? Int == 1, "\(endpoint)")
            #expect(answer.list(key).count == 1, "\(endpoint)")
            #expect(Set(answer.keys) == ["Total", "Page", key], "\(endpoint)")
        }
    }

    @Test func nullsAreSentAndFreeTextIsNeverNull() async throws {
        let harness = Cin7Harness()
        let response = await harness.call("POST", "customer", body: Cin7Harness.customer("Nulls", ["Comments": NSNull(), "Tags": NSNull()]))
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains(#""SalesRepresentative":null"#) && text.contains(#""AttributeSet":null"#))
        #expect(text.contains(#""Comments":"""#) && text.contains(#""Tags":"""#) && text.contains(#""AdditionalAttribute10":"""#))
        #expect(!text.contains(#"\/"#), "slashes are not escaped")
    }

    @Test func customerRequiredFieldsAreAllReported() async throws {
        let harness = Cin7Harness()
        let messages = try await harness.failure("POST", "customer", body: [:] as [String: Any], status: 400)
        #expect(messages.count == 7)
        for field in ["Name", "Status", "Currency", "PaymentTerm", "AccountReceivable", "RevenueAccount", "TaxRule"] {
            #expect(messages.contains("Required attribute \(field) is not provided."), "\(field)")
        }
        let wrongKinds = try await harness.failure("POST", "customer", body: Cin7Harness.customer("Kinds", [
            "AccountReceivable": "800", "RevenueAccount": "310", "TaxRule": "GST on Expenses", "Discount": -1, "CreditLimit": -5]), status: 400)
        #expect(wrongKinds.count == 5)
    }

    @Test func putUpdatesOnlyWhatIsSentAndMergesAddressesByID() async throws {
        let harness = Cin7Harness()
        let created = try await harness.ok("POST", "customer", body: Cin7Harness.customer("Merge", [
            "Addresses": [["Line1": "1 First St", "Country": "Australia", "Type": "Billing", "DefaultForType": true]],
            "Contacts": [["Name": "Ann", "Default": true]]])).list("CustomerList")[0]
        let id = try #require(created["ID"] as? String)
        let address = try #require((created["Addresses"] as? [[String: Any]])?.first?["ID"] as? String)
        let updated = try await harness.ok("PUT", "customer", body: ["ID": id, "TaxRule": "BAS Excluded",
            "Addresses": [["ID": address.uppercased(), "City": "Perth"], ["Line1": "2 Second St", "Country": "Australia", "Type": "Billing", "DefaultForType": true]],
            "Contacts": [["Name": "Bob", "Default": true]]]).list("CustomerList")[0]
        #expect(updated["Name"] as? String == "Merge" && updated["TaxRule"] as? String == "BAS Excluded" && updated["Status"] as? String == "Active")
        let addresses = try #require(updated["Addresses"] as? [[String: Any]])
        #expect(addresses.count == 2)
        #expect(addresses[0]["City"] as? String == "Perth" && addresses[0]["Line1"] as? String == "1 First St")
        #expect(addresses.map { $0["DefaultForType"] as? Bool } == [false, true], "one default address per type")
        let contacts = try #require(updated["Contacts"] as? [[String: Any]])
        #expect(contacts.map { $0["Default"] as? Bool } == [false, true], "one default contact")
        _ = try await harness.failure("PUT", "customer", body: ["ID": UUID().uuidString], status: 400)
        _ = try await harness.failure("PUT", "customer", body: ["ID": id, "Name": "Ridgeway University"], status: 400)
    }

    @Test func productsValidateTheirReferences() async throws {
        let harness = Cin7Harness()
        let messages = try await harness.failure("POST", "product", body: Cin7Harness.product("REF-1", [
            "InventoryAccount": "090", "RevenueAccount": "610", "PurchaseTaxRule": "GST on Income", "DefaultLocation": "Attic",
            "WeightUnits": "stone", "DiscountRule": "Summer", "Suppliers": [["SupplierName": "Nobody"]],
            "BillOfMaterialsServices": [["Name": "Widget, small", "Quantity": 1]]]), status: 400)
        for fragment in ["InventoryAccount", "RevenueAccount", "GST on Income", "Attic", "stone", "Summer", "Nobody", "BillOfMaterialsServices[0]"] {
            #expect(messages.contains { $0.contains(fragment) }, "\(fragment): \(messages)")
        }
        let duplicate = try await harness.failure("PUT", "product", body: ["ID": try await productID(harness, "WID-002"), "SKU": "wid-001"], status: 400)
        #expect(duplicate == ["Product with SKU 'wid-001' already exists."])
    }

    @Test func productPriceTiersBothWaysAndTypeIsFixed() async throws {
        let harness = Cin7Harness()
        let created = try await harness.ok("POST", "product", body: Cin7Harness.product("PT-1", [
            "PriceTier1": "12.34567", "PriceTiers": ["tier 3": 5]])).list("Products")[0]
        let tiers = try #require(created["PriceTiers"] as? [String: Any])
        #expect(tiers.count == 10)
        #expect((tiers["Tier 1"] as? NSNumber)?.doubleValue == 12.3457 && (created["PriceTier3"] as? NSNumber)?.intValue == 5)
        let id = try #require(created["ID"] as? String)
        let updated = try await harness.ok("PUT", "product", body: ["ID": id, "Type": "Service", "PriceTier2": 1]).list("Products")[0]
        #expect(updated["Type"] as? String == "Stock")
        #expect((updated["PriceTier1"] as? NSNumber)?.doubleValue == 12.3457 && (updated["PriceTier2"] as? NSNumber)?.intValue == 1)
    }

    @Test func taxPercentIsTheSumOfComponentsAndUpdatesCanBeLocked() async throws {
        let harness = Cin7Harness()
        let rule = try await harness.ok("POST", "ref/tax", body: ["Name": "Two Part", "Account": "820", "IsActive": "true", "TaxInclusive": false,
                                                                   "Components": [["Name": "B", "Percent": "2.5", "ComponentOrder": 2],
                                                                                  ["Name": "A", "Percent": 7.5, "ComponentOrder": "1", "Compound": true]]]).list("TaxRuleList")[0]
        #expect((rule["TaxPercent"] as? NSNumber)?.intValue == 10)
        let components = try #require(rule["Components"] as? [[String: Any]])
        #expect(components.compactMap { $0["Name"] as? String } == ["A", "B"], "in ComponentOrder")
        #expect(components[0]["Percent"] as? String == "7.5000000000" && components[0]["Compound"] as? String == "1")

        let locked = Cin7Harness { $0.accounts[0].accountingIntegrationEnabled = true }
        let taxes = try await locked.ok("GET", "ref/tax?Name=BAS").list("TaxRuleList")
        let id = try #require(taxes.first?["ID"] as? String)
        #expect(try await locked.failure("PUT", "ref/tax", body: ["ID": id, "Name": "Renamed"], status: 400).first?.contains("integration") == true)
        #expect(try await locked.failure("PUT", "ref/account", body: ["Code": "200", "Name": "Renamed"], status: 400).first?.contains("integration") == true)
        _ = try await locked.ok("POST", "customer", body: Cin7Harness.customer("Still fine"))
    }

    @Test func accountsDeleteByCodeUnlessUsed() async throws {
        let harness = Cin7Harness()
        _ = try await harness.ok("POST", "ref/account", body: ["Code": "499", "Name": "Spare", "Type": "EXPENSE", "Status": "ACTIVE"])
        let response = await harness.call("DELETE", "ref/account?Code=499")
        #expect(response.status == 200 && String(decoding: response.body, as: UTF8.self) == #"{"Success":true}"#)
        _ = try await harness.failure("DELETE", "ref/account?Code=499", status: 400)
        _ = try await harness.failure("DELETE", "ref/account", status: 400)
        #expect(try await harness.failure("DELETE", "ref/account?Code=310", status: 400).first?.contains("product") == true)
        #expect(try await harness.failure("DELETE", "ref/account?Code=800", status: 400).first?.contains("CREDITORS") == true)
    }

    private func productID(_ harness: Cin7Harness, _ sku: String) async throws -> String {
        try #require(try await harness.ok("GET", "product?Sku=\(sku)").list("Products").first?["ID"] as? String)
    }
}
