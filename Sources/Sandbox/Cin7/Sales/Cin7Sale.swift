import Foundation

/// A sale, `/sale` (apib:20385-22710): one record holding its quote, order,
/// fulfilment, invoice and credit note, each with its own status. The sandbox
/// keeps Simple Sales — one fulfilment, one invoice, one credit note — whose
/// tasks have their own `TaskID`s (read them from `GET /sale`). Sale-level
/// statuses are derived from the parts' by `refresh()` (apib:20049-20102).
struct Cin7Sale: Cin7Stored {
    struct AddressModel: Cin7Record, Sendable, Equatable {
        var DisplayAddressLine1 = ""
        var DisplayAddressLine2 = ""
        var Line1 = ""
        var Line2 = ""
        var City = ""
        var State = ""
        var Postcode = ""
        var Country = ""
        var Company = ""
        var Contact = ""
        var ShipToOther = false
    }

    struct QuoteModel: Cin7Record, Sendable {
        var Memo = ""
        var Status = "NOT AVAILABLE"
        var Lines: [Cin7DocumentLine] = []
        var AdditionalCharges: [Cin7AdditionalCharge] = []
        var TotalBeforeTax: Decimal = 0
        var Tax: Decimal = 0
        var Total: Decimal = 0
        var Prepayments: [Cin7PaymentLine] = []
    }

    struct OrderModel: Cin7Record, Sendable {
        var SaleOrderNumber: String
        var Memo = ""
        var Status = "NOT AVAILABLE"
        var Lines: [Cin7DocumentLine] = []
        var AdditionalCharges: [Cin7AdditionalCharge] = []
        var TotalBeforeTax: Decimal = 0
        var Tax: Decimal = 0
        var Total: Decimal = 0
    }

    /// A pick or pack line (apib "Sale Fulfilment Pick Pack Line Model").
    struct StockLine: Cin7Record, Sendable, Equatable {
        var ProductID: String
        var SKU: String
        var Name: String
        var Location: String
        var LocationID: String
        var BatchSN: String = ""
        var ExpiryDate: String = ""
        var Box: String = ""
        var Quantity: Decimal
    }

    struct StockStep: Cin7Record, Sendable {
        var Status = "NOT AVAILABLE"
        var Lines: [StockLine] = []
    }

    struct ShipLine: Cin7Record, Sendable, Equatable {
        var ID: String
        var ShipmentDate: Cin7Day
        var Carrier: String
        var Boxes: String
        var TrackingNumber: String
        var TrackingURL: String
        var IsShipped: Bool
    }

    struct ShipModel: Cin7Record, Sendable {
        var Status = "NOT AVAILABLE"
        var RequireBy: Cin7Day?
        var ShippingAddress: Cin7Sale.AddressModel = .init()
        var ShippingNotes = ""
        var Lines: [ShipLine] = []
    }

    struct Fulfilment: Cin7Record, Sendable {
        var TaskID: String
        var FulfillmentNumber: Int = 1
        var LinkedInvoiceNumber = ""
        var FulFilmentStatus = "NOT FULFILLED"
        var Pick: Cin7Sale.StockStep = .init()
        var Pack: Cin7Sale.StockStep = .init()
        var Ship: Cin7Sale.ShipModel = .init()
    }

    struct Invoice: Cin7Record, Sendable {
        var TaskID: String
        var InvoiceNumber: String
        var Memo = ""
        var Status = "DRAFT"
        var InvoiceDate: Cin7Day
        var InvoiceDueDate: Cin7Day
        var CurrencyConversionRate: Decimal = 1
        var BillingAddressLine1 = ""
        var BillingAddressLine2 = ""
        var LinkedFulfillmentNumber = "1"
        var Lines: [Cin7DocumentLine] = []
        var AdditionalCharges: [Cin7AdditionalCharge] = []
        var Payments: [Cin7PaymentLine] = []
        var TotalBeforeTax: Decimal = 0
        var Tax: Decimal = 0
        var Total: Decimal = 0
        var Paid: Decimal = 0
    }

