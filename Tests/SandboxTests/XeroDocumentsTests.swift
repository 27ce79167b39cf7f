import Foundation
@testable import Sandbox
import Testing

/// Invoices, credit notes (+ allocations) and payments: totals, status moves,
/// settlement, and what each refuses.
@Suite struct XeroDocumentsTests {
    typealias H = XeroBooksHarness

    static let due = "2030-01-31"

    func contact(_ h: H, _ name: String = "Customer \(UUID().uuidString.prefix(6))") async throws -> String {
        let body = ["Contacts": [["Name": name]]]
        let record = try H.record(await h.books.saveContacts(H.request("PUT", "/api.xro/2.0/Contacts", body), createOnly: true), "Contacts")
        return try #require(record["ContactID"] as? String)
    }

    func save(_ h: H, _ method: String, _ collection: String = "Invoices", _ documents: [[String: Any]], query: String = "",
              path: String? = nil) async -> SandboxResponse {
        let request = H.request(method, "/api.xro/2.0/\(collection)\(query)", [collection: documents])
        if collection == "Invoices" {
            return await h.books.saveDocuments(InvoiceKind.self, request, createOnly: method == "PUT", pathKey: path, clientID: "app")
        }
        return await h.books.saveDocuments(CreditNoteKind.self, request, createOnly: method == "PUT", pathKey: path, clientID: "app")
    }

    func invoice(_ h: H, _ fields: [String: Any], collection: String = "Invoices") async throws -> [String: Any] {
        try H.record(await save(h, "PUT", collection, [fields]), collection)
    }

    func number(_ value: Any?) -> Decimal? {
        (value as? NSNumber).map { Decimal(string: $0.stringValue)! }
    }

    // MARK: totals

