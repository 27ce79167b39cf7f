import Foundation

/// What tells a prepayment from an overpayment. Both are money received from
/// a customer (or paid to a supplier) ahead of an invoice: Xero creates them
/// only from a bank transaction of their type (xero-api.md §5.8, §5.9) and
/// both are spent by allocating them to invoices.
protocol XeroCreditBalanceKind: Sendable {
    /// "Prepayments", "Overpayments": the envelope key and the path.
    static var collection: String { get }
    /// "PrepaymentID", "OverpaymentID".
    static var idField: String { get }
    /// "prepayment", for messages.
    static var noun: String { get }
    /// The bank transaction types that create one: the customer's and the supplier's.
    static var receiveType: String { get }
    static var spendType: String { get }
    /// The spec's Prepayment says its Reference "isn't available" (it is the
    /// invoice number Xero gives a receive prepayment); an Overpayment's is the bank transaction's.
    static var keepsReference: Bool { get }
}

enum PrepaymentKind: XeroCreditBalanceKind {
    static let collection = "Prepayments", idField = "PrepaymentID", noun = "prepayment"
    static let receiveType = "RECEIVE-PREPAYMENT", spendType = "SPEND-PREPAYMENT"
    static let keepsReference = false
}

enum OverpaymentKind: XeroCreditBalanceKind {
    static let collection = "Overpayments", idField = "OverpaymentID", noun = "overpayment"
    static let receiveType = "RECEIVE-OVERPAYMENT", spendType = "SPEND-OVERPAYMENT"
    static let keepsReference = true
}

typealias XeroPrepayment = XeroCreditBalance<PrepaymentKind>
typealias XeroOverpayment = XeroCreditBalance<OverpaymentKind>

/// A prepayment or an overpayment as the Accounting API sends it
/// (xero_accounting.yaml `Prepayment`, `Overpayment`). Its lines and totals are
/// those of the bank transaction that made it; `RemainingCredit` is the total
/// less what is allocated; it is PAID when nothing remains, VOIDED when its
/// bank transaction is deleted.
struct XeroCreditBalance<Kind: XeroCreditBalanceKind>: XeroEntity {
    static var collection: String { Kind.collection }

    var balanceID: UUID
    /// The bank transaction it came from (not sent: the spec has no field for it).
    var bankTransactionID: UUID
    var type: String
    var contact: XeroContactRef
    var date: XeroDate
    var status = "AUTHORISED"
    var lineAmountTypes: String
    var lineItems: [XeroLineItem]
    var subTotal: XeroMoney
    var totalTax: XeroMoney
    var total: XeroMoney
    var currencyCode: String
    var currencyRate: XeroExchangeRate
    var reference: String?
    var allocations: [XeroBalanceAllocation] = []
    var updated: XeroDate?

    var id: UUID { balanceID }
    var updatedDateUTC: XeroDate? {
        get { updated }
        set { updated = newValue }
    }

    /// A customer's (RECEIVE-…) balance is spent on sales invoices, a supplier's on bills.
    var isReceive: Bool { type == Kind.receiveType }
    var remainingCredit: XeroMoney { XeroMoney(total.value - allocations.reduce(Decimal(0)) { $0 + $1.amount.value }) }

    /// The status its allocations leave it in: PAID with nothing left, else
    /// AUTHORISED; a VOIDED one stays VOIDED.
    mutating func settle() {
        guard status != "VOIDED" else { return }
        status = remainingCredit.value == 0 ? "PAID" : "AUTHORISED"
    }

    init(id: UUID, from transaction: XeroBankTransaction) {
        balanceID = id
        bankTransactionID = transaction.BankTransactionID
        type = transaction.Type
        contact = transaction.Contact
        date = transaction.Date
        lineAmountTypes = transaction.LineAmountTypes
        lineItems = transaction.LineItems
        subTotal = transaction.SubTotal
        totalTax = transaction.TotalTax
        total = transaction.Total
        currencyCode = transaction.CurrencyCode
        currencyRate = transaction.CurrencyRate
        reference = Kind.keepsReference ? transaction.Reference : nil
    }

