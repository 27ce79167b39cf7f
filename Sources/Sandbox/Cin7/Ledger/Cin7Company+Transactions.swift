import Foundation

/// `GET /transactions?Page&Limit&FromDate&ToDate&Account` (apib:27276): the
/// general-ledger feed, derived on each call from the documents as they stand,
/// so that undoing or voiding a task takes its postings out.
///
/// - Sale invoice (authorised or paid): Dr receivable, Cr each line's account, Cr tax.
/// - Sale shipment: Dr cost of goods sold, Cr inventory, at the shipment's cost.
/// - Sale credit note: the invoice postings' reverse.
/// - Sale payments and refunds: receivable against the payment account;
///   prepayments credit Customer Credits (830).
/// - Purchase invoice: Dr each line's account (inventory for stock), Dr tax, Cr payable.
/// - Purchase credit note: the reverse; payments and refunds: payable against
///   the payment account; prepayments debit Supplier Deposits (650).
/// - Stock receipts post nothing: with no accrual account set up, Cin7 values
///   received stock through the invoice (reference §7, "Stock receipts").
/// - Stock adjustments, assemblies, disassemblies: their own `Transactions[]`.
/// - Journals: each line of a COMPLETED journal, in base currency.
///
/// `FromDate` and `ToDate` compare whole days and include both ends (the
/// blueprint says "more than" and "less than"; what Cin7 does at the edge is
/// not documented). `Account` matches the debit or the credit code.
extension Cin7Company {
    static let transactionsKey = "Transactions"

