import Foundation
import HTTPServer
import NIOCore
import Synchronization

/// Connect: unary over `application/json` / `application/proto` (HTTP/1.1 or
/// HTTP/2), server streaming over `application/connect+json` / `+proto`.
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
        if let version = request.header("connect-protocol-version"), version != "1" {
            return await unaryError(writer, RPCError(.invalidArgument, "connect-protocol-version must be 1"), context: context)
        }
        let encodingHeader = streaming ? "connect-content-encoding" : "content-encoding"
        if let encoding = request.header(encodingHeader), encoding != "identity" {
            return await fail(writer, RPCError(.unimplemented, "\(encodingHeader) \(encoding) is not supported; use identity"), context: context)
        }
        guard let method = registry.methods[path] else {
            // Connect answers an unknown procedure with a plain 404.
            return await unaryError(writer, RPCError(.unimplemented, "unknown method \(path)"), context: context, status: 404)
        }
        guard (method.kind == .serverStreaming) == streaming else {
            try? await writer.writeHead(status: 415, headers: [], endStream: true)
            return
        }
        let message: ByteBuffer
        do {
            message = try await streaming
                ? readStreamingRequest(request.body, maxMessageSize: maxMessageSize)
                : readUnaryRequest(request.body, maxMessageSize: maxMessageSize)
        } catch {
            return await fail(writer, runner.status(for: error, context: context), context: context)
        }
        if streaming {
            await serveStreaming(method, message: message, writer: writer, runner: runner, context: context)
        } else {
            await serveUnary(method, message: message, writer: writer, runner: runner, context: context)
        }
    }

    private func serveUnary(_ method: RegisteredMethod, message: ByteBuffer, writer: some HTTPResponseWriter, runner: CallRunner, context: RPCContext) async {
        let response = Mutex<ByteBuffer?>(nil)
        if let failure = await runner.run(method, message: message, codec: codec, context: context, send: { bytes in
            response.withLock { $0 = bytes }
        }) {
            return await unaryError(writer, failure, context: context)
        }
        let body = response.withLock { $0 } ?? ByteBuffer()
        let headers = [(name: "content-type", value: contentType), (name: "content-length", value: String(body.readableBytes))]
            + context.responseHeaders + context.responseTrailers.map { (name: "trailer-" + $0.name, value: $0.value) }
        try? await writer.writeHead(status: 200, headers: headers, endStream: false)
        try? await writer.writeBody(body)
        try? await writer.finish(trailers: [])
    }

    private func serveStreaming(_ method: RegisteredMethod, message: ByteBuffer, writer: some HTTPResponseWriter, runner: CallRunner, context: RPCContext) async {
        let head = HeadOnce(writer: writer, headers: [("content-type", contentType)])
        let failure = await runner.run(method, message: message, codec: codec, context: context) { response in
            try await head.sendIfNeeded(context.responseHeaders)
            try await writer.writeBody(Envelope.encode(response))
        }
        try? await head.sendIfNeeded(context.responseHeaders)
        try? await writer.writeBody(Envelope.encode(endOfStream(failure, trailers: context.responseTrailers), flags: .connectEndStream))
        try? await writer.finish(trailers: [])
    }

    private func readUnaryRequest(_ body: HTTPRequestBody, maxMessageSize: Int) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: maxMessageSize)
        } catch is HTTPBodyTooLarge {
            throw RPCError(.resourceExhausted, "request message is over the limit of \(maxMessageSize) bytes")
        }
    }

    private func readStreamingRequest(_ body: HTTPRequestBody, maxMessageSize: Int) async throws -> ByteBuffer {
        var reader = EnvelopeReader(maxMessageSize: maxMessageSize)
        var message: ByteBuffer?
        for try await chunk in body {
            reader.append(chunk)
            while let envelope = try reader.next() {
                guard message == nil else { throw RPCError(.invalidArgument, "more than one request message") }
                if envelope.flags.contains(.compressed) { throw RPCError(.internal, "compressed flag set without connect-content-encoding") }
                message = envelope.message
            }
        }
        guard reader.pendingBytes == 0, let message else { throw RPCError(.invalidArgument, "the request has no complete message") }
        return message
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

/// Connect's error body: `{"code": "not_found", "message": "..."}`.
enum ConnectErrorJSON {
    static func object(_ error: RPCError) -> [String: Any] {
        var object: [String: Any] = ["code": error.code.connectName]
        if !error.message.isEmpty { object["message"] = error.message }
        return object
    }

    static func encode(_ error: RPCError) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object(error), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data)
    }
}
