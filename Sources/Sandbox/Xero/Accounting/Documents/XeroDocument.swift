import Foundation

/// Exchange rates: six places, as Xero writes them (`"CurrencyRate": 1.000000`).
enum SixPlaces: XeroScale { static let places = 6 }
typealias XeroExchangeRate = XeroNumber<SixPlaces>

/// What tells an invoice from a credit note: the envelope key, the names of
/// its id and number fields, the types it has.
protocol XeroDocumentKind: Sendable {
    static var collection: String { get }
    static var idField: String { get }
    static var numberField: String { get }
    /// The receivable type (numbered automatically, with a Reference, discounts allowed
    /// on invoices) and the payable one.
    static var receivable: String { get }
    static var payable: String { get }
    /// "Invoice" or "Credit note", for messages.
    static var noun: String { get }
    /// `INV-`, `CN-`.
    static var numberPrefix: String { get }
}

enum InvoiceKind: XeroDocumentKind {
    static let collection = "Invoices", idField = "InvoiceID", numberField = "InvoiceNumber"
    static let receivable = "ACCREC", payable = "ACCPAY", noun = "Invoice", numberPrefix = "INV-"
}

enum CreditNoteKind: XeroDocumentKind {
    static let collection = "CreditNotes", idField = "CreditNoteID", numberField = "CreditNoteNumber"
    static let receivable = "ACCRECCREDIT", payable = "ACCPAYCREDIT", noun = "Credit note", numberPrefix = "CN-"
}

typealias XeroInvoice = XeroDocument<InvoiceKind>
typealias XeroCreditNote = XeroDocument<CreditNoteKind>

/// A document line (xero_accounting.yaml `LineItem`). Amounts are derived by
/// `XeroDocumentTotals`; `LineItemID` is kept across updates that send it back.
struct XeroLineItem: Codable, Sendable, Equatable {
    struct Tracking: Codable, Sendable, Equatable {
        var Name: String
        var Option: String
        var TrackingCategoryID: String
        var TrackingOptionID: String
    }

    struct ItemRef: Codable, Sendable, Equatable {
        var ItemID: String
        var Name: String?
        var Code: String
    }

    @LowercaseID var LineItemID: UUID
    var Description: String?
    var UnitAmount: XeroUnitAmount
    var TaxType: String?
    var TaxAmount: XeroMoney
    var LineAmount: XeroMoney
    var AccountCode: String?
    var AccountID: String?
    var ItemCode: String?
    var Item: ItemRef?
    var Tracking: [Tracking]
    var Quantity: XeroRate
    var DiscountRate: XeroMoney?
}

/// A contact as documents and payments show it: its id and name.
struct XeroContactRef: Codable, Sendable, Equatable {
    var ContactID: String
    var Name: String
    var HasValidationErrors = false
}

/// A payment as the document it pays lists it.
struct XeroPaymentSummary: Codable, Sendable, Equatable {
    var PaymentID: String
    var Date: XeroDate
    var Amount: XeroMoney
    var Reference: String?
    var CurrencyRate: XeroExchangeRate
    var HasAccount = false
    var HasValidationErrors = false
}

/// A credit note as the invoice it was allocated to lists it.
struct XeroAppliedCredit: Codable, Sendable, Equatable {
    var CreditNoteID: String
    var CreditNoteNumber: String?
    var ID: String
    var AppliedAmount: XeroMoney
    var Date: XeroDate
    var Total: XeroMoney
    var HasErrors = false
    /// Which allocation this is (not sent: Xero lists credits without it).
    var allocationID = ""

    enum CodingKeys: String, CodingKey {
        case CreditNoteID, CreditNoteNumber, ID, AppliedAmount, Date, Total, HasErrors
    }
}

/// An allocation as the credit note lists it (and as the Allocations endpoints answer).
struct XeroAllocationView: Codable, Sendable, Equatable {
    struct InvoiceRef: Codable, Sendable, Equatable {
        var InvoiceID: String
        var InvoiceNumber: String?
        var Payments: [XeroPaymentSummary] = []
        var CreditNotes: [XeroAppliedCredit] = []
        var Prepayments: [String] = []
        var Overpayments: [String] = []
        var HasErrors = false
        var IsDiscounted = false
        var LineItems: [XeroLineItem] = []
    }

