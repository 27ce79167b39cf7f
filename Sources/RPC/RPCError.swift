import SwiftProtobuf

/// An error a handler throws to end a call with a status other than OK.
///
/// Anything else a handler throws becomes INTERNAL with a generic message: the
/// details of unexpected errors stay in the server's log, not in responses.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    public var code: RPCCode
    public var message: String
    /// Sent as trailers (gRPC) or error metadata (Connect).
    public var metadata: [(name: String, value: String)]
    /// Typed details (google.rpc.BadRequest, ErrorInfo, ...): gRPC's
    /// `grpc-status-details-bin`, Connect's `details`.
    public var details: [Google_Protobuf_Any]

    public init(_ code: RPCCode, _ message: String, metadata: [(name: String, value: String)] = [], details: [any SwiftProtobuf.Message] = []) {
        self.code = code
        self.message = message
        self.metadata = metadata
        // Packing a generated message cannot fail; a detail that somehow did is left out, not fatal.
        self.details = details.compactMap { try? Google_Protobuf_Any(message: $0) }
    }

    public var description: String { "\(code) (\(code.rawValue)): \(message)" }
}
