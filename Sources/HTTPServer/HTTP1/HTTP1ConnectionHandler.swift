import Logging
import NIOCore
import NIOHTTP1

/// Serves HTTP/1.1 requests (after NIO's HTTP/1 codec and pipelining handler)
/// with the same `HTTPHandler` as HTTP/2. One request at a time per connection;
/// NIO's pipelining handler holds back the next one until this response ends.
final class HTTP1ConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: any HTTPHandler
    private var body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation?
    private var task: Task<Void, Never>?
    private var inFlight = false
    private var quiescing = false

    init(handler: any HTTPHandler) {
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let (stream, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
            body = continuation
            var headers = head.headers.map { (name: $0.name.lowercased(), value: $0.value) }
            headers.removeAll { $0.name == "connection" || $0.name == "transfer-encoding" }
            let request = HTTPRequest(
                method: head.method.rawValue, target: head.uri, headers: headers, version: .http1_1,
                body: HTTPRequestBody(stream: stream, consumed: { _ in }))
            let writer = HTTP1ResponseWriter(
                context: NIOLoopBound(context, eventLoop: context.eventLoop),
                eventLoop: context.eventLoop,
                keepAlive: head.isKeepAlive)
            let handler = self.handler
            let eventLoop = context.eventLoop
            let loopBound = NIOLoopBound((self, context), eventLoop: eventLoop)
            inFlight = true
            task = Task {
                await handler.handle(request, writer: writer)
                try? await writer.finishIfNeeded()
                eventLoop.execute { loopBound.value.0.requestFinished(context: loopBound.value.1) }
            }
        case .body(let buffer):
            body?.yield(buffer)
        case .end:
            body?.finish()
            body = nil
        }
    }

    /// Graceful shutdown: close now if idle, else after the current response.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerQuiescingEvent {
            quiescing = true
            if !inFlight { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func requestFinished(context: ChannelHandlerContext) {
        inFlight = false
        if quiescing { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        body?.finish(throwing: HTTPStreamClosed())
        task?.cancel()
        context.fireChannelInactive()
    }
}

/// Writes one HTTP/1.1 response. Trailers are dropped: HTTP/1.1 clients rarely
/// read them, and the protocols that need them over HTTP/1.1 (gRPC-Web) carry
/// them in the body instead.
final class HTTP1ResponseWriter: HTTPResponseWriter, @unchecked Sendable {
    private let context: NIOLoopBound<ChannelHandlerContext>
    private let eventLoop: any EventLoop
    private let keepAlive: Bool
    // Touched only on the event loop.
    private var headSent = false
    private var ended = false

    init(context: NIOLoopBound<ChannelHandlerContext>, eventLoop: any EventLoop, keepAlive: Bool) {
        self.context = context
        self.eventLoop = eventLoop
        self.keepAlive = keepAlive
    }

    func writeHead(status: Int, headers: [(name: String, value: String)], endStream: Bool) async throws {
        try await eventLoop.flatSubmit { [self] () -> EventLoopFuture<Void> in
            let context = self.context.value
            self.headSent = true
            var fields = HTTPHeaders(headers.map { ($0.name, $0.value) })
            if endStream && !fields.contains(name: "content-length") { fields.add(name: "content-length", value: "0") }
            if !endStream && !fields.contains(name: "content-length") { fields.add(name: "transfer-encoding", value: "chunked") }
            if !self.keepAlive { fields.add(name: "connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            guard endStream else {
                context.flush()
                return self.eventLoop.makeSucceededVoidFuture()
            }
            return self.end(context)
        }.get()
    }

    func writeBody(_ buffer: ByteBuffer) async throws {
        try await eventLoop.flatSubmit { [self] () -> EventLoopFuture<Void> in
            guard !self.ended else { return self.eventLoop.makeFailedFuture(HTTPStreamClosed()) }
            // Waiting for the write gives backpressure: a slow reader slows the handler.
            return self.context.value.writeAndFlush(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))))
        }.get()
    }

    func finish(trailers: [(name: String, value: String)]) async throws {
        try await eventLoop.flatSubmit { [self] () -> EventLoopFuture<Void> in
            guard !self.ended else { return self.eventLoop.makeSucceededVoidFuture() }
            return self.end(self.context.value)
        }.get()
    }

    func finishIfNeeded() async throws {
        let needsHead = try await eventLoop.submit { [self] in !self.headSent && !self.ended }.get()
        if needsHead {
            try await writeHead(status: 500, headers: [], endStream: true)
        } else {
            try await finish(trailers: [])
        }
    }

    private func end(_ context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        ended = true
        let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
        return done
    }
}
