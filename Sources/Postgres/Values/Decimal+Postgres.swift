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
    /// Works on UTF-8 bytes: this runs for every numeric value read.
    init?(_ text: String) {
        var bytes = Array(text.utf8)[...]
        negative = bytes.first == UInt8(ascii: "-")
        if negative || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count)
        var fractionDigits = 0
        var seenPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
            } else {
                guard isDigit(byte) else { return nil }
                digits.append(byte)
                if seenPoint { fractionDigits += 1 }
            }
        }
        guard !digits.isEmpty else { return nil }
        var start = 0
        var end = digits.count
        var exponent = -fractionDigits
        while end - start > 1, digits[start] == UInt8(ascii: "0") { start += 1 }
        while end - start > 1, digits[end - 1] == UInt8(ascii: "0") { end -= 1; exponent += 1 }
        if end - start == 1 && digits[start] == UInt8(ascii: "0") { exponent = 0 }
        guard end - start <= 38, exponent >= -128, exponent <= 127 else { return nil }
        significand = String(decoding: digits[start..<end], as: UTF8.self)
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
