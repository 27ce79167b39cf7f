import Foundation
@testable import Sandbox
import Testing

/// Tax rates: derived rates and applicability, numbering, and what cannot change.
@Suite struct XeroTaxRatesTests {
    typealias H = XeroBooksHarness

    static func component(_ name: String, _ rate: String, compound: Bool = false) -> XeroTaxRate.Component {
        .init(Name: name, Rate: XeroRate(Decimal(string: rate)!), IsCompound: compound, IsNonRecoverable: false)
    }

    @Test func displayRateAddsComponentsAndEffectiveRateCompounds() {
        let simple = XeroTaxRate(name: "Split", taxType: "TAX001", reportTaxType: "OUTPUT",
                                 components: [Self.component("A", "2.5"), Self.component("B", "7.5")])
        #expect(simple.DisplayTaxRate.value == 10 && simple.EffectiveRate.value == 10)
        let quebec = XeroTaxRate(name: "GST + QST", taxType: "TAX002", reportTaxType: "OUTPUT",
                                 components: [Self.component("QST", "9.975", compound: true), Self.component("GST", "5")])
        #expect(quebec.DisplayTaxRate.value == Decimal(string: "14.975")!)
        #expect(quebec.EffectiveRate.value == Decimal(string: "15.4738")!, "5 + 9.975 × 1.05, whatever the order")
    }

    @Test(arguments: [("OUTPUT", false, true), ("INPUT", true, false), ("NONE", true, true), ("EXEMPTOUTPUT", false, true)])
    func applicabilityFollowsTheReportTaxType(report: String, expenses: Bool, revenue: Bool) {
        let flags = XeroTaxRate.Applicability.of(reportTaxType: report)
        #expect(flags.expenses == expenses && flags.revenue == revenue && flags.assets && flags.liabilities)
    }

    @Test func createdRatesAreNumberedAndWrittenWithFourPlaces() async throws {
        let h = H()
        let response = await h.taxRates("PUT", [
            ["Name": "Levy", "ReportTaxType": "INPUT", "TaxComponents": [["Name": "Levy", "Rate": 2.25]], "TaxType": "MINE", "EffectiveRate": 99],
            ["Name": "Duty", "ReportTaxType": "OUTPUT", "TaxComponents": [["Name": "Duty", "Rate": 3]]],
        ])
        let rates = try H.records(response, "TaxRates")
        #expect(rates.map { $0["TaxType"] as? String } == ["TAX001", "TAX002"], "PUT ignores a TaxType")
        #expect(rates[0]["EffectiveRate"] as? Double == 2.25 && rates[0]["CanApplyToRevenue"] as? Bool == false)
        #expect(rates[1]["CanApplyToExpenses"] as? Bool == false && rates[1]["Status"] as? String == "ACTIVE")
        #expect(H.text(response).contains(#""DisplayTaxRate":3.0000"#))
        #expect(try H.record(await h.books.getTaxRate("TAX002"), "TaxRates")["Name"] as? String == "Duty")
        #expect(await h.books.getTaxRate("TAX009").status == 404)
    }

    @Test func updatesFindTheRateByTaxTypeOrName() async throws {
        let h = H()
        _ = try H.records(await h.taxRates("PUT", [["Name": "Levy", "ReportTaxType": "INPUT", "TaxComponents": [["Name": "L", "Rate": 1]]]]), "TaxRates")
        let byType = try H.record(await h.taxRates("POST", [["TaxType": "TAX001", "Name": "Levy 2", "TaxComponents": [["Name": "L", "Rate": 2]]]]), "TaxRates")
        #expect(byType["Name"] as? String == "Levy 2" && byType["EffectiveRate"] as? Double == 2)
        let byName = try H.record(await h.taxRates("POST", [["Name": "levy 2", "Status": "ARCHIVED"]]), "TaxRates")
        #expect(byName["TaxType"] as? String == "TAX001" && byName["Status"] as? String == "ARCHIVED")
        let created = try H.record(await h.taxRates("POST", [["Name": "Brand new", "ReportTaxType": "NONE", "TaxComponents": [["Name": "N", "Rate": 0]]]]), "TaxRates")
        #expect(created["TaxType"] as? String == "TAX002", "POST with an unknown name creates")
    }

