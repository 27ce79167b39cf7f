import Foundation
@testable import Sandbox
import Testing

/// The generated history: consistent with itself (stock never negative,
/// assemblies built from bought parts, numbering) and deterministic.
@Suite struct BusinessActivityTests {
    @Test(arguments: [10, 100, 2000])
    func stockNeverGoesNegative(scale: Int) {
        let business = BusinessGenerator.make(seed: UInt64(scale), scale: scale)
        // Replay in date order: opening and builds come first, then documents by date, then write-offs.
        var onHand: [UUID: Decimal] = [:]
        let events: [(Date, UUID, Decimal)] = business.stockMovements.map { ($0.date, $0.productID, $0.quantity) }
            + business.documents.flatMap { document in document.lines.map { (document.date, $0.productID, document.kind == .sale ? -$0.quantity : $0.quantity) } }
        for (_, product, quantity) in events.sorted(by: { $0.0 < $1.0 }) {
            onHand[product, default: 0] += quantity
        }
        #expect(onHand.values.allSatisfy { $0 >= 0 })
        #expect(business.stockOnHand == onHand)
    }

    @Test func documentsAreNumberedSalesAndPurchasesWithTheirParties() throws {
        let business = BusinessGenerator.make(seed: 3, scale: 200)
        #expect(business.documents.count == 200)
        let sales = business.documents.filter { $0.kind == .sale }, purchases = business.documents.filter { $0.kind == .purchase }
        #expect(sales.count == 150 && purchases.count == 50)
        #expect(sales.map(\.number).first == "SO-000001" && purchases.map(\.number).last == "PO-000050")
        for document in business.documents {
            let party = try #require(business.party(document.partyID))
            #expect(party.role == (document.kind == .sale ? .customer : .supplier))
            #expect(document.currency == party.currency)
            #expect((document.currency == "NZD") == (document.currencyRate == 1))
            #expect(!document.lines.isEmpty && document.lines.allSatisfy { $0.quantity > 0 && $0.unitPrice > 0 })
            if let paid = document.paidOn { #expect(paid > document.date) }
            if document.kind == .purchase { #expect(document.lines.allSatisfy { business.product($0.productID)?.isAssembly == false }) }
        }
        #expect(Set(business.documents.map(\.currency)).count > 1, "some trade abroad")
        #expect(business.documents.contains { $0.paidOn != nil } && business.documents.contains { $0.paidOn == nil })
        #expect(business.documents.map(\.date) == business.documents.map(\.date).sorted())
    }

    @Test func assembliesAreBuiltFromBoughtProducts() {
        let business = BusinessGenerator.make(seed: 9, scale: 100)
        let assemblies = business.products.filter(\.isAssembly)
        #expect(assemblies.count == 10)
        for assembly in assemblies {
            #expect((2...3).contains(assembly.components.count) || assembly.components.count == 1)
            #expect(assembly.components.allSatisfy { business.product($0.productID)?.isAssembly == false && $0.quantity >= 1 })
        }
        #expect(business.products.filter { !$0.isAssembly }.allSatisfy { $0.components.isEmpty })
        #expect(business.trackingCategories.map(\.name) == ["Region", "Channel"])
    }

    @Test func historyIsDeterministic() {
        let a = BusinessGenerator.make(seed: 5, scale: 300), b = BusinessGenerator.make(seed: 5, scale: 300)
        #expect(a.documents == b.documents && a.stockMovements == b.stockMovements && a.products == b.products)
        #expect(BusinessGenerator.make(seed: 6, scale: 300).documents != a.documents)
    }
}