    struct CreditNoteRef: Codable, Sendable, Equatable {
        var CreditNoteID: String
        var CreditNoteNumber: String?
        var LineItems: [XeroLineItem] = []
    }

    var AllocationID: String
    var Amount: XeroMoney
    var Date: XeroDate
    var Invoice: InvoiceRef
    var CreditNote: CreditNoteRef?
    var IsDeleted: Bool?
}

/// An invoice or a credit note as the Accounting API sends it (xero_accounting.yaml
/// `Invoice`, `CreditNote`). Totals, amounts due and the lists of payments and
/// credits are derived; the fields the two kinds name differently are written
/// under each kind's names.
struct XeroDocument<Kind: XeroDocumentKind>: XeroEntity {
    static var collection: String { Kind.collection }

    var documentID: UUID
    var type: String
    var number: String?
    var reference: String?
    var contact: XeroContactRef
    var date: XeroDate
    var dueDate: XeroDate?
    var status: String
    var lineAmountTypes: String
    var lineItems: [XeroLineItem]
    var subTotal = XeroMoney(0)
    var totalTax = XeroMoney(0)
    var total = XeroMoney(0)
    var totalDiscount: XeroMoney?
    var currencyCode: String
    var currencyRate: XeroExchangeRate
    var sentToContact = false
    /// Sums of the live payments and allocations.
    var amountPaid = XeroMoney(0)
    var amountCredited = XeroMoney(0)
    var fullyPaidOnDate: XeroDate?
    var payments: [XeroPaymentSummary] = []
    var credits: [XeroAppliedCredit] = []
    /// Prepayments and overpayments allocated to an invoice (CreditBalances/).
    var prepayments: [XeroAppliedBalance] = []
    var overpayments: [XeroAppliedBalance] = []
    var allocations: [XeroAllocationView] = []
    var updated: XeroDate?
    /// The app (client id) that created it, for `createdByMyApp`.
    var createdBy: String?

    var id: UUID { documentID }
    var lookupKey: String? { number?.lowercased() }
    var updatedDateUTC: XeroDate? {
        get { updated }
        set { updated = newValue }
    }

    var isReceivable: Bool { type == Kind.receivable }
    var amountDue: XeroMoney { XeroMoney(total.value - amountPaid.value - amountCredited.value) }
    /// Payments or allocations exist: the document can no longer be edited or voided.
    var hasSettlements: Bool {
        !payments.isEmpty || !credits.isEmpty || !prepayments.isEmpty || !overpayments.isEmpty || !allocations.isEmpty
    }

    init(id: UUID, type: String, contact: XeroContactRef, date: XeroDate, currencyCode: String) {
        documentID = id
        self.type = type
        self.contact = contact
        self.date = date
        status = "DRAFT"
        lineAmountTypes = "Exclusive"
        lineItems = []
        self.currencyCode = currencyCode
        currencyRate = XeroExchangeRate(1)
    }

    init(from decoder: any Decoder) throws {
        // Stored documents are only ever encoded; clients' bodies are read as XeroDocumentInput.
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "documents are read as XeroDocumentInput"))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: XeroCodingKey.self)
        func put<T: Encodable>(_ value: T?, _ key: String) throws {
            if let value { try c.encode(value, forKey: XeroCodingKey(key)) }
        }
        let isInvoice = Kind.collection == InvoiceKind.collection
        try put(type, "Type")
        try put(documentID.uuidString.lowercased(), Kind.idField)
        try put(number, Kind.numberField)
        try put(reference, "Reference")
        try put(payments, "Payments")
        if isInvoice {
            try put(credits, "CreditNotes")
            try put(prepayments, "Prepayments")
            try put(overpayments, "Overpayments")
            try put(amountDue, "AmountDue")
            try put(amountPaid, "AmountPaid")
            try put(amountCredited, "AmountCredited")
            try put(lineItems.contains { $0.DiscountRate != nil }, "IsDiscounted")
        } else {
            try put(amountDue, "RemainingCredit")
            try put(allocations, "Allocations")
        }
        try put(currencyRate, "CurrencyRate")
        try put(false, "HasAttachments")
        try put(false, "HasErrors")
        try put(sentToContact, "SentToContact")
        try put(contact, "Contact")
        try put(date, "Date")
        try put(dueDate, "DueDate")
        try put(fullyPaidOnDate, "FullyPaidOnDate")
        try put(status, "Status")
        try put(lineAmountTypes, "LineAmountTypes")
        try put(lineItems, "LineItems")
        try put(subTotal, "SubTotal")
        try put(totalTax, "TotalTax")
        try put(total, "Total")
        try put(totalDiscount, "TotalDiscount")
        try put(updated, "UpdatedDateUTC")
        try put(updated.map { $0.date.formatted(.iso8601) }, "UpdatedDateUTCString")
        try put(currencyCode, "CurrencyCode")
    }
}