    struct CreditNote: Cin7Record, Sendable {
        var TaskID: String
        var CreditNoteInvoiceNumber: String
        var CreditNoteNumber: String
        var Memo = ""
        var Status = "DRAFT"
        var CreditNoteDate: Cin7Day
        var CreditNoteConversionRate: Decimal = 1
        var Lines: [Cin7DocumentLine] = []
        var AdditionalCharges: [Cin7AdditionalCharge] = []
        var Restock: [StockLine] = []
        var Refunds: [Cin7PaymentLine] = []
        var TotalBeforeTax: Decimal = 0
        var Tax: Decimal = 0
        var Total: Decimal = 0
    }

    struct JournalModel: Cin7Record, Sendable {
        var Status = "NOT AVAILABLE"
        var Lines: [String] = []
    }

    var ID: String
    var `Type` = "Simple Sale"
    var Customer: String
    var CustomerID: String
    var Contact = ""
    var Phone = ""
    var Email = ""
    var DefaultAccount: String
    var SkipQuote = false
    var BillingAddress: Cin7Sale.AddressModel = .init()
    var ShippingAddress: Cin7Sale.AddressModel = .init()
    var ShippingNotes = ""
    var BaseCurrency: String
    var CustomerCurrency: String
    var TaxRule: String
    var TaxCalculation = "Exclusive"
    var Terms: String
    var PriceTier: String
    var ShipBy: Cin7Day?
    var Location: String
    var SaleOrderDate: Cin7Day
    var LastModifiedOn: Cin7Timestamp
    var Note = ""
    var CustomerReference = ""
    var COGSAmount: Decimal = 0
    var Status = "DRAFT"
    var CombinedPickingStatus = "NOT AVAILABLE"
    var CombinedPackingStatus = "NOT AVAILABLE"
    var CombinedShippingStatus = "NOT AVAILABLE"
    var FulFilmentStatus = "NOT AVAILABLE"
    var CombinedInvoiceStatus = "NOT AVAILABLE"
    var CombinedPaymentStatus = "UNPAID"
    var CombinedTrackingNumbers = ""
    var Carrier = ""
    var CurrencyRate: Decimal = 1
    var SalesRepresentative = ""
    var SourceChannel = ""
    var ExternalID: String?
    var ServiceOnly = false
    var Quote: Cin7Sale.QuoteModel = .init()
    var Order: Cin7Sale.OrderModel
    var Fulfilments: [Fulfilment] = []
    var Invoices: [Invoice] = []
    var CreditNotes: [CreditNote] = []
    var ManualJournals: Cin7Sale.JournalModel = .init()
    var AdditionalAttributes: [String: String] = Dictionary(uniqueKeysWithValues: (1...10).map { ("AdditionalAttribute\($0)", "") })
    var Attachments: [String] = []
    var InventoryMovements: [Cin7InventoryMovement] = []
    var Transactions: [String] = []
    var _created: Cin7Timestamp
    var _voided = false

    var key: String { ID }
    var inclusive: Bool { TaxCalculation == "Inclusive" }
    var invoice: Invoice? { Invoices.first }
    var creditNote: CreditNote? { CreditNotes.first }
    var fulfilment: Fulfilment? { Fulfilments.first }

    static let authorised = "AUTHORISED"

    var quoteReady: Bool { SkipQuote || Quote.Status == Self.authorised }
    var orderAuthorised: Bool { Order.Status == Self.authorised || Order.Status == "FULFILLED" || Order.Status == "CLOSED" }
    var invoiceAuthorised: Bool { invoice.map { $0.Status == Self.authorised || $0.Status == "PAID" } ?? false }
    var shipped: Bool { fulfilment?.Ship.Status == Self.authorised }

