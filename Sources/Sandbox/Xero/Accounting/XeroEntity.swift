import Foundation

/// An Accounting API record the sandbox stores: Codable with Xero's field
/// names, its id and `UpdatedDateUTC` managed by the table.
protocol XeroEntity: Codable, Sendable {
    /// The envelope's array key, e.g. "Contacts".
    static var collection: String { get }
    var id: UUID { get }
    var updatedDateUTC: XeroDate? { get set }
    /// A second key clients look records up by (an item's Code, a document's
    /// number), lower-cased; nil for none. The table keeps an index of it.
    var lookupKey: String? { get }
}

extension XeroEntity {
    var lookupKey: String? { nil }
}

/// The records of one kind in one organisation, in creation order, with each
/// record's JSON cached: reads (what benchmarks hammer) only copy bytes.
struct EntityTable<Entity: XeroEntity>: Sendable {
    private(set) var order: [UUID] = []
    private var rows: [UUID: (entity: Entity, json: [UInt8])] = [:]
    /// Ids by `lookupKey`, in the order the keys were first written.
    private var byKey: [String: [UUID]] = [:]
    /// Bumped by every change: what cached list pages are checked against.
    private(set) var version = 0
    /// Records written since the last `takeChanges()` (what webhooks announce).
    /// Bounded: a table nobody drains keeps only the newest.
    private(set) var changes: [Change] = []

    struct Change: Sendable, Equatable {
        let id: UUID
        let created: Bool
    }

    var count: Int { order.count }

    subscript(id: UUID) -> Entity? { rows[id]?.entity }

    func json(_ id: UUID) -> [UInt8]? { rows[id]?.json }

    var all: [Entity] { order.compactMap { rows[$0]?.entity } }

    /// The first record, in creation order, that matches — without copying the
    /// table into an array first (`all` does: costly in a batch of thousands).
    func first(where matches: (Entity) -> Bool) -> Entity? {
        for id in order { if let entity = rows[id]?.entity, matches(entity) { return entity } }
        return nil
    }

    /// The first record whose `lookupKey` is `key` (any case) and that matches:
    /// a dictionary lookup, where `first(where:)` reads the whole table.
    func first(key: String, where matches: (Entity) -> Bool = { _ in true }) -> Entity? {
        for id in byKey[key.lowercased()] ?? [] { if let entity = rows[id]?.entity, matches(entity) { return entity } }
        return nil
    }

    func contains(where matches: (Entity) -> Bool) -> Bool {
        first(where: matches) != nil
    }

    /// Inserts or replaces, stamping `UpdatedDateUTC` unless told not to
    /// (Xero leaves it alone for some derived changes, e.g. IsCustomer).
    mutating func put(_ entity: Entity, touch: Bool = true, now: Date = Date()) {
        var entity = entity
        if touch || entity.updatedDateUTC == nil { entity.updatedDateUTC = XeroDate(now) }
        let created = rows[entity.id] == nil
        if created { order.append(entity.id) }
        let oldKey = rows[entity.id]?.entity.lookupKey
        if oldKey != entity.lookupKey {
            if let oldKey { byKey[oldKey]?.removeAll { $0 == entity.id } }
            if let newKey = entity.lookupKey { byKey[newKey, default: []].append(entity.id) }
        }
        // A derived change Xero does not stamp (touch: false) raises no event either.
        if touch || created {
            if changes.count >= 100_000 { changes.removeFirst(changes.count / 2) }
            changes.append(Change(id: entity.id, created: created))
        }
        rows[entity.id] = (entity, XeroJSON.encode(entity))
        version += 1
    }

    /// Xero purges some records (deleted accounts, items): they vanish from lists and gets.
    mutating func remove(_ id: UUID) {
        guard let removed = rows.removeValue(forKey: id) else { return }
        if let key = removed.entity.lookupKey { byKey[key]?.removeAll { $0 == id } }
        order.removeAll { $0 == id }
        version += 1
    }

    /// The changes since the last call, each record once (its first change says whether it was created).
    mutating func takeChanges() -> [Change] {
        defer { changes = [] }
        var seen = Set<UUID>()
        return changes.filter { seen.insert($0.id).inserted }
    }

