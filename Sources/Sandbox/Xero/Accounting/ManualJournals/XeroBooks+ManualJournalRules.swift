import Foundation

/// Reading a write into a manual journal: narration, lines (accounts a
/// journal may post to, tax, tracking), the status moves Xero allows, and
/// the balance a POSTED journal must have.
extension XeroBooks {
    /// System accounts Xero keeps to itself (its "Locked and system accounts" page: no
    /// manual journals to Accounts Receivable/Payable, Bank Revaluations, Tracking
    /// Transfers, Unpaid Expense Claims, Unrealised Currency Gains). Historical
    /// Adjustments, Realised Currency Gains, Retained Earnings, GST and Rounding take journals.
    static let systemAccountsClosedToJournals: Set<String> = [
        "DEBTORS", "CREDITORS", "BANKCURRENCYGAIN", "TRACKINGTRANSFERS", "UNPAIDEXPCLM", "UNREALISEDCURRENCYGAIN",
    ]

    func buildManualJournal(_ input: XeroManualJournalInput, existing: XeroManualJournal?, id: UUID) -> Result<XeroManualJournal, DocumentProblems> {
        let requested = input.Status?.uppercased() ?? existing?.Status ?? "DRAFT"
        if let problem = journalStatusProblem(from: existing?.Status, to: requested) { return .failure(DocumentProblems([problem])) }
        // Deleting a draft or voiding a posted journal changes nothing else.
        if let existing, existing.Status != requested, requested == "DELETED" || requested == "VOIDED" {
            var ended = existing
            ended.Status = requested
            return .success(ended)
        }

        var messages: [String] = []
        let narration = (input.Narration ?? existing?.Narration ?? "").trimmingCharacters(in: .whitespaces)
        if narration.isEmpty { messages.append("Narration must be specified.") }

        var lineAmountTypes = existing?.LineAmountTypes ?? "NoTax"
        if let given = input.LineAmountTypes {
            if let match = Self.lineAmountTypeValues.first(where: { $0.lowercased() == given.lowercased() }) {
                lineAmountTypes = match
            } else {
                messages.append("LineAmountTypes must be Exclusive, Inclusive or NoTax.")
            }
        }

        var lines = existing?.JournalLines ?? []
        // The spec's own update example sends `"JournalLines": []` to change only the
        // narration: an empty list on an update keeps the lines.
        if let given = input.JournalLines, !(given.isEmpty && existing != nil) {
            lines = []
            for (index, line) in given.enumerated() {
                let (built, problems) = buildJournalLine(line, lineAmountTypes: lineAmountTypes)
                messages += problems.map { "Line \(index + 1): \($0)" }
                lines.append(built)
            }
        } else if input.LineAmountTypes != nil {
            // The same lines under other LineAmountTypes: their tax follows.
            lines = lines.map { line in
                var line = line
                line.TaxAmount = XeroMoney(journalTax(line.LineAmount.value, taxType: line.TaxType, lineAmountTypes: lineAmountTypes))
                return line
            }
        }
        if lines.count < 2 { messages.append("A manual journal must have at least two journal lines.") }
        if requested == "POSTED" {
            let totals = XeroJournalArithmetic.totals(lines.map { ($0.LineAmount.value, $0.TaxAmount.value) }, lineAmountTypes: lineAmountTypes)
            if let imbalance = XeroJournalArithmetic.imbalanceMessage(totals) { messages.append(imbalance) }
        }

        let journal = XeroManualJournal(
            Date: input.Date?.day ?? existing?.Date ?? XeroDate(Date()).day, Status: requested, LineAmountTypes: lineAmountTypes,
            UpdatedDateUTC: existing?.UpdatedDateUTC, ManualJournalID: id, Narration: narration, JournalLines: lines,
            Url: input.Url ?? existing?.Url, ShowOnCashBasisReports: input.ShowOnCashBasisReports ?? existing?.ShowOnCashBasisReports ?? true)
        if let existing, existing.Status != "DRAFT", journal != existing {
            messages = [existing.Status == "POSTED" ? "A posted manual journal cannot be edited: void it and post a new one."
                                                    : "This manual journal is \(existing.Status) and cannot be changed."]
        }
        guard messages.isEmpty else { return .failure(DocumentProblems(messages)) }
        return .success(journal)
    }

