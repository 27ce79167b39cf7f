import NIOCore
import SwiftProtobuf

/// A handler registered once by its full path, serving every protocol.
struct RegisteredMethod: Sendable {
    enum Kind: Sendable {
        case unary, clientStreaming, serverStreaming, bidiStreaming

        /// Whether the caller may send more than one message.
        var clientStreams: Bool { self == .clientStreaming || self == .bidiStreaming }
    }

    let kind: Kind
    /// Decodes the request message(s), runs the handler, and hands each response message to `send`.
    let invoke: @Sendable (RequestMessages, Codec, RPCContext, @escaping @Sendable (ByteBuffer) async throws -> Void) async throws -> Void
}

/// Writes the messages of a server-streaming or bidirectional response.
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

    /// The fully-qualified names of the services with at least one method.
    public var serviceNames: Set<String> {
        Set(methods.keys.compactMap { path in path.split(separator: "/").first.map(String.init) })
    }

    public mutating func unary<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ path: String,
        _ handler: @escaping @Sendable (Request, RPCContext) async throws -> Response
    ) {
        add(path, .unary) { requests, codec, context, send in
            let response = try await handler(codec.decode(Request.self, from: requests.single()), context)
            try await send(codec.encode(response))
        }
    }

    public mutating func serverStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ path: String,
        _ handler: @escaping @Sendable (Request, RPCContext, RPCStreamWriter<Response>) async throws -> Void
    ) {
        add(path, .serverStreaming) { requests, codec, context, send in
            try await handler(codec.decode(Request.self, from: requests.single()), context, RPCStreamWriter(codec: codec, send: send))
        }
    }

    public mutating func clientStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ path: String,
        _ handler: @escaping @Sendable (RPCRequestStream<Request>, RPCContext) async throws -> Response
    ) {
        add(path, .clientStreaming) { requests, codec, context, send in
            let response = try await handler(RPCRequestStream(messages: requests.stream(), codec: codec), context)
            try await send(codec.encode(response))
        }
    }

    public mutating func bidiStreaming<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>(
        _ path: String,
        _ handler: @escaping @Sendable (RPCRequestStream<Request>, RPCContext, RPCStreamWriter<Response>) async throws -> Void
    ) {
        add(path, .bidiStreaming) { requests, codec, context, send in
            try await handler(RPCRequestStream(messages: requests.stream(), codec: codec), context, RPCStreamWriter(codec: codec, send: send))
        }
    }

    private mutating func add(_ path: String, _ kind: RegisteredMethod.Kind, _ invoke: @escaping @Sendable (RequestMessages, Codec, RPCContext, @escaping @Sendable (ByteBuffer) async throws -> Void) async throws -> Void) {
        precondition(path.hasPrefix("/") && path.split(separator: "/").count == 2, "\(path) is not /package.Service/Method")
        precondition(methods[path] == nil, "\(path) registered twice")
        methods[path] = RegisteredMethod(kind: kind, invoke: invoke)
    }
}

extension RequestMessages {
    /// The one message; protocols read it before the handler runs for methods
    /// whose caller sends one.
    func single() throws -> ByteBuffer {
        guard case .single(let message) = self else { preconditionFailure("a protocol passed a stream to a method that takes one message") }
        return message
    }

    func stream() -> EnvelopedMessages {
        guard case .stream(let messages) = self else { preconditionFailure("a protocol passed one message to a streaming method") }
        return messages
    }
}
