import Foundation
@testable import Sandbox
import Testing

/// Bank transactions and the prepayments and overpayments they open: totals,
/// what may change, and the allocation arithmetic and its refusals.
@Suite struct XeroBankingTests {
    typealias H = XeroBooksHarness

    func number(_ value: Any?) -> Decimal? {
        (value as? NSNumber).map { Decimal(string: $0.stringValue)! }
    }

    func contact(_ h: H) async throws -> String {
        let body = ["Contacts": [["Name": "Bank \(UUID().uuidString.prefix(6))"]]]
        let record = try H.record(await h.books.saveContacts(H.request("PUT", "/api.xro/2.0/Contacts", body), createOnly: true), "Contacts")
        return try #require(record["ContactID"] as? String)
    }

    func transact(_ h: H, _ fields: [String: Any], method: String = "PUT", path: String? = nil) async -> SandboxResponse {
        await h.books.saveBankTransactions(H.request(method, "/api.xro/2.0/BankTransactions", ["BankTransactions": [fields]]),
                                           createOnly: method == "PUT", pathKey: path)
    }

    static func body(_ type: String, _ contactID: String, amount: Double, code: String, types: String = "Exclusive") -> [String: Any] {
        ["Type": type, "Contact": ["ContactID": contactID], "BankAccount": ["Code": "090"], "LineAmountTypes": types,
         "LineItems": [["Description": "Deposit", "Quantity": 1, "UnitAmount": amount, "AccountCode": code]]]
    }

    func approvedInvoice(_ h: H, _ contactID: String, type: String = "ACCREC", amount: Double = 100) async throws -> [String: Any] {
        let fields: [String: Any] = ["Type": type, "Contact": ["ContactID": contactID], "Status": "AUTHORISED", "DueDate": "2030-01-31",
                                     "LineItems": [["Description": "Widget", "Quantity": 1, "UnitAmount": amount, "AccountCode": type == "ACCREC" ? "200" : "429"]]]
        let request = H.request("PUT", "/api.xro/2.0/Invoices", ["Invoices": [fields]])
        return try H.record(await h.books.saveDocuments(InvoiceKind.self, request, createOnly: true, clientID: "app"), "Invoices")
    }

    func allocate(_ h: H, prepayment id: String, invoice: String, amount: Double) async -> SandboxResponse {
        let body = ["Allocations": [["Invoice": ["InvoiceID": invoice], "Amount": amount, "Date": "2030-01-05"]]]
        return await h.books.allocateCreditBalance(PrepaymentKind.self, H.request("PUT", "/", body), key: id)
    }

    // MARK: pure arithmetic

    static func balance(total: Decimal, type: String = "RECEIVE-PREPAYMENT") -> XeroPrepayment {
        let transaction = XeroBankTransaction(
            BankTransactionID: UUID(), Type: type, Contact: .init(ContactID: "c", Name: "C"),
            BankAccount: .init(AccountID: "a", Code: "090", Name: "Bank"), IsReconciled: false, Date: XeroDate(Date()), CurrencyCode: "NZD",
            CurrencyRate: XeroExchangeRate(1), Status: "AUTHORISED", LineAmountTypes: "NoTax", LineItems: [],
            SubTotal: XeroMoney(total), TotalTax: XeroMoney(0), Total: XeroMoney(total))
        return XeroPrepayment(id: UUID(), from: transaction)
    }

    static func allocation(_ amount: Decimal) -> XeroBalanceAllocation {
        .init(allocationID: UUID().uuidString, amount: XeroMoney(amount), date: XeroDate(Date()), invoice: .init(InvoiceID: "i"))
    }

