import Foundation

/// Xero's `where` filter: C#-like expressions over a record's fields
/// (`Status=="AUTHORISED" && AmountDue > 0`, `Name.Contains("x")`,
/// `Date >= DateTime(2015, 01, 01)`, `ContactID==Guid("…")`, `AND`/`OR`, `!`,
/// parentheses, `null`). String comparisons ignore case, as Xero's do.
indirect enum XeroWhere {
    enum Value: Equatable {
        case string(String), number(Double), bool(Bool), null, date(Date)
    }

    case and(XeroWhere, XeroWhere)
    case or(XeroWhere, XeroWhere)
    case not(XeroWhere)
    case compare(path: [String], op: String, value: Value)
    case call(path: [String], method: String, argument: String)

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ text: String) throws -> XeroWhere {
        var parser = Parser(tokens: try tokenize(text))
        let expression = try parser.expression()
        guard parser.atEnd else { throw ParseError(description: "unexpected \(parser.peek.map { "\($0)" } ?? "end") in where") }
        return expression
    }

    func matches(_ record: [String: Any]) -> Bool {
        switch self {
        case .and(let a, let b): return a.matches(record) && b.matches(record)
        case .or(let a, let b): return a.matches(record) || b.matches(record)
        case .not(let a): return !a.matches(record)
        case .call(let path, let method, let argument):
            guard let field = Self.resolve(path, in: record) as? String else { return false }
            let (haystack, needle) = (field.lowercased(), argument.lowercased())
            switch method {
            case "Contains": return haystack.contains(needle)
            case "StartsWith": return haystack.hasPrefix(needle)
            case "EndsWith": return haystack.hasSuffix(needle)
            default: return false
            }
        case .compare(let path, let op, let value):
            let field = Self.resolve(path, in: record)
            return Self.compare(field, op, value)
        }
    }

    private static func resolve(_ path: [String], in record: [String: Any]) -> Any? {
        var current: Any? = record
        for key in path {
            guard let object = current as? [String: Any] else { return nil }
            // Field names match without regard to case, like Xero's.
            current = object[key] ?? object.first { $0.key.lowercased() == key.lowercased() }?.value
        }
        return current is NSNull ? nil : current
    }

    private static func compare(_ field: Any?, _ op: String, _ value: Value) -> Bool {
        let ordering: ComparisonResult?
        switch (field, value) {
        case (nil, .null): ordering = .orderedSame
        case (nil, _), (_, .null): ordering = nil
        case (let string as String, .string(let literal)):
            ordering = string.lowercased() == literal.lowercased() ? .orderedSame : string.lowercased().compare(literal.lowercased())
        case (let string as String, .date(let date)):
            ordering = XeroDateFormat.parse(string).map { $0 == date ? .orderedSame : ($0 < date ? .orderedAscending : .orderedDescending) }
        case (let number as NSNumber, .number(let literal)):
            ordering = number.doubleValue == literal ? .orderedSame : (number.doubleValue < literal ? .orderedAscending : .orderedDescending)
        case (let number as NSNumber, .bool(let literal)):
            ordering = number.boolValue == literal ? .orderedSame : .orderedAscending
        default:
            ordering = nil
        }
        switch op {
        case "==": return ordering == .orderedSame
        case "!=": return ordering != .orderedSame
        case ">": return ordering == .orderedDescending
        case ">=": return ordering == .orderedDescending || ordering == .orderedSame
        case "<": return ordering == .orderedAscending
        case "<=": return ordering == .orderedAscending || ordering == .orderedSame
        default: return false
        }
    }

    // MARK: tokens and grammar

    enum Token: Equatable, CustomStringConvertible {
        case identifier(String), string(String), number(Double), symbol(String)
        var description: String {
            switch self {
            case .identifier(let s), .symbol(let s): s
            case .string(let s): "\"\(s)\""
            case .number(let n): String(n)
            }
        }
    }

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "\"" {
                var j = i + 1, value = ""
                while j < chars.count, chars[j] != "\"" {
                    if chars[j] == "\\", j + 1 < chars.count { j += 1 }
                    value.append(chars[j]); j += 1
                }
                guard j < chars.count else { throw ParseError(description: "unterminated string in where") }
                tokens.append(.string(value)); i = j + 1
            } else if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i + 1
                while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
                guard let number = Double(String(chars[i..<j])) else { throw ParseError(description: "bad number in where") }
                tokens.append(.number(number)); i = j
            } else if c.isLetter || c == "_" {
                var j = i + 1
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                tokens.append(.identifier(String(chars[i..<j]))); i = j
            } else {
                let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
                if ["==", "!=", ">=", "<=", "&&", "||"].contains(two) {
                    tokens.append(.symbol(two)); i += 2
                } else if "()<>!.,".contains(c) {
                    tokens.append(.symbol(String(c))); i += 1
                } else {
                    throw ParseError(description: "unexpected character \(c) in where")
                }
            }
        }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        var index = 0
        var atEnd: Bool { index >= tokens.count }
        var peek: Token? { atEnd ? nil : tokens[index] }

        mutating func next() throws -> Token {
            guard let token = peek else { throw ParseError(description: "where ends too early") }
            index += 1
            return token
        }

        mutating func expect(_ symbol: String) throws {
            guard try next() == .symbol(symbol) else { throw ParseError(description: "expected \(symbol) in where") }
        }

        mutating func expression() throws -> XeroWhere {
            var left = try conjunction()
            while peek == .symbol("||") || peek == .identifier("OR") || peek == .identifier("or") {
                index += 1
                left = .or(left, try conjunction())
            }
            return left
        }

        mutating func conjunction() throws -> XeroWhere {
            var left = try unary()
            while peek == .symbol("&&") || peek == .identifier("AND") || peek == .identifier("and") {
                index += 1
                left = .and(left, try unary())
            }
            return left
        }

        mutating func unary() throws -> XeroWhere {
            if peek == .symbol("!") { index += 1; return .not(try unary()) }
            if peek == .symbol("(") {
                index += 1
                let inner = try expression()
                try expect(")")
                return inner
            }
            var path: [String] = []
            guard case .identifier(let first) = try next() else { throw ParseError(description: "expected a field name in where") }
            path.append(first)
            while peek == .symbol(".") {
                index += 1
                guard case .identifier(let name) = try next() else { throw ParseError(description: "expected a name after . in where") }
                if ["Contains", "StartsWith", "EndsWith"].contains(name), peek == .symbol("(") {
                    index += 1
                    guard case .string(let argument) = try next() else { throw ParseError(description: "\(name) takes a string") }
                    try expect(")")
                    return .call(path: path, method: name, argument: argument)
                }
                path.append(name)
            }
            guard case .symbol(let op) = try next(), ["==", "!=", ">", ">=", "<", "<="].contains(op) else {
                throw ParseError(description: "expected a comparison after \(path.joined(separator: ".")) in where")
            }
            return .compare(path: path, op: op, value: try value())
        }

        mutating func value() throws -> Value {
            switch try next() {
            case .string(let s): return .string(s)
            case .number(let n): return .number(n)
            case .identifier("true"), .identifier("True"): return .bool(true)
            case .identifier("false"), .identifier("False"): return .bool(false)
            case .identifier("null"), .identifier("NULL"): return .null
            case .identifier("Guid"), .identifier("GUID"):
                try expect("(")
                guard case .string(let s) = try next() else { throw ParseError(description: "Guid takes a string") }
                try expect(")")
                return .string(s)
            case .identifier("DateTime"):
                try expect("(")
                var parts: [Int] = []
                while true {
                    guard case .number(let n) = try next() else { throw ParseError(description: "DateTime takes numbers") }
                    parts.append(Int(n))
                    if peek == .symbol(",") { index += 1 } else { break }
                }
                try expect(")")
                guard parts.count >= 3, let date = XeroDateFormat.utcCalendar.date(from: DateComponents(
                    year: parts[0], month: parts[1], day: parts[2], hour: parts.count > 3 ? parts[3] : 0,
                    minute: parts.count > 4 ? parts[4] : 0, second: parts.count > 5 ? parts[5] : 0)) else {
                    throw ParseError(description: "DateTime needs year, month, day")
                }
                return .date(date)
            case let token:
                throw ParseError(description: "unexpected \(token) in where")
            }
        }
    }
}