    mutating func removeAll() {
        order = []
        rows = [:]
        byKey = [:]
        version += 1
    }
}

enum XeroJSON {
    /// The number of places a unit amount is read and written with (`unitdp`).
    static let unitPlacesKey = CodingUserInfoKey(rawValue: "unitdp")!

    static func unitPlaces(_ userInfo: [CodingUserInfoKey: Any]) -> Int {
        userInfo[unitPlacesKey] as? Int ?? 2
    }

    /// `unitdp=4` opts in to four places for unit amounts; anything else means two.
    static func unitPlaces(_ request: SandboxRequest) -> Int {
        request.query.value("unitdp") == "4" ? 4 : 2
    }

    private static func makeEncoder(unitPlaces: Int) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.userInfo[unitPlacesKey] = unitPlaces
        return encoder
    }

    static let encoder = makeEncoder(unitPlaces: 2)
    private static let encoderFourPlaces = makeEncoder(unitPlaces: 4)

    private static let canonicalEncoder: JSONEncoder = {
        let encoder = makeEncoder(unitPlaces: 4)
        encoder.outputFormatting.insert(.sortedKeys)
        return encoder
    }()

    /// Whether two records would read the same to a client. Compares sorted-key
    /// encodings: keyed containers are not guaranteed to keep one key order, so
    /// the bytes `encode` caches may differ for equal records.
    static func sameContent(_ a: some Encodable, _ b: some Encodable) -> Bool {
        (try? canonicalEncoder.encode(a)) == (try? canonicalEncoder.encode(b))
    }

    static func encode(_ value: some Encodable, unitPlaces: Int = 2) -> [UInt8] {
        // Our own models always encode; a failure is a bug worth crashing a test over.
        let bytes = Array(try! (unitPlaces == 4 ? encoderFourPlaces : encoder).encode(value))
        return unquoteFixedNumbers(bytes)
    }

    /// Turns the marked strings of `XeroDecimal.marked` (`"\u0001\u000215.0000"`)
    /// into bare JSON numbers (`15.0000`).
    static func unquoteFixedNumbers(_ bytes: [UInt8]) -> [UInt8] {
        let mark = Array(#""\u0001\u0002"#.utf8)
        guard let first = bytes.firstRange(of: mark) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        var next: Range<Int>? = first
        while let range = next {
            out += bytes[index..<range.lowerBound]
            var end = range.upperBound
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
            out += bytes[range.upperBound..<end]
            index = min(end + 1, bytes.count)
            next = bytes[index...].firstRange(of: mark)
        }
        out += bytes[index...]
        return out
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

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], unitPlaces: Int = 2) throws -> T {
        let decoder = JSONDecoder()
        decoder.userInfo[unitPlacesKey] = unitPlaces
        // Xero binds field names without regard to the first letter's case: the
        // spec's own request examples send `{"name": "FooBar"}` for a TrackingCategory.
        decoder.keyDecodingStrategy = .custom { path in
            let key = path.last!
            guard let first = key.stringValue.first, first.isLowercase else { return key }
            return XeroCodingKey(first.uppercased() + key.stringValue.dropFirst())
        }
        return try decoder.decode(type, from: Data(bytes))
    }

    /// An element of a JSON body (a dictionary from JSONSerialization) as a model input.
    static func decode<T: Decodable>(_ type: T.Type, element: [String: Any], unitPlaces: Int = 2) throws -> T {
        try decode(type, from: Array(try JSONSerialization.data(withJSONObject: element)), unitPlaces: unitPlaces)
    }
}

struct XeroCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
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

/// Xero writes GUIDs in lower case (`"ContactID": "bd2270c3-8706-4c11-9cfb-000b551c3f51"`);
/// Foundation's UUID encodes upper case. Reading accepts either.
@propertyWrapper
struct LowercaseID: Codable, Sendable, Hashable {
    var wrappedValue: UUID

    init(wrappedValue: UUID) {
        self.wrappedValue = wrappedValue
    }

    init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(UUID.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.uuidString.lowercased())
    }
}
