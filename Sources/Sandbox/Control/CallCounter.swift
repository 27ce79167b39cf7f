import Foundation
import Synchronization

/// Calls per endpoint and status, for tests: "GET /api.xro/2.0/Contacts/{id}" → {"200": 3}.
/// Ids in paths (GUIDs, numbers) are folded into `{id}` so one endpoint is one key.
public final class CallCounter: Sendable {
    private let counts = Mutex<[String: [Int: Int]]>([:])

    public init() {}

    func record(method: String, path: String, status: Int) {
        let key = method + " " + Self.endpoint(path)
        counts.withLock { $0[key, default: [:]][status, default: 0] += 1 }
    }

    public var snapshot: [String: [Int: Int]] { counts.withLock { $0 } }

    public func reset() {
        counts.withLock { $0 = [:] }
    }

    static func endpoint(_ path: String) -> String {
        if isAlreadyEndpoint(path) { return path }
        return "/" + path.split(separator: "/").map { segment in
            (segment.utf8.count == 36 && UUID(uuidString: String(segment)) != nil) || segment.allSatisfy(\.isNumber) ? "{id}" : String(segment)
        }.joined(separator: "/")
    }

    /// An ASCII path of non-empty segments none of which is an id is its own
    /// endpoint: the common case, checked byte-wise with nothing built (every call
    /// is counted, and building the key showed in profiles).
    static func isAlreadyEndpoint(_ path: String) -> Bool {
        let bytes = path.utf8
        guard bytes.count > 1, bytes.first == UInt8(ascii: "/"), bytes.last != UInt8(ascii: "/"), bytes.allSatisfy({ $0 < 0x80 }) else { return false }
        for segment in bytes.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if segment.isEmpty || segment.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) || looksLikeUUID(segment) { return false }
        }
        return true
    }

    /// 8-4-4-4-12 hex digits: the shape `UUID(uuidString:)` accepts.
    private static func looksLikeUUID(_ segment: Substring.UTF8View) -> Bool {
        guard segment.count == 36 else { return false }
        return segment.enumerated().allSatisfy { offset, byte in
            offset == 8 || offset == 13 || offset == 18 || offset == 23 ? byte == UInt8(ascii: "-") : byte.isHexDigit
        }
    }
}

private extension UInt8 {
    var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
