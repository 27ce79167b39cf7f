import Foundation
import HTTPServer
import NIOCore
import Synchronization

/// Connect: unary over `application/json` / `application/proto` (HTTP/1.1 or
/// HTTP/2), streaming (server, client, bidirectional) over
/// `application/connect+json` / `+proto`.
struct ConnectProtocol: Sendable {
    let streaming: Bool
    let codec: Codec
    let contentType: String

    func serve(_ request: HTTPRequest, writer: some HTTPResponseWriter, registry: MethodRegistry, runner: CallRunner, maxMessageSize: Int) async {
        guard request.method == "POST" else {
            try? await writer.writeHead(status: 405, headers: [("allow", "POST")], endStream: true)
            return
        }
        let path = String(request.path)
        let deadline = request.header("connect-timeout-ms").flatMap(Timeout.parseConnect).map { ContinuousClock.now + $0 }
        let context = RPCContext(method: path, requestMetadata: metadata(of: request), deadline: deadline)
        // Unary uses HTTP's own content codings; streaming names them per message.
        let (encodingHeader, acceptHeader) = streaming
            ? ("connect-content-encoding", "connect-accept-encoding") : ("content-encoding", "accept-encoding")
        // Like connect-go: compress responses whenever the caller accepts gzip.
        let responseEncoding: MessageEncoding = MessageEncoding.acceptsGzip(request.header(acceptHeader)) ? .gzip : .identity
        if let version = request.header("connect-protocol-version"), version != "1" {
            return await unaryError(writer, RPCError(.invalidArgument, "connect-protocol-version must be 1"), context: context)
        }
        guard let encoding = MessageEncoding.named(request.header(encodingHeader)) else {
            let name = request.header(encodingHeader) ?? ""
            return await fail(writer, RPCError(.unimplemented, "\(encodingHeader) \(name) is not supported; use \(MessageEncoding.advertised)"), context: context)
        }
        guard let method = registry.methods[path] else {
            // Connect answers an unknown procedure with a plain 404.
            return await unaryError(writer, RPCError(.unimplemented, "unknown method \(path)"), context: context, status: 404)
        }
        guard (method.kind != .unary) == streaming else {
            try? await writer.writeHead(status: 415, headers: [], endStream: true)
            return
        }
        let requests: RequestMessages
        do {
            if !streaming {
                requests = .single(try await readUnaryRequest(request.body, encoding: encoding, maxMessageSize: maxMessageSize))
            } else {
                let messages = EnvelopedMessages(body: request.body, encoding: encoding, maxMessageSize: maxMessageSize)
                requests = method.kind.clientStreams ? .stream(messages) : .single(try await messages.single())
            }
        } catch {
            return await fail(writer, runner.status(for: error, context: context), context: context)
        }
        if streaming {
            await serveStreaming(method, requests: requests, writer: writer, runner: runner, context: context, responseEncoding: responseEncoding)
        } else {
            await serveUnary(method, requests: requests, writer: writer, runner: runner, context: context, responseEncoding: responseEncoding)
        }
    }

    private func serveUnary(_ method: RegisteredMethod, requests: RequestMessages, writer: some HTTPResponseWriter, runner: CallRunner,
                            context: RPCContext, responseEncoding: MessageEncoding) async {
        let response = Mutex<ByteBuffer?>(nil)
        if let failure = await runner.run(method, requests: requests, codec: codec, context: context, send: { bytes in
            response.withLock { $0 = bytes }
        }) {
            return await unaryError(writer, failure, context: context)
        }
        var body = response.withLock { $0 } ?? ByteBuffer()
        var headers = [(name: "content-type", value: contentType)]
        if let compressed = responseEncoding.compressIfWorthIt(body) {
            body = compressed
            headers.append((name: "content-encoding", value: "gzip"))
        }
        headers += [(name: "content-length", value: String(body.readableBytes))]
            + context.responseHeaders + context.responseTrailers.map { (name: "trailer-" + $0.name, value: $0.value) }
        try? await writer.respond(status: 200, headers: headers, body: body, trailers: [])
    }

    private func serveStreaming(_ method: RegisteredMethod, requests: RequestMessages, writer: some HTTPResponseWriter, runner: CallRunner,
                                context: RPCContext, responseEncoding: MessageEncoding) async {
        var headers = [(name: "content-type", value: contentType)]
        if responseEncoding == .gzip { headers.append((name: "connect-content-encoding", value: "gzip")) }
        let head = HeadOnce(writer: writer, headers: headers)
        let failure = await runner.run(method, requests: requests, codec: codec, context: context) { response in
            try await head.sendIfNeeded(context.responseHeaders)
            try await writer.writeBody(responseEncoding.envelope(response))
        }
        try? await head.sendIfNeeded(context.responseHeaders)
        try? await writer.writeBody(Envelope.encode(endOfStream(failure, trailers: context.responseTrailers), flags: .connectEndStream))
        try? await writer.finish(trailers: [])
    }

    /// A unary body is the message itself, compressed as a whole when
    /// `content-encoding` says so; both sizes are held to the limit.
    private func readUnaryRequest(_ body: HTTPRequestBody, encoding: MessageEncoding, maxMessageSize: Int) async throws -> ByteBuffer {
        let bytes: ByteBuffer
        do {
            bytes = try await body.collect(upTo: maxMessageSize)
        } catch is HTTPBodyTooLarge {
            throw RPCError(.resourceExhausted, "request message is over the limit of \(maxMessageSize) bytes")
        }
        return try encoding.decompress(bytes, limit: maxMessageSize)
    }

    private func fail(_ writer: some HTTPResponseWriter, _ error: RPCError, context: RPCContext) async {
        if streaming {
            try? await writer.writeHead(status: 200, headers: [("content-type", contentType)], endStream: false)
            try? await writer.writeBody(Envelope.encode(endOfStream(error, trailers: []), flags: .connectEndStream))
            try? await writer.finish(trailers: [])
        } else {
            await unaryError(writer, error, context: context)
        }
    }

    private func unaryError(_ writer: some HTTPResponseWriter, _ error: RPCError, context: RPCContext, status: Int? = nil) async {
        let body = ByteBuffer(bytes: ConnectErrorJSON.encode(error))
        let headers = [(name: "content-type", value: "application/json"), (name: "content-length", value: String(body.readableBytes))]
            + error.metadata + context.responseHeaders
        try? await writer.writeHead(status: status ?? error.code.connectHTTPStatus, headers: headers, endStream: false)
        try? await writer.writeBody(body)
        try? await writer.finish(trailers: [])
    }

    private func endOfStream(_ error: RPCError?, trailers: [(name: String, value: String)]) -> ByteBuffer {
        var object: [String: Any] = [:]
        if let error { object["error"] = ConnectErrorJSON.object(error) }
        let metadata = trailers + (error?.metadata ?? [])
        if !metadata.isEmpty {
            object["metadata"] = Dictionary(grouping: metadata, by: \.name).mapValues { $0.map(\.value) }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return ByteBuffer(bytes: data)
    }
}

/// Connect's error body: `{"code": "not_found", "message": "...", "details": [...]}`.
enum ConnectErrorJSON {
    static func object(_ error: RPCError) -> [String: Any] {
        var object: [String: Any] = ["code": error.code.connectName]
        if !error.message.isEmpty { object["message"] = error.message }
        if !error.details.isEmpty { object["details"] = StatusDetails.connectJSON(error) }
        return object
    }

    static func encode(_ error: RPCError) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object(error), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }
}
