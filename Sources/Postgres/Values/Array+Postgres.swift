import Foundation

/// An element type of the one-dimensional arrays the layer supports (text[], uuid[], int8[], float8[]).
public protocol PostgresArrayElement: Sendable {
    static var arrayType: PostgresDataType { get }
    static var elementTypes: Set<PostgresDataType> { get }
    var arrayElementText: String { get }
    init?(arrayElementText: String)
}

extension String: PostgresArrayElement {
    public static var arrayType: PostgresDataType { .textArray }
    public static var elementTypes: Set<PostgresDataType> { [.textArray, .varcharArray] }
    public var arrayElementText: String { self }
    public init?(arrayElementText: String) { self = arrayElementText }
}

extension UUID: PostgresArrayElement {
    public static var arrayType: PostgresDataType { .uuidArray }
    public static var elementTypes: Set<PostgresDataType> { [.uuidArray] }
    public var arrayElementText: String { lowercaseText }
    public init?(arrayElementText: String) { self.init(uuidString: arrayElementText) }
}

extension Int64: PostgresArrayElement {
    public static var arrayType: PostgresDataType { .int8Array }
    public static var elementTypes: Set<PostgresDataType> { [.int8Array, .int4Array] }
    public var arrayElementText: String { String(self) }
    public init?(arrayElementText: String) { self.init(arrayElementText) }
}

extension Double: PostgresArrayElement {
    public static var arrayType: PostgresDataType { .float8Array }
    public static var elementTypes: Set<PostgresDataType> { [.float8Array] }
    // Shortest text that reads back as the same double.
    public var arrayElementText: String { isFinite ? "\(self)" : (isNaN ? "NaN" : (self > 0 ? "Infinity" : "-Infinity")) }
    public init?(arrayElementText: String) {
        switch arrayElementText {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default: self.init(arrayElementText)
        }
    }
}

/// Arrays whose elements may be NULL decode as `[Element?]`; `[Element]` rejects NULL elements.
extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public var postgresBind: PostgresBind {
        PostgresBind(type: Element.arrayType, text: PostgresArrayLiteral.encode(map { Optional($0.arrayElementText) }))
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public static func decode(from cell: PostgresCell) throws -> [Element] {
        try cell.requireType(Element.elementTypes, for: [Element].self)
        guard let items = PostgresArrayLiteral.decode(try cell.requireText(as: [Element].self)) else {
            throw cell.invalid([Element].self)
        }
        return try items.map { item in
            guard let item else {
                throw PostgresError.decoding("column \(cell.columnName): array has a NULL element; decode as [\(Element.self)?]")
            }
            guard let value = Element(arrayElementText: item) else { throw cell.invalid([Element].self) }
            return value
        }
    }
}

/// The text form of one-dimensional arrays: `{a,"b c",NULL,"with \"quote\""}`.
enum PostgresArrayLiteral {
    static func encode(_ items: [String?]) -> String {
        var out = "{"
        for (index, item) in items.enumerated() {
            if index > 0 { out += "," }
            guard let item else { out += "NULL"; continue }
            out += "\""
            for character in item {
                if character == "\"" || character == "\\" { out += "\\" }
                out.append(character)
            }
            out += "\""
        }
        return out + "}"
    }

    /// nil when the text is not a one-dimensional array literal.
    static func decode(_ text: String) -> [String?]? {
        var chars = Substring(text)
        // Arrays with explicit bounds start with "[lo:hi]=".
        if chars.first == "[", let equals = chars.firstIndex(of: "=") { chars = chars[chars.index(after: equals)...] }
        guard chars.first == "{", chars.last == "}" else { return nil }
        chars = chars.dropFirst().dropLast()
        var items: [String?] = []
        if chars.isEmpty { return items }
        var index = chars.startIndex
        while true {
            var value = ""
            var quoted = false
            if index < chars.endIndex, chars[index] == "{" { return nil }  // multi-dimensional: not supported
            if index < chars.endIndex, chars[index] == "\"" {
                quoted = true
                index = chars.index(after: index)
                while true {
                    guard index < chars.endIndex else { return nil }
                    let character = chars[index]
                    if character == "\\" {
                        index = chars.index(after: index)
                        guard index < chars.endIndex else { return nil }
                        value.append(chars[index])
                    } else if character == "\"" {
                        index = chars.index(after: index)
                        break
                    } else {
                        value.append(character)
                    }
                    index = chars.index(after: index)
                }
            } else {
                while index < chars.endIndex, chars[index] != "," {
                    value.append(chars[index])
                    index = chars.index(after: index)
                }
            }
            items.append(!quoted && value == "NULL" ? nil : value)
            if index == chars.endIndex { return items }
            guard chars[index] == "," else { return nil }
            index = chars.index(after: index)
        }
    }
}
