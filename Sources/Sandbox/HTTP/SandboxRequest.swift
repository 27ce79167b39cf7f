/// One request as a sandbox endpoint sees it: the whole body already read.
public struct SandboxRequest: Sendable {
    public let method: String
    /// The path without its query, as sent (percent-encoded).
    public let path: String
    public let query: QueryParameters
    /// The query as sent (after `?`, undecoded): a cheap cache key for list answers.
    public let rawQuery: Substring
    /// Lower-case names, in arrival order.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]
    /// Values of the route's `{name}` segments, percent-decoded.
    public internal(set) var pathParameters: [String: String] = [:]

    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        // Byte-wise: Character-wise searches of every request's target showed in profiles.
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.path = String(target[..<mark])
            self.rawQuery = target[target.utf8.index(after: mark)...]
            self.query = QueryParameters(parsing: rawQuery)
        } else {
            self.path = target
            self.rawQuery = ""
            self.query = QueryParameters(parsing: "")
        }
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// The body as `application/x-www-form-urlencoded` fields (OAuth's token endpoint).
    public var formFields: QueryParameters {
        QueryParameters(parsing: Substring(decoding: body, as: UTF8.self))
    }

    public func parameter(_ name: String) -> String {
        pathParameters[name] ?? ""
    }
}

/// Query-string or form fields, in order, decoded (`+` is a space, `%XX` a byte).
public struct QueryParameters: Sendable {
    public let items: [(name: String, value: String)]

    public init(parsing raw: Substring) {
        // Split on bytes: `&` and `=` are ASCII, and a Character-wise split costs more.
        items = raw.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { pair in
            let pair = Substring(pair)
            guard let equals = pair.utf8.firstIndex(of: UInt8(ascii: "=")) else { return (PercentDecoding.decode(pair, plusIsSpace: true), "") }
            return (PercentDecoding.decode(pair[..<equals], plusIsSpace: true),
                    PercentDecoding.decode(pair[pair.utf8.index(after: equals)...], plusIsSpace: true))
        }
    }

    /// The first value of `name`, compared exactly.
    public subscript(_ name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// The first value of `name`, ignoring case: Xero and Cin7 both accept
    /// `page`/`Page`, `where`/`Where`.
    public func value(_ name: String) -> String? {
        items.first { CaseInsensitive.equal($0.name, name) }?.value
    }

    /// Every value of `name` (repeated parameters), ignoring case.
    public func values(_ name: String) -> [String] {
        items.filter { CaseInsensitive.equal($0.name, name) }.map(\.value)
    }
}

/// Comparison ignoring case without lower-casing copies: byte-wise for ASCII (every
/// parameter and header name in practice), `lowercased()` for anything else.
enum CaseInsensitive {
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.allSatisfy({ $0 < 0x80 }) && y.allSatisfy({ $0 < 0x80 }) else { return a.lowercased() == b.lowercased() }
        return x.count == y.count && zip(x, y).allSatisfy { lower($0) == lower($1) }
    }

    /// ASCII `A`–`Z` to `a`–`z`; every other byte as it is.
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}

enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` when asked); a malformed escape is kept as is.
    static func decode(_ text: Substring, plusIsSpace: Bool) -> String {
        // Byte-wise: `contains("%")` on a Substring went through Foundation's string search.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") && plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                      let high = hexValue(iterator[iterator.startIndex]), let low = hexValue(iterator[iterator.startIndex + 1]) {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
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
