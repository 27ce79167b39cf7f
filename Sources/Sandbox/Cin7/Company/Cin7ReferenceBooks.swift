import Foundation

/// The reference books the masters point into by name (reference §4: "Tax
/// rules, payment terms, price tiers, locations are referenced by name"). This
/// slice serves none of them as endpoints; they exist so that writes can be
/// validated the way Cin7 validates them.
struct Cin7ReferenceBooks: Sendable {
    struct Location: Sendable {
        let id: String
        let name: String
    }

    var paymentTerms: [String]
    var locations: [Location]
    var categories: [String]
    var units: [String]
    var carriers: [String]
    /// `Tier 1` … `Tier 10`: the ten price tiers' names (renamable in Cin7's settings).
    var priceTiers: [String]
    var currencies: Set<String>
    var weightUnits: Set<String> = ["g", "kg", "oz", "lb"]
    var dimensionUnits: Set<String> = ["mm", "cm", "m", "in", "ft"]

    var defaultLocation: Location { locations[0] }

    func location(named name: String) -> Location? {
        locations.first { $0.name.cin7Equals(name) }
    }

    func location(id: String) -> Location? {
        locations.first { $0.id == id.lowercased() }
    }

    /// The book's own spelling of `name`, if it has it.
    static func find(_ name: String, in book: [String]) -> String? {
        book.first { $0.cin7Equals(name) }
    }
}