    /// Xero's moves: a new journal is DRAFT or POSTED; a draft may be edited,
    /// posted or deleted; a posted journal may only be voided; DELETED and VOIDED are final.
    func journalStatusProblem(from current: String?, to requested: String) -> String? {
        guard XeroManualJournal.statuses.contains(requested) else {
            return requested == "ARCHIVED" ? "Only repeating manual journal templates are archived." : "\(requested) is not a valid Status for a manual journal."
        }
        switch current {
        case nil:
            return ["DRAFT", "POSTED"].contains(requested) ? nil : "A new manual journal must be DRAFT or POSTED."
        case "DRAFT":
            return requested == "VOIDED" ? "A draft manual journal cannot be voided; delete it instead." : nil
        case "POSTED":
            switch requested {
            case "POSTED", "VOIDED": return nil
            case "DELETED": return "A posted manual journal cannot be deleted; void it instead."
            default: return "A posted manual journal cannot return to \(requested)."
            }
        default:
            return requested == current ? nil : "This manual journal is \(current!) and cannot be changed."
        }
    }

    /// One line: its account (one a journal may post to), tax type and tracking.
    private func buildJournalLine(_ input: XeroManualJournalInput.Line, lineAmountTypes: String) -> (XeroManualJournal.Line, [String]) {
        var messages: [String] = []
        var line = XeroManualJournal.Line(Description: input.Description, TaxType: nil, TaxAmount: XeroMoney(0),
                                          LineAmount: input.LineAmount ?? XeroMoney(0), Tracking: [], IsBlank: false)
        if input.LineAmount == nil { messages.append("A LineAmount is required.") }

        var account: XeroAccount?
        if let accountID = input.AccountID {
            account = accounts[accountID].flatMap { $0.Status == "ACTIVE" ? $0 : nil }
            if account == nil { messages.append("Account with AccountID \(accountID.uuidString.lowercased()) could not be found.") }
        } else if let code = input.AccountCode, !code.isEmpty {
            account = activeAccount(code: code)
            if account == nil { messages.append("Account code '\(code)' is not a valid code for this document.") }
        } else {
            messages.append("An AccountCode or AccountID is required.")
        }
        if let account {
            line.AccountCode = account.Code
            line.AccountID = account.AccountID.uuidString.lowercased()
            if let problem = Self.journalAccountProblem(account) { messages.append(problem) }
        }

        let taxType = input.TaxType.flatMap { $0.isEmpty ? nil : $0 } ?? (lineAmountTypes == "NoTax" ? "NONE" : account?.TaxType ?? "NONE")
        line.TaxType = taxType
        if let rate = taxRate(taxType), rate.Status == "ACTIVE" {
            if let account, !rate.applicable.allows(accountClass: account.Class) {
                messages.append("The TaxType code '\(taxType)' cannot be used with account code '\(account.Code ?? "")'.")
            }
        } else {
            messages.append("The TaxType code '\(taxType)' does not exist or cannot be used.")
        }
        line.TaxAmount = XeroMoney(journalTax(line.LineAmount.value, taxType: taxType, lineAmountTypes: lineAmountTypes))

        if let tracking = input.Tracking {
            if tracking.count > Self.maxTrackingPerLine { messages.append("A journal line can have at most \(Self.maxTrackingPerLine) tracking categories.") }
            for entry in tracking {
                switch resolveTracking(entry) {
                case .success(let resolved):
                    if line.Tracking.contains(where: { $0.TrackingCategoryID == resolved.TrackingCategoryID }) {
                        messages.append("A journal line can use each tracking category once.")
                    }
                    line.Tracking.append(resolved)
                case .failure(let problem): messages += problem.messages
                }
            }
        }
        return (line, messages)
    }

    /// Why a manual journal may not post to this account, if it may not.
    static func journalAccountProblem(_ account: XeroAccount) -> String? {
        let code = account.Code ?? account.Name
        if account.Type == "BANK" {
            // Xero: "You can't post a manual journal to a bank account" — spend or receive money instead.
            return "Account code '\(code)' is a bank account: manual journals cannot post to bank accounts; use a spend or receive money transaction."
        }
        if account.Type == "INVENTORY" {
            return "Account code '\(code)' is an inventory account: manual journals cannot post to or from inventory accounts."
        }
        if let system = account.SystemAccount, systemAccountsClosedToJournals.contains(system) {
            return "Account code '\(code)' is a system account that manual journals cannot post to."
        }
        return nil
    }

    private func journalTax(_ lineAmount: Decimal, taxType: String?, lineAmountTypes: String) -> Decimal {
        let rate = taxType.flatMap { taxRate($0)?.EffectiveRate.value } ?? 0
        return XeroJournalArithmetic.tax(lineAmount: lineAmount, rate: rate, lineAmountTypes: lineAmountTypes)
    }
}
