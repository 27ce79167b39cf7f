import NIOCore

/// The HTTP version a request arrived over.
public enum HTTPVersionKind: Sendable, Equatable {
    case http1_1
    case http2
}

/// One request, whatever the transport: HTTP/2 (h2c or TLS) or HTTP/1.1.
/// Header names are lower-case, as HTTP/2 requires.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target: path and query, e.g. `/healthz?verbose=1`.
    public var target: String
    public var headers: [(name: String, value: String)]
    public var version: HTTPVersionKind
    /// The body, delivered as the peer sends it; reading it is what lets the
    /// peer send more (HTTP/2 window updates follow consumption).
    public var body: HTTPRequestBody

    public var path: Substring {
        target.firstIndex(of: "?").map { target[..<$0] } ?? Substring(target)
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}

/// The request body as an async sequence of chunks.
public struct HTTPRequestBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    /// nil for a request that has no body: most GETs, which then cost no stream.
    let stream: AsyncThrowingStream<ByteBuffer, any Error>?
    /// Called with the size of each chunk the handler has taken, so the transport can
    /// open the flow-control window by that much.
    let consumed: @Sendable (Int) -> Void

    /// A request without a body (no Content-Length or Transfer-Encoding in HTTP/1.1,
    /// END_STREAM on HEADERS in HTTP/2).
    static let empty = HTTPRequestBody(stream: nil, consumed: { _ in })

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator?
        let consumed: @Sendable (Int) -> Void

        public mutating func next() async throws -> ByteBuffer? {
            guard base != nil else { return nil }
            let chunk = try await base!.next()
            if let chunk { consumed(chunk.readableBytes) }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream?.makeAsyncIterator(), consumed: consumed)
    }

    /// Reads the whole body, failing with `HTTPBodyTooLarge` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        guard stream != nil else { return collected }
        for try await var chunk in self {
            guard collected.readableBytes + chunk.readableBytes <= limit else { throw HTTPBodyTooLarge(limit: limit) }
            collected.writeBuffer(&chunk)
        }
        return collected
    }

}

public struct HTTPBodyTooLarge: Error, Sendable {
    public let limit: Int
}

/// Writes one response. Calls must come in order: head, body chunks, finish.
public protocol HTTPResponseWriter: Sendable {
    /// Sends the status and headers. With `endStream`, the response ends here
    /// (a trailers-only gRPC response, a 204).
    func writeHead(status: Int, headers: [(name: String, value: String)], endStream: Bool) async throws
    /// Sends a body chunk; suspends while the peer is not reading (bounded buffering).
    func writeBody(_ buffer: ByteBuffer) async throws
    /// Ends the response, with trailers where the transport carries them (HTTP/2).
    func finish(trailers: [(name: String, value: String)]) async throws
    /// A whole response at once (a unary RPC's): head, body and trailers. HTTP/2
    /// does it in one trip to the event loop instead of three.
    func respond(status: Int, headers: [(name: String, value: String)], body: ByteBuffer, trailers: [(name: String, value: String)]) async throws
    /// The same with the body in parts, sent in order; HTTP/1.1 writes them without
    /// joining them first (one gathered write).
    func respond(status: Int, headers: [(name: String, value: String)], parts: [ByteBuffer], trailers: [(name: String, value: String)]) async throws
    /// Breaks the response off where it is, as a failing network or server would:
    /// HTTP/2 resets the stream (RST_STREAM INTERNAL_ERROR), HTTP/1.1 closes the
    /// connection. The sandboxes' dropped-connection faults use it.
    func abort() async
}

extension HTTPResponseWriter {
    public func respond(status: Int, headers: [(name: String, value: String)], parts: [ByteBuffer], trailers: [(name: String, value: String)]) async throws {
        guard parts.count != 1 else { return try await respond(status: status, headers: headers, body: parts[0], trailers: trailers) }
        var body = ByteBuffer()
        body.reserveCapacity(parts.reduce(0) { $0 + $1.readableBytes })
        for var part in parts { body.writeBuffer(&part) }
        try await respond(status: status, headers: headers, body: body, trailers: trailers)
    }

    public func respond(status: Int, headers: [(name: String, value: String)], body: ByteBuffer, trailers: [(name: String, value: String)]) async throws {
        try await writeHead(status: status, headers: headers, endStream: false)
        try await writeBody(body)
        try await finish(trailers: trailers)
    }
}

/// What the server calls for every request. Cancellation of the calling task
/// means the peer went away (stream reset, connection closed, deadline).
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest, writer: some HTTPResponseWriter) async
}

public struct HTTPStreamClosed: Error, Sendable {}
