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
        guard let encoding = MessageEncoding.named(request.header("grpc-encoding")) else {
            let name = request.header("grpc-encoding") ?? ""
            return await trailersOnly(writer, RPCError(.unimplemented, "grpc-encoding \(name) is not supported; use \(MessageEncoding.advertised)"))
        }
        guard let method = registry.methods[path] else {
            return await trailersOnly(writer, RPCError(.unimplemented, "unknown method \(path)"))
        }
        let messages = EnvelopedMessages(body: request.body, encoding: encoding, maxMessageSize: maxMessageSize)
        let requests: RequestMessages
        if method.kind.clientStreams {
            requests = .stream(messages)
        } else {
            do {
                requests = .single(try await messages.single())
            } catch {
                return await trailersOnly(writer, runner.status(for: error, context: context))
            }
        }
        // Like grpc-go, responses use the request's compression (when the caller accepts it).
        let responseEncoding: MessageEncoding = encoding == .gzip && MessageEncoding.acceptsGzip(request.header("grpc-accept-encoding")) ? .gzip : .identity
        var headers = [(name: "content-type", value: contentType), (name: "grpc-accept-encoding", value: MessageEncoding.advertised)]
        if responseEncoding == .gzip { headers.append((name: "grpc-encoding", value: "gzip")) }
        if method.kind == .unary || method.kind == .clientStreaming {
            return await serveSingleResponse(method, requests: requests, writer: writer, runner: runner, context: context,
                                             headers: headers, responseEncoding: responseEncoding)
        }
        let head = HeadOnce(writer: writer, headers: headers)
        let failure = await runner.run(method, requests: requests, codec: codec, context: context) { response in
            try await head.sendIfNeeded(context.responseHeaders)
            try await writer.writeBody(responseEncoding.envelope(response))
        }
        let status = failure ?? RPCError(.ok, "")
        if !head.sent {
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

    /// Methods with one response message: it is held until the handler returns,
    /// then head, message and status go to the transport at once (one trip to the
    /// event loop instead of three).
    private func serveSingleResponse(_ method: RegisteredMethod, requests: RequestMessages, writer: some HTTPResponseWriter, runner: CallRunner,
                                     context: RPCContext, headers: [(name: String, value: String)], responseEncoding: MessageEncoding) async {
        let response = Mutex<ByteBuffer?>(nil)
        let failure = await runner.run(method, requests: requests, codec: codec, context: context) { bytes in
            response.withLock { $0 = bytes }
        }
        guard failure == nil, let message = response.withLock({ $0 }) else {
            return await trailersOnly(writer, failure ?? RPCError(.internal, "the handler sent no response"),
                                      extra: context.responseHeaders + context.responseTrailers)
        }
        var body = responseEncoding.envelope(message)
        let trailers = statusFields(RPCError(.ok, "")) + context.responseTrailers
        if web {
            var frame = Envelope.encode(webTrailers(trailers), flags: .grpcWebTrailers)
            body.writeBuffer(&frame)
        }
        try? await writer.respond(status: 200, headers: headers + context.responseHeaders, body: body, trailers: web ? [] : trailers)
    }

    private func statusFields(_ status: RPCError) -> [(name: String, value: String)] {
        var fields = [(name: "grpc-status", value: String(status.code.rawValue))]
        if !status.message.isEmpty { fields.append(("grpc-message", PercentEncoding.encode(status.message))) }
        if let details = StatusDetails.grpcTrailerValue(status) { fields.append((StatusDetails.grpcTrailer, details)) }
        return fields + status.metadata
    }

    private func trailersOnly(_ writer: some HTTPResponseWriter, _ status: RPCError, extra: [(name: String, value: String)] = []) async {
        let headers = [(name: "content-type", value: contentType), (name: "grpc-accept-encoding", value: MessageEncoding.advertised)] + statusFields(status) + extra
        try? await writer.writeHead(status: 200, headers: headers, endStream: true)
    }

    private func webTrailers(_ fields: [(name: String, value: String)]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.name): \($0.value)\r\n" }.joined())
    }
}

/// Request headers that are call metadata (not the transport's or the protocol's own).
func metadata(of request: HTTPRequest) -> [(name: String, value: String)] {
    request.headers.filter { !reservedHeaders.contains($0.name) }
}

private let reservedHeaders: Set<String> = [
    "content-type", "content-length", "te", "host", "user-agent", "grpc-timeout", "grpc-encoding",
    "grpc-accept-encoding", "connect-protocol-version", "connect-timeout-ms", "content-encoding",
    "accept-encoding", "connect-content-encoding", "connect-accept-encoding",
]

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
