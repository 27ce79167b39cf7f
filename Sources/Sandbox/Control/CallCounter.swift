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
        "/" + path.split(separator: "/").map { segment in
            (segment.utf8.count == 36 && UUID(uuidString: String(segment)) != nil) || segment.allSatisfy(\.isNumber) ? "{id}" : String(segment)
        }.joined(separator: "/")
    }
}
