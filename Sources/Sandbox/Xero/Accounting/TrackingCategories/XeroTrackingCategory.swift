import Foundation

/// A TrackingCategory with its options, as the Accounting API sends it
/// (xero_accounting.yaml `TrackingCategory`, `TrackingOption`). It has no
/// `UpdatedDateUTC`: the table's stamp stays internal.
struct XeroTrackingCategory: XeroEntity {
    static let collection = "TrackingCategories"

    struct Option: Codable, Sendable, Equatable {
        @LowercaseID var TrackingOptionID: UUID
        var Name: String
        var Status: String

        enum CodingKeys: String, CodingKey {
            case TrackingOptionID, Name, Status
            case HasValidationErrors, IsDeleted, IsArchived, IsActive
        }

        init(id: UUID, name: String) {
            TrackingOptionID = id
            Name = name
            Status = "ACTIVE"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            TrackingOptionID = try container.decode(UUID.self, forKey: .TrackingOptionID)
            Name = try container.decode(String.self, forKey: .Name)
            Status = try container.decode(String.self, forKey: .Status)
        }

        /// The flags the spec's examples show beside `Status`, derived from it.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(_TrackingOptionID, forKey: .TrackingOptionID)
            try container.encode(Name, forKey: .Name)
            try container.encode(Status, forKey: .Status)
            try container.encode(false, forKey: .HasValidationErrors)
            try container.encode(Status == "DELETED", forKey: .IsDeleted)
            try container.encode(Status == "ARCHIVED", forKey: .IsArchived)
            try container.encode(Status == "ACTIVE", forKey: .IsActive)
        }
    }

    var Name: String
    var Status: String
    @LowercaseID var TrackingCategoryID: UUID
    var Options: [Option]
    var updated: XeroDate?

    enum CodingKeys: String, CodingKey {
        case Name, Status, TrackingCategoryID, Options
    }

    var id: UUID { TrackingCategoryID }
    var updatedDateUTC: XeroDate? {
        get { updated }
        set { updated = newValue }
    }

    init(id: UUID, name: String) {
        TrackingCategoryID = id
        Name = name
        Status = "ACTIVE"
        Options = []
    }

    /// Without archived options, for lists that do not ask `includeArchived`.
    var withoutArchivedOptions: XeroTrackingCategory {
        var copy = self
        copy.Options.removeAll { $0.Status == "ARCHIVED" }
        return copy
    }
}

/// What a client may send for a category or an option (`{Name, Status}`).
struct XeroTrackingInput: Decodable {
    var Name: String?
    var Status: String?
}
