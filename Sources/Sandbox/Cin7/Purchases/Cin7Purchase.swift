import Foundation

/// A purchase, `/advanced-purchase` (apib:15433-16628): one record holding its
/// order and its receipts, invoices and credit notes, each task with its own
/// status and `TaskID`. Partial receipts and invoices are separate tasks, as in
/// an Advanced Purchase. The purchase-level statuses are derived from the
/// tasks' by `refresh()` (apib:12960-12974).
struct Cin7Purchase: Cin7Stored {
    struct OrderModel: Cin7Record, Sendable {
        var Memo = ""
        var Status = "NOT AVAILABLE"
        var Lines: [Cin7DocumentLine] = []
        var AdditionalCharges: [Cin7AdditionalCharge] = []
        var Prepayments: [Cin7PaymentLine] = []
        var TotalBeforeTax: Decimal = 0
        var Tax: Decimal = 0
        var Total: Decimal = 0
    }

    /// A received line (apib "Advanced Purchase Stock Line Model"). Without
    /// put-away (the sandbox's setting), stock goes straight to `Location`.
    struct StockLine: Cin7Record, Sendable, Equatable {
        var Date: Cin7Day
        var Quantity: Decimal
        var ProductID: String
        var SKU: String
        var Name: String
        var Location: String?
        var LocationID: String?
        var Received: Bool
        var BatchSN: String
        var SupplierSKU: String
        var ExpiryDate: Cin7Day?
        var CardID: String
        var productFields: Cin7ProductFields
        /// The unit cost in base currency the stock comes in at (the order line's net price).
        var _unitCost: Decimal
    }

    struct StockTask: Cin7Record, Sendable {
        var TaskID: String
        var InvoicingAndReceivingNumber: Int
        var Status = "DRAFT"
        var Lines: [StockLine] = []
    }

    struct InvoiceTask: Cin7Record, Sendable {
        var TaskID: String
        var InvoicingAndReceivingNumber: Int
        var CombineAdditionalCharges = false
        var InvoiceDate: Cin7Day
        var InvoiceDueDate: Cin7Day
        var InvoiceNumber: String
        var Status = "DRAFT"
        var Lines: [Cin7DocumentLine] = []
        var AdditionalCharges: [Cin7AdditionalCharge] = []
        var Payments: [Cin7PaymentLine] = []
        var TotalBeforeTax: Decimal = 0
        var Tax: Decimal = 0
        var Total: Decimal = 0
        var Paid: Decimal = 0
        var InvoiceTotalAmount: Decimal = 0
        var InvoiceTotalTaxAmount: Decimal = 0

        var authorised: Bool { Status == Cin7Purchase.authorised || Status == "PAID" }
    }

    /// Stock sent back to the supplier on a credit note (apib "Purchase Unstock Line Model").
    struct UnstockLine: Cin7Record, Sendable, Equatable {
        var CardID: String
        var Date: Cin7Day
        var Quantity: Decimal
        var ProductID: String
        var SKU: String
        var Name: String
        var Location: String
        var BatchSN: String?
        var ExpiryDate: Cin7Day?
        var productFields: Cin7ProductFields
        /// What the stock that left was worth, for the credit note's movement.
        var _cost: Decimal = 0
    }

    struct CreditNoteTask: Cin7Record, Sendable {
        var TaskID: String
        var CombineAdditionalCharges = false
        var CreditNoteInvoiceNumber: String
        var CreditNoteNumber: String
        var CreditNoteDate: Cin7Day
        var Status = "DRAFT"
        var Lines: [Cin7DocumentLine] = []
        var AdditionalCharges: [Cin7AdditionalCharge] = []
        var Refunds: [Cin7PaymentLine] = []
        var Unstock: [UnstockLine] = []
        var TotalBeforeTax: Decimal = 0
        var Tax: Decimal = 0
        var Total: Decimal = 0
    }

