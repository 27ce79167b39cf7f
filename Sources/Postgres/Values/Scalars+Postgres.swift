import Foundation

// Strings, integers, booleans and floats, encoded and decoded in PostgreSQL's text format.

extension String: PostgresEncodable, PostgresDecodable {
    /// Sent untyped, so the server takes it as whatever the context needs (text, uuid, jsonb ...).
    public var postgresBind: PostgresBind { PostgresBind(type: .unspecified, text: self) }

    /// Text types, JSON, and numeric: the exact text of a numeric too large for Decimal.
    public static func decode(from cell: PostgresCell) throws -> String {
        try cell.requireType(PostgresDataType.stringDecodable, for: String.self)
        return try cell.requireText(as: String.self)
    }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(type: .int8, text: String(self)) }

    public static func decode(from cell: PostgresCell) throws -> Int64 {
        try cell.requireType([.int2, .int4, .int8, .oid], for: Int64.self)
        guard let value = Int64(try cell.requireText(as: Int64.self)) else { throw cell.invalid(Int64.self) }
        return value
    }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { Int64(self).postgresBind }
    public static func decode(from cell: PostgresCell) throws -> Int { Int(try Int64.decode(from: cell)) }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(type: .int4, text: String(self)) }

    public static func decode(from cell: PostgresCell) throws -> Int32 {
        try cell.requireType([.int2, .int4], for: Int32.self)
        guard let value = Int32(try cell.requireText(as: Int32.self)) else { throw cell.invalid(Int32.self) }
        return value
    }
}

extension Int16: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(type: .int2, text: String(self)) }

    public static func decode(from cell: PostgresCell) throws -> Int16 {
        try cell.requireType([.int2], for: Int16.self)
        guard let value = Int16(try cell.requireText(as: Int16.self)) else { throw cell.invalid(Int16.self) }
        return value
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(type: .bool, text: self ? "t" : "f") }

    public static func decode(from cell: PostgresCell) throws -> Bool {
        try cell.requireType([.bool], for: Bool.self)
        switch try cell.requireText(as: Bool.self) {
        case "t": return true
        case "f": return false
        default: throw cell.invalid(Bool.self)
        }
    }
}

extension Double: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind {
        let text: String
        if isNaN {
            text = "NaN"
        } else if isInfinite {
            text = self < 0 ? "-Infinity" : "Infinity"
        } else {
            text = description  // shortest representation that reads back to the same Double
        }
        return PostgresBind(type: .float8, text: text)
    }

    public static func decode(from cell: PostgresCell) throws -> Double {
        try cell.requireType([.float4, .float8], for: Double.self)
        let text = try cell.requireText(as: Double.self)
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else { throw cell.invalid(Double.self) }
            return value
        }
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(type: .uuid, bytes: Array(lowercaseText.utf8)) }

    /// The canonical lower-case text form, written directly: `uuidString` goes through
    /// sprintf and then needs lowercasing, and tenant ids are encoded on every statement.
    public var lowercaseText: String {
        let hex = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        withUnsafeBytes(of: uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(from cell: PostgresCell) throws -> UUID {
        try cell.requireType([.uuid], for: UUID.self)
        guard let value = UUID(uuidString: try cell.requireText(as: UUID.self)) else { throw cell.invalid(UUID.self) }
        return value
    }
}

/// bytea, sent in binary format and read from the server's hex output (`\x0a0b...`).
extension Data: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind { PostgresBind(type: .bytea, format: .binary, bytes: Array(self)) }

    public static func decode(from cell: PostgresCell) throws -> Data {
        try cell.requireType([.bytea], for: Data.self)
        let text = try cell.requireText(as: Data.self)
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            throw cell.invalid(Data.self)
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { throw cell.invalid(Data.self) }
            bytes.append(high << 4 | low)
            index += 2
        }
        return Data(bytes)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
