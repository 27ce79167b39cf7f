import Foundation

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
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(256) { $0 + $1.count + 1 })
        out += Array(#"{"Id":""#.utf8)
        out += Array(UUID().uuidString.lowercased().utf8)
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
        for (index, item) in items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += item
        }
        out += Array("]}".utf8)
        return out
    }

    static func jsonString(_ text: String) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: [text], options: [])).map { Data($0.dropFirst().dropLast()) } ?? Data("\"\"".utf8))
    }
}
