import Logging
import NIOCore
import NIOHTTP1

/// Serves HTTP/1.1 requests (after NIO's HTTP/1 codec and pipelining handler)
/// with the same `HTTPHandler` as HTTP/2. One request at a time per connection;
/// NIO's pipelining handler holds back the next one until this response ends.
///
/// Limits: a keep-alive connection with no request in flight for the idle timeout is
/// closed; request body the handler has not read yet is bounded by the budget's
/// receive share (reading the socket pauses above it, as HTTP/2's windows would);
/// responses are already paced by the socket (each body write waits for the last).
final class HTTP1ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Between requests: the idle timer runs.
        case idle
        /// Request `id` is being handled.
        case busy(id: Int)
    }

    private let handler: any HTTPHandler
    private var body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation?
    private var task: Task<Void, Never>?
    private var state = State.idle
    private var requestCount = 0
    private var quiescing = false
    private let idleTimer: IdleTimer
    private var budget: ConnectionBudget
    private var readGate = ReadGate.open

    init(handler: any HTTPHandler, settings: ConnectionSettings = .init()) {
        self.handler = handler
        self.idleTimer = IdleTimer(timeout: settings.idleTimeout)
        self.budget = ConnectionBudget(limit: settings.memoryBudget)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        armIdleTimer(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            idleTimer.disarm()
            requestCount += 1
            let id = requestCount
            state = .busy(id: id)
            dropUnreadBody(context)  // the last request's, if its head came before its handler ended
            var headers = head.headers.map { (name: $0.name.lowercased(), value: $0.value) }
            headers.removeAll { $0.name == "connection" || $0.name == "transfer-encoding" }
            let eventLoop = context.eventLoop
            let loopBound = NIOLoopBound((self, context), eventLoop: eventLoop)
            let requestBody: HTTPRequestBody
            if Self.hasBody(head) {
                let (stream, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
                body = continuation
                requestBody = HTTPRequestBody(stream: stream, consumed: { bytes in
                    eventLoop.execute { loopBound.value.0.bodyConsumed(bytes, request: id, context: loopBound.value.1) }
                })
            } else {
                requestBody = .empty  // a stream per GET was a good part of its cost
            }
            let request = HTTPRequest(method: head.method.rawValue, target: head.uri, headers: headers, version: .http1_1, body: requestBody)
            let writer = HTTP1ResponseWriter(
                context: NIOLoopBound(context, eventLoop: context.eventLoop),
                eventLoop: context.eventLoop,
                keepAlive: head.isKeepAlive)
            let handler = self.handler
            task = Task {
                await handler.handle(request, writer: writer)
                try? await writer.finishIfNeeded()
                eventLoop.execute { loopBound.value.0.requestFinished(id, context: loopBound.value.1) }
            }
        case .body(let buffer):
            guard let body else { return }
            if case .enqueued = body.yield(buffer) {
                budget.bodyReceived(buffer.readableBytes)
                if budget.isReadAheadFull { readGate.close() }
            }
        case .end:
            body?.finish()
            body = nil
        }
    }

    /// RFC 9112 §6.3: a request has a body only with Transfer-Encoding or a non-zero
    /// Content-Length (the codec has already refused malformed ones).
    static func hasBody(_ head: HTTPRequestHead) -> Bool {
        if head.headers.contains(name: "transfer-encoding") { return true }
        guard let length = head.headers.first(name: "content-length") else { return false }
        return length != "0"
    }

    func read(context: ChannelHandlerContext) {
        if readGate.requestRead() { context.read() }
    }

    /// Graceful shutdown: close now if idle, else after the current response.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerQuiescingEvent {
            quiescing = true
            if case .idle = state { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func bodyConsumed(_ bytes: Int, request id: Int, context: ChannelHandlerContext) {
        guard case .busy(id) = state else { return }
        budget.bodyConsumed(bytes)
        if budget.isReadAheadDrained { openReadGate(context) }
    }

    private func requestFinished(_ id: Int, context: ChannelHandlerContext) {
        // The pipelining handler may already have passed on the next request's head.
        guard case .busy(id) = state else { return }
        state = .idle
        dropUnreadBody(context)
        if quiescing {
            context.close(promise: nil)
        } else {
            armIdleTimer(context)
        }
    }

    /// Body the handler left unread (and any still to come) is dropped, not buffered, and
    /// no longer holds the reading back.
    private func dropUnreadBody(_ context: ChannelHandlerContext) {
        body?.finish()
        body = nil
        budget = ConnectionBudget(limit: budget.limit)
        openReadGate(context)
    }

    private func openReadGate(_ context: ChannelHandlerContext) {
        if readGate.open() { context.read() }
    }

    private func armIdleTimer(_ context: ChannelHandlerContext) {
        idleTimer.arm(context) { [self] in
            idleTimer.disarm()
            if case .idle = state { context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleTimer.cancel()
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
    /// Set (from the handler's task) once the response has ended, so `finishIfNeeded`
    /// need not hop to the loop to find out.
    private let endRequested = ResponseEnded()

    init(context: NIOLoopBound<ChannelHandlerContext>, eventLoop: any EventLoop, keepAlive: Bool) {
        self.context = context
        self.eventLoop = eventLoop
        self.keepAlive = keepAlive
    }

    func writeHead(status: Int, headers: [(name: String, value: String)], endStream: Bool) async throws {
        if endStream { endRequested.set() }
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
        endRequested.set()
        try await eventLoop.flatSubmit { [self] () -> EventLoopFuture<Void> in
            guard !self.ended else { return self.eventLoop.makeSucceededVoidFuture() }
            return self.end(self.context.value)
        }.get()
    }

    func finishIfNeeded() async throws {
        guard !endRequested.isSet else { return }
        let needsHead = try await eventLoop.submit { [self] in !self.headSent && !self.ended }.get()
        if needsHead {
            try await writeHead(status: 500, headers: [], endStream: true)
        } else {
            try await finish(trailers: [])
        }
    }

    /// Head, body and end in one trip to the event loop.
    func respond(status: Int, headers: [(name: String, value: String)], body: ByteBuffer, trailers: [(name: String, value: String)]) async throws {
        try await respond(status: status, headers: headers, parts: [body], trailers: trailers)
    }

    /// The parts go to the socket as they are (NIO gathers them into one writev).
    /// A handler task already on the connection's loop (the usual case: tasks run on
    /// the event loops) writes at once instead of queueing a hop to the same thread.
    func respond(status: Int, headers: [(name: String, value: String)], parts: [ByteBuffer], trailers: [(name: String, value: String)]) async throws {
        endRequested.set()
        if eventLoop.inEventLoop {
            try await writeResponse(status: status, headers: headers, parts: parts).get()
        } else {
            try await eventLoop.flatSubmit { [self] in self.writeResponse(status: status, headers: headers, parts: parts) }.get()
        }
    }

    private func writeResponse(status: Int, headers: [(name: String, value: String)], parts: [ByteBuffer]) -> EventLoopFuture<Void> {
        guard !ended else { return eventLoop.makeFailedFuture(HTTPStreamClosed()) }
        let context = self.context.value
        headSent = true
        var fields = HTTPHeaders(headers.map { ($0.name, $0.value) })
        if !fields.contains(name: "content-length") { fields.add(name: "content-length", value: String(parts.reduce(0) { $0 + $1.readableBytes })) }
        if !keepAlive { fields.add(name: "connection", value: "close") }
        context.write(NIOAny(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields))), promise: nil)
        for part in parts where part.readableBytes > 0 { context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(part))), promise: nil) }
        return end(context)
    }

    func abort() async {
        endRequested.set()
        try? await eventLoop.submit { [self] in
            // Flush what was written, then close without the final chunk: the client sees
            // a response cut short (or none), as after a dropped connection.
            self.ended = true
            let context = self.context.value
            context.flush()
            context.close(promise: nil)
        }.get()
    }

    private func end(_ context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        ended = true
        let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
        return done
    }
}
