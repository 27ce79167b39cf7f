import Foundation
@testable import Sandbox
import Testing

/// Items: tracked inventory derived from accounts, read-only stock figures,
/// IsSold/IsPurchased, unit price places, and the checks on codes and accounts.
@Suite struct XeroItemsTests {
    typealias H = XeroBooksHarness

    @Test func trackedWhenItHasAnInventoryAccountAndACOGSAccount() async throws {
        let h = H()
        let items = try H.records(await h.putItems([
            ["Code": "T1", "InventoryAssetAccountCode": "630", "PurchaseDetails": ["COGSAccountCode": "310", "AccountCode": "429", "UnitPrice": 4]],
            ["Code": "U1", "PurchaseDetails": ["COGSAccountCode": "310", "AccountCode": "429"], "IsTrackedAsInventory": true],
        ]), "Items")
        let tracked = items[0], untracked = items[1]
        #expect(tracked["IsTrackedAsInventory"] as? Bool == true && tracked["QuantityOnHand"] as? Double == 0 && tracked["TotalCostPool"] as? Double == 0)
        #expect(tracked["QuantityAvailable"] as? Double == 0 && tracked["QuantityOnBackOrder"] as? Double == 0)
        #expect((tracked["PurchaseDetails"] as? [String: Any])?["AccountCode"] == nil, "not applicable to tracked items")
        #expect(untracked["IsTrackedAsInventory"] as? Bool == false, "IsTrackedAsInventory is derived, not written")
        #expect(untracked["QuantityOnHand"] == nil && untracked["TotalCostPool"] == nil)
        #expect((untracked["PurchaseDetails"] as? [String: Any])?["COGSAccountCode"] == nil, "COGS applies to tracked items only")
        #expect((untracked["PurchaseDetails"] as? [String: Any])?["AccountCode"] as? String == "429")
        // Stock figures are written by documents only.
        let posted = try H.record(await h.postItems([["Code": "T1", "QuantityOnHand": 12, "TotalCostPool": 48]]), "Items")
        #expect(posted["QuantityOnHand"] as? Double == 0 && posted["TotalCostPool"] as? Double == 0)
        // Untracking by clearing the inventory account.
        let plain = try H.record(await h.postItems([["Code": "T1", "InventoryAssetAccountCode": ""]]), "Items")
        #expect(plain["IsTrackedAsInventory"] as? Bool == false && plain["QuantityOnHand"] == nil)
    }

    @Test func notSoldOrNotPurchasedNullsThatSide() async throws {
        let h = H()
        let item = try H.record(await h.putItems([["Code": "S1", "Description": "Sold", "PurchaseDescription": "Bought",
                                                   "SalesDetails": ["UnitPrice": 10, "AccountCode": "200"],
                                                   "PurchaseDetails": ["UnitPrice": 6, "AccountCode": "310"]]]), "Items")
        #expect(item["IsSold"] as? Bool == true && item["IsPurchased"] as? Bool == true, "both default to true")
        let unsold = try H.record(await h.postItems([["ItemID": item["ItemID"]!, "IsSold": false]]), "Items")
        #expect(unsold["Description"] == nil && (unsold["SalesDetails"] as? [String: Any])?.isEmpty == true)
        #expect(unsold["PurchaseDescription"] as? String == "Bought")
        let neither = try H.record(await h.postItems([["Code": "S1", "IsPurchased": false]]), "Items")
        #expect(neither["PurchaseDescription"] == nil && (neither["PurchaseDetails"] as? [String: Any])?.isEmpty == true)
        #expect(H.text(await h.books.getItem("S1", H.request("GET", "/Items/S1"))).contains(#""SalesDetails":{}"#))
    }

    @Test func unitPricesHaveTwoPlacesUnlessUnitdpIsFour() async throws {
        let h = H()
        _ = try H.records(await h.putItems([["Code": "P2", "SalesDetails": ["UnitPrice": 1.23456]]]), "Items")
        _ = try H.records(await h.putItems([["Code": "P4", "SalesDetails": ["UnitPrice": 1.23456]]], query: "?unitdp=4"), "Items")
        let four = H.text(await h.books.listItems(H.request("GET", "/Items?unitdp=4")))
        #expect(four.contains(#""UnitPrice":1.2300"#) && four.contains(#""UnitPrice":1.2346"#))
        let two = H.text(await h.books.listItems(H.request("GET", "/Items")))
        #expect(two.contains(#""UnitPrice":1.23"#) && !two.contains("1.2346"))
    }

