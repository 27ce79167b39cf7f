import Foundation

/// A chart-of-accounts row, `/ref/account` (apib:812-1010): keyed by `Code`,
/// not a GUID. Field order is the blueprint's example's.
struct Cin7Account: Cin7Stored {
    var Code: String
    var Status: String
    var Name: String
    var `Type`: String
    var Description: String
    var Class: String
    var SystemAccount: String?
    var BankAccountNumber: String?
    var BankAccountId: String?
    var ForPayments: Bool
    var DisplayName: String
    var OldCode: String?
    /// Write-only: "Name of the Bank. Only for PUT and POST."
    var _bank: String?

    var key: String { Code }

    static let statuses: Set<String> = ["ACTIVE", "ARCHIVED"]
    static let classes: Set<String> = ["ASSET", "LIABILITY", "EXPENSE", "EQUITY", "REVENUE"]
    static let systemAccounts: Set<String> = [
        "BANKCURRENCYGAIN", "CREDITORS", "DEBTORS", "GST", "GSTONIMPORTS", "HISTORICAL", "REALISEDCURRENCYGAIN",
        "RETAINEDEARNINGS", "ROUNDING", "TRACKINGTRANSFERS", "UNPAIDEXPCLM", "UNREALISEDCURRENCYGAIN", "WAGEPAYABLES",
    ]

    /// The account types Cin7 takes from its accounting integration (the field
    /// table names only the liability and bank ones; its examples use the rest),
    /// each with the class it implies when `Class` is not sent.
    static let typeClasses: [String: String] = [
        "BANK": "ASSET", "CURRENT": "ASSET", "FIXED": "ASSET", "INVENTORY": "ASSET", "NONCURRENT": "ASSET", "PREPAYMENT": "ASSET",
        "CURRLIAB": "LIABILITY", "LIABILITY": "LIABILITY", "TERMLIAB": "LIABILITY", "TERMLIA": "LIABILITY",
        "PAYGLIABILITY": "LIABILITY", "SUPERANNUATIONLIABILITY": "LIABILITY", "WAGESPAYABLELIABILITY": "LIABILITY",
        "EQUITY": "EQUITY",
        "DEPRECIATN": "EXPENSE", "DIRECTCOSTS": "EXPENSE", "EXPENSE": "EXPENSE", "OVERHEADS": "EXPENSE",
        "SUPERANNUATIONEXPENSE": "EXPENSE", "WAGESEXPENSE": "EXPENSE",
        "OTHERINCOME": "REVENUE", "REVENUE": "REVENUE", "SALES": "REVENUE",
    ]

    var isActive: Bool { Status == "ACTIVE" }
}

/// What a client may send for an account; read-only fields (`DisplayName`,
/// `OldCode`, `BankAccountId`, `Currency`) are ignored.
struct Cin7AccountInput: Decodable {
    var Code: LenientString?
    var Name: String?
    var `Type`: String?
    var Status: String?
    var Description: String?
    var Class: String?
    var SystemAccount: String?
    var ForPayments: LenientBool?
    var Bank: String?
    var BankAccountNumber: LenientString?
}
