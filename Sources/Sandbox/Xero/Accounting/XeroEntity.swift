import Foundation

/// An Accounting API record the sandbox stores: Codable with Xero's field
/// names, its id and `UpdatedDateUTC` managed by the table.
protocol XeroEntity: Codable, Sendable {
    /// The envelope's array key, e.g. "Contacts".
    static var collection: String { get }
    var id: UUID { get }
    var updatedDateUTC: XeroDate? { get set }
}

/// The records of one kind in one organisation, in creation order, with each
/// record's JSON cached: reads (what benchmarks hammer) only copy bytes.
struct EntityTable<Entity: XeroEntity>: Sendable {
    private(set) var order: [UUID] = []
    private var rows: [UUID: (entity: Entity, json: [UInt8])] = [:]

    var count: Int { order.count }

    subscript(id: UUID) -> Entity? { rows[id]?.entity }

    func json(_ id: UUID) -> [UInt8]? { rows[id]?.json }

    var all: [Entity] { order.compactMap { rows[$0]?.entity } }

    /// Inserts or replaces, stamping `UpdatedDateUTC` unless told not to
    /// (Xero leaves it alone for some derived changes, e.g. IsCustomer).
    mutating func put(_ entity: Entity, touch: Bool = true, now: Date = Date()) {
        var entity = entity
        if touch || entity.updatedDateUTC == nil { entity.updatedDateUTC = XeroDate(now) }
        if rows[entity.id] == nil { order.append(entity.id) }
        rows[entity.id] = (entity, XeroJSON.encode(entity))
    }

    mutating func removeAll() {
        order = []
        rows = [:]
    }
}

enum XeroJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    static func encode(_ value: some Encodable) -> [UInt8] {
        // Our own models always encode; a failure is a bug worth crashing a test over.
        Array(try! encoder.encode(value))
    }

    /// A decoding error as a short sentence naming the field, for ValidationErrors.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "invalid JSON" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return field.isEmpty ? context.debugDescription : "\(field) is not valid"
        case .keyNotFound(let key, _):
            return "\(key.stringValue) is required"
        @unknown default:
            return "invalid JSON"
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}

/// A Xero `/Date(ms+0000)/` value: encoded that way, decoded from any form
/// Xero accepts in requests (`/Date(ms)/`, `YYYY-MM-DD`, ISO date-time).
struct XeroDate: Codable, Sendable, Comparable, Hashable {
    let date: Date

    init(_ date: Date) {
        // Xero keeps milliseconds.
        self.date = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = XeroDateFormat.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date Xero accepts: \(text)"))
        }
        self.init(date)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(XeroDateFormat.msDate(date))
    }

    static func < (a: XeroDate, b: XeroDate) -> Bool { a.date < b.date }

    /// A date-only field: midnight UTC of the day.
    var day: XeroDate {
        XeroDate(XeroDateFormat.utcCalendar.startOfDay(for: date))
    }
}
