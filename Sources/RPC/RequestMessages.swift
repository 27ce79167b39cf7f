import HTTPServer
import NIOCore
import SwiftProtobuf

/// The length-prefixed request messages of a call, unwrapped and decompressed,
/// read from the body only as the handler asks for them: flow control (and so
/// the peer) follows the handler.
struct EnvelopedMessages: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let body: HTTPRequestBody
    let encoding: MessageEncoding
    let maxMessageSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var body: HTTPRequestBody.AsyncIterator
        var reader: EnvelopeReader
        let encoding: MessageEncoding
        var bodyEnded = false

        mutating func next() async throws -> ByteBuffer? {
            while true {
                if let envelope = try reader.next() {
                    guard envelope.flags.contains(.compressed) else { return envelope.message }
                    guard encoding != .identity else {
                        throw RPCError(.internal, "a message has the compressed flag but the request names no encoding")
                    }
                    return try encoding.decompress(envelope.message, limit: reader.maxMessageSize)
                }
                if bodyEnded { return nil }
                guard let chunk = try await body.next() else {
                    bodyEnded = true
                    guard reader.pendingBytes == 0 else { throw RPCError(.invalidArgument, "the request ended inside a message") }
                    return nil
                }
                reader.append(chunk)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: body.makeAsyncIterator(), reader: EnvelopeReader(maxMessageSize: maxMessageSize), encoding: encoding)
    }

    /// The one message of a unary or server-streaming call: exactly one, or INVALID_ARGUMENT.
    func single() async throws -> ByteBuffer {
        var iterator = makeAsyncIterator()
        guard let message = try await iterator.next() else { throw RPCError(.invalidArgument, "the request has no message") }
        guard try await iterator.next() == nil else {
            throw RPCError(.invalidArgument, "more than one request message for a method that takes one")
        }
        return message
    }
}

/// What a registered method is handed: the one request message (read before
/// the handler runs, so a malformed request never reaches it) or, for client
/// and bidirectional streaming, the stream of them.
enum RequestMessages: Sendable {
    case single(ByteBuffer)
    case stream(EnvelopedMessages)
}

/// The request messages of a client-streaming or bidirectional call, decoded
/// as the handler iterates. Iterate it once.
public struct RPCRequestStream<Message: SwiftProtobuf.Message>: AsyncSequence, Sendable {
    public typealias Element = Message
    let messages: EnvelopedMessages
    let codec: Codec

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: EnvelopedMessages.AsyncIterator
        let codec: Codec

        public mutating func next() async throws -> Message? {
            guard let bytes = try await base.next() else { return nil }
            return try codec.decode(Message.self, from: bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: messages.makeAsyncIterator(), codec: codec)
    }
}
