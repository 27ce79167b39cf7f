import Foundation

/// A record the sandbox stores: sent as Cin7 sends it, found by its key (a
/// lower-case GUID, or an account's `Code`).
protocol Cin7Stored: Cin7Record, Sendable {
    var key: String { get }
}

/// The records of one kind in one company, in creation order, each with its
/// JSON cached: list calls (what benchmarks hammer) only copy bytes.
struct Cin7Table<Record: Cin7Stored>: Sendable {
    private(set) var order: [String] = []
    private var rows: [String: (record: Record, json: [UInt8])] = [:]

    var count: Int { order.count }

    subscript(key: String) -> Record? { rows[key.lowercased()]?.record }

    func json(_ key: String) -> [UInt8]? { rows[key.lowercased()]?.json }

    var all: [Record] { order.compactMap { rows[$0]?.record } }

    mutating func put(_ record: Record) {
        let key = record.key.lowercased()
        if rows[key] == nil { order.append(key) }
        rows[key] = (record, Cin7JSON.encode(record))
    }

    mutating func remove(_ key: String) {
        let key = key.lowercased()
        guard rows.removeValue(forKey: key) != nil else { return }
        order.removeAll { $0 == key }
    }
}
