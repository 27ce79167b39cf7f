import Foundation

/// numeric ↔ Decimal, exactly or not at all.
///
/// Foundation's Decimal holds 38 significant digits with a decimal exponent in
/// -128...127. A numeric value outside that (PostgreSQL allows up to 131072
/// digits) fails to decode instead of being silently rounded: money must not
/// change on its way through the database.
extension Decimal: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind {
        // description is plain positional notation (no exponent), which numeric input accepts.
        PostgresBind(type: .numeric, text: isNaN ? "NaN" : description)
    }

    public static func decode(from cell: PostgresCell) throws -> Decimal {
        try cell.requireType([.numeric, .int2, .int4, .int8], for: Decimal.self)
        let text = try cell.requireText(as: Decimal.self)
        if text == "NaN" { return .nan }
        guard let parts = NumericText(text) else {
            throw PostgresError.decoding("column \(cell.columnName): numeric value \(text) cannot be held exactly by Decimal")
        }
        return Decimal(sign: parts.negative ? .minus : .plus, exponent: parts.exponent, significand: parts.significandValue)
    }
}

/// A numeric's text split into sign, significant digits and power of ten.
struct NumericText {
    var negative: Bool
    var significand: String
    var exponent: Int

    /// nil when the text is not plain `-?digits[.digits]` or needs more than Decimal holds.
    init?(_ text: String) {
        var utf8 = Substring(text)
        negative = utf8.first == "-"
        if negative || utf8.first == "+" { utf8 = utf8.dropFirst() }
        let pieces = utf8.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = pieces.first else { return nil }
        let fraction = pieces.count == 2 ? pieces[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty),
              whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var digits = Substring(whole + fraction)
        var exponent = -fraction.count
        while digits.count > 1, digits.first == "0" { digits = digits.dropFirst() }
        while digits.count > 1, digits.last == "0" { digits = digits.dropLast(); exponent += 1 }
        if digits == "0" { exponent = 0 }
        guard digits.count <= 38, exponent >= -128, exponent <= 127 else { return nil }
        significand = String(digits)
        self.exponent = exponent
    }

    /// The significant digits as a Decimal, built from 18-digit integer chunks: exact
    /// (at most 38 digits), and without Foundation's locale-aware string parser.
    var significandValue: Decimal {
        var value = Decimal(0)
        var rest = Substring(significand)
        while !rest.isEmpty {
            let chunk = rest.prefix(18)
            rest = rest.dropFirst(chunk.count)
            var power = Decimal(1)
            for _ in 0..<chunk.count { power *= 10 }
            value = value * power + Decimal(UInt64(chunk)!)
        }
        return value
    }
}