    @Test func remainingCreditAndStatusFollowAllocations() {
        var balance = Self.balance(total: 115)
        #expect(balance.remainingCredit.value == 115 && balance.status == "AUTHORISED")
        balance.allocations = [Self.allocation(50), Self.allocation(Decimal(string: "64.99")!)]
        balance.settle()
        #expect(balance.remainingCredit.value == Decimal(string: "0.01") && balance.status == "AUTHORISED")
        balance.allocations.append(Self.allocation(Decimal(string: "0.01")!))
        balance.settle()
        #expect(balance.remainingCredit.value == 0 && balance.status == "PAID")
        balance.allocations.removeLast()
        balance.settle()
        #expect(balance.status == "AUTHORISED")
        balance.status = "VOIDED"
        balance.settle()
        #expect(balance.status == "VOIDED", "a voided balance stays voided")
    }

    @Test func allocationRefusals() {
        let balance = Self.balance(total: 100)
        var invoice = XeroInvoice(id: UUID(), type: "ACCREC", contact: .init(ContactID: "c", Name: "C"), date: XeroDate(Date()), currencyCode: "NZD")
        invoice.status = "AUTHORISED"
        invoice.total = XeroMoney(60)
        #expect(XeroBooks.allocationProblems(PrepaymentKind.self, balance: balance, invoice: invoice, amount: 60).isEmpty)
        #expect(XeroBooks.allocationProblems(PrepaymentKind.self, balance: balance, invoice: invoice, amount: 61) == ["The amount allocated exceeds the amount due on the invoice."])
        #expect(XeroBooks.allocationProblems(PrepaymentKind.self, balance: balance, invoice: invoice, amount: 0) == ["The allocation Amount must be greater than zero."])
        invoice.total = XeroMoney(500)
        #expect(XeroBooks.allocationProblems(PrepaymentKind.self, balance: balance, invoice: invoice, amount: 101)
            == ["The amount allocated exceeds the remaining credit on the prepayment."])
        var bill = invoice
        bill.type = "ACCPAY"
        bill.contact = .init(ContactID: "other", Name: "O")
        bill.currencyCode = "AUD"
        #expect(XeroBooks.allocationProblems(PrepaymentKind.self, balance: balance, invoice: bill, amount: 1) == [
            "A RECEIVE-PREPAYMENT prepayment can only be allocated to an ACCREC invoice.",
            "The prepayment and the invoice must be for the same contact.",
            "The prepayment and the invoice must be in the same currency.",
        ])
        var draft = invoice
        draft.status = "DRAFT"
        #expect(XeroBooks.allocationProblems(PrepaymentKind.self, balance: balance, invoice: draft, amount: 1).count == 1)
    }

    // MARK: through the books

    @Test func totalsAndTheBalanceATransactionOpens() async throws {
        let h = H(), id = try await contact(h)
        let spend = try H.record(await transact(h, Self.body("SPEND", id, amount: 115, code: "429", types: "Inclusive")), "BankTransactions")
        #expect(number(spend["SubTotal"]) == 100 && number(spend["TotalTax"]) == 15 && number(spend["Total"]) == 115)
        #expect(spend["PrepaymentID"] == nil && spend["Status"] as? String == "AUTHORISED" && spend["IsReconciled"] as? Bool == false)
        let made = try H.record(await transact(h, Self.body("RECEIVE-PREPAYMENT", id, amount: 100, code: "200")), "BankTransactions")
        let prepaymentID = try #require(made["PrepaymentID"] as? String)
        let prepayment = try H.record(await h.books.getCreditBalance(PrepaymentKind.self, prepaymentID, H.request("GET", "/")), "Prepayments")
        #expect(number(prepayment["RemainingCredit"]) == 115 && prepayment["Type"] as? String == "RECEIVE-PREPAYMENT")
        let counts = await h.books.recordCounts()
        #expect(counts["Prepayments"] == 1 && counts["BankTransactions"] == 2 && counts["Overpayments"] == 0)
    }

    @Test func allocationSettlesTheInvoiceAndDeletionGivesItBack() async throws {
        let h = H(), id = try await contact(h)
        let made = try H.record(await transact(h, Self.body("RECEIVE-PREPAYMENT", id, amount: 100, code: "200")), "BankTransactions")
        let prepaymentID = try #require(made["PrepaymentID"] as? String)
        let invoice = try await approvedInvoice(h, id)
        let invoiceID = try #require(invoice["InvoiceID"] as? String)
        #expect(try H.messages(await allocate(h, prepayment: prepaymentID, invoice: invoiceID, amount: 116)).contains("The amount allocated exceeds the remaining credit on the prepayment."))
        let allocation = try H.record(await allocate(h, prepayment: prepaymentID, invoice: invoiceID, amount: 115), "Allocations")
        let paid = try H.record(await h.books.getDocument(InvoiceKind.self, invoiceID, H.request("GET", "/")), "Invoices")
        #expect(paid["Status"] as? String == "PAID" && number(paid["AmountCredited"]) == 115 && number(paid["AmountDue"]) == 0)
        let applied = try #require((paid["Prepayments"] as? [[String: Any]])?.first)
        #expect(applied["PrepaymentID"] as? String == prepaymentID && number(applied["AppliedAmount"]) == 115)

        // The bank transaction cannot be deleted while the prepayment is allocated.
        let transactionID = try #require(made["BankTransactionID"] as? String)
        #expect(try H.messages(await transact(h, ["Status": "DELETED"], method: "POST", path: transactionID)).first?.contains("allocations") == true)

        let deleted = await h.books.deleteBalanceAllocation(PrepaymentKind.self, balanceKey: prepaymentID, allocationKey: allocation["AllocationID"] as! String)
        #expect(try H.object(deleted)["IsDeleted"] as? Bool == true)
        let reopened = try H.record(await h.books.getDocument(InvoiceKind.self, invoiceID, H.request("GET", "/")), "Invoices")
        #expect(reopened["Status"] as? String == "AUTHORISED" && number(reopened["AmountDue"]) == 115 && (reopened["Prepayments"] as? [Any])?.isEmpty == true)
        let gone = try H.record(await transact(h, ["Status": "DELETED"], method: "POST", path: transactionID), "BankTransactions")
        #expect(gone["Status"] as? String == "DELETED")
        let voided = try H.record(await h.books.getCreditBalance(PrepaymentKind.self, prepaymentID, H.request("GET", "/")), "Prepayments")
        #expect(voided["Status"] as? String == "VOIDED")
    }

    @Test func whatABankTransactionRefuses() async throws {
        let h = H(), id = try await contact(h)
        let cases: [([String: Any], String)] = [
            (["BankAccount": ["Code": "200"]], "must be a bank account"),
            (["Type": "SPEND-TRANSFER"], "BankTransfers"),
            (["Type": "RECEIVE-OVERPAYMENT"], "Accounts Receivable"),
            (["Status": "DELETED"], "must be AUTHORISED"),
            (["LineItems": [] as [Any]], "at least one line item"),
            (["LineItems": [["Description": "x", "UnitAmount": -5, "AccountCode": "200"]]], "cannot be negative"),
            (["CurrencyCode": "AUD"], "bank account's currency"),
        ]
        for (change, words) in cases {
            let fields = Self.body("RECEIVE", id, amount: 10, code: "200").merging(change) { $1 }
            let messages = try H.messages(await transact(h, fields))
            #expect(messages.contains { $0.contains(words) }, "\(change): \(messages)")
        }
        // An overpayment on the receivable account is fine; its lines cannot then be edited.
        let overpayment = try H.record(await transact(h, Self.body("RECEIVE-OVERPAYMENT", id, amount: 10, code: "610", types: "NoTax")), "BankTransactions")
        let overpaymentID = try #require(overpayment["BankTransactionID"] as? String)
        #expect(try H.messages(await transact(h, ["Reference": "edit"], method: "POST", path: overpaymentID)).first?.contains("cannot be edited") == true)
    }
}
