import Foundation
import Synchronization

/// What a handler knows about its call and what it may add to the response.
public final class RPCContext: Sendable {
    /// `/package.Service/Method`.
    public let method: String
    /// Request headers (lower-case names), minus the transport's own.
    public let requestMetadata: [(name: String, value: String)]
    /// A random id for logs, or the caller's `x-request-id`.
    public let requestID: String
    /// When the caller stops waiting, if it said.
    public let deadline: ContinuousClock.Instant?
    private let response = Mutex<(headers: [(name: String, value: String)], trailers: [(name: String, value: String)])>(([], []))

    init(method: String, requestMetadata: [(name: String, value: String)], deadline: ContinuousClock.Instant?) {
        self.method = method
        self.requestMetadata = requestMetadata
        self.deadline = deadline
        self.requestID = requestMetadata.first { $0.name == "x-request-id" }?.value ?? Self.newRequestID()
    }

    /// A version-4 UUID from the system generator (getrandom). Foundation's
    /// UUID() opened and read /dev/urandom on every call: about 1% of a Ping's CPU.
    static func newRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        var high = generator.next() as UInt64, low = generator.next() as UInt64
        high = high & 0xFFFF_FFFF_FFFF_0FFF | 0x0000_0000_0000_4000
        low = low & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        let bytes = withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { Array($0) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])).uuidString.lowercased()
    }

    public func metadata(_ name: String) -> String? {
        requestMetadata.first { $0.name == name }?.value
    }

    /// Adds a response header (sent with the first response bytes).
    public func addResponseHeader(_ name: String, _ value: String) {
        response.withLock { $0.headers.append((name.lowercased(), value)) }
    }

    /// Adds a response trailer (gRPC trailers; Connect `trailer-` headers or end-of-stream metadata).
    public func addResponseTrailer(_ name: String, _ value: String) {
        response.withLock { $0.trailers.append((name.lowercased(), value)) }
    }

    var responseHeaders: [(name: String, value: String)] { response.withLock { $0.headers } }
    var responseTrailers: [(name: String, value: String)] { response.withLock { $0.trailers } }
}

/// Wraps every call: logging, authentication, metrics. Interceptors run in
/// registration order, outermost first, around the handler (`next`).
public protocol RPCInterceptor: Sendable {
    func intercept(_ context: RPCContext, next: () async throws -> Void) async throws
}
