import Foundation
@testable import Sandbox
import Testing

/// Paging, the list wrapper, the filters and `ModifiedSince`.
@Suite struct Cin7ListTests {
    @Test(arguments: ["Limit=0", "Limit=1001", "Limit=-1", "Limit=1.5", "Limit=x", "Page=0", "Page=-3", "Page=one", "page=0", "LIMIT=2000"])
    func pagingOutOfBoundsIs400(_ query: String) async throws {
        let harness = Cin7Harness()
        for endpoint in ["ref/account", "ref/tax", "customer", "supplier", "product", "ref/productavailability"] {
            let messages = try await harness.failure("GET", "\(endpoint)?\(query)", status: 400)
            #expect(messages.count == 1)
        }
    }

    @Test func pagesCoverTheMatchesOnceWithTotal() async throws {
        let harness = Cin7Harness(sampleData: false)
        for i in 0..<7 { _ = try await harness.ok("POST", "customer", body: Cin7Harness.customer("Paged \(i)")) }
        var names: [String] = []
        for page in 1...4 {
            let body = try await harness.ok("GET", "customer?Page=\(page)&Limit=3")
            #expect(body["Total"] as? Int == 7)
            #expect(body["Page"] as? Int == page)
            names += body.list("CustomerList").compactMap { $0["Name"] as? String }
        }
        #expect(names == (0..<7).map { "Paged \($0)" }, "creation order, no repeats, none lost")
        let defaults = try await harness.ok("GET", "customer")
        #expect(defaults["Page"] as? Int == 1 && defaults.list("CustomerList").count == 7)
        let max = try await harness.ok("GET", "customer?limit=1000&page=1")
        #expect(max.list("CustomerList").count == 7)
    }

    @Test func theDefaultPageIs100() async throws {
        let harness = Cin7Harness(sampleData: false)
        for i in 0..<105 { _ = try await harness.ok("POST", "supplier", body: [
            "Name": "S\(i)", "Status": "Active", "Currency": "AUD", "PaymentTerm": "30 days", "AccountPayable": "800", "TaxRule": "GST on Expenses"]) }
        let body = try await harness.ok("GET", "supplier")
        #expect(body["Total"] as? Int == 105)
        #expect(body.list("SupplierList").count == 100)
        #expect(try await harness.ok("GET", "supplier?Page=2").list("SupplierList").count == 5)
    }

    @Test func modifiedSinceIsInclusiveToTheMillisecond() async throws {
        let harness = Cin7Harness(sampleData: false)
        let a = try await harness.ok("POST", "customer", body: Cin7Harness.customer("A")).list("CustomerList")[0]
        let b = try await harness.ok("POST", "customer", body: Cin7Harness.customer("B")).list("CustomerList")[0]
        let stampA = try #require(a["LastModifiedOn"] as? String), stampB = try #require(b["LastModifiedOn"] as? String)
        // Parsed, not compared as text: with trailing zeros dropped "…37.431Z" sorts before "…37.43Z".
        #expect(try #require(Cin7DateFormat.parse(stampB)) > (try #require(Cin7DateFormat.parse(stampA))), "two writes never share a stamp")
        func names(_ query: String) async throws -> [String] {
            try await harness.ok("GET", "customer?\(query)").list("CustomerList").compactMap { $0["Name"] as? String }
        }
        #expect(try await names("ModifiedSince=\(stampA)") == ["A", "B"])
        #expect(try await names("ModifiedSince=\(stampB)") == ["B"])
        #expect(try await names("modifiedsince=\(stampB.dropLast())") == ["B"], "no zone means UTC")
        #expect(try await names("ModifiedSince=2000-01-01") == ["A", "B"])
        #expect(try await names("ModifiedSince=2999-01-01T00:00:00.000Z").isEmpty)
        #expect(try await names("ModifiedSince=") == ["A", "B"], "empty is absent")
        _ = try await harness.failure("GET", "customer?ModifiedSince=last%20tuesday", status: 400)
        _ = try await harness.failure("GET", "product?ModifiedSince=2024-13-01", status: 400)
        _ = try await harness.ok("PUT", "customer", body: ["ID": a["ID"]!, "Comments": "touched"])
        #expect(try await names("ModifiedSince=\(stampB)") == ["A", "B"], "an update moves the stamp")
    }

