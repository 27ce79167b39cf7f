import Foundation

/// A manual journal's sums, with no books: each line's tax (as invoice lines
/// have it, from the line's rate and the journal's LineAmountTypes) and
/// whether debits equal credits.
///
/// What must balance is what reaches the ledger: for a tax-exclusive journal
/// each line posts its amount plus its tax (the tax to the tax account), so
/// the gross amounts must net to zero; for inclusive and no-tax journals the
/// line amounts already are the gross amounts.
enum XeroJournalArithmetic {
    struct Totals: Equatable {
        /// The sum of the positive gross amounts.
        var debits: Decimal
        /// The sum of the negative gross amounts (itself negative).
        var credits: Decimal

        var isBalanced: Bool { debits + credits == 0 }
    }

    static func tax(lineAmount: Decimal, rate: Decimal, lineAmountTypes: String) -> Decimal {
        XeroDocumentTotals.tax(lineAmount: lineAmount, rate: rate, lineAmountTypes: lineAmountTypes)
    }

    static func gross(lineAmount: Decimal, taxAmount: Decimal, lineAmountTypes: String) -> Decimal {
        lineAmountTypes == "Exclusive" ? lineAmount + taxAmount : lineAmount
    }

    static func totals(_ lines: [(lineAmount: Decimal, taxAmount: Decimal)], lineAmountTypes: String) -> Totals {
        var totals = Totals(debits: 0, credits: 0)
        for line in lines {
            let amount = gross(lineAmount: line.lineAmount, taxAmount: line.taxAmount, lineAmountTypes: lineAmountTypes)
            if amount > 0 { totals.debits += amount } else { totals.credits += amount }
        }
        return totals
    }

    /// Xero's wording, from the spec's own example: "The total debits (100.00) must equal total credits (-10.00)".
    static func imbalanceMessage(_ totals: Totals) -> String? {
        guard !totals.isBalanced else { return nil }
        return "The total debits (\(XeroDecimal.fixed(totals.debits, places: 2))) must equal total credits (\(XeroDecimal.fixed(totals.credits, places: 2)))"
    }
}
