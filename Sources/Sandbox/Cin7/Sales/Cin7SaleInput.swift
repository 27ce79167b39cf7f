import Foundation

/// What a client may send to `POST`/`PUT /sale` (apib:20462 "Sale POST/PUT Attributes").
struct Cin7SaleInput: Decodable {
    struct Address: Decodable {
        var Line1: String?
        var Line2: String?
        var City: String?
        var State: String?
        var Postcode: LenientString?
        var Country: String?
        var Company: String?
        var Contact: String?
        var ShipToOther: LenientBool?
    }

    var ID: String?
    var Customer: String?
    var CustomerID: String?
    var Contact: String?
    var Phone: LenientString?
    var Email: String?
    var DefaultAccount: LenientString?
    var SkipQuote: LenientBool?
    var BillingAddress: Address?
    var ShippingAddress: Address?
    var ShippingNotes: String?
    var TaxRule: String?
    var TaxInclusive: LenientBool?
    var Terms: String?
    var PriceTier: String?
    var ShipBy: String?
    var Location: String?
    var SaleOrderDate: String?
    var Note: String?
    var CustomerReference: String?
    var CurrencyRate: LenientDecimal?
    var SalesRepresentative: String?
    var Carrier: String?
    var ExternalID: String?
    var AdditionalAttributes: [String: String?]?
    var SaleType: String?
    var ServiceOnly: LenientBool?
}

/// The body of `POST /sale/quote`, `/sale/order`, `/sale/invoice`,
/// `/sale/creditnote` (and, with `TaskID`, the purchase tasks).
struct Cin7TaskInput: Decodable {
    var SaleID: String?
    var PurchaseID: String?
    var TaskID: String?
    var Memo: String?
    var Status: String?
    var AutoPickPackShipMode: String?
    var InvoiceDate: String?
    var InvoiceDueDate: String?
    var CreditNoteDate: String?
    var CreditNoteInvoiceNumber: String?
    var CurrencyConversionRate: LenientDecimal?
    var CreditNoteConversionRate: LenientDecimal?
    var BillingAddressLine1: String?
    var BillingAddressLine2: String?
    var InvoiceNumber: LenientString?
    var Lines: [Cin7LineInput]?
    var AdditionalCharges: [Cin7LineInput]?
    var Restock: [Cin7LineInput]?
}

/// The body of `POST`/`PUT /sale/fulfilment/ship`.
struct Cin7ShipInput: Decodable {
    var TaskID: String?
    var Status: String?
    var RequireBy: String?
    var ShippingNotes: String?
    var Lines: [Line]?

    struct Line: Decodable {
        var ShipmentDate: String?
        var Carrier: String?
        var Box: String?
        var Boxes: String?
        var TrackingNumber: LenientString?
        var TrackingURL: String?
        var IsShipped: LenientBool?
    }
}

extension Cin7Validation {
    /// A task status a POST may set: `DRAFT` or `AUTHORISED` (reference §5).
    mutating func taskStatus(_ value: String?, label: String = "Status") -> String {
        let status = required(value, label).uppercased()
        check(status.isEmpty || ["DRAFT", "AUTHORISED"].contains(status), "\(label) '\(value ?? "")' is not valid. Use DRAFT or AUTHORISED.")
        return status
    }

    /// A date field: nil when absent, a failure when it does not parse.
    mutating func day(_ value: String?, _ field: String) -> Cin7Day? {
        guard let value, !value.isEmpty else { return nil }
        guard let date = Cin7DateFormat.parse(value) else {
            fail("\(field) '\(value)' is not a valid date.")
            return nil
        }
        return Cin7Day(date: date)
    }
}
