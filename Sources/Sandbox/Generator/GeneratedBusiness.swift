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
    }

    public let name: String
    public let baseCurrency: String
    public var parties: [Party]
    public var products: [Product]

    public var customers: [Party] { parties.filter { $0.role == .customer } }
    public var suppliers: [Party] { parties.filter { $0.role == .supplier } }
}
