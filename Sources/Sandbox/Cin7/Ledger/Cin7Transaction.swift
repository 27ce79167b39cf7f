import Foundation

/// One row of `/transactions` (apib:27260-27320): a posting from one account
/// code to another. `Amount` is never negative here: a task's negative posting
/// (a stock adjustment that lowers value) is listed with its accounts swapped.
struct Cin7Transaction: Cin7Record, Sendable, Equatable {
    var TaskID: String
    var DebitAccountCode: String
    var CreditAccountCode: String
    var Amount: Decimal
    var EffectiveDate: Cin7Day
    var Reference: String
    var Transaction: String
    var `Type`: String

    init(task: String, debit: String, credit: String, amount: Decimal, date: Cin7Day, reference: String, description: String, type: String) {
        let swap = amount < 0
        (TaskID, DebitAccountCode, CreditAccountCode) = (task, swap ? credit : debit, swap ? debit : credit)
        (Amount, EffectiveDate, Reference, Transaction, Type) = (Cin7Number.rounded(abs(amount), places: 2), date, reference, description, type)
    }
}
