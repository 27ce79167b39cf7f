import Foundation

/// An Account as the Accounting API sends it (../shared/specs/xero/xero_accounting.yaml,
/// `Account`). `Class`, `SystemAccount` and `ReportingCodeName` are derived.
struct XeroAccount: XeroEntity {
    static let collection = "Accounts"

    @LowercaseID var AccountID: UUID
    var Code: String?
    var Name: String
    var Status: String
    var `Type`: String
    var TaxType: String?
    var Description: String?
    /// Bank accounts only: `BANK`, `CREDITCARD` or `PAYPAL`; every other account sends "".
    var BankAccountType: String
    var BankAccountNumber: String?
    var CurrencyCode: String?
    var Class: String
    var SystemAccount: String?
    var EnablePaymentsToAccount: Bool
    var ShowInExpenseClaims: Bool
    var ReportingCode: String?
    var ReportingCodeName: String?
    var HasAttachments: Bool
    var UpdatedDateUTC: XeroDate?
    var AddToWatchlist: Bool

    var id: UUID { AccountID }
    var updatedDateUTC: XeroDate? {
        get { UpdatedDateUTC }
        set { UpdatedDateUTC = newValue }
    }

    /// The `AccountType` enum of the spec, each with the class Xero files it under.
    static let classOfType: [String: String] = [
        "BANK": "ASSET", "CURRENT": "ASSET", "FIXED": "ASSET", "INVENTORY": "ASSET", "NONCURRENT": "ASSET", "PREPAYMENT": "ASSET",
        "EQUITY": "EQUITY",
        "DEPRECIATN": "EXPENSE", "DIRECTCOSTS": "EXPENSE", "EXPENSE": "EXPENSE", "OVERHEADS": "EXPENSE",
        "CURRLIAB": "LIABILITY", "LIABILITY": "LIABILITY", "TERMLIAB": "LIABILITY", "PAYG": "LIABILITY",
        "OTHERINCOME": "REVENUE", "REVENUE": "REVENUE", "SALES": "REVENUE",
    ]

    /// The top-level reporting code of each class and its name (the spec's
    /// example: `ReportingCode: EXP`, `ReportingCodeName: Expense`).
    static let reportingCodeOfClass: [String: (code: String, name: String)] = [
        "ASSET": ("ASS", "Assets"), "EQUITY": ("EQU", "Equity"), "EXPENSE": ("EXP", "Expense"),
        "LIABILITY": ("LIA", "Liabilities"), "REVENUE": ("REV", "Revenue"),
    ]

    static let bankAccountTypes: Set<String> = ["BANK", "CREDITCARD", "PAYPAL"]

    init(id: UUID, code: String?, name: String, type: String, taxType: String?, description: String? = nil,
         systemAccount: String? = nil, bankAccountNumber: String? = nil, currencyCode: String? = nil) {
        let accountClass = Self.classOfType[type] ?? "ASSET"
        AccountID = id
        Code = code
        Name = name
        Status = "ACTIVE"
        self.Type = type
        TaxType = taxType
        Description = description
        BankAccountType = type == "BANK" ? "BANK" : ""
        BankAccountNumber = bankAccountNumber
        CurrencyCode = currencyCode
        Class = accountClass
        SystemAccount = systemAccount
        EnablePaymentsToAccount = false
        ShowInExpenseClaims = false
        ReportingCode = Self.reportingCodeOfClass[accountClass]?.code
        ReportingCodeName = Self.reportingCodeOfClass[accountClass]?.name
        HasAttachments = false
        AddToWatchlist = false
    }
}

/// What a client may send for an account: every field optional; read-only
/// ones (Class, SystemAccount, ReportingCodeName, HasAttachments,
/// UpdatedDateUTC) are not even read.
struct XeroAccountInput: Decodable {
    var AccountID: UUID?
    var Code: String?
    var Name: String?
    var Status: String?
    var `Type`: String?
    var TaxType: String?
    var Description: String?
    var BankAccountType: String?
    var BankAccountNumber: String?
    var CurrencyCode: String?
    var EnablePaymentsToAccount: Bool?
    var ShowInExpenseClaims: Bool?
    var ReportingCode: String?
    var AddToWatchlist: Bool?
}
