import Foundation

/// Spend or receive money (xero_accounting.yaml `BankTransaction`): lines coded
/// to accounts, paid from or into a BANK account. The prepayment and
/// overpayment types also open a prepayment or overpayment for the contact.
/// Equatable: whether a write changed anything is a comparison of values (JSONEncoder's
/// key order is not stable between encodes, so bytes cannot tell).
struct XeroBankTransaction: XeroEntity, Equatable {
    static let collection = "BankTransactions"

    /// The bank account as a transaction shows it.
    struct BankAccountRef: Codable, Sendable, Equatable {
        var AccountID: String
        var Code: String?
        var Name: String
    }

    @LowercaseID var BankTransactionID: UUID
    var `Type`: String
    var Contact: XeroContactRef
    var BankAccount: BankAccountRef
    var IsReconciled: Bool
    var Date: XeroDate
    var Reference: String?
    var CurrencyCode: String
    var CurrencyRate: XeroExchangeRate
    var Url: String?
    var Status: String
    var LineAmountTypes: String
    var LineItems: [XeroLineItem]
    var SubTotal: XeroMoney
    var TotalTax: XeroMoney
    var Total: XeroMoney
    var PrepaymentID: String?
    var OverpaymentID: String?
    var UpdatedDateUTC: XeroDate?
    var HasAttachments = false

    var id: UUID { BankTransactionID }
    var updatedDateUTC: XeroDate? {
        get { UpdatedDateUTC }
        set { UpdatedDateUTC = newValue }
    }

    /// Money in: lines take the sales side of items and tax; the balance it opens is a customer's.
    var isReceive: Bool { Type.hasPrefix("RECEIVE") }
    var opensPrepayment: Bool { Type.hasSuffix("-PREPAYMENT") }
    var opensOverpayment: Bool { Type.hasSuffix("-OVERPAYMENT") }

    /// The types this sandbox creates. The transfer types are made by `/BankTransfers`, not here.
    static let creatableTypes: Set<String> = ["RECEIVE", "SPEND", "RECEIVE-PREPAYMENT", "SPEND-PREPAYMENT", "RECEIVE-OVERPAYMENT", "SPEND-OVERPAYMENT"]
    static let transferTypes: Set<String> = ["RECEIVE-TRANSFER", "SPEND-TRANSFER"]
}

/// What a client may send for a bank transaction. Totals, PrepaymentID,
/// OverpaymentID and the other read-only fields are not read.
struct XeroBankTransactionInput: Decodable {
    struct ContactRef: Decodable {
        var ContactID: UUID?
        var Name: String?
        var ContactNumber: String?
    }

    struct AccountRef: Decodable {
        var AccountID: UUID?
        var Code: String?
    }

    var BankTransactionID: UUID?
    var `Type`: String?
    var Contact: ContactRef?
    var BankAccount: AccountRef?
    var IsReconciled: Bool?
    var Date: XeroDate?
    var Reference: String?
    var CurrencyCode: String?
    var CurrencyRate: XeroExchangeRate?
    var Url: String?
    var Status: String?
    var LineAmountTypes: String?
    var LineItems: [XeroLineItemInput]?
}
