import Foundation

/// Makes a realistic business deterministically from a seed: the same seed and
/// scale give the same records, ids included, on every run and machine.
public enum BusinessGenerator {
    /// `scale` is the number of contacts (customers and suppliers, about 4:1)
    /// and of products; 10 to 100,000 are sensible.
    public static func make(seed: UInt64, scale: Int, name: String = "Demo Trading Co") -> GeneratedBusiness {
        var random = SeededGenerator(seed: seed)
        let scale = max(0, scale)
        var usedNames = Set<String>()
        var parties: [GeneratedBusiness.Party] = []
        parties.reserveCapacity(scale)
        for index in 0..<scale {
            let role: GeneratedBusiness.Party.Role = index % 5 == 4 ? .supplier : .customer
            var partyName = companyName(&random)
            // Xero wants active contact names unique; a number keeps large scales unique.
            if !usedNames.insert(partyName.lowercased()).inserted {
                partyName += " \(index + 1)"
                usedNames.insert(partyName.lowercased())
            }
            let (city, postcode, country, currency) = places[Int(random.next() % UInt64(places.count))]
            let domain = partyName.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(20)
            parties.append(.init(
                id: random.nextUUID(), code: (role == .customer ? "C" : "S") + String(format: "%06d", index + 1), name: partyName, role: role,
                email: "accounts@\(domain).example.com", phone: String(format: "0%d %03d %04d", 2 + Int(random.next() % 8), Int(random.next() % 1000), Int(random.next() % 10000)),
                street: "\(1 + random.next() % 400) \(streets[Int(random.next() % UInt64(streets.count))])",
                city: city, postalCode: postcode, country: country,
                // Most trade in the base currency; some abroad.
                currency: random.next() % 5 == 0 ? currency : "NZD"))
        }
        var products: [GeneratedBusiness.Product] = []
        products.reserveCapacity(scale)
        for index in 0..<scale {
            let noun = productNouns[Int(random.next() % UInt64(productNouns.count))]
            let adjective = productAdjectives[Int(random.next() % UInt64(productAdjectives.count))]
            let cost = Decimal(Int(random.next() % 50_000) + 100) / 100
            let markup = Decimal(130 + Int(random.next() % 90)) / 100
            var price = cost * markup
            var rounded = Decimal()
            NSDecimalRound(&rounded, &price, 2, .plain)
            products.append(.init(id: random.nextUUID(), sku: String(format: "SKU-%06d", index + 1), name: "\(adjective) \(noun)",
                                  salePrice: rounded, cost: cost, isAssembly: index % 10 == 9))
        }
        var business = GeneratedBusiness(name: name, baseCurrency: "NZD", parties: parties, products: products)
        // The activity draws from a stream of its own, so contacts and products
        // stay what they were for a seed before documents existed.
        var activity = SeededGenerator(seed: seed ^ 0xAC71_7171_0000_0001)
        BusinessActivity.add(to: &business, random: &activity)
        return business
    }

    private static func companyName(_ random: inout SeededGenerator) -> String {
        let first = surnames[Int(random.next() % UInt64(surnames.count))]
        let second = trades[Int(random.next() % UInt64(trades.count))]
        let suffix = suffixes[Int(random.next() % UInt64(suffixes.count))]
        return "\(first) \(second) \(suffix)"
    }

    static let surnames = ["Harper", "Ngata", "Walker", "Chen", "Patel", "O'Brien", "Kowalski", "Tane", "Fraser", "Singh", "Morgan",
                           "Te Rangi", "Nguyen", "Campbell", "Rossi", "Müller", "Okafor", "Reid", "Lam", "Hughes", "Wiremu", "Dubois"]
    static let trades = ["Hardware", "Catering", "Outdoor", "Electrical", "Garden", "Motors", "Textiles", "Coffee", "Builders",
                         "Print", "Marine", "Pharmacy", "Bakery", "Timber", "Cycles", "Plumbing", "Studio", "Wholesale"]
    static let suffixes = ["Ltd", "Limited", "& Co", "Group", "Trading", "Supplies", "Holdings"]
    static let streets = ["Queen Street", "Victoria Road", "Main North Road", "Riccarton Road", "Lambton Quay", "George Street",
                          "High Street", "Great South Road", "Cuba Street", "Colombo Street"]
    static let places: [(String, String, String, String)] = [
        ("Auckland", "1010", "New Zealand", "NZD"), ("Wellington", "6011", "New Zealand", "NZD"),
        ("Christchurch", "8011", "New Zealand", "NZD"), ("Sydney", "2000", "Australia", "AUD"),
        ("Melbourne", "3000", "Australia", "AUD"), ("London", "EC1A 1BB", "United Kingdom", "GBP"),
        ("San Francisco", "94105", "United States", "USD"), ("Berlin", "10115", "Germany", "EUR"),
    ]
    static let productNouns = ["Widget", "Bracket", "Lantern", "Kettle", "Backpack", "Drill", "Hose", "Apron", "Mug", "Cable",
                               "Tent", "Helmet", "Planter", "Bolt Set", "Toolbox", "Blanket", "Grinder", "Jacket"]
    static let productAdjectives = ["Classic", "Heavy-Duty", "Compact", "Deluxe", "Eco", "Pro", "Mini", "Stainless",
                                    "Waterproof", "Folding", "Premium", "Everyday"]
}
