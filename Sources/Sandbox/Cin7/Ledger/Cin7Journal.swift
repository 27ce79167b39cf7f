import Foundation

/// A manual journal, `/journal` (apib:3259-3480): balanced by construction —
/// each line debits one account and credits another with the same amount.
/// DRAFT journals post nothing; COMPLETED ones appear in `/transactions`.
struct Cin7Journal: Cin7Stored {
    struct Line: Cin7Record, Sendable, Equatable {
        var Debit: String
        var Credit: String
        var Reference: String
        var Amount: Decimal
        var BaseAmount: Decimal
    }

    var TaskID: String
    var Status = "DRAFT"
    var JournalNumber: String
    var Currency: String
    var CurrencyConversionRate: Decimal
    var EffectiveDate: Cin7Day
    var Narration = ""
    var Notes = ""
    var Lines: [Line] = []
    var Attachments: [String] = []

    var key: String { TaskID }
}

/// The body of `POST`/`PUT /journal`.
struct Cin7JournalInput: Decodable {
    struct Line: Decodable {
        var Debit: LenientString?
        var Credit: LenientString?
        var Reference: String?
        var Amount: LenientDecimal?
        var BaseAmount: LenientDecimal?
    }

    var TaskID: String?
    var Status: String?
    var Currency: String?
    var CurrencyConversionRate: LenientDecimal?
    var EffectiveDate: String?
    var Narration: String?
    var Notes: String?
    var Lines: [Line]?
}