    @Test func textFiltersStartWithContainOrEqualAsTheBlueprintSays() async throws {
        let harness = Cin7Harness()
        func skus(_ query: String) async throws -> [String] {
            try await harness.ok("GET", "product?\(query)").list("Products").compactMap { $0["SKU"] as? String }
        }
        #expect(try await skus("Sku=wid") == ["WID-001", "WID-002"], "product Sku contains, without case")
        #expect(try await skus("Sku=-00") == ["WID-001", "WID-002"])
        #expect(try await skus("Name=large") == ["WID-002"], "product Name contains")
        let customers = try await harness.ok("GET", "customer?Name=ridge").list("CustomerList")
        #expect(customers.compactMap { $0["Name"] as? String } == ["Ridgeway University"], "customer Name starts with")
        #expect(try await harness.ok("GET", "customer?Name=University").list("CustomerList").isEmpty)
        let byEmail = try await harness.ok("GET", "customer?ContactFilter=SECRETARY@bayside.example").list("CustomerList")
        #expect(byEmail.compactMap { $0["Name"] as? String } == ["Bayside Club"])
        #expect(try await harness.ok("GET", "customer?ContactFilter=secretary@").list("CustomerList").isEmpty, "emails match whole")
        #expect(try await harness.ok("GET", "customer?ContactFilter=acc").list("CustomerList").count == 2, "contact names start with, without case")
        let rows = try await harness.ok("GET", "ref/productavailability?Sku=WID").list("ProductAvailabilityList")
        #expect(rows.isEmpty, "availability Sku is exact")
        #expect(try await harness.ok("GET", "ref/account?Type=currliab&Status=active").list("AccountsList").count == 5)
        let unmatched = try await harness.failure("GET", "ref/account?Code=999", status: 400)
        #expect(unmatched.first?.contains("not found") == true)
        _ = try await harness.failure("GET", "customer?ID=not-a-guid", status: 400)
        _ = try await harness.failure("GET", "product?IncludeDeprecated=sometimes", status: 400)
        #expect(try await harness.ok("GET", "customer?ID=null").list("CustomerList").count == 2, "the literal null of generated clients is absent")
    }

    @Test func deprecatedRecordsNeedIncludeDeprecatedUnlessAskedForByID() async throws {
        let harness = Cin7Harness(sampleData: false)
        let product = try await harness.ok("POST", "product", body: Cin7Harness.product("OLD-1")).list("Products")[0]
        let id = try #require(product["ID"] as? String)
        _ = try await harness.ok("PUT", "product", body: ["ID": id, "Status": "Deprecated"])
        #expect(try await harness.ok("GET", "product")["Total"] as? Int == 0)
        #expect(try await harness.ok("GET", "product?IncludeDeprecated=1")["Total"] as? Int == 1)
        #expect(try await harness.ok("GET", "product?IncludeDeprecated=TRUE")["Total"] as? Int == 1)
        #expect(try await harness.ok("GET", "product?ID=\(id.uppercased())")["Total"] as? Int == 1)
        #expect(try await harness.ok("GET", "ref/productavailability")["Total"] as? Int == 0, "deprecated products show no availability")
    }

    @Test func availabilityRowsComeFromStock() async throws {
        let harness = Cin7Harness(sampleData: false)
        let product = try await harness.ok("POST", "product", body: Cin7Harness.product("STK-1", ["Barcode": "9300000000001"])).list("Products")[0]
        let id = try #require(product["ID"] as? String)
        var rows = try await harness.ok("GET", "ref/productavailability").list("ProductAvailabilityList")
        #expect(rows.count == 1 && rows[0]["OnHand"] as? Int == 0 && rows[0]["Location"] as? String == "Main Warehouse")
        await harness.sandbox.setStock(accountID: Cin7Harness.account, Cin7StockLevel(productID: id, location: "Main Warehouse", batch: "B1",
                                                                                    expiryDate: Date(timeIntervalSince1970: 1_767_225_600),
                                                                                    onHand: 10, allocated: 4, onOrder: 2, unitCost: 2.5))
        await harness.sandbox.setStock(accountID: Cin7Harness.account, Cin7StockLevel(productID: id, location: "Sydney Store", onHand: 6, unitCost: 4))
        rows = try await harness.ok("GET", "ref/productavailability").list("ProductAvailabilityList")
        #expect(rows.count == 2)
        #expect(rows[0]["Available"] as? Int == 6 && rows[0]["StockOnHand"] as? Int == 25 && rows[0]["Batch"] as? String == "B1")
        #expect(rows[0]["ExpiryDate"] as? String == "2026-01-01T00:00:00" && rows[0]["Barcode"] as? String == "9300000000001")
        #expect(try await harness.ok("GET", "ref/productavailability?Location=sydney%20store").list("ProductAvailabilityList").count == 1)
        #expect(try await harness.ok("GET", "ref/productavailability?Batch=B1").list("ProductAvailabilityList").count == 1)
        let listed = try await harness.ok("GET", "product?ID=\(id)").list("Products")[0]
        #expect((listed["AverageCost"] as? NSNumber)?.doubleValue == 3.0625, "(10 × 2.5 + 6 × 4) / 16")
    }
}
