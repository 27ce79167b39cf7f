import RPCMessages

/// The entity types of the seed's sync rules, and the directions each allows.
///
/// From the seed (Cin7 Core's Xero integration): the chart of accounts and
/// tax rules come from Xero (read-only in Cin7 Core); contacts sync both ways;
/// products go to Xero, with Xero's item changes back optionally; invoices go
/// to Xero, Xero's optionally back; credit notes only go to Xero; payments
/// and refunds are imported and/or exported by configuration; prepayments are
/// exported; overpayments are imported; manual journals (COGS, assembly,
/// disassembly, stock adjustments) are created in Xero; tracking categories
/// are read from Xero to map onto Cin7 Core.
public enum SyncEntityRule: String, Sendable, CaseIterable, Codable, CodingKeyRepresentable {
    case chartOfAccounts = "chart_of_accounts"
    case taxRules = "tax_rules"
    case contacts
    case items
    case invoices
    case creditNotes = "credit_notes"
    case payments
    case prepayments
    case overpayments
    case manualJournals = "manual_journals"
    case trackingCategories = "tracking_categories"

    public enum Direction: String, Sendable, Codable, CaseIterable {
        case xeroToCin7 = "xero_to_cin7"
        case cin7ToXero = "cin7_to_xero"
        case twoWay = "two_way"
    }

    public var allowedDirections: [Direction] {
        switch self {
        case .chartOfAccounts, .taxRules, .overpayments, .trackingCategories: [.xeroToCin7]
        case .contacts: [.twoWay, .xeroToCin7, .cin7ToXero]
        case .items, .invoices: [.cin7ToXero, .twoWay]
        case .creditNotes, .prepayments, .manualJournals: [.cin7ToXero]
        case .payments: [.xeroToCin7, .cin7ToXero, .twoWay]
        }
    }

    /// The seed's default: the first allowed direction (the optional way back is off).
    public var defaultDirection: Direction { allowedDirections[0] }

    public init?(_ entity: Ledgerbridge_V1_SyncEntity) {
        switch entity {
        case .chartOfAccounts: self = .chartOfAccounts
        case .taxRules: self = .taxRules
        case .contacts: self = .contacts
        case .items: self = .items
        case .invoices: self = .invoices
        case .creditNotes: self = .creditNotes
        case .payments: self = .payments
        case .prepayments: self = .prepayments
        case .overpayments: self = .overpayments
        case .manualJournals: self = .manualJournals
        case .trackingCategories: self = .trackingCategories
        default: return nil
        }
    }

    public var message: Ledgerbridge_V1_SyncEntity {
        switch self {
        case .chartOfAccounts: .chartOfAccounts
        case .taxRules: .taxRules
        case .contacts: .contacts
        case .items: .items
        case .invoices: .invoices
        case .creditNotes: .creditNotes
        case .payments: .payments
        case .prepayments: .prepayments
        case .overpayments: .overpayments
        case .manualJournals: .manualJournals
        case .trackingCategories: .trackingCategories
        }
    }
}

extension SyncEntityRule.Direction {
    init?(_ direction: Ledgerbridge_V1_SyncDirection) {
        switch direction {
        case .xeroToCin7: self = .xeroToCin7
        case .cin7ToXero: self = .cin7ToXero
        case .twoWay: self = .twoWay
        default: return nil
        }
    }

    var message: Ledgerbridge_V1_SyncDirection {
        switch self {
        case .xeroToCin7: .xeroToCin7
        case .cin7ToXero: .cin7ToXero
        case .twoWay: .twoWay
        }
    }
}
