/// An error a handler throws to end a call with a status other than OK.
///
/// Anything else a handler throws becomes INTERNAL with a generic message: the
/// details of unexpected errors stay in the server's log, not in responses.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    public var code: RPCCode
    public var message: String
    /// Sent as trailers (gRPC) or error metadata (Connect).
    public var metadata: [(name: String, value: String)]

    public init(_ code: RPCCode, _ message: String, metadata: [(name: String, value: String)] = []) {
        self.code = code
        self.message = message
        self.metadata = metadata
    }

    public var description: String { "\(code) (\(code.rawValue)): \(message)" }
}
