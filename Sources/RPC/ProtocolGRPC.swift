import HTTPServer
import NIOCore
import Synchronization

/// gRPC (`application/grpc[+proto|+json]`, HTTP/2) and gRPC-Web
/// (`application/grpc-web[+proto]`, HTTP/2 or HTTP/1.1, trailers in the body).
struct GRPCProtocol: Sendable {
    let web: Bool
    let codec: Codec
    let contentType: String

    func serve(_ request: HTTPRequest, writer: some HTTPResponseWriter, registry: MethodRegistry, runner: CallRunner, maxMessageSize: Int) async {
        guard request.method == "POST" else {
            try? await writer.writeHead(status: 405, headers: [("allow", "POST")], endStream: true)
            return
        }
        if !web && request.version != .http2 {
            try? await writer.writeHead(status: 505, headers: [], endStream: true)
            return
        }
        let path = String(request.path)
        let deadline = request.header("grpc-timeout").flatMap(Timeout.parseGRPC).map { ContinuousClock.now + $0 }
        let context = RPCContext(method: path, requestMetadata: metadata(of: request), deadline: deadline)
        if let encoding = request.header("grpc-encoding"), encoding != "identity" {
            return await trailersOnly(writer, RPCError(.unimplemented, "grpc-encoding \(encoding) is not supported; use identity"))
        }
        guard let method = registry.methods[path] else {
            return await trailersOnly(writer, RPCError(.unimplemented, "unknown method \(path)"))
        }
        let message: ByteBuffer
        do {
            message = try await readSingleMessage(request.body, maxMessageSize: maxMessageSize)
        } catch {
            return await trailersOnly(writer, runner.status(for: error, context: context))
        }
        let head = HeadOnce(writer: writer, headers: [("content-type", contentType), ("grpc-accept-encoding", "identity")])
        let failure = await runner.run(method, message: message, codec: codec, context: context) { response in
            try await head.sendIfNeeded(context.responseHeaders)
            try await writer.writeBody(Envelope.encode(response))
        }
        let status = failure ?? RPCError(.ok, "")
        if !(await head.sent) {
            // Nothing was sent: the status goes in the one HEADERS frame ("trailers-only").
            return await trailersOnly(writer, status, extra: context.responseHeaders + context.responseTrailers)
        }
        let trailers = statusFields(status) + context.responseTrailers
        if web {
            try? await writer.writeBody(Envelope.encode(webTrailers(trailers), flags: .grpcWebTrailers))
            try? await writer.finish(trailers: [])
        } else {
            try? await writer.finish(trailers: trailers)
        }
    }

    private func readSingleMessage(_ body: HTTPRequestBody, maxMessageSize: Int) async throws -> ByteBuffer {
        var reader = EnvelopeReader(maxMessageSize: maxMessageSize)
        var message: Envelope?
        for try await chunk in body {
            reader.append(chunk)
            while let envelope = try reader.next() {
                guard message == nil else { throw RPCError(.invalidArgument, "more than one request message for a unary or server-streaming method") }
                message = envelope
            }
        }
        guard reader.pendingBytes == 0 else { throw RPCError(.invalidArgument, "the request ended inside a message") }
        guard let message else { throw RPCError(.invalidArgument, "the request has no message") }
        if message.flags.contains(.compressed) {
            throw RPCError(.internal, "compressed flag set without a grpc-encoding")
        }
        return message.message
    }

    private func statusFields(_ status: RPCError) -> [(name: String, value: String)] {
        var fields = [(name: "grpc-status", value: String(status.code.rawValue))]
        if !status.message.isEmpty { fields.append(("grpc-message", PercentEncoding.encode(status.message))) }
        return fields + status.metadata
    }

    private func trailersOnly(_ writer: some HTTPResponseWriter, _ status: RPCError, extra: [(name: String, value: String)] = []) async {
        let headers = [(name: "content-type", value: contentType), (name: "grpc-accept-encoding", value: "identity")] + statusFields(status) + extra
        try? await writer.writeHead(status: 200, headers: headers, endStream: true)
    }

    private func webTrailers(_ fields: [(name: String, value: String)]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.name): \($0.value)\r\n" }.joined())
    }
}

/// Request headers that are call metadata (not the transport's or the protocol's own).
func metadata(of request: HTTPRequest) -> [(name: String, value: String)] {
    let reserved: Set<String> = ["content-type", "content-length", "te", "host", "user-agent", "grpc-timeout", "grpc-encoding",
                                 "grpc-accept-encoding", "connect-protocol-version", "connect-timeout-ms", "content-encoding",
                                 "accept-encoding", "connect-content-encoding", "connect-accept-encoding"]
    return request.headers.filter { !reserved.contains($0.name) }
}

/// Sends the response head exactly once, before the first message.
final class HeadOnce<Writer: HTTPResponseWriter>: Sendable {
    private let writer: Writer
    private let headers: [(name: String, value: String)]
    private let state = Mutex(false)

    init(writer: Writer, headers: [(name: String, value: String)]) {
        self.writer = writer
        self.headers = headers
    }

    var sent: Bool { state.withLock { $0 } }

    func sendIfNeeded(_ extra: [(name: String, value: String)]) async throws {
        let first = state.withLock { sent -> Bool in
            defer { sent = true }
            return !sent
        }
        if first {
            try await writer.writeHead(status: 200, headers: headers + extra, endStream: false)
        }
    }
}