    var ID: String
    var SupplierID: String
    var Supplier: String
    var Contact = ""
    var Phone = ""
    var InventoryAccount: String
    var BlindReceipt = false
    var Approach: String
    var BillingAddress: Cin7Sale.AddressModel = .init()
    var ShippingAddress: Cin7Sale.AddressModel = .init()
    var BaseCurrency: String
    var SupplierCurrency: String
    var TaxRule: String
    var TaxCalculation = "Exclusive"
    var Terms: String
    var RequiredBy: Cin7Day?
    var Location: String
    var Note = ""
    var OrderNumber: String
    var OrderDate: Cin7Day
    var `Type` = "Advanced Purchase"
    var IsServiceOnly = false
    var CombinedReceivingStatus = "NOT AVAILABLE"
    var CombinedInvoiceStatus = "NOT AVAILABLE"
    var CombinedPaymentStatus = "UNPAID"
    var Status = "DRAFT"
    var RelatedDropShipSaleTask: String?
    var CurrencyRate: Decimal = 1
    var LastUpdatedDate: Cin7Timestamp
    var Order: Cin7Purchase.OrderModel = .init()
    var StockReceived: [StockTask] = []
    /// Put-away is off in the sandbox's settings (apib:16634): received stock is on hand at once.
    var PutAway: [StockTask] = []
    var Invoice: [InvoiceTask] = []
    var CreditNote: [CreditNoteTask] = []
    var ManualJournals: [String] = []
    var AdditionalAttributes: [String: String] = Dictionary(uniqueKeysWithValues: (1...10).map { ("AdditionalAttribute\($0)", "") })
    var Attachments: [String] = []
    var InventoryMovements: [Cin7InventoryMovement] = []
    var _created: Cin7Timestamp
    var _voided = false

    var key: String { ID }
    var inclusive: Bool { TaxCalculation == "Inclusive" }
    var orderAuthorised: Bool { Order.Status == Self.authorised }
    var stockFirst: Bool { Approach == "STOCK" }

    static let authorised = "AUTHORISED"

    /// Received quantity per product, counting authorised receipts only.
    var received: [String: Decimal] {
        StockReceived.filter { $0.Status == Self.authorised }.flatMap(\.Lines)
            .reduce(into: [:]) { $0[$1.ProductID, default: 0] += $1.Quantity }
    }

    /// Ordered quantity per stock product: what receipts are measured against.
    var ordered: [String: Decimal] {
        Order.Lines.filter(\._isStock).reduce(into: [:]) { $0[$1.ProductID, default: 0] += $1.Quantity }
    }

    var invoicedTotal: Decimal { Invoice.filter(\.authorised).reduce(0) { $0 + $1.Total } }
    var creditedTotal: Decimal { CreditNote.filter { $0.Status == Self.authorised }.reduce(0) { $0 + $1.Total } }
    var paidTotal: Decimal {
        Invoice.reduce(Order.Prepayments.reduce(0) { $0 + $1.Amount }) { $0 + $1.Payments.reduce(0) { $0 + $1.Amount } }
            - CreditNote.reduce(0) { $0 + $1.Refunds.reduce(0) { $0 + $1.Amount } }
    }

    /// Totals, invoice payment state and every derived status, after any change to a task.
    mutating func refresh() {
        let inclusive = inclusive
        let o = Cin7DocumentTotals(lines: Order.Lines, charges: Order.AdditionalCharges, inclusive: inclusive)
        (Order.TotalBeforeTax, Order.Tax, Order.Total) = (o.beforeTax, o.tax, o.total)
        for i in Invoice.indices {
            let t = Cin7DocumentTotals(lines: Invoice[i].Lines, charges: Invoice[i].AdditionalCharges, inclusive: inclusive)
            (Invoice[i].TotalBeforeTax, Invoice[i].Tax, Invoice[i].Total) = (t.beforeTax, t.tax, t.total)
            (Invoice[i].InvoiceTotalAmount, Invoice[i].InvoiceTotalTaxAmount) = (t.total, t.tax)
            Invoice[i].Paid = Invoice[i].Payments.reduce(0) { $0 + $1.Amount }
            if Invoice[i].Status == Self.authorised && Invoice[i].Total > 0 && Invoice[i].Paid >= Invoice[i].Total { Invoice[i].Status = "PAID" }
            if Invoice[i].Status == "PAID" && Invoice[i].Paid < Invoice[i].Total { Invoice[i].Status = Self.authorised }
        }
        for i in CreditNote.indices {
            let t = Cin7DocumentTotals(lines: CreditNote[i].Lines, charges: CreditNote[i].AdditionalCharges, inclusive: inclusive)
            (CreditNote[i].TotalBeforeTax, CreditNote[i].Tax, CreditNote[i].Total) = (t.beforeTax, t.tax, t.total)
        }
        CombinedReceivingStatus = receivingStatus()
        CombinedInvoiceStatus = invoiceStatus()
        CombinedPaymentStatus = paymentStatus()
        Status = purchaseStatus()
    }

