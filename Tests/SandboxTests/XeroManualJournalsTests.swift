import Foundation
@testable import Sandbox
import Testing

/// Manual journals: the balance check and its message, tax on the lines, the
/// status moves, and the accounts a journal may not post to.
@Suite struct XeroManualJournalsTests {
    typealias H = XeroBooksHarness

    func number(_ value: Any?) -> Decimal? {
        (value as? NSNumber).map { Decimal(string: $0.stringValue)! }
    }

    func save(_ h: H, _ method: String, _ journals: [[String: Any]], path: String? = nil) async -> SandboxResponse {
        await h.books.saveManualJournals(H.request(method, "/api.xro/2.0/ManualJournals", ["ManualJournals": journals]),
                                         createOnly: method == "PUT", pathKey: path)
    }

    static func lines(_ amounts: [(Double, String)]) -> [[String: Any]] {
        amounts.map { ["LineAmount": $0.0, "AccountCode": $0.1, "Description": "line"] }
    }

    // MARK: arithmetic

    @Test func balanceIsOnGrossAmounts() {
        let noTax = XeroJournalArithmetic.totals([(100, 0), (-90, 0)], lineAmountTypes: "NoTax")
        #expect(noTax == .init(debits: 100, credits: -90) && !noTax.isBalanced)
        #expect(XeroJournalArithmetic.imbalanceMessage(noTax) == "The total debits (100.00) must equal total credits (-90.00)")
        // Tax-exclusive: 100 + 15 tax posts 115, so -115 balances it and -100 does not.
        let exclusive = XeroJournalArithmetic.totals([(100, 15), (-115, 0)], lineAmountTypes: "Exclusive")
        #expect(exclusive.isBalanced && XeroJournalArithmetic.imbalanceMessage(exclusive) == nil)
        #expect(!XeroJournalArithmetic.totals([(100, 15), (-100, 0)], lineAmountTypes: "Exclusive").isBalanced)
        // Inclusive: the amounts already hold the tax.
        #expect(XeroJournalArithmetic.totals([(115, 15), (-115, 0)], lineAmountTypes: "Inclusive").isBalanced)
        #expect(XeroJournalArithmetic.imbalanceMessage(.init(debits: Decimal(string: "0.5")!, credits: 0))
            == "The total debits (0.50) must equal total credits (0.00)")
    }

    @Test func taxOnCreditsIsNegativeAndRoundedPerLine() {
        #expect(XeroJournalArithmetic.tax(lineAmount: -100, rate: 15, lineAmountTypes: "Exclusive") == -15)
        #expect(XeroJournalArithmetic.tax(lineAmount: Decimal(string: "3.33")!, rate: 15, lineAmountTypes: "Exclusive") == Decimal(string: "0.5"))
        #expect(XeroJournalArithmetic.tax(lineAmount: 115, rate: 15, lineAmountTypes: "Inclusive") == 15)
        #expect(XeroJournalArithmetic.tax(lineAmount: 115, rate: 15, lineAmountTypes: "NoTax") == 0)
    }

    // MARK: status moves

    @Test func statusMoves() async {
        let books = XeroBooksHarness().books
        let cases: [(String?, String, Bool)] = [
            (nil, "DRAFT", true), (nil, "POSTED", true), (nil, "VOIDED", false), (nil, "DELETED", false), (nil, "ARCHIVED", false),
            ("DRAFT", "DRAFT", true), ("DRAFT", "POSTED", true), ("DRAFT", "DELETED", true), ("DRAFT", "VOIDED", false),
            ("POSTED", "POSTED", true), ("POSTED", "VOIDED", true), ("POSTED", "DELETED", false), ("POSTED", "DRAFT", false),
            ("VOIDED", "VOIDED", true), ("VOIDED", "POSTED", false), ("DELETED", "DRAFT", false), ("DRAFT", "NONSENSE", false),
        ]
        for (from, to, allowed) in cases {
            let problem = await books.journalStatusProblem(from: from, to: to)
            #expect((problem == nil) == allowed, "\(from ?? "new") → \(to): \(problem ?? "allowed")")
        }
    }

    // MARK: through the books

    @Test func draftMayBeUnbalancedButPostedMayNot() async throws {
        let h = H()
        let draft = try H.record(await save(h, "PUT", [["Narration": "COGS", "JournalLines": Self.lines([(100, "310"), (-90, "850")])]]), "ManualJournals")
        #expect(draft["Status"] as? String == "DRAFT" && draft["LineAmountTypes"] as? String == "NoTax" && draft["ShowOnCashBasisReports"] as? Bool == true)
        let id = try #require(draft["ManualJournalID"] as? String)
        #expect(try H.messages(await save(h, "POST", [["Status": "POSTED"]], path: id)) == ["The total debits (100.00) must equal total credits (-90.00)"])
        let posted = try H.record(await save(h, "POST", [["Status": "POSTED", "JournalLines": Self.lines([(100, "310"), (-100, "850")])]], path: id), "ManualJournals")
        #expect(posted["Status"] as? String == "POSTED")
        #expect(try H.messages(await save(h, "POST", [["Narration": "changed"]], path: id)).first?.contains("cannot be edited") == true)
        let voided = try H.record(await save(h, "POST", [["Status": "VOIDED"]], path: id), "ManualJournals")
        #expect(voided["Status"] as? String == "VOIDED" && voided["Narration"] as? String == "COGS")
    }

    @Test func accountsClosedToJournals() async throws {
        let h = H()
        for (code, words) in [("630", "inventory"), ("090", "bank account"), ("610", "system account"), ("800", "system account"), ("nope", "not a valid code")] {
            let messages = try H.messages(await save(h, "PUT", [["Narration": "x", "JournalLines": Self.lines([(5, code), (-5, "850")])]]))
            #expect(messages.contains { $0.contains(words) && $0.contains(code) }, "\(code): \(messages)")
        }
        // Retained earnings and historical adjustments take journals.
        let open = try H.record(await save(h, "PUT", [["Narration": "x", "Status": "POSTED", "JournalLines": Self.lines([(5, "960"), (-5, "840")])]]), "ManualJournals")
        #expect(open["Status"] as? String == "POSTED")
    }

    @Test func exclusiveJournalLinesCarryTax() async throws {
        let h = H()
        let made = try H.record(await save(h, "PUT", [["Narration": "x", "LineAmountTypes": "Exclusive", "Status": "POSTED",
                                                       "JournalLines": Self.lines([(100, "429"), (-115, "850")])]]), "ManualJournals")
        let lines = try #require(made["JournalLines"] as? [[String: Any]])
        #expect(lines[0]["TaxType"] as? String == "INPUT2" && number(lines[0]["TaxAmount"]) == 15)
        #expect(lines[1]["TaxType"] as? String == "NONE" && number(lines[1]["TaxAmount"]) == 0 && lines[1]["IsBlank"] as? Bool == false)
        #expect(H.text(await h.books.getManualJournal(made["ManualJournalID"] as! String)).contains(#""LineAmount":-115.00"#))
    }

    @Test func unpagedListsLeaveLinesOut() async throws {
        let h = H()
        _ = try H.record(await save(h, "PUT", [["Narration": "x", "JournalLines": Self.lines([(1, "310"), (-1, "850")])]]), "ManualJournals")
        let unpaged = try H.records(await h.books.listManualJournals(H.request("GET", "/api.xro/2.0/ManualJournals")), "ManualJournals")
        let paged = try H.records(await h.books.listManualJournals(H.request("GET", "/api.xro/2.0/ManualJournals?page=1")), "ManualJournals")
        #expect((unpaged[0]["JournalLines"] as? [Any])?.isEmpty == true && (paged[0]["JournalLines"] as? [Any])?.count == 2)
        #expect(await h.books.recordCounts()["ManualJournals"] == 1)
        await h.books.reset()
        #expect(await h.books.recordCounts()["ManualJournals"] == 0)
    }
}
