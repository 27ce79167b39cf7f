import Foundation

/// A Payment as the Accounting API sends it (xero_accounting.yaml `Payment`):
/// against an invoice, or a credit note (a refund). Payments are never edited,
/// only deleted (`Status: DELETED`).
struct XeroPayment: XeroEntity {
    static let collection = "Payments"

    struct AccountRef: Codable, Sendable, Equatable {
        var AccountID: String
        var Code: String?
    }

    /// The document paid, as a payment shows it.
    struct DocumentRef: Codable, Sendable, Equatable {
        var `Type`: String
        var InvoiceID: String?
        var InvoiceNumber: String?
        var CreditNoteID: String?
        var CreditNoteNumber: String?
        var Contact: XeroContactRef
        var CurrencyCode: String
        var LineItems: [XeroLineItem] = []
    }

    @LowercaseID var PaymentID: UUID
    var Date: XeroDate
    var BankAmount: XeroMoney
    var Amount: XeroMoney
    var Reference: String?
    var CurrencyRate: XeroExchangeRate
    var PaymentType: String
    var Status: String
    var UpdatedDateUTC: XeroDate?
    var UpdatedDateUTCString: String?
    var HasAccount: Bool
    var IsReconciled: Bool
    var Account: AccountRef
    var Invoice: DocumentRef?
    var CreditNote: DocumentRef?
    var HasValidationErrors: Bool

    var id: UUID { PaymentID }
    var updatedDateUTC: XeroDate? {
        get { UpdatedDateUTC }
        set {
            UpdatedDateUTC = newValue
            UpdatedDateUTCString = newValue.map { $0.date.formatted(.iso8601) }
        }
    }

    var summary: XeroPaymentSummary {
        XeroPaymentSummary(PaymentID: PaymentID.uuidString.lowercased(), Date: Date, Amount: Amount, Reference: Reference, CurrencyRate: CurrencyRate)
    }
}

/// What a client may send to create a payment.
struct XeroPaymentInput: Decodable {
    struct DocumentRef: Decodable {
        var InvoiceID: UUID?
        var InvoiceNumber: String?
        var CreditNoteID: UUID?
        var CreditNoteNumber: String?
    }

    struct AccountRef: Decodable {
        var AccountID: UUID?
        var Code: String?
    }

    var PaymentID: UUID?
    var Invoice: DocumentRef?
    var CreditNote: DocumentRef?
    var InvoiceNumber: String?
    var CreditNoteNumber: String?
    var Account: AccountRef?
    var Code: String?
    var Date: XeroDate?
    var Amount: XeroMoney?
    var CurrencyRate: XeroExchangeRate?
    var Reference: String?
    var IsReconciled: Bool?
    var Status: String?
}

/// What a client may send to allocate a credit note.
struct XeroAllocationInput: Decodable {
    struct InvoiceRef: Decodable {
        var InvoiceID: UUID?
        var InvoiceNumber: String?
    }

    var Invoice: InvoiceRef?
    var Amount: XeroMoney?
    var Date: XeroDate?
}
