import Foundation
@testable import Sandbox
import Testing

/// A generated business loaded into a Cin7 company through its own endpoints:
/// the same records, stock and documents as the generator made, every call
/// accepted, the same ids and numbers from the same seed.
@Suite struct Cin7GeneratedBusinessTests {
    static let business = BusinessGenerator.make(seed: 11, scale: 40)

    /// A harness whose account has `business` loaded, after checking nothing was refused.
    static func loaded(_ business: GeneratedBusiness = Self.business, sampleData: Bool = false) async throws -> Cin7Harness {
        let harness = Cin7Harness(sampleData: sampleData) { $0.accounts[0].business = business }
        let failures = await harness.sandbox.started()
        #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
        return harness
    }

    static func company(_ harness: Cin7Harness) throws -> Cin7Company {
        try #require(harness.sandbox.company(Cin7Harness.account))
    }

    @Test func recordsMatchTheBusiness() async throws {
        let harness = try await Self.loaded()
        let company = try Self.company(harness)
        let business = Self.business
        #expect(await company.customers.count == business.customers.count)
        #expect(await company.suppliers.count == business.suppliers.count)
        #expect(await company.products.count == business.products.count)
        #expect(await company.sales.count == business.documents.filter { $0.kind == .sale }.count)
        #expect(await company.purchases.count == business.documents.filter { $0.kind == .purchase }.count)
        #expect(await company.me.Currency == "NZD")

        let customers = await company.customers.all
        for party in business.customers {
            let customer = try #require(customers.first { $0.Name == party.name })
            #expect(customer.Currency == party.currency && customer.AdditionalAttribute1 == party.code)
            #expect(customer.Contacts.first?.Email == party.email && customer.Addresses.first?.City == party.city)
        }
        let products = await company.products.all
        for generated in business.products {
            let product = try #require(products.first { $0.SKU == generated.sku })
            #expect(product.PriceTier1 == generated.salePrice && product.Name == generated.name)
            #expect(product.BillOfMaterial == (generated.isAssembly && !generated.components.isEmpty))
            #expect(product._bomProducts.count == generated.components.count)
        }
    }

    @Test func sampleDataStaysUnderneath() async throws {
        let harness = try await Self.loaded(sampleData: true)
        let list = try await harness.ok("GET", "customer?Limit=1000")
        let names = Set(list.list("CustomerList").compactMap { $0["Name"] as? String })
        #expect(names.contains("Ridgeway University"))
        #expect(names.count == Self.business.customers.count + 2)
    }

    @Test func stockOnHandIsTheBusinesss() async throws {
        let harness = try await Self.loaded()
        let company = try Self.company(harness)
        let location = await company.books.defaultLocation.name
        let products = await company.products.all
        let expected = Self.business.stockOnHand
        for generated in Self.business.products {
            let product = try #require(products.first { $0.SKU == generated.sku })
            #expect(await company.onHand(product.ID, at: location) == expected[generated.id, default: 0], "\(generated.sku)")
            #expect(await company.available(product.ID, at: location) == expected[generated.id, default: 0], "nothing left allocated: \(generated.sku)")
        }
        #expect(await company.stockAdjustments.count >= 1)
        #expect(await company.finishedGoods.count == Self.business.stockMovements.filter { $0.kind == .assembly && $0.quantity > 0 }.count)
    }

    @Test func salesAreInvoicedWithNewZealandGST() async throws {
        let harness = try await Self.loaded()
        let company = try Self.company(harness)
        let sales = await company.sales.all
        #expect(await company.taxRule(named: "GST on Income", forSale: true)?.TaxPercent == 15)
        for (index, document) in Self.business.documents.filter({ $0.kind == .sale }).enumerated() {
            let sale = try #require(sales.first { $0.CustomerReference == document.number })
            #expect(sale.Order.SaleOrderNumber == String(format: "SO-%05d", index + 1))
            let invoice = try #require(sale.invoice)
            var expected = Decimal(0)
            for line in document.lines {
                let total = Cin7Number.rounded(line.quantity * line.unitPrice, places: 2)
                expected += total + Cin7Number.rounded(total * 15 / 100, places: 2)
            }
            #expect(invoice.Total == expected, "\(document.number)")
            #expect(Cin7DateFormat.day(invoice.InvoiceDate.date) == Cin7DateFormat.day(document.date))
            #expect(invoice.Status == (document.paidOn == nil ? "AUTHORISED" : "PAID"), "\(document.number)")
            #expect(sale.fulfilment?.Ship.Status == "AUTHORISED", "\(document.number) shipped")
            #expect(sale.CustomerCurrency == document.currency)
        }
    }

    @Test func purchasesAreReceivedInvoicedAndPaid() async throws {
        let harness = try await Self.loaded()
        let company = try Self.company(harness)
        let purchases = await company.purchases.all
        let documents = Self.business.documents.filter { $0.kind == .purchase }
        #expect(!documents.isEmpty)
        for (index, document) in documents.enumerated() {
            let purchase = try #require(purchases.first { $0.Invoice.first?.InvoiceNumber == document.number })
            #expect(purchase.OrderNumber == String(format: "PO-%05d", index + 1))
            #expect(purchase.Order.Status == "AUTHORISED" && purchase.StockReceived.first?.Status == "AUTHORISED")
            #expect(purchase.Invoice.first?.Status == (document.paidOn == nil ? "AUTHORISED" : "PAID"), "\(document.number)")
            #expect(Cin7DateFormat.day(purchase.OrderDate.date) == Cin7DateFormat.day(document.date))
        }
    }

    @Test func theSameSeedGivesTheSameCompany() async throws {
        let first = try await Self.loaded(BusinessGenerator.make(seed: 5, scale: 20))
        let second = try await Self.loaded(BusinessGenerator.make(seed: 5, scale: 20))
        for target in ["customer?Limit=1000", "supplier?Limit=1000", "product?Limit=1000&IncludeBOM=true", "saleList?Limit=1000", "purchaseList?Limit=1000"] {
            let a = await first.call("GET", target), b = await second.call("GET", target)
            #expect(a.status == 200 && a.body == b.body, "\(target)")
        }
    }

    @Test func resetLoadsItAgain() async throws {
        let harness = try await Self.loaded()
        let company = try Self.company(harness)
        let before = await harness.call("GET", "saleList?Limit=1000").body
        _ = try await harness.ok("POST", "customer", body: Cin7Harness.customer("Walk-in Customer", ["Currency": "NZD"]))
        await harness.sandbox.reset()
        #expect(await company.loadFailures.isEmpty)
        #expect(await company.customers.count == Self.business.customers.count)
        #expect(await harness.call("GET", "saleList?Limit=1000").body == before)
        // Started again, nothing is loaded twice.
        #expect(await harness.sandbox.started().isEmpty)
        #expect(await company.customers.count == Self.business.customers.count)
    }

    @Test func withoutABusinessAnAustralianCompanyKeepsTenPercent() async throws {
        let harness = Cin7Harness()
        #expect(await harness.sandbox.started().isEmpty)
        let company = try Self.company(harness)
        #expect(await company.me.Currency == "AUD")
        #expect(await company.taxRule(named: "GST on Income", forSale: true)?.TaxPercent == 10)
        #expect(await company.sales.count == 0)
    }
}