    @Test func exclusiveTotalsRoundEachLine() async throws {
        let h = H(), id = try await contact(h)
        let made = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [
            ["Description": "A", "Quantity": 2, "UnitAmount": 10, "AccountCode": "200"],
            ["Description": "B", "Quantity": 1, "UnitAmount": 3.33, "AccountCode": "200"],
        ]])
        let lines = try #require(made["LineItems"] as? [[String: Any]])
        #expect(lines[0]["TaxType"] as? String == "OUTPUT2", "the account's tax type is the default")
        #expect(number(lines[0]["LineAmount"]) == 20 && number(lines[0]["TaxAmount"]) == 3)
        #expect(number(lines[1]["TaxAmount"]) == Decimal(string: "0.5"), "0.4995 rounds to 0.50 per line")
        #expect(number(made["SubTotal"]) == Decimal(string: "23.33") && number(made["TotalTax"]) == Decimal(string: "3.5"))
        #expect(number(made["Total"]) == Decimal(string: "26.83") && number(made["AmountDue"]) == Decimal(string: "26.83"))
        #expect(made["LineAmountTypes"] as? String == "Exclusive" && made["Status"] as? String == "DRAFT")
        #expect(made["InvoiceNumber"] as? String == "INV-0001" && made["CurrencyCode"] as? String == "NZD")
        #expect((made["Date"] as? String)?.hasSuffix("000+0000)/") == true && made["UpdatedDateUTCString"] is String)
        #expect(lines[0]["LineItemID"] is String && (lines[0]["LineItemID"] as? String) == (lines[0]["LineItemID"] as? String)?.lowercased())
        #expect(H.text(await h.books.getDocument(InvoiceKind.self, made["InvoiceID"] as! String, H.request("GET", "/"))).contains(#""Quantity":2.0000"#))
    }

    @Test func inclusiveNoTaxAndDiscounts() async throws {
        let h = H(), id = try await contact(h)
        let inclusive = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": id], "LineAmountTypes": "Inclusive", "LineItems": [
            ["Description": "A", "Quantity": 1, "UnitAmount": 115, "AccountCode": "200"],
            ["Description": "B", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"],
        ]])
        // 15/115 of 115 = 15.00; of 10 = 1.3043 → 1.30.
        #expect(number(inclusive["TotalTax"]) == Decimal(string: "16.3") && number(inclusive["SubTotal"]) == Decimal(string: "108.7"))
        #expect(number(inclusive["Total"]) == 125)
        let noTax = try await invoice(h, ["Type": "ACCPAY", "Contact": ["ContactID": id], "LineAmountTypes": "NoTax", "LineItems": [
            ["Description": "A", "Quantity": 3, "UnitAmount": 7.5, "AccountCode": "310"],
        ]])
        #expect(number(noTax["TotalTax"]) == 0 && number(noTax["Total"]) == Decimal(string: "22.5"))
        #expect((noTax["LineItems"] as? [[String: Any]])?[0]["TaxType"] as? String == "NONE")
        #expect(noTax["InvoiceNumber"] == nil, "bills are not numbered automatically")
        let discounted = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [
            ["Description": "A", "Quantity": 3, "UnitAmount": 9.99, "DiscountRate": 10, "AccountCode": "200"],
        ]])
        // 29.97 less 10% = 26.973 → 26.97; tax 4.0455 → 4.05.
        #expect(number(discounted["SubTotal"]) == Decimal(string: "26.97") && number(discounted["TotalTax"]) == Decimal(string: "4.05"))
        #expect(number(discounted["TotalDiscount"]) == 3 && discounted["IsDiscounted"] as? Bool == true)
        let refused = try H.messages(await save(h, "PUT", "Invoices", [["Type": "ACCPAY", "Contact": ["ContactID": id], "LineItems": [
            ["Description": "A", "Quantity": 1, "UnitAmount": 5, "DiscountRate": 10, "AccountCode": "310"],
        ]]]))
        #expect(refused.contains { $0.contains("Discounts") })
    }

    @Test func refusedDocuments() async throws {
        let h = H(), id = try await contact(h)
        let line: [String: Any] = ["Description": "A", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"]
        let cases: [([String: Any], String)] = [
            (["Type": "ACCREC", "Contact": ["ContactID": UUID().uuidString], "LineItems": [line]], "could not be found"),
            (["Type": "ACCREC", "LineItems": [line]], "Contact must be specified"),
            (["Type": "SALE", "Contact": ["ContactID": id]], "not a valid invoice Type"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [["Description": "A", "AccountCode": "999"]]], "Account code '999'"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [["Description": "A", "AccountCode": "090"]]], "bank account"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [["Description": "A", "AccountCode": "200", "TaxType": "NOPE"]]], "NOPE"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [["Description": "A", "AccountCode": "200", "TaxType": "INPUT2"]]], "cannot be used with account code"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [["Description": "A", "ItemCode": "NOITEM"]]], "Item code"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [["Description": "A", "AccountCode": "200",
                                                                            "Tracking": [["Name": "Region", "Option": "North"]]]]], "tracking category"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "Status": "AUTHORISED", "LineItems": [line]], "Due Date"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "Status": "AUTHORISED", "DueDate": Self.due, "LineItems": [["Description": "A"]]], "AccountCode"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "Status": "PAID", "LineItems": [line]], "PAID cannot be set"),
            (["Type": "ACCREC", "Contact": ["ContactID": id], "LineAmountTypes": "Gross", "LineItems": [line]], "LineAmountTypes"),
        ]
        for (body, expected) in cases {
            let messages = try H.messages(await save(h, "PUT", "Invoices", [body]))
            #expect(messages.contains { $0.contains(expected) }, "\(expected): \(messages)")
        }
        _ = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": id], "InvoiceNumber": "X-1", "LineItems": [line]])
        let duplicate = try H.messages(await save(h, "PUT", "Invoices", [["Type": "ACCREC", "Contact": ["ContactID": id], "InvoiceNumber": "X-1"]]))
        #expect(duplicate == ["Invoice # must be unique."])
        // Bills may share numbers.
        _ = try await invoice(h, ["Type": "ACCPAY", "Contact": ["ContactID": id], "InvoiceNumber": "B-1"])
        _ = try await invoice(h, ["Type": "ACCPAY", "Contact": ["ContactID": id], "InvoiceNumber": "B-1"])
        // summarizeErrors=false: 200, each element with its status.
        let mixed = await save(h, "PUT", "Invoices", [["Type": "ACCREC", "Contact": ["ContactID": id]], ["Type": "NOPE"]], query: "?summarizeErrors=false")
        #expect(mixed.status == 200)
        let records = try H.records(mixed, "Invoices")
        #expect(records[0]["StatusAttributeString"] as? String == "OK" && records[1]["StatusAttributeString"] as? String == "ERROR")
        #expect(records[1]["HasErrors"] as? Bool == true && records[1]["InvoiceID"] as? String == "00000000-0000-0000-0000-000000000000")
    }

    @Test func itemsAndTrackingSupplyLines() async throws {
        let h = H(), id = try await contact(h)
        _ = try H.records(await h.putItems([["Code": "W1", "Description": "Widget", "SalesDetails": ["UnitPrice": 12.5, "AccountCode": "200"]]]), "Items")
        let category = try H.record(await h.books.saveTrackingCategory(H.request("PUT", "/TrackingCategories", ["Name": "Region"]), key: nil), "TrackingCategories")
        let categoryID = try #require(category["TrackingCategoryID"] as? String)
        _ = await h.books.saveTrackingOption(H.request("PUT", "/Options", ["Name": "North"]), categoryKey: categoryID, optionKey: nil)
        let made = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [
            ["ItemCode": "W1", "Quantity": 2, "Tracking": [["Name": "Region", "Option": "North"]]],
        ]])
        let line = try #require((made["LineItems"] as? [[String: Any]])?.first)
        #expect(line["Description"] as? String == "Widget" && number(line["UnitAmount"]) == Decimal(string: "12.5"))
        #expect(line["AccountCode"] as? String == "200" && number(line["LineAmount"]) == 25)
        let tracking = try #require((line["Tracking"] as? [[String: Any]])?.first)
        #expect(tracking["TrackingCategoryID"] as? String == categoryID && tracking["Option"] as? String == "North")
        let three = try H.messages(await save(h, "PUT", "Invoices", [["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [
            ["Description": "x", "Tracking": [["Name": "Region", "Option": "North"], ["Name": "Region", "Option": "North"], ["Name": "Region", "Option": "North"]]],
        ]]]))
        #expect(three.contains { $0.contains("at most 2") })
    }

    // MARK: updates and status

    @Test func linesKeepTheirIDsAndStatusMoves() async throws {
        let h = H(), id = try await contact(h)
        let made = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": id], "LineItems": [
            ["Description": "A", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"],
            ["Description": "B", "Quantity": 1, "UnitAmount": 20, "AccountCode": "200"],
        ]])
        let invoiceID = made["InvoiceID"] as! String
        let lines = made["LineItems"] as! [[String: Any]]
        let kept = try H.record(await save(h, "POST", "Invoices", [["InvoiceID": invoiceID, "LineItems": [
            ["LineItemID": lines[0]["LineItemID"]!, "Quantity": 3], ["Description": "C", "Quantity": 1, "UnitAmount": 1, "AccountCode": "200"],
        ]]]), "Invoices")
        let newLines = kept["LineItems"] as! [[String: Any]]
        #expect(newLines.count == 2 && newLines[0]["LineItemID"] as? String == lines[0]["LineItemID"] as? String)
        #expect(newLines[0]["Description"] as? String == "A" && number(newLines[0]["LineAmount"]) == 30)
        #expect(newLines[1]["LineItemID"] as? String != lines[1]["LineItemID"] as? String, "a line sent without its id replaces the others")

        let approved = try H.record(await save(h, "POST", "Invoices", [["Status": "AUTHORISED", "DueDate": Self.due]], path: invoiceID), "Invoices")
        #expect(approved["Status"] as? String == "AUTHORISED")
        #expect(try H.messages(await save(h, "POST", "Invoices", [["Status": "DRAFT"]], path: invoiceID)).contains { $0.contains("cannot return") })
        #expect(try H.messages(await save(h, "POST", "Invoices", [["Status": "DELETED"]], path: invoiceID)).contains { $0.contains("void it instead") })
        let voided = try H.record(await save(h, "POST", "Invoices", [["Status": "VOIDED"]], path: invoiceID), "Invoices")
        #expect(voided["Status"] as? String == "VOIDED")
        #expect(try H.messages(await save(h, "POST", "Invoices", [["Reference": "late"]], path: invoiceID)) == ["Invoice not of valid status for modification"])

        let draft = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": id]])
        let deleted = try H.record(await save(h, "POST", "Invoices", [["Status": "DELETED"]], path: draft["InvoiceID"] as? String), "Invoices")
        #expect(deleted["Status"] as? String == "DELETED")
        #expect(await save(h, "POST", "Invoices", [["Status": "DELETED"]], path: UUID().uuidString).status == 404)
    }

    @Test func contactsBecomeCustomersAndSuppliersWithoutAnEdit() async throws {
        let h = H(), id = try await contact(h)
        let before = try H.record(await h.books.getContact(id), "Contacts")
        #expect(before["IsCustomer"] as? Bool == false && before["IsSupplier"] as? Bool == false)
        _ = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": id]])
        let customer = try H.record(await h.books.getContact(id), "Contacts")
        #expect(customer["IsCustomer"] as? Bool == true && customer["IsSupplier"] as? Bool == false)
        _ = try await invoice(h, ["Type": "ACCPAY", "Contact": ["ContactID": id]])
        let both = try H.record(await h.books.getContact(id), "Contacts")
        #expect(both["IsSupplier"] as? Bool == true)
        #expect(both["UpdatedDateUTC"] as? String == before["UpdatedDateUTC"] as? String)
    }

    // MARK: payments and allocations

    func approvedInvoice(_ h: H, _ id: String, amount: Double, type: String = "ACCREC") async throws -> String {
        let made = try await invoice(h, ["Type": type, "Contact": ["ContactID": id], "Status": "AUTHORISED", "DueDate": Self.due,
                                         "LineAmountTypes": "NoTax",
                                         "LineItems": [["Description": "A", "Quantity": 1, "UnitAmount": amount, "AccountCode": type == "ACCREC" ? "200" : "310"]]])
        return made["InvoiceID"] as! String
    }

    func pay(_ h: H, _ payment: [String: Any]) async -> SandboxResponse {
        await h.books.savePayments(H.request("PUT", "/api.xro/2.0/Payments", ["Payments": [payment]]))
    }

    func getInvoice(_ h: H, _ id: String) async throws -> [String: Any] {
        try H.record(await h.books.getDocument(InvoiceKind.self, id, H.request("GET", "/")), "Invoices")
    }

    @Test func paymentsSettleAndDeletingRestores() async throws {
        let h = H(), id = try await contact(h)
        let invoiceID = try await approvedInvoice(h, id, amount: 100)
        let draftID = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": id]])["InvoiceID"] as! String
        let cases: [([String: Any], String)] = [
            (["Invoice": ["InvoiceID": invoiceID], "Account": ["Code": "090"], "Amount": 100.01], "exceeds the amount outstanding"),
            (["Invoice": ["InvoiceID": invoiceID], "Account": ["Code": "200"], "Amount": 10], "Account type is invalid"),
            (["Invoice": ["InvoiceID": draftID], "Account": ["Code": "090"], "Amount": 10], "AUTHORISED"),
            (["Invoice": ["InvoiceID": UUID().uuidString], "Account": ["Code": "090"], "Amount": 10], "Invoice could not be found"),
            (["Invoice": ["InvoiceID": invoiceID], "Account": ["Code": "090"], "Amount": -5], "greater than zero"),
            (["Account": ["Code": "090"], "Amount": 5], "Invoice or a CreditNote"),
        ]
        for (body, expected) in cases {
            let messages = try H.messages(await pay(h, body))
            #expect(messages.contains { $0.contains(expected) }, "\(expected): \(messages)")
        }
        let first = try H.record(await pay(h, ["Invoice": ["InvoiceID": invoiceID], "Account": ["Code": "090"], "Amount": 40, "Date": "2030-01-05"]), "Payments")
        #expect(first["PaymentType"] as? String == "ACCRECPAYMENT" && first["Status"] as? String == "AUTHORISED")
        var current = try await getInvoice(h, invoiceID)
        #expect(number(current["AmountDue"]) == 60 && number(current["AmountPaid"]) == 40 && current["Status"] as? String == "AUTHORISED")
        let number = try #require(current["InvoiceNumber"] as? String)
        _ = try H.record(await pay(h, ["Invoice": ["InvoiceNumber": number], "Account": ["Code": "090"], "Amount": 60, "Date": "2030-01-07"]), "Payments")
        current = try await getInvoice(h, invoiceID)
        #expect(current["Status"] as? String == "PAID" && self.number(current["AmountDue"]) == 0)
        #expect(current["FullyPaidOnDate"] as? String == "/Date(1893974400000+0000)/")
        #expect((current["Payments"] as? [[String: Any]])?.count == 2)
        #expect(try H.messages(await save(h, "POST", "Invoices", [["Reference": "edit"]], path: invoiceID)) == ["Invoice not of valid status for modification"])
        #expect(try H.messages(await pay(h, ["Invoice": ["InvoiceID": invoiceID], "Account": ["Code": "090"], "Amount": 1])).isEmpty == false)

        let paymentID = first["PaymentID"] as! String
        let edit = await h.books.updatePayment(H.request("POST", "/Payments/x", ["Amount": 30]), key: paymentID)
        #expect(try H.messages(edit).contains { $0.contains("cannot be edited") })
        let deleted = try H.record(await h.books.updatePayment(H.request("POST", "/Payments/x", ["Status": "DELETED"]), key: paymentID), "Payments")
        #expect(deleted["Status"] as? String == "DELETED")
        current = try await getInvoice(h, invoiceID)
        #expect(current["Status"] as? String == "AUTHORISED" && self.number(current["AmountDue"]) == 40 && current["FullyPaidOnDate"] == nil)
        #expect(try H.messages(await h.books.updatePayment(H.request("POST", "/Payments/x", ["Status": "DELETED"]), key: paymentID)).contains { $0.contains("already") })
        // Voiding needs the remaining payment gone first.
        #expect(try H.messages(await save(h, "POST", "Invoices", [["Status": "VOIDED"]], path: invoiceID)).contains { $0.contains("before voiding") })
    }

    @Test func creditNotesAllocateAndUnallocate() async throws {
        let h = H(), id = try await contact(h), other = try await contact(h)
        let invoiceID = try await approvedInvoice(h, id, amount: 100)
        let bill = try await approvedInvoice(h, id, amount: 50, type: "ACCPAY")
        let note = try await invoice(h, ["Type": "ACCRECCREDIT", "Contact": ["ContactID": id], "Status": "AUTHORISED", "LineAmountTypes": "NoTax",
                                         "LineItems": [["Description": "Return", "Quantity": 1, "UnitAmount": 30, "AccountCode": "200"]]],
                                     collection: "CreditNotes")
        #expect(note["CreditNoteNumber"] as? String == "CN-0001" && number(note["RemainingCredit"]) == 30)
        let noteID = note["CreditNoteID"] as! String
        let foreign = try await invoice(h, ["Type": "ACCRECCREDIT", "Contact": ["ContactID": other], "Status": "AUTHORISED", "LineAmountTypes": "NoTax",
                                            "LineItems": [["Description": "R", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"]]], collection: "CreditNotes")
        func allocate(_ note: String, _ body: [String: Any]) async -> SandboxResponse {
            await h.books.allocateCreditNote(H.request("PUT", "/x", ["Allocations": [body]]), key: note)
        }
        let cases: [(String, [String: Any], String)] = [
            (noteID, ["Invoice": ["InvoiceID": invoiceID], "Amount": 31, "Date": "2030-01-02"], "remaining credit"),
            (noteID, ["Invoice": ["InvoiceID": bill], "Amount": 5, "Date": "2030-01-02"], "ACCREC invoice"),
            (foreign["CreditNoteID"] as! String, ["Invoice": ["InvoiceID": invoiceID], "Amount": 5, "Date": "2030-01-02"], "same contact"),
            (noteID, ["Invoice": ["InvoiceID": UUID().uuidString], "Amount": 5, "Date": "2030-01-02"], "could not be found"),
        ]
        for (target, body, expected) in cases {
            let messages = try H.messages(await allocate(target, body))
            #expect(messages.contains { $0.contains(expected) }, "\(expected): \(messages)")
        }
        let allocation = try H.record(await allocate(noteID, ["Invoice": ["InvoiceID": invoiceID], "Amount": 30, "Date": "2030-01-02"]), "Allocations")
        var current = try await getInvoice(h, invoiceID)
        #expect(number(current["AmountCredited"]) == 30 && number(current["AmountDue"]) == 70)
        #expect((current["CreditNotes"] as? [[String: Any]])?.first?["CreditNoteID"] as? String == noteID)
        var credit = try H.record(await h.books.getDocument(CreditNoteKind.self, noteID, H.request("GET", "/")), "CreditNotes")
        #expect(number(credit["RemainingCredit"]) == 0 && credit["Status"] as? String == "PAID")
        #expect(try H.messages(await save(h, "POST", "Invoices", [["Reference": "x"]], path: invoiceID)) == ["Invoice not of valid status for modification"])

        let removed = await h.books.deleteAllocation(noteKey: noteID, allocationKey: allocation["AllocationID"] as! String)
        #expect(removed.status == 200)
        #expect(try H.object(removed)["IsDeleted"] as? Bool == true)
        current = try await getInvoice(h, invoiceID)
        #expect(number(current["AmountDue"]) == 100 && (current["CreditNotes"] as? [Any])?.isEmpty == true)
        credit = try H.record(await h.books.getDocument(CreditNoteKind.self, noteID, H.request("GET", "/")), "CreditNotes")
        #expect(number(credit["RemainingCredit"]) == 30 && credit["Status"] as? String == "AUTHORISED")
        #expect(await h.books.deleteAllocation(noteKey: noteID, allocationKey: allocation["AllocationID"] as! String).status == 404)

        // A refund pays out a credit note.
        let refund = try H.record(await pay(h, ["CreditNote": ["CreditNoteID": noteID], "Account": ["Code": "090"], "Amount": 30]), "Payments")
        #expect(refund["PaymentType"] as? String == "ARCREDITPAYMENT")
        credit = try H.record(await h.books.getDocument(CreditNoteKind.self, noteID, H.request("GET", "/")), "CreditNotes")
        #expect(credit["Status"] as? String == "PAID")
    }

    @Test func listsFilterAndPage() async throws {
        let h = H(), a = try await contact(h), b = try await contact(h)
        for index in 0..<3 { _ = try await invoice(h, ["Type": "ACCREC", "Contact": ["ContactID": index == 0 ? b : a], "LineItems": [["Description": "x", "Quantity": 1, "UnitAmount": 1]]]) }
        func list(_ query: String) async throws -> [[String: Any]] {
            try H.records(await h.books.listDocuments(InvoiceKind.self, H.request("GET", "/api.xro/2.0/Invoices\(query)"), clientID: "app"), "Invoices")
        }
        #expect(try await list("?ContactIDs=\(a)").count == 2)
        #expect(try await list("?InvoiceNumbers=INV-0001,INV-0003").count == 2)
        #expect(try await list("?Statuses=AUTHORISED").isEmpty)
        #expect(try await list("?createdByMyApp=true").count == 3)
        let unpaged = try await list("")
        #expect((unpaged[0]["LineItems"] as? [Any])?.isEmpty == true, "an unpaged list leaves line items out")
        let paged = try await list("?page=1&pageSize=2")
        #expect(paged.count == 2 && (paged[0]["LineItems"] as? [Any])?.count == 1)
    }
}
