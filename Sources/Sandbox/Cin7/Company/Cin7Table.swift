import Foundation

/// A record the sandbox stores: sent as Cin7 sends it, found by its key (a
/// lower-case GUID, or an account's `Code`).
protocol Cin7Stored: Cin7Record, Sendable {
    var key: String { get }
}

/// The records of one kind in one company, in creation order, each with its
/// JSON cached: list calls (what benchmarks hammer) only copy bytes.
///
/// Records sit in an array so that `all` costs nothing and scans do not hash
/// every key; `positions` finds one by key.
struct Cin7Table<Record: Cin7Stored>: Sendable {
    private var records: [Record] = []
    /// Each record's JSON; nil while `defersJSON` holds it back.
    private var jsons: [[UInt8]?] = []
    private var positions: [String: Int] = [:]

    /// While true, `put` does not encode: a bulk load saves each record many
    /// times and only its last JSON is ever served. Turning it off encodes
    /// whatever is pending; until then `json(_:)` encodes on demand.
    var defersJSON = false {
        didSet { if !defersJSON { encodePending() } }
    }

    var count: Int { records.count }

    subscript(key: String) -> Record? { positions[key.lowercased()].map { records[$0] } }

    func json(_ key: String) -> [UInt8]? {
        guard let index = positions[key.lowercased()] else { return nil }
        return jsons[index] ?? Cin7JSON.encode(records[index])
    }

    var all: [Record] { records }

    mutating func put(_ record: Record) {
        let key = record.key.lowercased()
        let json = defersJSON ? nil : Cin7JSON.encode(record)
        if let index = positions[key] {
            records[index] = record
            jsons[index] = json
        } else {
            positions[key] = records.count
            records.append(record)
            jsons.append(json)
        }
    }

    mutating func remove(_ key: String) {
        guard let index = positions.removeValue(forKey: key.lowercased()) else { return }
        records.remove(at: index)
        jsons.remove(at: index)
        for later in index..<records.count { positions[records[later].key.lowercased()] = later }
    }

    private mutating func encodePending() {
        for index in jsons.indices where jsons[index] == nil { jsons[index] = Cin7JSON.encode(records[index]) }
    }
}
