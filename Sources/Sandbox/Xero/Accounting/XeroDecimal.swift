import Foundation

/// How many decimal places a kind of Xero number carries.
protocol XeroScale {
    static var places: Int { get }
}

/// Money: 2 places (`Total`, `TotalCostPool`).
enum TwoPlaces: XeroScale { static let places = 2 }
/// Rates and quantities: 4 places (`Rate`, `EffectiveRate`, `QuantityOnHand`).
enum FourPlaces: XeroScale { static let places = 4 }

/// A decimal kept exact (never a Double) and written with its scale, as Xero
/// writes them: `15.0000`, `25000.00`. Values are rounded to the scale when
/// they come in, so what is stored is what is shown.
struct XeroNumber<Scale: XeroScale>: Codable, Sendable, Hashable, Comparable {
    let value: Decimal

    init(_ value: Decimal) {
        self.value = XeroDecimal.round(value, Scale.places)
    }

    init(from decoder: any Decoder) throws {
        self.init(try XeroDecimal.decode(decoder))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(XeroDecimal.marked(value, places: Scale.places))
    }

    static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

typealias XeroMoney = XeroNumber<TwoPlaces>
typealias XeroRate = XeroNumber<FourPlaces>

/// A unit price: 2 places unless the request asks `unitdp=4` (the spec's
/// `Purchase.UnitPrice`: "By default UnitPrice is rounded to two decimal
/// places"). Stored with the places it was written with; shown with the
/// places the reading request asks for.
struct XeroUnitAmount: Codable, Sendable, Hashable {
    let value: Decimal

    init(_ value: Decimal, places: Int = 4) {
        self.value = XeroDecimal.round(value, places)
    }

    init(from decoder: any Decoder) throws {
        self.init(try XeroDecimal.decode(decoder), places: XeroJSON.unitPlaces(decoder.userInfo))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(XeroDecimal.marked(value, places: XeroJSON.unitPlaces(encoder.userInfo)))
    }
}

enum XeroDecimal {
    /// Half away from zero. Xero does not document its rounding mode.
    static func round(_ value: Decimal, _ places: Int) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, places, .plain)
        return result
    }

    /// `12.3` with 2 places is `12.30`.
    static func fixed(_ value: Decimal, places: Int) -> String {
        let text = round(value, places).description
        guard places > 0 else { return text }
        let parts = text.split(separator: ".", maxSplits: 1)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return "\(parts[0]).\(fraction.padding(toLength: places, withPad: "0", startingAt: 0))"
    }

    /// JSONEncoder writes a Decimal in its shortest form (`15` for 15.0000).
    /// A fixed-scale number is therefore encoded as a string carrying this
    /// marker, and `XeroJSON.encode` turns such strings back into bare numbers.
    static let marker = "\u{1}\u{2}"

    static func marked(_ value: Decimal, places: Int) -> String {
        marker + fixed(value, places: places)
    }

    /// A JSON number (exact: Foundation parses it as a Decimal) or a numeric string.
    static func decode(_ decoder: any Decoder) throws -> Decimal {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Decimal.self) { return number }
        if let text = try? container.decode(String.self), let number = Decimal(string: text.trimmingCharacters(in: .whitespaces)) {
            return number
        }
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a number"))
    }
}
