import Foundation
@testable import HTTPServer
import NIOCore
import RPC

/// One request fed to an RPCServer in memory: the body arrives in the chunks
/// given (to split prefixes across frames), the response is recorded.
struct InMemoryCall {
    var method = "POST"
    var path: String
    var headers: [(name: String, value: String)]
    var chunks: [ByteBuffer]
    var version: HTTPVersionKind = .http2

    func run(on server: RPCServer) async -> RecordedResponse {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        for chunk in chunks { continuation.yield(chunk) }
        continuation.finish()
        let request = HTTPRequest(method: method, target: path, headers: headers, version: version,
                                  body: HTTPRequestBody(stream: stream, consumed: { _ in }))
        let writer = RecordingWriter()
        await server.handle(request, writer: writer)
        return await writer.response
    }
}

struct RecordedResponse: Sendable {
    var status: Int?
    var headers: [(name: String, value: String)] = []
    var headEndedStream = false
    var body = ByteBuffer()
    var trailers: [(name: String, value: String)] = []
    var finished = false
    var aborted = false

    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
    func trailer(_ name: String) -> String? { trailers.first { $0.name == name }?.value }
    /// A gRPC status from the trailers, or from the headers of a trailers-only response.
    var grpcStatus: Int? { (trailer("grpc-status") ?? header("grpc-status")).flatMap { Int($0) } }

    /// The body cut into envelopes.
    func envelopes() throws -> [Envelope] {
        var reader = EnvelopeReader(maxMessageSize: 64 << 20)
        reader.append(body)
        var result: [Envelope] = []
        while let envelope = try reader.next() { result.append(envelope) }
        return result
    }
}

actor RecordingWriter: HTTPResponseWriter {
    private(set) var response = RecordedResponse()

    func writeHead(status: Int, headers: [(name: String, value: String)], endStream: Bool) async throws {
        precondition(response.status == nil, "head written twice")
        response.status = status
        response.headers = headers
        response.headEndedStream = endStream
    }

    func writeBody(_ buffer: ByteBuffer) async throws {
        precondition(response.status != nil && !response.finished, "body outside head and finish")
        var buffer = buffer
        response.body.writeBuffer(&buffer)
    }

    func finish(trailers: [(name: String, value: String)]) async throws {
        response.trailers = trailers
        response.finished = true
    }

    func abort() async {
        response.aborted = true
    }
}

/// A gRPC request body: each message in an envelope.
func grpcBody(_ messages: [[UInt8]], flags: Envelope.Flags = []) -> ByteBuffer {
    var out = ByteBuffer()
    for message in messages { Envelope(flags: flags, message: ByteBuffer(bytes: message)).write(to: &out) }
    return out
}

/// Splits a buffer into chunks of `size` bytes (the last may be shorter).
func chunked(_ buffer: ByteBuffer, size: Int) -> [ByteBuffer] {
    var buffer = buffer
    var chunks: [ByteBuffer] = []
    while buffer.readableBytes > 0 { chunks.append(buffer.readSlice(length: min(size, buffer.readableBytes))!) }
    return chunks
}
