import Foundation
@testable import Sandbox
import Testing

/// Sales: the status each step leads to, the totals computed from lines and
/// tax rules, the stock an order allocates and a shipment takes.
@Suite struct Cin7SaleTests {
    @Test func lineArithmeticExclusiveAndInclusive() {
        let exclusive = Cin7Arithmetic.line(quantity: 3, price: 9.95, discount: 10, percent: 10, inclusive: false)
        #expect(exclusive.total == Decimal(string: "26.87")! && exclusive.tax == Decimal(string: "2.69")!)
        let inclusive = Cin7Arithmetic.line(quantity: 1, price: 110, discount: 0, percent: 10, inclusive: true)
        #expect(inclusive.total == 110 && inclusive.tax == 10)
        let line = Cin7DocumentLine(ProductID: "p", SKU: "S", Name: "N", Quantity: 1, Price: 110, Discount: 0, Tax: 10, AverageCost: 0,
                                    TaxRule: "GST", Account: "200", Comment: "", Total: 110)
        let totals = Cin7DocumentTotals(lines: [line], charges: [], inclusive: true)
        #expect(totals.beforeTax == 100 && totals.tax == 10 && totals.total == 110)
    }

    @Test func statusesFollowTheSteps() async throws {
        let harness = Cin7Harness()
        let sale = try await harness.ok("POST", "sale", body: ["Customer": "Bayside Club", "Location": "Main Warehouse"])
        let id = try #require(sale["ID"] as? String)
        #expect(sale["Status"] as? String == "DRAFT")
        #expect(try await status(harness, id) == "DRAFT")
        _ = try await harness.ok("POST", "sale/quote", body: ["SaleID": id, "Status": "DRAFT", "Lines": [["SKU": "WID-002", "Quantity": 50]]])
        #expect(try await status(harness, id) == "ESTIMATING")
        _ = try await harness.ok("POST", "sale/quote", body: ["SaleID": id, "Status": "AUTHORISED"])
        #expect(try await status(harness, id) == "ESTIMATED")
        _ = try await harness.ok("POST", "sale/order", body: ["SaleID": id, "Status": "DRAFT"])
        #expect(try await status(harness, id) == "ORDERING")
        let order = try await harness.ok("POST", "sale/order", body: ["SaleID": id, "Status": "AUTHORISED"])
        // 35 on hand, none allocated: 35 allocated, 15 backordered.
        let line = try #require((order["Lines"] as? [[String: Any]])?.first)
        #expect((line["BackorderQuantity"] as? NSNumber)?.intValue == 15)
        #expect((order["Total"] as? NSNumber)?.doubleValue == 1320, "50 × 24 + 10 % GST, at the quote's price tier")
        #expect(try await status(harness, id) == "BACKORDERED")
        let task = try #require(((try await harness.ok("GET", "sale?ID=\(id)"))["Fulfilments"] as? [[String: Any]])?.first?["TaskID"] as? String)
        // Picking 50 with 35 on hand is refused; the quote can no longer change.
        let messages = try await harness.failure("POST", "sale/fulfilment/pick", body: ["TaskID": task, "Status": "AUTHORISED"], status: 400)
        #expect(messages.first?.contains("Not enough stock") == true)
        _ = try await harness.failure("POST", "sale/quote", body: ["SaleID": id, "Status": "DRAFT"], status: 400)
        _ = try await harness.failure("POST", "sale/fulfilment/ship", body: ["TaskID": task, "Status": "AUTHORISED"], status: 400)
        _ = try await harness.ok("POST", "sale/fulfilment/pick", body: ["TaskID": task, "Status": "AUTHORISED", "Lines": [["SKU": "WID-002", "Quantity": 35]]])
        #expect(try await status(harness, id) == "PICKED")
        _ = try await harness.ok("POST", "sale/fulfilment/pack", body: ["TaskID": task, "Status": "DRAFT"])
        #expect(try await status(harness, id) == "PACKING")
        _ = try await harness.ok("POST", "sale/fulfilment/pack", body: ["TaskID": task, "Status": "AUTHORISED"])
        #expect(try await status(harness, id) == "PACKED")
        _ = try await harness.ok("POST", "sale/fulfilment/ship", body: ["TaskID": task, "Status": "AUTHORISED"])
        let invoice = try await harness.ok("POST", "sale/invoice", body: ["SaleID": id, "Status": "DRAFT", "InvoiceDate": "2025-01-31"])
        #expect(try await status(harness, id) == "INVOICING")
        let taskID = try #require((invoice["Invoices"] as? [[String: Any]])?.first?["TaskID"] as? String)
        _ = try await harness.ok("PUT", "sale/invoice", body: ["SaleID": id, "TaskID": taskID, "Status": "AUTHORISED"])
        #expect(try await status(harness, id) == "INVOICED")
        _ = try await harness.ok("DELETE", "sale/invoice?TaskID=\(taskID)&Void=false")
        #expect(try await status(harness, id) == "INVOICING", "undo takes the invoice back to DRAFT")
    }

    @Test func shippingTakesStockAndVoidingGivesItBack() async throws {
        let harness = Cin7Harness()
        let productID = try #require(try await harness.ok("GET", "product?Sku=WID-001").list("Products").first?["ID"] as? String)
        let sale = try await harness.ok("POST", "sale", body: ["Customer": "Bayside Club", "Location": "Main Warehouse", "SkipQuote": true])
        let id = try #require(sale["ID"] as? String)
        _ = try await harness.ok("POST", "sale/order", body: ["SaleID": id, "Status": "AUTHORISED", "AutoPickPackShipMode": "AUTOPICKPACKSHIP",
                                                              "Lines": [["ProductID": productID, "Quantity": 20, "Price": 12.5]]])
        #expect(try await onHand(harness, "WID-001") == [100, 10], "120 − 20 on hand; the sample's 10 still allocated")
        let got = try await harness.ok("GET", "sale?ID=\(id)")
        #expect((got["COGSAmount"] as? NSNumber)?.doubleValue == 84, "20 × 4.20")
        #expect(got["Status"] as? String == "ORDERED" && got["FulFilmentStatus"] as? String == "FULFILLED")
        _ = try await harness.ok("DELETE", "sale?ID=\(id)&Void=true")
        #expect(try await onHand(harness, "WID-001") == [120, 10])
        #expect(try await status(harness, id) == "VOIDED")
    }

    private func status(_ harness: Cin7Harness, _ id: String) async throws -> String? {
        try await harness.ok("GET", "saleList?Limit=1000").list("SaleList").first { $0["SaleID"] as? String == id }?["Status"] as? String
    }

    private func onHand(_ harness: Cin7Harness, _ sku: String) async throws -> [Int] {
        let row = try #require(try await harness.ok("GET", "ref/productavailability?Sku=\(sku)").list("ProductAvailabilityList").first)
        return [(row["OnHand"] as? NSNumber)?.intValue ?? -1, (row["Allocated"] as? NSNumber)?.intValue ?? -1]
    }
}
