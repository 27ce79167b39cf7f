import Foundation
@testable import Sandbox
import Testing

/// The chart of accounts: what a new organisation has, derived fields, and
/// the rules that refuse an account.
@Suite struct XeroAccountsTests {
    typealias H = XeroBooksHarness

    @Test func aNewOrganisationHasSystemAccountsAndSeededIDs() async throws {
        let tenant = UUID()
        let first = H(tenantID: tenant), again = H(tenantID: tenant), other = H()
        let accounts = try H.records(await first.books.listAccounts(H.request("GET", "/Accounts")), "Accounts")
        let system = Dictionary(uniqueKeysWithValues: accounts.compactMap { a in (a["SystemAccount"] as? String).map { ($0, a["Code"] as! String) } })
        #expect(system["DEBTORS"] == "610" && system["CREDITORS"] == "800" && system["GST"] == "820")
        #expect(system["ROUNDING"] == "860" && system["RETAINEDEARNINGS"] == "960")
        #expect(accounts.filter { $0["Type"] as? String == "BANK" }.count == 2)
        #expect(accounts.contains { $0["Type"] as? String == "INVENTORY" && $0["Code"] as? String == "630" })
        #expect(accounts.allSatisfy { XeroAccount.classOfType[$0["Type"] as! String] == $0["Class"] as? String })
        let ids = accounts.map { $0["AccountID"] as! String }
        #expect(try H.records(await again.books.listAccounts(H.request("GET", "/Accounts")), "Accounts").map { $0["AccountID"] as! String } == ids,
                "the same tenant gives the same ids")
        #expect(try H.records(await other.books.listAccounts(H.request("GET", "/Accounts")), "Accounts").first?["AccountID"] as? String != ids.first)
    }

    @Test(arguments: [("BANK", "ASSET"), ("CURRENT", "ASSET"), ("FIXED", "ASSET"), ("INVENTORY", "ASSET"), ("NONCURRENT", "ASSET"),
                      ("PREPAYMENT", "ASSET"), ("EQUITY", "EQUITY"), ("DEPRECIATN", "EXPENSE"), ("DIRECTCOSTS", "EXPENSE"),
                      ("EXPENSE", "EXPENSE"), ("OVERHEADS", "EXPENSE"), ("CURRLIAB", "LIABILITY"), ("LIABILITY", "LIABILITY"),
                      ("TERMLIAB", "LIABILITY"), ("PAYG", "LIABILITY"), ("OTHERINCOME", "REVENUE"), ("REVENUE", "REVENUE"), ("SALES", "REVENUE")])
    func classComesFromTypeAndReadOnlyFieldsAreIgnored(type: String, expected: String) async throws {
        let h = H()
        let made = try H.record(await h.putAccount(["Code": "T1", "Name": "Typed", "Type": type, "BankAccountNumber": "12-3456",
                                                    "Class": "EQUITY", "SystemAccount": "DEBTORS", "ReportingCodeName": "Nope"]), "Accounts")
        #expect(made["Class"] as? String == expected)
        #expect(made["SystemAccount"] == nil && made["Status"] as? String == "ACTIVE")
        #expect(made["ReportingCodeName"] as? String == XeroAccount.reportingCodeOfClass[expected]?.name)
        #expect(made["BankAccountType"] as? String == (type == "BANK" ? "BANK" : ""))
        #expect(made["TaxType"] as? String == ["REVENUE": "OUTPUT2", "EXPENSE": "INPUT2"][expected] ?? "NONE", "the class's default tax")
    }

    @Test func refusedAccounts() async throws {
        let h = H()
        let cases: [([String: Any], String)] = [
            (["Code": "999", "Name": "sales", "Type": "SALES"], "Please enter a unique Name."),
            (["Code": "200", "Name": "Other sales", "Type": "SALES"], "Please enter a unique Code."),
            (["Code": "12345678901", "Name": "Long code", "Type": "SALES"], "Code must be 10 characters or fewer."),
            (["Code": "998", "Name": String(repeating: "n", count: 151), "Type": "SALES"], "Name must be 150 characters or fewer."),
            (["Code": "997", "Name": "No type"], "Please select an account Type."),
            (["Code": "996", "Name": "Odd type", "Type": "ASSET"], "ASSET is not a valid account Type."),
            (["Name": "Card", "Type": "BANK", "BankAccountNumber": "1", "BankAccountType": "CHEQUE"], "BankAccountType must be BANK, CREDITCARD or PAYPAL."),
            (["Name": "No number", "Type": "BANK"], "Please enter a Bank Account Number."),
            (["Code": "994", "Name": "Sales tax on costs", "Type": "EXPENSE", "TaxType": "OUTPUT2"],
             "The TaxType code OUTPUT2 does not exist or cannot be used with this type of account."),
            (["Code": "993", "Name": "Unknown tax", "Type": "EXPENSE", "TaxType": "VAT20"],
             "The TaxType code VAT20 does not exist or cannot be used with this type of account."),
            (["Code": "992", "Name": "Deleted", "Type": "EXPENSE", "Status": "DELETED"], "Status must be ACTIVE or ARCHIVED; delete an account with DELETE."),
        ]
        for (body, message) in cases {
            let response = await h.putAccount(body)
            #expect(try H.messages(response) == [message], "\(body)")
            let element = try #require((try H.object(response)["Elements"] as? [[String: Any]])?.first)
            #expect(element["AccountID"] as? String == "00000000-0000-0000-0000-000000000000")
        }
        #expect(try H.messages(await h.putAccount(["Code": "", "Name": "Blank code", "Type": "EXPENSE"])) == ["Please enter a Code."])
        #expect(try H.messages(await h.putAccount(["Name": "x"])) == ["Please select an account Type.", "Please enter a Code."], "every problem at once")
        let bank = try H.record(await h.putAccount(["Name": "Codeless bank", "Type": "BANK", "BankAccountNumber": "0101"]), "Accounts")
        #expect(bank["Code"] == nil && bank["CurrencyCode"] as? String == "NZD")
    }

    @Test func systemAndBankAccountsKeepTheirNature() async throws {
        let h = H()
        let receivable = try await h.account(code: "610")
        let id = receivable["AccountID"] as! String
        #expect(try H.messages(await h.postAccount(id, ["Type": "EXPENSE"])) == ["The Type of a system account cannot be changed."])
        #expect(try H.messages(await h.postAccount(id, ["Status": "ARCHIVED"])) == ["System accounts cannot be archived."])
        #expect(try H.record(await h.postAccount(id, ["Name": "Debtors"]), "Accounts")["Name"] as? String == "Debtors", "renaming is fine")
        let bank = try await h.account(code: "090")
        #expect(try H.messages(await h.postAccount(bank["AccountID"] as! String, ["Type": "CURRENT"]))
                == ["A bank account cannot be changed to another type, nor another account to a bank account."])
        let sales = try await h.account(code: "200")
        let recoded = try H.record(await h.postAccount(sales["AccountID"] as! String, ["Type": "OTHERINCOME", "Code": "205"]), "Accounts")
        #expect(recoded["Type"] as? String == "OTHERINCOME" && recoded["Class"] as? String == "REVENUE" && recoded["Code"] as? String == "205")
        #expect(await h.postAccount(UUID().uuidString, ["Name": "x"]).status == 404)
    }

    @Test func deleteAnswersDeletedAndForgetsTheAccount() async throws {
        let h = H()
        let made = try H.record(await h.putAccount(["Code": "480", "Name": "Staff Training", "Type": "OVERHEADS"]), "Accounts")
        let id = made["AccountID"] as! String
        let deleted = try H.record(await h.books.deleteAccount(id), "Accounts")
        #expect(deleted["Status"] as? String == "DELETED" && deleted["AccountID"] as? String == id)
        #expect(await h.books.getAccount(id).status == 404)
        #expect(await h.books.deleteAccount(id).status == 404)
        // The name and code are free again.
        #expect(await h.putAccount(["Code": "480", "Name": "Staff Training", "Type": "OVERHEADS"]).status == 200)
    }

    @Test func systemAccountsAndAccountsItemsUseCannotBeDeleted() async throws {
        let h = H()
        let creditors = try await h.account(code: "800")
        #expect(try H.messages(await h.books.deleteAccount(creditors["AccountID"] as! String)) == ["System accounts cannot be deleted."])
        _ = try H.record(await h.putAccount(["Code": "210", "Name": "Online Sales", "Type": "SALES"]), "Accounts")
        _ = try H.record(await h.putItems([["Code": "W1", "SalesDetails": ["AccountCode": "210"]]]), "Items")
        let online = try await h.account(code: "210")
        #expect(try H.messages(await h.books.deleteAccount(online["AccountID"] as! String))
                == ["This account has been used and cannot be deleted. Archive it instead."])
        // Recoding the account shows on the item without making it modified; archiving the account is allowed.
        let before = try H.record(await h.books.getItem("W1", H.request("GET", "/Items/W1")), "Items")
        try await Task.sleep(for: .milliseconds(5))
        _ = try H.record(await h.postAccount(online["AccountID"] as! String, ["Code": "211", "Status": "ARCHIVED"]), "Accounts")
        let item = try H.record(await h.books.getItem("W1", H.request("GET", "/Items/W1")), "Items")
        #expect((item["SalesDetails"] as? [String: Any])?["AccountCode"] as? String == "211")
        #expect(item["UpdatedDateUTC"] as? String == before["UpdatedDateUTC"] as? String)
    }

    @Test func listFiltersOrdersAndHonoursIfModifiedSince() async throws {
        let h = H()
        let all = try H.records(await h.books.listAccounts(H.request("GET", "/Accounts")), "Accounts")
        try await Task.sleep(for: .milliseconds(1100))
        let stamp = XeroDateFormat.connectionDate(Date())
        try await Task.sleep(for: .milliseconds(1100))
        _ = try H.record(await h.putAccount(["Code": "490", "Name": "Zeta Costs", "Type": "OVERHEADS"]), "Accounts")
        let recent = try H.records(await h.books.listAccounts(SandboxRequest(method: "GET", target: "/Accounts", headers: [("if-modified-since", stamp)], body: [])), "Accounts")
        #expect(recent.map { $0["Code"] as? String } == ["490"])
        let banks = try H.records(await h.books.listAccounts(H.request("GET", "/Accounts?where=Type%3D%3D%22BANK%22&order=Name%20DESC")), "Accounts")
        #expect(banks.map { $0["Name"] as! String } == ["Business Savings Account", "Business Bank Account"])
        #expect(all.count > 40)
    }
}
