import Foundation

/// One row of `PurchaseList` (apib:12978-13015). Dates a purchase does not have
/// yet (no invoice) are null, as in the sale list; numbers it does not have are "".
struct Cin7PurchaseListRow: Cin7Record, Sendable {
    var ID: String
    var BlindReceipt: Bool
    var OrderNumber: String
    var Status: String
    var OrderDate: Cin7Day
    var InvoiceDate: Cin7Day?
    var Supplier: String
    var SupplierID: String
    var InvoiceNumber: String
    var InvoiceAmount: Decimal
    var PaidAmount: Decimal
    var InvoiceDueDate: Cin7Day?
    var RequiredBy: Cin7Day?
    var BaseCurrency: String
    var SupplierCurrency: String
    var CreditNoteNumber: String
    var OrderStatus: String
    var StockReceivedStatus: String
    var UnstockStatus: String
    var InvoiceStatus: String
    var CreditNoteStatus: String
    var LastUpdatedDate: Cin7Timestamp
    var `Type`: String
    var CombinedInvoiceStatus: String
    var CombinedPaymentStatus: String
    var CombinedReceivingStatus: String
    var IsServiceOnly: Bool
    var DropShipTaskID: String?

    init(_ purchase: Cin7Purchase) {
        let invoice = purchase.Invoice.last { $0.Status != "VOIDED" } ?? purchase.Invoice.last
        let credit = purchase.CreditNote.last { $0.Status != "VOIDED" } ?? purchase.CreditNote.last
        ID = purchase.ID
        BlindReceipt = purchase.BlindReceipt
        OrderNumber = purchase.OrderNumber
        Status = purchase.Status
        OrderDate = purchase.OrderDate
        InvoiceDate = invoice?.InvoiceDate
        Supplier = purchase.Supplier
        SupplierID = purchase.SupplierID
        InvoiceNumber = invoice?.InvoiceNumber ?? ""
        InvoiceAmount = purchase.invoicedTotal - purchase.creditedTotal
        PaidAmount = purchase.paidTotal
        InvoiceDueDate = invoice?.InvoiceDueDate
        RequiredBy = purchase.RequiredBy
        BaseCurrency = purchase.BaseCurrency
        SupplierCurrency = purchase.SupplierCurrency
        CreditNoteNumber = credit?.CreditNoteNumber ?? ""
        OrderStatus = purchase.Order.Status
        StockReceivedStatus = Cin7Purchase.taskStatus(purchase.StockReceived.map(\.Status))
        UnstockStatus = Cin7Purchase.taskStatus(purchase.CreditNote.filter { !$0.Unstock.isEmpty }.map(\.Status))
        InvoiceStatus = Cin7Purchase.taskStatus(purchase.Invoice.map(\.Status))
        CreditNoteStatus = Cin7Purchase.taskStatus(purchase.CreditNote.map(\.Status))
        LastUpdatedDate = purchase.LastUpdatedDate
        Type = purchase.Type
        CombinedInvoiceStatus = purchase.CombinedInvoiceStatus
        CombinedPaymentStatus = purchase.CombinedPaymentStatus
        CombinedReceivingStatus = purchase.CombinedReceivingStatus
        IsServiceOnly = purchase.IsServiceOnly
        DropShipTaskID = purchase.RelatedDropShipSaleTask
    }
}
