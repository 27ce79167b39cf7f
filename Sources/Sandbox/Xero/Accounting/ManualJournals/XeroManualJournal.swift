import Foundation

/// A manual journal as the Accounting API sends it (xero_accounting.yaml
/// `ManualJournal`, `ManualJournalLine`): lines posted straight to the general
/// ledger, debits positive and credits negative. Each line's TaxAmount is derived.
/// Equatable, so that whether a write changed it is a comparison of values.
struct XeroManualJournal: XeroEntity, Equatable {
    static let collection = "ManualJournals"

    struct Line: Codable, Sendable, Equatable {
        var Description: String?
        var TaxType: String?
        var TaxAmount: XeroMoney
        var LineAmount: XeroMoney
        var AccountCode: String?
        /// The spec types a journal line's Tracking as `TrackingCategory`; the four fields sent are a line item's.
        var Tracking: [XeroLineItem.Tracking]
        var AccountID: String?
        var IsBlank: Bool
    }

    var Date: XeroDate
    var Status: String
    var LineAmountTypes: String
    var UpdatedDateUTC: XeroDate?
    @LowercaseID var ManualJournalID: UUID
    var Narration: String
    var JournalLines: [Line]
    var Url: String?
    var ShowOnCashBasisReports: Bool
    var HasAttachments = false

    var id: UUID { ManualJournalID }
    var updatedDateUTC: XeroDate? {
        get { UpdatedDateUTC }
        set { UpdatedDateUTC = newValue }
    }

    /// DRAFT and POSTED are what a client creates; DELETED ends a draft, VOIDED a
    /// posted journal. ARCHIVED belongs to repeating journal templates, which this sandbox has not.
    static let statuses: Set<String> = ["DRAFT", "POSTED", "DELETED", "VOIDED"]
}

/// What a client may send for a manual journal. TaxAmount, HasAttachments and
/// UpdatedDateUTC are derived and not read.
struct XeroManualJournalInput: Decodable {
    struct Line: Decodable {
        var LineAmount: XeroMoney?
        var AccountCode: String?
        var AccountID: UUID?
        var Description: String?
        var TaxType: String?
        var Tracking: [XeroLineItemInput.Tracking]?
    }

    var ManualJournalID: UUID?
    var Narration: String?
    var JournalLines: [Line]?
    var Date: XeroDate?
    var LineAmountTypes: String?
    var Status: String?
    var Url: String?
    var ShowOnCashBasisReports: Bool?
}