    /// Totals, payments and every derived status, after any change to a part.
    mutating func refresh() {
        let inclusive = inclusive
        let q = Cin7DocumentTotals(lines: Quote.Lines, charges: Quote.AdditionalCharges, inclusive: inclusive)
        (Quote.TotalBeforeTax, Quote.Tax, Quote.Total) = (q.beforeTax, q.tax, q.total)
        let o = Cin7DocumentTotals(lines: Order.Lines, charges: Order.AdditionalCharges, inclusive: inclusive)
        (Order.TotalBeforeTax, Order.Tax, Order.Total) = (o.beforeTax, o.tax, o.total)
        let prepaid = Quote.Prepayments.reduce(Decimal(0)) { $0 + $1.Amount }
        for i in Invoices.indices {
            let t = Cin7DocumentTotals(lines: Invoices[i].Lines, charges: Invoices[i].AdditionalCharges, inclusive: inclusive)
            (Invoices[i].TotalBeforeTax, Invoices[i].Tax, Invoices[i].Total) = (t.beforeTax, t.tax, t.total)
            // Prepayments count towards the (one) invoice once it exists.
            Invoices[i].Paid = Invoices[i].Payments.reduce(Decimal(0)) { $0 + $1.Amount } + (i == 0 ? prepaid : 0)
            if Invoices[i].Status == Self.authorised && Invoices[i].Total > 0 && Invoices[i].Paid >= Invoices[i].Total { Invoices[i].Status = "PAID" }
            if Invoices[i].Status == "PAID" && Invoices[i].Paid < Invoices[i].Total { Invoices[i].Status = Self.authorised }
        }
        for i in CreditNotes.indices {
            let t = Cin7DocumentTotals(lines: CreditNotes[i].Lines, charges: CreditNotes[i].AdditionalCharges, inclusive: inclusive)
            (CreditNotes[i].TotalBeforeTax, CreditNotes[i].Tax, CreditNotes[i].Total) = (t.beforeTax, t.tax, t.total)
        }
        COGSAmount = InventoryMovements.reduce(Decimal(0)) { $0 + $1.COGS }
        CombinedTrackingNumbers = fulfilment?.Ship.Lines.map(\.TrackingNumber).filter { !$0.isEmpty }.joined(separator: ", ") ?? ""
        func combined(_ status: String?, _ done: String, _ doing: String, _ not: String) -> String {
            guard let status else { return "NOT AVAILABLE" }
            return switch status {
            case Self.authorised: done
            case "DRAFT": doing
            case "VOIDED": "VOIDED"
            default: not
            }
        }
        CombinedPickingStatus = combined(fulfilment?.Pick.Status, "PICKED", "PICKING", "NOT PICKED")
        CombinedPackingStatus = combined(fulfilment?.Pack.Status, "PACKED", "PACKING", "NOT PACKED")
        CombinedShippingStatus = combined(fulfilment?.Ship.Status, "SHIPPED", "SHIPPING", "NOT SHIPPED")
        FulFilmentStatus = _voided ? "VOIDED" : fulfilment == nil ? "NOT AVAILABLE" : shipped ? "FULFILLED" : "NOT FULFILLED"
        if let f = Fulfilments.indices.first { Fulfilments[f].FulFilmentStatus = FulFilmentStatus }
        if !_voided && orderAuthorised { Order.Status = shipped ? (invoice?.Status == "PAID" ? "CLOSED" : "FULFILLED") : Self.authorised }
        CombinedInvoiceStatus = invoice?.Status ?? "NOT AVAILABLE"
        let invoiced = invoiceAuthorised ? invoice!.Total : 0
        let paid = (invoice?.Paid ?? prepaid)
        let credit = creditNote.flatMap { $0.Status == Self.authorised ? $0 : nil }
        let refunded = credit?.Refunds.reduce(Decimal(0)) { $0 + $1.Amount } ?? 0
        CombinedPaymentStatus = if _voided { "VOIDED" }
            else if let credit, refunded < credit.Total, paid > invoiced - credit.Total { "NOT REFUNDED" }
            else if invoiced > 0 && paid >= invoiced { "PAID" }
            else if invoiced > 0 && paid > 0 { "PARTIALLY PAID" }
            else if invoiced == 0 && paid > 0 { "PREPAID" }
            else { "UNPAID" }
        Status = saleStatus(invoiced: invoiced, paid: paid - refunded, credited: credit?.Total ?? 0)
    }