    private func receivingStatus() -> String {
        if _voided { return "VOIDED" }
        let ordered = ordered
        guard orderAuthorised, !ordered.isEmpty else { return "NOT AVAILABLE" }
        let received = received
        if received.isEmpty { return "NOT RECEIVED" }
        return ordered.allSatisfy { received[$0.key, default: 0] >= $0.value } ? "FULLY RECEIVED" : "PARTIALLY RECEIVED"
    }

    private func invoiceStatus() -> String {
        guard orderAuthorised else { return "NOT AVAILABLE" }
        let invoiced = invoicedTotal
        let base = invoiced == 0 ? "NOT INVOICED" : invoiced >= Order.Total ? "INVOICED" : "PARTIALLY INVOICED"
        return creditedTotal > 0 && invoiced > 0 ? base + " / CREDITED" : base
    }

    private func paymentStatus() -> String {
        if _voided { return "VOIDED" }
        let owed = invoicedTotal - creditedTotal
        let paid = paidTotal
        if invoicedTotal == 0 { return paid > 0 ? "PREPAID" : "UNPAID" }
        if paid > owed { return "OVERPAID / CREDITED" }
        if paid == owed { return "PAID" }
        return paid > 0 ? "PARTIALLY PAID" : "UNPAID"
    }

    /// The purchase's `Status` from its tasks, checked from the last stage back (apib:12960).
    private func purchaseStatus() -> String {
        if _voided { return "VOIDED" }
        let receiving = CombinedReceivingStatus
        let fullyInvoiced = CombinedInvoiceStatus.hasPrefix("INVOICED")
        let fullyReceived = receiving == "FULLY RECEIVED" || (orderAuthorised && ordered.isEmpty)
        if fullyInvoiced && fullyReceived { return "COMPLETED" }
        if creditedTotal > 0 {
            if receiving == "FULLY RECEIVED" { return "RECEIVED / CREDITED" }
            if receiving == "PARTIALLY RECEIVED" { return "RECEIVING / CREDITED" }
            return "CREDITED"
        }
        if CombinedInvoiceStatus.hasPrefix("PARTIALLY INVOICED") { return "PARTIALLY INVOICED" }
        if fullyInvoiced { return "INVOICED" }
        if receiving == "FULLY RECEIVED" { return "RECEIVED" }
        if receiving == "PARTIALLY RECEIVED" || StockReceived.contains(where: { $0.Status == "DRAFT" }) { return "RECEIVING" }
        if orderAuthorised { return "ORDERED" }
        if Order.Status == "DRAFT" { return "ORDERING" }
        return "DRAFT"
    }

    /// One status for a kind of task, as the list reports it: `NOT AVAILABLE`
    /// without tasks, `DRAFT` while any is a draft, else the last one's.
    static func taskStatus(_ statuses: [String]) -> String {
        guard let last = statuses.last else { return "NOT AVAILABLE" }
        if statuses.contains("DRAFT") { return "DRAFT" }
        let live = statuses.filter { $0 != "VOIDED" }
        if live.isEmpty { return "VOIDED" }
        return live.allSatisfy { $0 == "PAID" } ? "PAID" : live.contains(authorised) || live.contains("PAID") ? authorised : last
    }
}