    func listTransactions(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let from = try Cin7Query.date(request, "FromDate").map(Self.day)
        let to = try Cin7Query.date(request, "ToDate").map(Self.day)
        let account = Cin7Query.text(request, "Account")
        let (page, limit) = try Cin7Query.paging(request)
        let rows = ledger().filter { row in
            let day = Self.day(row.EffectiveDate.date)
            return (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
                && (account.map { row.DebitAccountCode.cin7Equals($0) || row.CreditAccountCode.cin7Equals($0) } ?? true)
        }
        let items = Cin7Query.slice(rows, page: page, limit: limit).map { Cin7JSON.encode($0) }
        return Cin7JSON.list(Self.transactionsKey, items, total: rows.count, page: page)
    }

    private static func day(_ date: Date) -> Date {
        ISODate.utcCalendar.startOfDay(for: date)
    }

    /// Every posting, oldest effective date first (ties in the order the documents were made).
    func ledger() -> [Cin7Transaction] {
        var rows: [Cin7Transaction] = []
        for sale in sales.all where !sale._voided { rows += saleTransactions(sale) }
        for purchase in purchases.all where !purchase._voided { rows += purchaseTransactions(purchase) }
        for task in stockAdjustments.all where task.Status == "COMPLETED" {
            rows += task.Transactions.map { stockRow($0, task: task.TaskID, reference: task.StocktakeNumber, type: "StockAdjustment") }
        }
        for task in finishedGoods.all {
            rows += task.Transactions.map { stockRow($0, task: task.TaskID, reference: task.AssemblyNumber, type: "FinishedGoods") }
        }
        for task in disassemblies.all {
            rows += task.Transactions.map { stockRow($0, task: task.TaskID, reference: task.DisassemblyNumber, type: "Disassembly") }
        }
        for journal in journals.all where journal.Status == "COMPLETED" {
            rows += journal.Lines.map { line in
                Cin7Transaction(task: journal.TaskID, debit: line.Debit, credit: line.Credit, amount: line.BaseAmount, date: journal.EffectiveDate,
                                reference: line.Reference.isEmpty ? journal.JournalNumber : line.Reference,
                                description: journal.Narration.isEmpty ? journal.JournalNumber : journal.Narration, type: "Journal")
            }
        }
        return rows.enumerated().sorted { ($0.element.EffectiveDate.date, $0.offset) < ($1.element.EffectiveDate.date, $1.offset) }.map(\.element)
    }

    private func stockRow(_ posting: Cin7StockPosting, task: String, reference: String, type: String) -> Cin7Transaction {
        Cin7Transaction(task: task, debit: posting._debitCode, credit: posting._creditCode, amount: posting.Amount, date: posting.EffectiveDate,
                        reference: reference, description: posting._description, type: type)
    }

    /// Net amounts per line account, then tax per tax account: a document's postings against its contra account.
    private func documentAmounts(_ lines: [Cin7DocumentLine], _ charges: [Cin7AdditionalCharge], inclusive: Bool) -> [(account: String, amount: Decimal)] {
        var amounts: [(String, Decimal)] = []
        func add(_ account: String, _ amount: Decimal) {
            guard amount != 0 else { return }
            if let i = amounts.firstIndex(where: { $0.0 == account }) { amounts[i].1 += amount } else { amounts.append((account, amount)) }
        }
        let parts = lines.map { ($0.Account, $0.Total, $0.Tax, $0.TaxRule) } + charges.map { ($0.Account, $0.Total, $0.Tax, $0.TaxRule) }
        for (account, total, tax, _) in parts { add(account, inclusive ? total - tax : total) }
        for (_, _, tax, rule) in parts { add(taxRule(named: rule)?.Account ?? "820", tax) }
        return amounts
    }

    private func saleTransactions(_ sale: Cin7Sale) -> [Cin7Transaction] {
        let receivable = customers[sale.CustomerID]?.AccountReceivable ?? "610"
        let rate = sale.CurrencyRate
        var rows: [Cin7Transaction] = []
        for invoice in sale.Invoices where invoice.Status == Cin7Sale.authorised || invoice.Status == "PAID" {
            let description = "\(sale.Customer) - \(invoice.InvoiceNumber)"
            for (account, amount) in documentAmounts(invoice.Lines, invoice.AdditionalCharges, inclusive: sale.inclusive) {
                rows.append(.init(task: invoice.TaskID, debit: receivable, credit: account, amount: amount * invoice.CurrencyConversionRate,
                                  date: invoice.InvoiceDate, reference: invoice.InvoiceNumber, description: description, type: "Sale"))
            }
            for payment in invoice.Payments {
                rows.append(.init(task: invoice.TaskID, debit: payment.Account, credit: receivable, amount: payment.Amount * payment.CurrencyRate,
                                  date: payment.DatePaid, reference: invoice.InvoiceNumber, description: "Payment \(description)", type: "Sale"))
            }
        }
        for movement in sale.InventoryMovements where movement.COGS != 0 {
            let product = products[movement.ProductID]
            rows.append(.init(task: movement.TaskID, debit: product?.COGSAccount ?? "310", credit: product?.InventoryAccount ?? "630", amount: movement.COGS,
                              date: movement.Date, reference: sale.Order.SaleOrderNumber,
                              description: "COGS \(sale.Order.SaleOrderNumber) \(product?.SKU ?? "")", type: "Sale"))
        }
        for note in sale.CreditNotes where note.Status == Cin7Sale.authorised {
            let reference = "\(note.CreditNoteInvoiceNumber)/\(note.CreditNoteNumber)"
            for (account, amount) in documentAmounts(note.Lines, note.AdditionalCharges, inclusive: sale.inclusive) {
                rows.append(.init(task: note.TaskID, debit: account, credit: receivable, amount: amount * note.CreditNoteConversionRate,
                                  date: note.CreditNoteDate, reference: reference, description: "\(sale.Customer) - \(note.CreditNoteNumber)", type: "Sale"))
            }
            for refund in note.Refunds {
                rows.append(.init(task: note.TaskID, debit: receivable, credit: refund.Account, amount: refund.Amount * refund.CurrencyRate,
                                  date: refund.DatePaid, reference: reference, description: "Refund \(sale.Customer) - \(note.CreditNoteNumber)", type: "Sale"))
            }
        }
        for prepayment in sale.Quote.Prepayments {
            rows.append(.init(task: sale.ID, debit: prepayment.Account, credit: "830", amount: prepayment.Amount * (prepayment.CurrencyRate > 0 ? prepayment.CurrencyRate : rate),
                              date: prepayment.DatePaid, reference: sale.Order.SaleOrderNumber, description: "Prepayment \(sale.Customer)", type: "Sale"))
        }
        return rows
    }

    private func purchaseTransactions(_ purchase: Cin7Purchase) -> [Cin7Transaction] {
        let payable = suppliers[purchase.SupplierID]?.AccountPayable ?? "800"
        let rate = purchase.CurrencyRate
        var rows: [Cin7Transaction] = []
        for invoice in purchase.Invoice where invoice.authorised {
            let description = "\(purchase.Supplier) - \(invoice.InvoiceNumber)"
            for (account, amount) in documentAmounts(invoice.Lines, invoice.AdditionalCharges, inclusive: purchase.inclusive) {
                rows.append(.init(task: invoice.TaskID, debit: account, credit: payable, amount: amount * rate, date: invoice.InvoiceDate,
                                  reference: invoice.InvoiceNumber, description: description, type: "Purchase"))
            }
            for payment in invoice.Payments {
                rows.append(.init(task: invoice.TaskID, debit: payable, credit: payment.Account, amount: payment.Amount * payment.CurrencyRate,
                                  date: payment.DatePaid, reference: invoice.InvoiceNumber, description: "Payment \(description)", type: "Purchase"))
            }
        }
        for note in purchase.CreditNote where note.Status == Cin7Purchase.authorised {
            let reference = "\(note.CreditNoteInvoiceNumber)/\(note.CreditNoteNumber)"
            for (account, amount) in documentAmounts(note.Lines, note.AdditionalCharges, inclusive: purchase.inclusive) {
                rows.append(.init(task: note.TaskID, debit: payable, credit: account, amount: amount * rate, date: note.CreditNoteDate,
                                  reference: reference, description: "\(purchase.Supplier) - \(note.CreditNoteNumber)", type: "Purchase"))
            }
            for refund in note.Refunds {
                rows.append(.init(task: note.TaskID, debit: refund.Account, credit: payable, amount: refund.Amount * refund.CurrencyRate,
                                  date: refund.DatePaid, reference: reference, description: "Refund \(purchase.Supplier) - \(note.CreditNoteNumber)", type: "Purchase"))
            }
        }
        for prepayment in purchase.Order.Prepayments {
            rows.append(.init(task: purchase.ID, debit: "650", credit: prepayment.Account, amount: prepayment.Amount * prepayment.CurrencyRate,
                              date: prepayment.DatePaid, reference: purchase.OrderNumber, description: "Deposit \(purchase.Supplier)", type: "Purchase"))
        }
        return rows
    }
}
