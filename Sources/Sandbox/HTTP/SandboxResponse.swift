import Foundation
import NIOCore

/// What a sandbox endpoint answers. `disposition` lets fault injection break
/// the transport the way real networks do.
public struct SandboxResponse: Sendable {
    public enum Disposition: Sendable, Equatable {
        case normal
        /// Send the head and this many body bytes, then drop the connection.
        case dropAfter(bytes: Int)
        /// Never answer; the client's own timeout ends the call.
        case hang
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The body as buffers written one after another: a cached list page goes out
    /// as the envelope's few bytes and the cache's own buffer, never copied.
    public var bodyParts: [ByteBuffer]
    public var disposition: Disposition = .normal

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.bodyParts = body.isEmpty ? [] : [ByteBuffer(bytes: body)]
    }

    /// The body in one piece (a copy): for tests and fault injection, not the hot path.
    public var body: [UInt8] {
        get { bodyParts.flatMap { Array($0.readableBytesView) } }
        set { bodyParts = newValue.isEmpty ? [] : [ByteBuffer(bytes: newValue)] }
    }

    public var bodyCount: Int { bodyParts.reduce(0) { $0 + $1.readableBytes } }

    public static func json(_ status: Int = 200, parts: [ByteBuffer], headers: [(name: String, value: String)] = []) -> SandboxResponse {
        var response = SandboxResponse(status: status, headers: [("content-type", "application/json; charset=utf-8")] + headers)
        response.bodyParts = parts
        return response
    }

    public static func json(_ status: Int = 200, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> SandboxResponse {
        SandboxResponse(status: status, headers: [("content-type", "application/json; charset=utf-8")] + headers, body: body)
    }

    /// A JSON response from a Foundation object (dictionaries, arrays, strings, numbers).
    public static func json(_ status: Int = 200, object: Any, headers: [(name: String, value: String)] = []) -> SandboxResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return json(status, Array(data), headers: headers)
    }

    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> SandboxResponse {
        SandboxResponse(status: status, headers: [("content-type", contentType)], body: Array(text.utf8))
    }

    public static func empty(_ status: Int, headers: [(name: String, value: String)] = []) -> SandboxResponse {
        SandboxResponse(status: status, headers: headers)
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        if headers.contains(where: { $0.name == name }) { headers.removeAll { $0.name == name } }
        headers.append((name, value))
    }
}
