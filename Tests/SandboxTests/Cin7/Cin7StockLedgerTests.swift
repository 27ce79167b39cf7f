import Foundation
@testable import Sandbox
import Testing

/// The pure parts of purchases and the ledger: how a purchase's statuses follow
/// from its tasks, and how `/transactions` lists a negative posting.
@Suite struct Cin7StockLedgerTests {
    private func purchase() -> Cin7Purchase {
        let now = Cin7Timestamp(Date())
        var purchase = Cin7Purchase(ID: "p", SupplierID: "s", Supplier: "S", InventoryAccount: "630", Approach: "STOCK", BaseCurrency: "AUD",
                                    SupplierCurrency: "AUD", TaxRule: "GST on Expenses", Terms: "30 days", Location: "Main Warehouse",
                                    OrderNumber: "PO-00001", OrderDate: Cin7Day(date: now.date), LastUpdatedDate: now, _created: now)
        purchase.Order.Lines = [Cin7DocumentLine(ProductID: "a", SKU: "A", Name: "A", Quantity: 10, Price: 2, Discount: 0, Tax: 2, AverageCost: 0,
                                                 TaxRule: "GST on Expenses", Account: "630", Comment: "", Total: 20, _isStock: true)]
        return purchase
    }

    private func receipt(_ quantity: Decimal, _ status: String) -> Cin7Purchase.StockTask {
        let line = Cin7Purchase.StockLine(Date: Cin7Day(date: Date()), Quantity: quantity, ProductID: "a", SKU: "A", Name: "A", Location: "Main Warehouse",
                                          LocationID: nil, Received: true, BatchSN: "", SupplierSKU: "", ExpiryDate: nil, CardID: "c",
                                          productFields: .init(), _unitCost: 2)
        return .init(TaskID: UUID().uuidString, InvoicingAndReceivingNumber: 1, Status: status, Lines: [line])
    }

    @Test func statusesFollowTheTasksFromOrderToCompleted() {
        var p = purchase()
        p.refresh()
        #expect(p.Status == "DRAFT" && p.CombinedReceivingStatus == "NOT AVAILABLE")
        p.Order.Status = "DRAFT"
        p.refresh()
        #expect(p.Status == "ORDERING")
        p.Order.Status = "AUTHORISED"
        p.refresh()
        #expect(p.Status == "ORDERED" && p.CombinedReceivingStatus == "NOT RECEIVED" && p.CombinedInvoiceStatus == "NOT INVOICED")
        p.StockReceived = [receipt(4, "DRAFT")]
        p.refresh()
        #expect(p.Status == "RECEIVING" && p.CombinedReceivingStatus == "NOT RECEIVED", "a draft receipt receives nothing yet")
        p.StockReceived[0].Status = "AUTHORISED"
        p.refresh()
        #expect(p.Status == "RECEIVING" && p.CombinedReceivingStatus == "PARTIALLY RECEIVED")
        p.StockReceived.append(receipt(6, "AUTHORISED"))
        p.refresh()
        #expect(p.Status == "RECEIVED" && p.CombinedReceivingStatus == "FULLY RECEIVED")
        p.Invoice = [.init(TaskID: "i", InvoicingAndReceivingNumber: 1, InvoiceDate: Cin7Day(date: Date()), InvoiceDueDate: Cin7Day(date: Date()),
                           InvoiceNumber: "INV-00001", Status: "AUTHORISED", Lines: p.Order.Lines)]
        p.refresh()
        #expect(p.Status == "COMPLETED" && p.CombinedInvoiceStatus == "INVOICED" && p.CombinedPaymentStatus == "UNPAID" && p.Invoice[0].Total == 22)
        p.Invoice[0].Payments = [Cin7PaymentLine(ID: "x", Reference: "", Amount: 22, DatePaid: Cin7Day(date: Date()), Account: "090", CurrencyRate: 1,
                                                 DateCreated: Cin7Timestamp(Date()))]
        p.refresh()
        #expect(p.Invoice[0].Status == "PAID" && p.CombinedPaymentStatus == "PAID")
    }

    @Test func listStatusOfATaskKindIsDraftWhileAnyIsDraft() {
        #expect(Cin7Purchase.taskStatus([]) == "NOT AVAILABLE")
        #expect(Cin7Purchase.taskStatus(["AUTHORISED", "DRAFT"]) == "DRAFT")
        #expect(Cin7Purchase.taskStatus(["VOIDED", "AUTHORISED"]) == "AUTHORISED")
        #expect(Cin7Purchase.taskStatus(["PAID", "PAID"]) == "PAID")
        #expect(Cin7Purchase.taskStatus(["VOIDED"]) == "VOIDED")
    }

    @Test func aNegativePostingIsListedWithItsAccountsSwapped() {
        let day = Cin7Day(date: Date())
        let loss = Cin7Transaction(task: "t", debit: "630", credit: "470", amount: -12.345, date: day, reference: "ST-1", description: "", type: "StockAdjustment")
        #expect((loss.DebitAccountCode, loss.CreditAccountCode, loss.Amount) == ("470", "630", Decimal(string: "12.35")!))
        let gain = Cin7Transaction(task: "t", debit: "630", credit: "470", amount: 5, date: day, reference: "ST-1", description: "", type: "StockAdjustment")
        #expect((gain.DebitAccountCode, gain.CreditAccountCode, gain.Amount) == ("630", "470", 5))
    }
}