    @Test func refusedItems() async throws {
        let h = H()
        _ = try H.record(await h.putAccount(["Code": "140", "Name": "Old stock", "Type": "INVENTORY", "Status": "ARCHIVED"]), "Accounts")
        _ = try H.records(await h.putItems([["Code": "DUP"]]), "Items")
        let cases: [([String: Any], String)] = [
            (["Code": "dup"], "Price List Item with Code 'dup' already exists"),
            (["Name": "nameless code"], "Please enter a Code for the item."),
            (["Code": String(repeating: "C", count: 31)], "Code must be 30 characters or fewer."),
            (["Code": "N1", "Name": String(repeating: "n", count: 51)], "Name must be 50 characters or fewer."),
            (["Code": "N2", "Description": String(repeating: "d", count: 4001)], "Description must be 4000 characters or fewer."),
            (["Code": "A1", "SalesDetails": ["AccountCode": "999"]], "The SalesDetails.AccountCode 999 is not an active account code."),
            (["Code": "A2", "PurchaseDetails": ["AccountCode": "090"]], "The PurchaseDetails.AccountCode 090 is a bank account, which items cannot use."),
            (["Code": "A3", "InventoryAssetAccountCode": "140", "PurchaseDetails": ["COGSAccountCode": "310"]],
             "The InventoryAssetAccountCode 140 is not an active account code."),
            (["Code": "A4", "InventoryAssetAccountCode": "620", "PurchaseDetails": ["COGSAccountCode": "310"]],
             "The InventoryAssetAccountCode 620 must be an account of type INVENTORY."),
            (["Code": "A5", "InventoryAssetAccountCode": "630", "PurchaseDetails": ["COGSAccountCode": "200"]],
             "The COGSAccountCode 200 must be an expense or direct costs account."),
            (["Code": "A6", "InventoryAssetAccountCode": "630", "IsPurchased": false, "PurchaseDetails": ["COGSAccountCode": "310"]],
             "A tracked inventory item needs a COGSAccountCode in PurchaseDetails (and IsPurchased true)."),
            (["Code": "A7", "PurchaseDetails": ["TaxType": "OUTPUT2"]], "The TaxType OUTPUT2 in PurchaseDetails does not exist or cannot be used on purchases."),
            (["Code": "A8", "SalesDetails": ["UnitPrice": "cheap"]], "The item could not be read: SalesDetails.UnitPrice is not valid"),
        ]
        for (body, message) in cases {
            let response = await h.putItems([body])
            #expect(try H.messages(response) == [message], "\(body)")
        }
        #expect(try H.messages(await h.postItems([["ItemID": UUID().uuidString, "Code": "Z"]])).first?.hasPrefix("Item not found") == true)
        let existing = try H.record(await h.books.getItem("DUP", H.request("GET", "/Items/DUP")), "Items")
        #expect(try H.messages(await h.putItems([["ItemID": existing["ItemID"]!, "Code": "NEW"]]))
                == ["An item with this ItemID already exists; use POST to update it."])
    }

    @Test func summarizeErrorsFalseEchoesTheFailedElementWithACode() async throws {
        let h = H()
        let response = await h.putItems([["Code": "GOOD"], ["Name": "no code"]], query: "?summarizeErrors=false")
        let items = try H.records(response, "Items")
        #expect(response.status == 200)
        #expect(items.map { $0["StatusAttributeString"] as? String } == ["OK", "ERROR"])
        #expect(items[1]["Code"] as? String == "" && items[1]["ItemID"] as? String == "00000000-0000-0000-0000-000000000000")
        // The default: a 400 that lists only the failure, the good element saved all the same.
        let summarized = await h.putItems([["Code": "ALSO-GOOD"], ["Code": "GOOD"]])
        #expect(try H.messages(summarized) == ["Price List Item with Code 'GOOD' already exists"])
        #expect(await h.books.getItem("ALSO-GOOD", H.request("GET", "/Items/ALSO-GOOD")).status == 200)
    }

    @Test func postByPathDeleteAndGetByIdOrCode() async throws {
        let h = H()
        let made = try H.record(await h.putItems([["Code": "D1", "Name": "Doomed"]]), "Items")
        let id = made["ItemID"] as! String
        let renamed = try H.record(await h.books.saveItems(H.request("POST", "/Items/\(id)", ["Items": [["Name": "Renamed"]]]),
                                                           createOnly: false, pathKey: id), "Items")
        #expect(renamed["Name"] as? String == "Renamed" && renamed["Code"] as? String == "D1")
        #expect(await h.books.saveItems(H.request("POST", "/Items/x", ["Items": [["Name": "x"]]]), createOnly: false, pathKey: UUID().uuidString).status == 404)
        #expect(await h.books.getItem(id, H.request("GET", "/Items")).status == 200)
        let deleted = await h.books.deleteItem(id)
        #expect(deleted.status == 204 && deleted.body.isEmpty)
        #expect(await h.books.getItem("D1", H.request("GET", "/Items")).status == 404)
        #expect(await h.books.deleteItem(id).status == 404)
    }
}
