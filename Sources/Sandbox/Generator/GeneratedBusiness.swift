import Foundation

/// One business described independently of either API: what the data
/// generator makes, and what each sandbox loads in its own shapes — so, when
/// asked, Xero and Cin7 Core show the same business from both sides.
public struct GeneratedBusiness: Sendable {
    public struct Party: Sendable, Equatable {
        public enum Role: String, Sendable { case customer, supplier }
        public let id: UUID
        /// The natural key both systems share: Xero ContactNumber, Cin7 customer/supplier code.
        public let code: String
        public let name: String
        public let role: Role
        public let email: String
        public let phone: String
        public let street: String
        public let city: String
        public let postalCode: String
        public let country: String
        public let currency: String
    }

    public struct Product: Sendable, Equatable {
        public let id: UUID
        public let sku: String
        public let name: String
        public let salePrice: Decimal
        public let cost: Decimal
        /// Built from components (an assembly), not bought.
        public let isAssembly: Bool
        /// The bill of materials of an assembly; empty for a bought product.
        public var components: [Component] = []
    }

    public struct Component: Sendable, Equatable {
        public let productID: UUID
        public let quantity: Decimal
    }

    /// A tracking category as Xero has them (Region, Channel…), with its options.
    public struct TrackingCategory: Sendable, Equatable {
        public let name: String
        public let options: [String]
    }

    /// A sale to a customer or a purchase from a supplier, authorised; some paid.
    public struct Document: Sendable, Equatable {
        public enum Kind: String, Sendable { case sale, purchase }

        public struct Line: Sendable, Equatable {
            public let productID: UUID
            public let quantity: Decimal
            public let unitPrice: Decimal
        }

        public let id: UUID
        public let kind: Kind
        /// SO-000001 / PO-000001: Cin7's order number, Xero's reference.
        public let number: String
        public let partyID: UUID
        public let date: Date
        public let currency: String
        /// Foreign units per one unit of the base currency (Xero's `CurrencyRate`); 1 in the base currency.
        public let currencyRate: Decimal
        public let lines: [Line]
        /// One tracking choice for the whole document: (category, option).
        public let tracking: (category: String, option: String)?
        /// Paid in full on this date, or nil while open.
        public let paidOn: Date?

        public static func == (a: Document, b: Document) -> Bool {
            a.id == b.id && a.kind == b.kind && a.number == b.number && a.partyID == b.partyID && a.date == b.date
                && a.currency == b.currency && a.currencyRate == b.currencyRate && a.lines == b.lines
                && a.tracking?.category == b.tracking?.category && a.tracking?.option == b.tracking?.option && a.paidOn == b.paidOn
        }
    }

    /// Stock that moved outside documents: opening balances, assembly builds
    /// (components out, assembly in) and stocktake write-offs.
    public struct StockMovement: Sendable, Equatable {
        public enum Kind: String, Sendable { case opening, assembly, adjustment }
        public let kind: Kind
        public let productID: UUID
        /// Positive in, negative out.
        public let quantity: Decimal
        public let unitCost: Decimal
        public let date: Date
    }

    public let name: String
    public let baseCurrency: String
    public var parties: [Party]
    public var products: [Product]
    public var trackingCategories: [TrackingCategory] = []
    public var documents: [Document] = []
    public var stockMovements: [StockMovement] = []

    /// Every currency the business trades in, the base first.
    public var currencies: [String] {
        [baseCurrency] + Set(parties.map(\.currency)).subtracting([baseCurrency]).sorted()
    }

    public func party(_ id: UUID) -> Party? { parties.first { $0.id == id } }

    public func product(_ id: UUID) -> Product? { products.first { $0.id == id } }

    /// On hand per product after every movement and document (sales out, purchases in).
    public var stockOnHand: [UUID: Decimal] {
        var onHand: [UUID: Decimal] = [:]
        for movement in stockMovements { onHand[movement.productID, default: 0] += movement.quantity }
        for document in documents {
            for line in document.lines { onHand[line.productID, default: 0] += document.kind == .sale ? -line.quantity : line.quantity }
        }
        return onHand
    }

    public var customers: [Party] { parties.filter { $0.role == .customer } }
    public var suppliers: [Party] { parties.filter { $0.role == .supplier } }
}
