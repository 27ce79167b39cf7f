/// The scopes a consent asks Xero for.
///
/// Xero split its broad accounting scopes: apps created on or after 2 March
/// 2026 may not ask for `accounting.transactions` (their consent page fails),
/// and older apps must move to the granular scopes by September 2027, each
/// customer consenting again (../shared/reference/xero-api.md, "Scopes").
/// So the granular family is the default: it is what a new install's new app
/// is allowed, and what an old app is moving to. `broad` is for an old app
/// whose users consented to the broad scopes and that has not moved yet.
public struct XeroScopeSet: Sendable, Equatable, CustomStringConvertible {
    public let scopes: [String]

    /// Who the user is (openid, profile, email) and refresh tokens (offline_access).
    public static let identity = ["openid", "profile", "email", "offline_access"]

    /// What a sync reads and writes, for apps created since 2 March 2026.
    public static let granular = XeroScopeSet(checked: identity + [
        "accounting.settings", "accounting.contacts", "accounting.invoices", "accounting.payments",
        "accounting.banktransactions", "accounting.manualjournals",
    ])

    /// The same reach for apps created before then.
    public static let broad = XeroScopeSet(checked: identity + [
        "accounting.settings", "accounting.contacts", "accounting.transactions", "accounting.journals.read",
    ])

    public static let `default` = granular

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case malformed(String)
        case missingOfflineAccess

        public var description: String {
            switch self {
            case .empty: "no scopes given: use granular, broad, or a space-separated list of Xero scopes"
            case .malformed(let scope): "\"\(scope)\" is not a Xero scope (letters, digits, '.' and '_' only)"
            case .missingOfflineAccess: "the scopes must include offline_access: without it Xero issues no refresh token and the connection dies in 30 minutes"
            }
        }
    }

    private init(checked scopes: [String]) {
        self.scopes = scopes
    }

    /// `granular`, `broad`, or an explicit space-separated list (duplicates
    /// dropped, order kept), which must include `offline_access`.
    public static func parse(_ text: String) throws(ParseError) -> XeroScopeSet {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        guard !words.isEmpty else { throw .empty }
        if words.count == 1 {
            switch words[0].lowercased() {
            case "granular": return .granular
            case "broad": return .broad
            default: break
            }
        }
        var unique: [String] = []
        for word in words where !unique.contains(word) {
            guard (1...100).contains(word.utf8.count), word.utf8.allSatisfy(isScopeByte) else { throw .malformed(String(word.prefix(100))) }
            unique.append(word)
        }
        guard unique.contains("offline_access") else { throw .missingOfflineAccess }
        return XeroScopeSet(checked: unique)
    }

    private static func isScopeByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
    }

    /// As the consent URL carries it.
    public var description: String { scopes.joined(separator: " ") }
}
