import Foundation

/// A record Cin7 Core sends. Its .NET serializer writes every property, `null`
/// included (the blueprint's examples and openapi.yaml's `required` lists, e.g.
/// `"SalesRepresentative": null`), where Swift's synthesized Encodable leaves nil
/// out. A record therefore encodes its stored properties itself, in declaration
/// order, nil as null. (Foundation's encoder then writes members in its own
/// order, so the sandbox sorts them: the same data gives the same bytes.) A property whose
/// name starts with `_` is the sandbox's own bookkeeping or a write-only field
/// (an account's `Bank`) and is not sent.
protocol Cin7Record: Encodable {}

extension Cin7Record {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Cin7Key.self)
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, !label.hasPrefix("_") else { continue }
            if let inline = child.value as? any Cin7Inline {
                try inline.encodeMembers(into: &container)
            } else if let optional = child.value as? any Cin7OptionalValue, optional.isNone {
                try container.encodeNil(forKey: Cin7Key(label))
            } else if let value = child.value as? any Encodable {
                try container.encode(value, forKey: Cin7Key(label))
            }
        }
    }
}

/// A group of members a record writes at its own level, not as a nested
/// object: the product fields every line with a `ProductID` carries
/// (`Cin7ProductFields`), kept in one property instead of sixteen.
protocol Cin7Inline {
    func encodeMembers(into container: inout KeyedEncodingContainer<Cin7Key>) throws
}

/// Lets the Mirror walk tell a nil property from a value.
protocol Cin7OptionalValue {
    var isNone: Bool { get }
}

extension Optional: Cin7OptionalValue {
    var isNone: Bool { self == nil }
}

struct Cin7Key: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

enum Cin7JSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }()

    static func encode(_ value: some Encodable) -> [UInt8] {
        Array(try! encoder.encode(value))
    }

    /// A request body as `T`. Cin7 answers 500 when "the object passed to the API
    /// could not be parsed" (apib:114-124): bad JSON, a body that is not an object,
    /// or a value of the wrong type.
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) -> Result<T, Cin7Failure> {
        guard !body.isEmpty else { return .failure(.unparseable("The request body is empty.")) }
        do {
            return .success(try JSONDecoder().decode(type, from: Data(body)))
        } catch let error as DecodingError {
            return .failure(.unparseable(describe(error)))
        } catch {
            return .failure(.unparseable("The request body is not valid JSON."))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "The request body must be a JSON object." : "Error converting value at path '\(path)'."
        case .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "The request body is not valid JSON." : "Error converting value at path '\(path)'."
        case .keyNotFound(let key, _):
            return "Required property '\(key.stringValue)' not found."
        @unknown default:
            return "The request body could not be parsed."
        }
    }

    /// `{"Total":…,"Page":…,"<key>":[…]}` around records already encoded: list
    /// GETs, and the answer to a create or update of reference data and masters
    /// (`{"Total":1,"Page":1,"CustomerList":[…]}`).
    static func list(_ key: String, _ items: [[UInt8]], total: Int, page: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(64 + key.utf8.count) { $0 + $1.count + 1 })
        out += Array(#"{"Total":\#(total),"Page":\#(page),""#.utf8)
        out += Array(key.utf8)
        out += Array(#"":["#.utf8)
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += item
        }
        out += Array("]}".utf8)
        return out
    }

    /// An encoded object with more members appended: `{"a":1}` + `"b":[]` → `{"a":1,"b":[]}`.
    static func appending(_ object: [UInt8], _ members: [(key: String, json: [UInt8])]) -> [UInt8] {
        guard !members.isEmpty, object.last == UInt8(ascii: "}") else { return object }
        var out = Array(object.dropLast())
        for member in members {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out += Array("\"\(member.key)\":".utf8) + member.json
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// A number a client may send as a JSON number or a numeric string: the .NET
/// serializer converts either (the blueprint itself sends tax `Percent` as
/// `"10.0000000000"` and `ComponentOrder` as `"1"`).
struct LenientDecimal: Decodable, Sendable {
    let value: Decimal

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Decimal.self) {
            value = number
        } else if let text = try? container.decode(String.self),
                  let number = Decimal(string: text.trimmingCharacters(in: .whitespaces), locale: Locale(identifier: "en_US_POSIX")) {
            value = number
        } else {
            throw DecodingError.typeMismatch(Decimal.self, .init(codingPath: decoder.codingPath, debugDescription: "not a number"))
        }
    }
}

/// Text a client may send as a string, number or boolean (`"TaxNumber"` is typed
/// Int in the field table and sent as a string in the examples).
struct LenientString: Decodable, Sendable {
    let value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else if let flag = try? container.decode(Bool.self) {
            value = flag ? "True" : "False"
        } else if let number = try? container.decode(Decimal.self) {
            value = "\(number)"
        } else {
            throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "not text"))
        }
    }
}

/// A flag sent as `true`/`false` or as the strings `"true"`/`"false"`/`"1"`/`"0"`.
struct LenientBool: Decodable, Sendable {
    let value: Bool

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            value = flag
        } else if let text = try? container.decode(String.self), let flag = Cin7Query.bool(text) {
            value = flag
        } else if let number = try? container.decode(Int.self), number == 0 || number == 1 {
            value = number == 1
        } else {
            throw DecodingError.typeMismatch(Bool.self, .init(codingPath: decoder.codingPath, debugDescription: "not a boolean"))
        }
    }
}

enum Cin7Number {
    /// A decimal with a fixed number of places, as tax components' `Percent`
    /// (`"10.0000000000"`).
    static func fixed(_ value: Decimal, places: Int) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, places, .plain)
        let text = "\(rounded)"
        let parts = text.split(separator: ".", maxSplits: 1)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return String(parts[0]) + "." + fraction.padding(toLength: places, withPad: "0", startingAt: 0)
    }

    /// Rounds to `places` decimals (money to 2 or 4, as Cin7 stores them).
    static func rounded(_ value: Decimal, places: Int) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, places, .plain)
        return result
    }
}