    @Test func refusedRates() async throws {
        let h = H()
        let one = [["Name": "C", "Rate": 5]]
        let cases: [(String, [String: Any], String)] = [
            ("PUT", ["Name": "No GST", "ReportTaxType": "NONE", "TaxComponents": one], "A tax rate with the name No GST already exists."),
            ("PUT", ["ReportTaxType": "NONE", "TaxComponents": one], "Please enter a Name for the tax rate."),
            ("PUT", ["Name": "Bare", "ReportTaxType": "NONE"], "A tax rate needs at least one tax component."),
            ("PUT", ["Name": "Unreported", "TaxComponents": one], "ReportTaxType is required."),
            ("PUT", ["Name": "Odd report", "ReportTaxType": "SOMETIMES", "TaxComponents": one], "SOMETIMES is not a valid ReportTaxType."),
            ("PUT", ["Name": "Negative", "ReportTaxType": "NONE", "TaxComponents": [["Name": "C", "Rate": -1]]], "A tax component's Rate must be between 0 and 100."),
            ("PUT", ["Name": "Nameless part", "ReportTaxType": "NONE", "TaxComponents": [["Rate": 1]]], "Each tax component needs a Name."),
            ("PUT", ["Name": "Rateless", "ReportTaxType": "NONE", "TaxComponents": [["Name": "C"]]], "Each tax component needs a Rate."),
            ("POST", ["TaxType": "INPUT2", "Status": "DELETED"], "Only the name of a system tax rate can be changed."),
            ("POST", ["TaxType": "OUTPUT2", "ReportTaxType": "INPUT"], "Only the name of a system tax rate can be changed."),
            ("POST", ["TaxType": "NOPE"], "No tax rate has the TaxType NOPE."),
        ]
        for (method, body, message) in cases {
            #expect(try H.messages(await h.taxRates(method, [body])) == [message], "\(body)")
        }
        #expect(try H.record(await h.taxRates("POST", [["TaxType": "OUTPUT2", "Name": "GST on Sales"]]), "TaxRates")["EffectiveRate"] as? Double == 15)
    }

    @Test func ratesInUseCannotBeDeletedAndDeletedRatesStayDeleted() async throws {
        let h = H()
        _ = try H.records(await h.taxRates("PUT", [["Name": "Used", "ReportTaxType": "INPUT", "TaxComponents": [["Name": "U", "Rate": 9]]],
                                                  ["Name": "Unused", "ReportTaxType": "INPUT", "TaxComponents": [["Name": "U", "Rate": 8]]]]), "TaxRates")
        _ = try H.record(await h.putAccount(["Code": "455", "Name": "Taxed costs", "Type": "OVERHEADS", "TaxType": "TAX001"]), "Accounts")
        #expect(try H.messages(await h.taxRates("POST", [["TaxType": "TAX001", "Status": "DELETED"]]))
                == ["The tax rate Used is used by accounts or items and cannot be deleted. Archive it instead."])
        #expect(try H.record(await h.taxRates("POST", [["TaxType": "TAX002", "Status": "DELETED"]]), "TaxRates")["Status"] as? String == "DELETED")
        #expect(try H.messages(await h.taxRates("POST", [["TaxType": "TAX002", "Status": "ACTIVE"]])) == ["A deleted tax rate cannot be changed."])
        // A deleted rate's name is free; a deleted rate cannot go on an account.
        #expect(await h.taxRates("PUT", [["Name": "Unused", "ReportTaxType": "INPUT", "TaxComponents": [["Name": "U", "Rate": 8]]]]).status == 200)
        #expect(try H.messages(await h.putAccount(["Code": "456", "Name": "More costs", "Type": "OVERHEADS", "TaxType": "TAX002"]))
                == ["The TaxType code TAX002 does not exist or cannot be used with this type of account."])
        let active = try H.records(await h.books.listTaxRates(H.request("GET", "/TaxRates?where=Status%3D%3D%22DELETED%22")), "TaxRates")
        #expect(active.map { $0["TaxType"] as? String } == ["TAX002"])
    }
}
