import Foundation

/// A list call's query parameters, read as Cin7 Core reads them: names without
/// regard to case (the portal writes both `page` and `Page`), values checked the
/// way ASP.NET model binding checks them — a value that is not of the
/// parameter's type is a 400.
enum Cin7Query {
    static let maximumLimit = 1000

    /// `Page` (default 1, at least 1) and `Limit` (default 100, 1 to 1000; apib:75-112).
    /// The portal gives the bounds but not what happens outside them; the sandbox
    /// refuses with a 400 rather than clamping, so a client that asks for more
    /// than it may have finds out.
    static func paging(_ request: SandboxRequest) throws(Cin7Failure) -> (page: Int, limit: Int) {
        let page = try integer(request, "Page") ?? 1
        let limit = try integer(request, "Limit") ?? 100
        guard page >= 1 else { throw .badRequest("Page must be greater than or equal to 1.") }
        guard (1...maximumLimit).contains(limit) else { throw .badRequest("Limit must be between 1 and \(maximumLimit).") }
        return (page, limit)
    }

    /// The records of one page, and how many matched in all.
    static func slice<T>(_ items: [T], page: Int, limit: Int) -> ArraySlice<T> {
        let (start, overflow) = (page - 1).multipliedReportingOverflow(by: limit)
        guard !overflow, start < items.count else { return [] }
        return items[start..<min(start + limit, items.count)]
    }

    static func integer(_ request: SandboxRequest, _ name: String) throws(Cin7Failure) -> Int? {
        guard let text = nonEmpty(request, name) else { return nil }
        guard let value = Int(text) else { throw invalid(text, name) }
        return value
    }

    /// `true`/`false` in any case, or `1`/`0` (the portal's own example is `includeDeprecated=1`).
    static func flag(_ request: SandboxRequest, _ name: String) throws(Cin7Failure) -> Bool? {
        guard let text = nonEmpty(request, name) else { return nil }
        guard let value = bool(text) else { throw invalid(text, name) }
        return value
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1": true
        case "false", "0": false
        default: nil
        }
    }

    /// A GUID parameter, lower-cased for comparison.
    static func guid(_ request: SandboxRequest, _ name: String) throws(Cin7Failure) -> String? {
        guard let text = nonEmpty(request, name) else { return nil }
        guard UUID(uuidString: text) != nil else { throw invalid(text, name) }
        return text.lowercased()
    }

    /// A date parameter (`ModifiedSince`): ISO 8601, UTC when it names no zone (apib:126).
    static func date(_ request: SandboxRequest, _ name: String) throws(Cin7Failure) -> Date? {
        guard let text = nonEmpty(request, name) else { return nil }
        guard let date = Cin7DateFormat.parse(text) else { throw invalid(text, name) }
        return date
    }

    /// A text filter; empty counts as absent (the blueprint's defaults are `null` and `""`).
    static func text(_ request: SandboxRequest, _ name: String) -> String? {
        nonEmpty(request, name)
    }

    private static func nonEmpty(_ request: SandboxRequest, _ name: String) -> String? {
        guard let value = request.query.value(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty,
              value.lowercased() != "null" else { return nil }
        return value
    }

    private static func invalid(_ value: String, _ name: String) -> Cin7Failure {
        .badRequest("The value '\(value)' is not valid for \(name).")
    }
}

/// Cin7's text filters, without regard to case (its database compares that way).
extension String {
    func cin7StartsWith(_ prefix: String) -> Bool {
        lowercased().hasPrefix(prefix.lowercased())
    }

    func cin7Contains(_ part: String) -> Bool {
        lowercased().contains(part.lowercased())
    }

    /// Equal but for case. ASCII text (names, SKUs, codes, GUIDs: nearly all
    /// of it) is compared byte by byte, which uniqueness checks over thousands
    /// of records need; anything else goes to Foundation's comparison.
    func cin7Equals(_ other: String) -> Bool {
        var mine = utf8.makeIterator(), theirs = other.utf8.makeIterator()
        while true {
            switch (mine.next(), theirs.next()) {
            case (nil, nil):
                return true
            case let (a?, b?) where a < 0x80 && b < 0x80:
                if a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a) { continue }
                return false
            case (nil, _?), (_?, nil):
                // One ends first: unequal unless case folding changes lengths, which only non-ASCII text can.
                return !isASCIIText && !other.isASCIIText && caseInsensitiveCompare(other) == .orderedSame
            default:
                return caseInsensitiveCompare(other) == .orderedSame
            }
        }
    }

    private var isASCIIText: Bool { utf8.allSatisfy { $0 < 0x80 } }
}
