import NIOCore
import SwiftProtobuf

/// A handler registered once by its full path, serving every protocol.
struct RegisteredMethod: Sendable {
    enum Kind: Sendable { case unary, serverStreaming }
    let kind: Kind
    /// Decodes one request message, runs the handler, and hands each response message to `send`.
    let invoke: @Sendable (ByteBuffer, Codec, RPCContext, @escaping @Sendable (ByteBuffer) async throws -> Void) async throws -> Void
}

/// Writes the messages of a server-streaming response.
public struct RPCStreamWriter<Message: SwiftProtobuf.Message>: Sendable {
    let codec: Codec
    let send: @Sendable (ByteBuffer) async throws -> Void

    public func send(_ message: Message) async throws {
        try await send(codec.encode(message))
    }
}

/// The methods a server offers, by `/package.Service/Method`.
public struct MethodRegistry: Sendable {
    var methods: [String: RegisteredMethod] = [:]

    public init() {}

    public mutating func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ path: String,
        _ handler: @escaping @Sendable (Request, RPCContext) async throws -> Response
    ) {
        precondition(methods[path] == nil, "\(path) registered twice")
        methods[path] = RegisteredMethod(kind: .unary) { bytes, codec, context, send in
            let request = try codec.decode(Request.self, from: bytes)
            let response = try await handler(request, context)
            try await send(codec.encode(response))
        }
    }

    public mutating func serverStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ path: String,
        _ handler: @escaping @Sendable (Request, RPCContext, RPCStreamWriter<Response>) async throws -> Void
    ) {
        precondition(methods[path] == nil, "\(path) registered twice")
        methods[path] = RegisteredMethod(kind: .serverStreaming) { bytes, codec, context, send in
            let request = try codec.decode(Request.self, from: bytes)
            try await handler(request, context, RPCStreamWriter(codec: codec, send: send))
        }
    }

}
