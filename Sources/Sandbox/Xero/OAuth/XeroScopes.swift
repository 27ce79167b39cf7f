/// The scopes the sandbox grants: identity, the broad accounting family, and
/// the granular family Xero requires of apps created since 2 March 2026.
enum XeroScopes {
    static let identity: Set<String> = ["openid", "profile", "email", "offline_access"]
    static let accounting: Set<String> = [
        "accounting.transactions", "accounting.contacts", "accounting.settings", "accounting.attachments",
        "accounting.invoices", "accounting.payments", "accounting.banktransactions", "accounting.manualjournals",
        "accounting.journals", "accounting.reports", "accounting.budgets",
    ]

    static func isKnown(_ scope: String) -> Bool {
        if identity.contains(scope) || accounting.contains(scope) { return true }
        if scope.hasSuffix(".read") { return accounting.contains(String(scope.dropLast(5))) || scope.hasPrefix("accounting.reports.") }
        return false
    }
}
