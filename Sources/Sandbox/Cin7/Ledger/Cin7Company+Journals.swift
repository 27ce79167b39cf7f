import Foundation

/// `/journal`: GET (paged; `TaskID`, `Status`, `Search` in JournalNumber,
/// Status, Narration, Notes), POST, PUT (a DRAFT only), `DELETE ?ID=&Void=`.
/// Writes answer with the list wrapper, as openapi.yaml's POST/PUT schemas show.
extension Cin7Company {
    static let journalsKey = "Journals"

    func listJournals(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let id = try Cin7Query.guid(request, "TaskID")
        let status = Cin7Query.text(request, "Status")
        let search = Cin7Query.text(request, "Search")
        let keys = journals.all.filter { journal in
            (id.map { journal.TaskID == $0 } ?? true) && (status.map(journal.Status.cin7Equals) ?? true)
                && (search.map { text in [journal.JournalNumber, journal.Status, journal.Narration, journal.Notes].contains { $0.cin7Contains(text) } } ?? true)
        }.map(\.key)
        return try page(journals, keys, arrayKey: Self.journalsKey, request)
    }

    private func journal(_ id: String?, _ field: String) throws(Cin7Failure) -> Cin7Journal {
        guard let id, !id.isEmpty else { throw .badRequest("Required attribute \(field) is not provided.") }
        guard UUID(uuidString: id) != nil, let journal = journals[id] else { throw .badRequest("Journal with specified \(field) not found.") }
        return journal
    }

    func writeJournal(_ request: SandboxRequest, updating: Bool) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7JournalInput.self, from: request.body).get()
        var journal: Cin7Journal
        if updating {
            journal = try self.journal(input.TaskID, "TaskID")
            guard journal.Status == "DRAFT" else { throw .badRequest("Journal \(journal.JournalNumber) is \(journal.Status): only a DRAFT journal can be changed.") }
        } else {
            journal = Cin7Journal(TaskID: newID(), JournalNumber: "", Currency: me.Currency, CurrencyConversionRate: 1,
                                  EffectiveDate: Cin7Day(date: now()))
        }
        var check = Cin7Validation()
        let status = check.required(input.Status, "Status").uppercased()
        check.check(status.isEmpty || ["DRAFT", "COMPLETED"].contains(status), "Status '\(input.Status ?? "")' is not valid. Use DRAFT or COMPLETED.")
        if let currency = input.Currency {
            check.check(books.currencies.contains(currency.uppercased()), "Currency '\(currency)' is not valid.")
            journal.Currency = currency.uppercased()
        } else if !updating {
            check.fail("Required attribute Currency is not provided.")
        }
        if let rate = input.CurrencyConversionRate?.value {
            check.check(rate > 0, "CurrencyConversionRate must be greater than 0.")
            journal.CurrencyConversionRate = rate
        } else if !updating {
            check.fail("Required attribute CurrencyConversionRate is not provided.")
        }
        if let day = check.day(input.EffectiveDate, "EffectiveDate") { journal.EffectiveDate = day }
        else if input.EffectiveDate == nil && !updating { check.fail("Required attribute EffectiveDate is not provided.") }
        if let v = input.Narration { journal.Narration = v }
        if let v = input.Notes { journal.Notes = v }
        if let lines = input.Lines { journal.Lines = journalLines(lines, rate: journal.CurrencyConversionRate, check: &check) }
        check.check(status != "COMPLETED" || !journal.Lines.isEmpty, "A journal without lines cannot be COMPLETED.")
        try check.finish()
        journal.Status = status
        if journal.JournalNumber.isEmpty { journal.JournalNumber = nextNumber("JR") }
        journals.put(journal)
        return written(journals, journal.key, arrayKey: Self.journalsKey)
    }

    private func journalLines(_ inputs: [Cin7JournalInput.Line], rate: Decimal, check: inout Cin7Validation) -> [Cin7Journal.Line] {
        inputs.enumerated().map { index, input in
            let label = "Lines[\(index)]"
            let debit = check.required(input.Debit?.value, "\(label).Debit")
            let credit = check.required(input.Credit?.value, "\(label).Credit")
            for code in [debit, credit] where !code.isEmpty {
                check.check(accounts[code]?.isActive == true, "\(label): account '\(code)' not found or not ACTIVE.")
            }
            check.check(debit.isEmpty || debit != credit, "\(label): Debit and Credit must be different accounts.")
            let amount = input.Amount?.value
            check.check(amount != nil, "Required attribute \(label).Amount is not provided.")
            check.check((amount ?? 1) > 0, "\(label).Amount must be greater than 0.")
            let base = Cin7Number.rounded((amount ?? 0) * rate, places: 2)
            if let sent = input.BaseAmount?.value {
                check.check(abs(sent - base) <= 0.01, "\(label).BaseAmount \(sent) does not match Amount × CurrencyConversionRate (\(base)).")
            }
            return .init(Debit: debit, Credit: credit, Reference: input.Reference ?? "", Amount: Cin7Number.rounded(amount ?? 0, places: 2), BaseAmount: base)
        }
    }

    /// `DELETE ?ID=&Void=`: undo removes a DRAFT and takes a COMPLETED journal back to DRAFT; void voids it.
    func deleteJournal(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        var journal = try journal(Cin7Query.guid(request, "ID"), "ID")
        let void = try Cin7Query.flag(request, "Void") ?? false
        guard journal.Status != "VOIDED" else { throw .badRequest("Journal \(journal.JournalNumber) is already voided.") }
        if !void && journal.Status == "DRAFT" {
            let json = written(journals, journal.key, arrayKey: Self.journalsKey)
            journals.remove(journal.key)
            return json
        }
        journal.Status = void ? "VOIDED" : "DRAFT"
        journals.put(journal)
        return written(journals, journal.key, arrayKey: Self.journalsKey)
    }
}