    init(from decoder: any Decoder) throws {
        // Clients never write these: only bank transactions make them.
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(Kind.collection) are made by bank transactions"))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: XeroCodingKey.self)
        func put<T: Encodable>(_ value: T?, _ key: String) throws {
            if let value { try c.encode(value, forKey: XeroCodingKey(key)) }
        }
        let id = balanceID.uuidString.lowercased()
        try put(id, Kind.idField)
        try put(id, "ID")
        try put(currencyRate, "CurrencyRate")
        try put(type, "Type")
        try put(reference, "Reference")
        try put(remainingCredit, "RemainingCredit")
        try put(allocations, "Allocations")
        try put([String](), "Payments")
        try put(false, "HasAttachments")
        try put(contact, "Contact")
        try put(date, "Date")
        try put(status, "Status")
        try put(lineAmountTypes, "LineAmountTypes")
        try put(lineItems, "LineItems")
        try put(subTotal, "SubTotal")
        try put(totalTax, "TotalTax")
        try put(total, "Total")
        try put(updated, "UpdatedDateUTC")
        try put(updated.map { $0.date.formatted(.iso8601) }, "UpdatedDateUTCString")
        try put(currencyCode, "CurrencyCode")
    }
}

/// One allocation of a prepayment or overpayment to an invoice: as the balance
/// lists it, and (with `source` and `isDeleted`) as the Allocations endpoints answer it.
struct XeroBalanceAllocation: Encodable, Sendable, Equatable {
    var allocationID: String
    var amount: XeroMoney
    var date: XeroDate
    var invoice: XeroAllocationView.InvoiceRef
    /// The balance it came from, as `"Prepayment": {"PrepaymentID": …}`; left
    /// out where the balance lists its own allocations.
    var source: Source?
    var isDeleted: Bool?

    struct Source: Sendable, Equatable {
        /// "Prepayment" or "Overpayment".
        var key: String
        var idField: String
        var id: String
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: XeroCodingKey.self)
        try c.encode(allocationID, forKey: XeroCodingKey("AllocationID"))
        try c.encode(amount, forKey: XeroCodingKey("Amount"))
        try c.encode(date, forKey: XeroCodingKey("Date"))
        try c.encode(invoice, forKey: XeroCodingKey("Invoice"))
        if let source {
            var nested = c.nestedContainer(keyedBy: XeroCodingKey.self, forKey: XeroCodingKey(source.key))
            try nested.encode(source.id, forKey: XeroCodingKey(source.idField))
            try nested.encode(source.id, forKey: XeroCodingKey("ID"))
            try nested.encode([String](), forKey: XeroCodingKey("LineItems"))
        }
        if let isDeleted { try c.encode(isDeleted, forKey: XeroCodingKey("IsDeleted")) }
    }
}

/// A prepayment or overpayment as the invoice it was allocated to lists it
/// (the invoice's `Prepayments` / `Overpayments`): which one, how much, when.
struct XeroAppliedBalance: Encodable, Sendable, Equatable {
    /// "PrepaymentID" or "OverpaymentID".
    var idField: String
    var balanceID: String
    var appliedAmount: XeroMoney
    var date: XeroDate
    var total: XeroMoney
    /// Which allocation this is (not sent).
    var allocationID: String

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: XeroCodingKey.self)
        try c.encode(balanceID, forKey: XeroCodingKey(idField))
        try c.encode(balanceID, forKey: XeroCodingKey("ID"))
        try c.encode(date, forKey: XeroCodingKey("Date"))
        try c.encode(appliedAmount, forKey: XeroCodingKey("AppliedAmount"))
        try c.encode(total, forKey: XeroCodingKey("Total"))
    }
}
