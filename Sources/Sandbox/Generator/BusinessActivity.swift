import Foundation

/// What a generated business has done: bills of materials for its assemblies,
/// tracking categories, a year of sales and purchases (some abroad, some
/// paid), and the stock movements that make every sale possible — opening
/// stock, assembly builds, a few write-offs. Dates count back from a fixed day
/// so the same seed gives the same history whenever it runs.
enum BusinessActivity {
    /// The last day of the generated history.
    static let lastDay = Date(timeIntervalSince1970: 1_793_404_800) // 2026-10-31T00:00:00Z
    static let day: TimeInterval = 86_400

    /// Foreign units per one NZD (Xero's `CurrencyRate` on an NZD organisation).
    static let ratesPerNZD: [String: Decimal] = ["NZD": 1, "AUD": Decimal(string: "0.9200")!, "USD": Decimal(string: "0.6000")!,
                                                 "GBP": Decimal(string: "0.4700")!, "EUR": Decimal(string: "0.5500")!]

    static let tracking = [GeneratedBusiness.TrackingCategory(name: "Region", options: ["North", "South", "Online"]),
                           GeneratedBusiness.TrackingCategory(name: "Channel", options: ["Retail", "Wholesale"])]

    static func add(to business: inout GeneratedBusiness, random: inout SeededGenerator) {
        business.trackingCategories = tracking
        addBillsOfMaterials(&business, &random)
        business.documents = documents(business, &random)
        business.stockMovements = movements(business, &random)
    }

    private static func pick<T>(_ items: [T], _ random: inout SeededGenerator) -> T {
        items[Int(random.next() % UInt64(items.count))]
    }

    private static func rounded(_ value: Decimal, _ places: Int = 2) -> Decimal {
        var input = value, result = Decimal()
        NSDecimalRound(&result, &input, places, .plain)
        return result
    }

    /// Each assembly is built from two or three bought products.
    private static func addBillsOfMaterials(_ business: inout GeneratedBusiness, _ random: inout SeededGenerator) {
        let bought = business.products.filter { !$0.isAssembly }
        guard !bought.isEmpty else { return }
        for index in business.products.indices where business.products[index].isAssembly {
            var components: [GeneratedBusiness.Component] = []
            for _ in 0..<(2 + Int(random.next() % 2)) {
                let part = pick(bought, &random)
                guard !components.contains(where: { $0.productID == part.id }) else { continue }
                components.append(.init(productID: part.id, quantity: Decimal(1 + Int(random.next() % 4))))
            }
            business.products[index].components = components
        }
    }

    /// As many documents as contacts: three sales to one purchase, spread over the year.
    private static func documents(_ business: GeneratedBusiness, _ random: inout SeededGenerator) -> [GeneratedBusiness.Document] {
        let customers = business.customers, suppliers = business.suppliers
        let sellable = business.products, buyable = business.products.filter { !$0.isAssembly }
        let count = business.parties.count
        guard count > 0, !sellable.isEmpty else { return [] }
        var documents: [GeneratedBusiness.Document] = []
        var numbers = [GeneratedBusiness.Document.Kind.sale: 0, .purchase: 0]
        for index in 0..<count {
            let kind: GeneratedBusiness.Document.Kind = index % 4 == 3 && !suppliers.isEmpty && !buyable.isEmpty ? .purchase : .sale
            guard kind == .purchase || !customers.isEmpty else { continue }
            let party = kind == .sale ? pick(customers, &random) : pick(suppliers, &random)
            let rate = ratesPerNZD[party.currency] ?? 1
            // Oldest first, about a year back from the last day.
            let daysBack = Double((count - index) * 365 / max(count, 1))
            let date = lastDay.addingTimeInterval(-daysBack * day)
            var lines: [GeneratedBusiness.Document.Line] = []
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let product = kind == .sale ? pick(sellable, &random) : pick(buyable, &random)
                guard !lines.contains(where: { $0.productID == product.id }) else { continue }
                let price = kind == .sale ? product.salePrice : product.cost
                lines.append(.init(productID: product.id, quantity: Decimal(1 + Int(random.next() % 10)), unitPrice: rounded(price * rate)))
            }
            numbers[kind, default: 0] += 1
            let region = kind == .sale ? (category: "Region", option: pick(tracking[0].options, &random)) : nil
            // Most documents older than a month are paid, a fortnight after their date.
            let paid = daysBack > 30 && random.next() % 10 < 6 ? date.addingTimeInterval(14 * day) : nil
            documents.append(.init(id: random.nextUUID(), kind: kind, number: (kind == .sale ? "SO-" : "PO-") + String(format: "%06d", numbers[kind]!),
                                   partyID: party.id, date: date, currency: party.currency, currencyRate: rate, lines: lines,
                                   tracking: region, paidOn: paid))
        }
        return documents
    }

    /// Enough stock for every sale: assemblies built before they sell, components
    /// and bought products stocked at the start, then a few write-offs.
    private static func movements(_ business: GeneratedBusiness, _ random: inout SeededGenerator) -> [GeneratedBusiness.StockMovement] {
        var sold: [UUID: Decimal] = [:], bought: [UUID: Decimal] = [:]
        for document in business.documents {
            for line in document.lines {
                if document.kind == .sale { sold[line.productID, default: 0] += line.quantity } else { bought[line.productID, default: 0] += line.quantity }
            }
        }
        var movements: [GeneratedBusiness.StockMovement] = []
        var used: [UUID: Decimal] = [:]
        let buildDay = lastDay.addingTimeInterval(-380 * day)
        for product in business.products where product.isAssembly && !product.components.isEmpty {
            let built = (sold[product.id] ?? 0) + Decimal(Int(random.next() % 6))
            guard built > 0 else { continue }
            let cost = product.components.reduce(Decimal(0)) { total, part in total + part.quantity * (business.product(part.productID)?.cost ?? 0) }
            movements.append(.init(kind: .assembly, productID: product.id, quantity: built, unitCost: rounded(cost, 4), date: buildDay))
            for part in product.components {
                let cost = business.product(part.productID)?.cost ?? 0
                movements.append(.init(kind: .assembly, productID: part.productID, quantity: -built * part.quantity, unitCost: cost, date: buildDay))
                used[part.productID, default: 0] += built * part.quantity
            }
        }
        let openingDay = lastDay.addingTimeInterval(-400 * day)
        var opening: [GeneratedBusiness.StockMovement] = []
        for product in business.products where !product.isAssembly {
            let needed = (sold[product.id] ?? 0) + (used[product.id] ?? 0) - (bought[product.id] ?? 0)
            let quantity = max(needed, 0) + Decimal(20 + Int(random.next() % 81))
            opening.append(.init(kind: .opening, productID: product.id, quantity: quantity, unitCost: product.cost, date: openingDay))
        }
        var writeOffs: [GeneratedBusiness.StockMovement] = []
        for product in business.products where !product.isAssembly && random.next() % 20 == 0 {
            writeOffs.append(.init(kind: .adjustment, productID: product.id, quantity: -Decimal(1 + Int(random.next() % 2)),
                                   unitCost: product.cost, date: lastDay.addingTimeInterval(-30 * day)))
        }
        return opening + movements + writeOffs
    }
}
