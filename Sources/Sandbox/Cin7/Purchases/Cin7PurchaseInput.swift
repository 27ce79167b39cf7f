import Foundation

/// What a client may send to `POST`/`PUT /advanced-purchase` (apib:15506
/// "Purchase POST/PUT Attributes").
struct Cin7PurchaseInput: Decodable {
    var ID: String?
    var SupplierID: String?
    var Supplier: String?
    var Contact: String?
    var Phone: LenientString?
    var InventoryAccount: LenientString?
    var BlindReceipt: LenientBool?
    var Approach: String?
    var BillingAddress: Cin7SaleInput.Address?
    var ShippingAddress: Cin7SaleInput.Address?
    var TaxRule: String?
    var TaxCalculation: String?
    var Terms: String?
    var RequiredBy: String?
    var Location: String?
    var PurchaseType: String?
    var Note: String?
    var IsServiceOnly: LenientBool?
    var CurrencyRate: LenientDecimal?
    var AdditionalAttributes: [String: String?]?
}

/// The body of the purchase task endpoints: `/purchase/order` (`TaskID` is the
/// purchase), `/advanced-purchase/stock` (`PurchaseID`, `TaskID`, `Lines`),
/// `/advanced-purchase/invoice` (`PurchaseID`, `Invoices[]`) and
/// `/advanced-purchase/creditnote` (`PurchaseID`, `CreditNotes[]`).
struct Cin7PurchaseTaskInput: Decodable {
    struct Task: Decodable {
        var TaskID: String?
        var Status: String?
        var InvoiceDate: String?
        var InvoiceDueDate: String?
        var InvoiceNumber: LenientString?
        var CreditNoteNumber: LenientString?
        var CreditNoteDate: String?
        var CreditNoteInvoiceNumber: LenientString?
        var Lines: [Cin7LineInput]?
        var AdditionalCharges: [Cin7LineInput]?
        var Unstock: [Cin7LineInput]?
    }

    var PurchaseID: String?
    var TaskID: String?
    var Status: String?
    var Memo: String?
    var Lines: [Cin7LineInput]?
    var AdditionalCharges: [Cin7LineInput]?
    var Invoices: [Task]?
    var CreditNotes: [Task]?
}