/// What a client may send for an invoice or a credit note. Read-only fields
/// (totals, amounts due, Payments, HasErrors…) are not read.
struct XeroDocumentInput: Decodable {
    struct ContactRef: Decodable {
        var ContactID: UUID?
        var Name: String?
        var ContactNumber: String?
    }

    var `Type`: String?
    var InvoiceID: UUID?
    var CreditNoteID: UUID?
    var InvoiceNumber: String?
    var CreditNoteNumber: String?
    var Reference: String?
    var Contact: ContactRef?
    var Date: XeroDate?
    var DueDate: XeroDate?
    var Status: String?
    var LineAmountTypes: String?
    var LineItems: [XeroLineItemInput]?
    var CurrencyCode: String?
    var CurrencyRate: XeroExchangeRate?
    var SentToContact: Bool?
}

struct XeroLineItemInput: Decodable {
    struct Tracking: Decodable {
        var TrackingCategoryID: UUID?
        var TrackingOptionID: UUID?
        var Name: String?
        var Option: String?
    }

    var LineItemID: UUID?
    var Description: String?
    var Quantity: XeroRate?
    var UnitAmount: XeroUnitAmount?
    var LineAmount: XeroMoney?
    var ItemCode: String?
    var AccountCode: String?
    var AccountID: UUID?
    var TaxType: String?
    var DiscountRate: XeroMoney?
    var Tracking: [Tracking]?
}

/// Xero's arithmetic: each line's amount is Quantity × UnitAmount less its
/// discount, rounded to 2 places; each line's tax is rounded to 2 places from
/// the line's rate (added on for Exclusive, contained in the amount for
/// Inclusive, none for NoTax); the totals are the sums of the rounded lines.
enum XeroDocumentTotals {
    struct Result: Equatable {
        var subTotal: Decimal
        var totalTax: Decimal
        var total: Decimal
        var totalDiscount: Decimal
    }

    static func lineAmount(quantity: Decimal, unitAmount: Decimal, discountRate: Decimal?) -> Decimal {
        let gross = quantity * unitAmount
        guard let discountRate, discountRate != 0 else { return XeroDecimal.round(gross, 2) }
        return XeroDecimal.round(gross * (100 - discountRate) / 100, 2)
    }

    static func tax(lineAmount: Decimal, rate: Decimal, lineAmountTypes: String) -> Decimal {
        switch lineAmountTypes {
        case "Exclusive": return XeroDecimal.round(lineAmount * rate / 100, 2)
        case "Inclusive": return XeroDecimal.round(lineAmount * rate / (100 + rate), 2)
        default: return 0
        }
    }

    /// Fills each line's LineAmount and TaxAmount (rates by TaxType) and returns the totals.
    static func apply(_ lines: inout [XeroLineItem], lineAmountTypes: String, rate: (String?) -> Decimal) -> Result {
        var result = Result(subTotal: 0, totalTax: 0, total: 0, totalDiscount: 0)
        for index in lines.indices {
            let line = lines[index]
            let amount = lineAmount(quantity: line.Quantity.value, unitAmount: line.UnitAmount.value, discountRate: line.DiscountRate?.value)
            let taxAmount = tax(lineAmount: amount, rate: rate(line.TaxType), lineAmountTypes: lineAmountTypes)
            lines[index].LineAmount = XeroMoney(amount)
            lines[index].TaxAmount = XeroMoney(taxAmount)
            result.totalTax += taxAmount
            result.subTotal += lineAmountTypes == "Inclusive" ? amount - taxAmount : amount
            result.totalDiscount += XeroDecimal.round(line.Quantity.value * line.UnitAmount.value, 2) - amount
        }
        result.total = result.subTotal + result.totalTax
        return result
    }
}
