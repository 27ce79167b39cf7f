/// One request as a sandbox endpoint sees it: the whole body already read.
public struct SandboxRequest: Sendable {
    public let method: String
    /// The path without its query, as sent (percent-encoded).
    public let path: String
    public let query: QueryParameters
    /// Lower-case names, in arrival order.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]
    /// Values of the route's `{name}` segments, percent-decoded.
    public internal(set) var pathParameters: [String: String] = [:]

    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        if let mark = target.firstIndex(of: "?") {
            self.path = String(target[..<mark])
            self.query = QueryParameters(parsing: target[target.index(after: mark)...])
        } else {
            self.path = target
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
        items = raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (PercentDecoding.decode(parts[0], plusIsSpace: true),
                    parts.count > 1 ? PercentDecoding.decode(parts[1], plusIsSpace: true) : "")
        }
    }

    /// The first value of `name`, compared exactly.
    public subscript(_ name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// The first value of `name`, ignoring case: Xero and Cin7 both accept
    /// `page`/`Page`, `where`/`Where`.
    public func value(_ name: String) -> String? {
        let lowered = name.lowercased()
        return items.first { $0.name.lowercased() == lowered }?.value
    }

    /// Every value of `name` (repeated parameters), ignoring case.
    public func values(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return items.filter { $0.name.lowercased() == lowered }.map(\.value)
    }
}

enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` when asked); a malformed escape is kept as is.
    static func decode(_ text: Substring, plusIsSpace: Bool) -> String {
        guard text.contains("%") || (plusIsSpace && text.contains("+")) else { return String(text) }
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