    /// The sale's `Status` from its parts, checked from the last stage back (apib:20049).
    private func saleStatus(invoiced: Decimal, paid: Decimal, credited: Decimal) -> String {
        if _voided { return "VOIDED" }
        let outstanding = invoiced - credited - paid
        if invoiceAuthorised && shipped && outstanding <= 0 { return "COMPLETED" }
        if creditNote?.Status == Self.authorised { return "CREDITED" }
        if invoiceAuthorised { return "INVOICED" }
        if invoice?.Status == "DRAFT" { return "INVOICING" }
        if let f = fulfilment {
            if f.Ship.Status == "DRAFT" { return "SHIPPING" }
            if f.Pack.Status == Self.authorised && f.Ship.Status != Self.authorised { return "PACKED" }
            if f.Pack.Status == "DRAFT" { return "PACKING" }
            if f.Pick.Status == Self.authorised && f.Pack.Status == "NOT AVAILABLE" { return "PICKED" }
            if f.Pick.Status == "DRAFT" { return "PICKING" }
        }
        if orderAuthorised { return Order.Lines.contains { $0.BackorderQuantity > 0 } ? "BACKORDERED" : "ORDERED" }
        if Order.Status == "DRAFT" { return "ORDERING" }
        if quoteReady { return "ESTIMATED" }
        if Quote.Status == "DRAFT" { return "ESTIMATING" }
        return "DRAFT"
    }
}

/// One row of `SaleList` (apib:20104-20141).
struct Cin7SaleListRow: Cin7Record, Sendable {
    var SaleID: String
    var OrderNumber: String
    var Status: String
    var OrderDate: Cin7Day
    var InvoiceDate: Cin7Day?
    var Customer: String
    var CustomerID: String
    var InvoiceNumber: String?
    var CustomerReference: String
    var InvoiceAmount: Decimal
    var PaidAmount: Decimal
    var InvoiceDueDate: Cin7Day?
    var ShipBy: Cin7Day?
    var BaseCurrency: String
    var CustomerCurrency: String
    var CreditNoteNumber: String?
    var Updated: Cin7Timestamp
    var QuoteStatus: String
    var OrderStatus: String
    var CombinedPickingStatus: String
    var CombinedPackingStatus: String
    var CombinedShippingStatus: String
    var FulFilmentStatus: String
    var CombinedInvoiceStatus: String
    var CreditNoteStatus: String
    var CombinedPaymentStatus: String
    var `Type`: String
    var CombinedTrackingNumbers: String
    var SourceChannel: String?
    var ExternalID: String?
    var OrderLocationID: String

    init(_ sale: Cin7Sale, locationID: String) {
        let credit = sale.creditNote
        let invoiced = sale.invoiceAuthorised ? sale.invoice!.Total : 0
        let credited = credit?.Status == Cin7Sale.authorised ? credit!.Total : 0
        let refunded = credit?.Refunds.reduce(Decimal(0)) { $0 + $1.Amount } ?? 0
        SaleID = sale.ID
        OrderNumber = sale.Order.SaleOrderNumber
        Status = sale.Status
        OrderDate = sale.SaleOrderDate
        InvoiceDate = sale.invoice?.InvoiceDate
        Customer = sale.Customer
        CustomerID = sale.CustomerID
        InvoiceNumber = sale.invoice?.InvoiceNumber
        CustomerReference = sale.CustomerReference
        InvoiceAmount = invoiced - credited
        PaidAmount = (sale.invoice?.Paid ?? sale.Quote.Prepayments.reduce(Decimal(0)) { $0 + $1.Amount }) - refunded
        InvoiceDueDate = sale.invoice?.InvoiceDueDate
        ShipBy = sale.ShipBy
        BaseCurrency = sale.BaseCurrency
        CustomerCurrency = sale.CustomerCurrency
        CreditNoteNumber = credit?.CreditNoteNumber
        Updated = sale.LastModifiedOn
        QuoteStatus = sale.SkipQuote ? "NOT AVAILABLE" : sale.Quote.Status
        OrderStatus = sale.Order.Status
        CombinedPickingStatus = sale.CombinedPickingStatus
        CombinedPackingStatus = sale.CombinedPackingStatus
        CombinedShippingStatus = sale.CombinedShippingStatus
        FulFilmentStatus = sale.FulFilmentStatus
        CombinedInvoiceStatus = sale.CombinedInvoiceStatus
        CreditNoteStatus = credit?.Status ?? "NOT AVAILABLE"
        CombinedPaymentStatus = sale.CombinedPaymentStatus
        Type = sale.Type
        CombinedTrackingNumbers = sale.CombinedTrackingNumbers
        SourceChannel = sale.SourceChannel.isEmpty ? nil : sale.SourceChannel
        ExternalID = sale.ExternalID
        OrderLocationID = locationID
    }
}
