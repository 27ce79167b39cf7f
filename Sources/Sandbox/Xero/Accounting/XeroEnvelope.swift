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
        var head = prefix(collection, providerName: providerName, pagination: pagination, warnings: warnings)
        return head.readBytes(length: head.readableBytes)! + items + Array("]}".utf8)
    }

    /// The envelope around records already joined in a buffer, as three parts: the
    /// records' buffer is sent as it is, not copied.
    static func parts(_ collection: String, joined items: ByteBuffer, providerName: String, pagination: Pagination? = nil) -> [ByteBuffer] {
        [prefix(collection, providerName: providerName, pagination: pagination, warnings: []), items, ByteBuffer(string: "]}")]
    }

    /// Everything before the records: `{"Id":…,"Status":"OK",…,"<Collection>":[`,
    /// written straight into one buffer (this runs for every list answer).
    private static func prefix(_ collection: String, providerName: String, pagination: Pagination?, warnings: [String]) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(320)
        out.writeStaticString(#"{"Id":""#)
        out.writeBytes(uuidBytes())
        out.writeStaticString(#"","Status":"OK","ProviderName":"#)
        out.writeBytes(jsonString(providerName))
        out.writeStaticString(#","DateTimeUTC":"\/Date("#)
        out.writeString(String(Int64(Date().timeIntervalSince1970 * 1000)))
        out.writeStaticString(#")\/""#)
        if let pagination {
            out.writeString(#","pagination":{"page":\#(pagination.page),"pageSize":\#(pagination.pageSize),"pageCount":\#(pagination.pageCount),"itemCount":\#(pagination.itemCount)}"#)
        }
        if !warnings.isEmpty {
            out.writeStaticString(#","Warnings":["#)
            for (index, warning) in warnings.enumerated() {
                if index > 0 { out.writeStaticString(",") }
                out.writeStaticString(#"{"Message":"#)
                out.writeBytes(jsonString(warning))
                out.writeStaticString("}")
            }
            out.writeStaticString("]")
        }
        out.writeStaticString(",\"")
        out.writeString(collection)
        out.writeStaticString("\":[")
        return out
    }

    /// A random version-4 UUID from getrandom (Foundation's UUID() reads /dev/urandom each time).
    static func fastUUID() -> String {
        String(decoding: uuidBytes(), as: UTF8.self)
    }

    /// Its 36 lower-case characters, formatted digit by digit (no String arithmetic).
    static func uuidBytes() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let high = (generator.next() as UInt64) & 0xFFFF_FFFF_FFFF_0FFF | 0x4000
        let low = (generator.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        var out = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var position = 0
        for (word, nibbles) in [(high, 0..<16), (low, 0..<16)] {
            for nibble in nibbles {
                if position == 8 || position == 13 || position == 18 || position == 23 { position += 1 }
                let value = Int(word >> UInt64(60 - 4 * nibble) & 0xF)
                out[position] = hexDigits[value]
                position += 1
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func jsonString(_ text: String) -> [UInt8] {
        // Plain ASCII needs no escaping: the common case, without JSONSerialization.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return [UInt8(ascii: "\"")] + Array(text.utf8) + [UInt8(ascii: "\"")]
        }
        return Array((try? JSONSerialization.data(withJSONObject: [text], options: [])).map { Data($0.dropFirst().dropLast()) } ?? Data("\"\"".utf8))
    }
}
