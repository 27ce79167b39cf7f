import Foundation
import NIOCore

/// The Accounting API's success envelope (../shared/reference/xero-api.md §4):
/// `{"Id":…,"Status":"OK","ProviderName":…,"DateTimeUTC":"/Date(…)/","<Collection>":[…]}`,
/// built around entities already encoded (each is cached as JSON bytes).
enum XeroEnvelope {
    struct Pagination {
        let page: Int
        let pageSize: Int
        let itemCount: Int
        var pageCount: Int { itemCount == 0 ? 0 : (itemCount + pageSize - 1) / pageSize }
    }

    static func list(_ collection: String, _ items: [[UInt8]], providerName: String, pagination: Pagination? = nil,
                     warnings: [String] = []) -> [UInt8] {
        list(collection, joined: join(items), providerName: providerName, pagination: pagination, warnings: warnings)
    }

    /// Records' JSON separated by commas: the inside of the collection's array.
    static func join(_ items: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(0) { $0 + $1.count + 1 })
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += item
        }
        return out
    }

    static func list(_ collection: String, joined items: [UInt8], providerName: String, pagination: Pagination? = nil,
                     warnings: [String] = []) -> [UInt8] {
        prefix(collection, providerName: providerName, pagination: pagination, warnings: warnings) + items + Array("]}".utf8)
    }

    /// The envelope around records already joined in a buffer, as three parts: the
    /// records' buffer is sent as it is, not copied.
    static func parts(_ collection: String, joined items: ByteBuffer, providerName: String, pagination: Pagination? = nil) -> [ByteBuffer] {
        [ByteBuffer(bytes: prefix(collection, providerName: providerName, pagination: pagination, warnings: [])), items, ByteBuffer(string: "]}")]
    }

    /// Everything before the records: `{"Id":…,"Status":"OK",…,"<Collection>":[`.
    private static func prefix(_ collection: String, providerName: String, pagination: Pagination?, warnings: [String]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        out += Array(#"{"Id":""#.utf8)
        out += Array(fastUUID().utf8)
        out += Array(#"","Status":"OK","ProviderName":"#.utf8)
        out += jsonString(providerName)
        out += Array(#","DateTimeUTC":"\/Date("#.utf8)
        out += Array(String(Int64(Date().timeIntervalSince1970 * 1000)).utf8)
        out += Array(#")\/""#.utf8)
        if let pagination {
            out += Array(#","pagination":{"page":\#(pagination.page),"pageSize":\#(pagination.pageSize),"pageCount":\#(pagination.pageCount),"itemCount":\#(pagination.itemCount)}"#.utf8)
        }
        if !warnings.isEmpty {
            out += Array(#","Warnings":["#.utf8)
            out += warnings.map { Array(#"{"Message":"#.utf8) + jsonString($0) + [UInt8(ascii: "}")] }.joined(separator: [UInt8(ascii: ",")])
            out.append(UInt8(ascii: "]"))
        }
        out += Array(",\"\(collection)\":[".utf8)
        return out
    }

    /// A random version-4 UUID from getrandom (Foundation's UUID() reads /dev/urandom each time).
    static func fastUUID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = (generator.next() as UInt64) & 0xFFFF_FFFF_FFFF_0FFF | 0x4000
        let low = (generator.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: digits - text.count) + text
        }
        return "\(hex(high >> 32, 8))-\(hex(high >> 16 & 0xFFFF, 4))-\(hex(high & 0xFFFF, 4))-\(hex(low >> 48, 4))-\(hex(low & 0xFFFF_FFFF_FFFF, 12))"
    }

    static func jsonString(_ text: String) -> [UInt8] {
        // Plain ASCII needs no escaping: the common case, without JSONSerialization.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return [UInt8(ascii: "\"")] + Array(text.utf8) + [UInt8(ascii: "\"")]
        }
        return Array((try? JSONSerialization.data(withJSONObject: [text], options: [])).map { Data($0.dropFirst().dropLast()) } ?? Data("\"\"".utf8))
    }
}
