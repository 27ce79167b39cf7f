import CNGHTTP2
import Logging
import NIOCore

/// Serves one HTTP/2 connection through libnghttp2.
///
/// Bytes from the socket go into the nghttp2 session; its callbacks build
/// requests, and each complete request head starts a task running the
/// `HTTPHandler`. Responses come back through `HTTP2ResponseWriter`, which hops
/// onto this event loop. Everything here runs on the channel's event loop.
final class HTTP2ConnectionHandler: ChannelInboundHandler, RemovableChannelHandler, NGHTTP2SessionDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Response bytes buffered per stream before a writer has to wait for the peer.
    static let highWatermark = 256 * 1024

    private let handler: any HTTPHandler
    private let logger: Logger
    private let session: NGHTTP2Session
    private var streams: [Int32: HTTP2ServerStream] = [:]
    private var context: ChannelHandlerContext?
    private var closing = false

    init(handler: any HTTPHandler, limits: NGHTTP2Session.Limits = .init(), logger: Logger) {
        self.handler = handler
        self.logger = logger
        self.session = NGHTTP2Session(limits: limits)
        self.session.delegate = self
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        flushOutput()  // our SETTINGS
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try session.receive(buffer)
        } catch {
            logger.debug("closing HTTP/2 connection after a protocol error", metadata: ["error": "\(error)"])
        }
        flushOutput()
    }

    func channelInactive(context: ChannelHandlerContext) {
        for stream in streams.values {
            fail(stream)
        }
        streams.removeAll()
        self.context = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerQuiescingEvent {
            closing = true
            session.submitGoAway()
            flushOutput()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Sends whatever nghttp2 produced; closes the connection when the session is done.
    private func flushOutput() {
        guard let context else { return }
        do {
            if let output = try session.drainOutput() {
                context.writeAndFlush(wrapOutboundOut(output), promise: nil)
            }
        } catch {
            context.close(promise: nil)
            return
        }
        if !session.isActive || (closing && streams.isEmpty) {
            context.close(promise: nil)
        }
    }

    // MARK: - Session callbacks

    func requestBegan(stream: Int32) {
        streams[stream] = HTTP2ServerStream(id: stream)
    }

    func receivedHeader(stream: Int32, name: String, value: String) -> Bool {
        guard let state = streams[stream] else { return false }
        // The header list limit we advertise in SETTINGS, enforced (32 bytes of overhead per field, as RFC 9113 counts).
        state.headerBytes += name.utf8.count + value.utf8.count + 32
        guard state.headerBytes <= 16 * 1024 else { return false }
        state.headers.append((name, value))
        return true
    }

    func requestHeadComplete(stream: Int32, endStream: Bool) {
        guard let state = streams[stream], let context else { return }
        func pseudo(_ name: String) -> String? { state.headers.first { $0.name == name }?.value }
        guard let method = pseudo(":method"), let path = pseudo(":path") else {
            session.resetStream(stream, errorCode: NGHTTP2_PROTOCOL_ERROR.rawValue)
            return
        }
        let (body, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        state.body = continuation
        if endStream {
            state.requestComplete = true
            continuation.finish()
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let request = HTTPRequest(
            method: method,
            target: path,
            headers: state.headers.filter { !$0.name.hasPrefix(":") } + (pseudo(":authority").map { [("host", $0)] } ?? []),
            version: .http2,
            body: HTTPRequestBody(stream: body, consumed: { bytes in
                eventLoop.execute { loopBound.value.consumed(stream: stream, bytes: bytes) }
            }))
        let writer = HTTP2ResponseWriter(stream: stream, connection: loopBound, eventLoop: eventLoop)
        let handler = self.handler
        state.task = Task {
            await handler.handle(request, writer: writer)
            // A handler that returned without finishing its response still ends the stream.
            try? await writer.finishIfNeeded()
        }
    }

    func receivedData(stream: Int32, _ data: ByteBuffer) {
        guard let state = streams[stream], let body = state.body, !state.closed else {
            session.consumeConnection(bytes: data.readableBytes)
            return
        }
        state.unconsumed += data.readableBytes
        body.yield(data)
    }

    func requestBodyComplete(stream: Int32) {
        streams[stream]?.requestComplete = true
        streams[stream]?.body?.finish()
    }

    func streamClosed(stream: Int32, errorCode: UInt32) {
        guard let state = streams.removeValue(forKey: stream) else { return }
        if state.unconsumed > 0 {
            // A body the handler never read must not shrink the window of every other stream.
            session.consumeConnection(bytes: state.unconsumed)
            state.unconsumed = 0
        }
        fail(state)
    }

    func nextResponseData(stream: Int32, max: Int) -> NGHTTP2Session.ResponseData {
        guard let state = streams[stream] else { return .data(ByteBuffer(), end: true, trailers: nil) }
        let count = min(max, state.outbound.readableBytes)
        if count == 0 && !state.finished {
            state.deferred = true
            return .deferred
        }
        let chunk = state.outbound.readSlice(length: count)!
        if state.outbound.readableBytes == 0 { state.outbound.clear() }
        if state.outbound.readableBytes < Self.highWatermark / 2 {
            let waiters = state.drainWaiters
            state.drainWaiters.removeAll()
            waiters.forEach { $0.succeed() }
        }
        let end = state.finished && state.outbound.readableBytes == 0
        if end { stopRequestIfUnfinished(state) }
        return .data(chunk, end: end, trailers: end ? state.trailers : nil)
    }

    // MARK: - Calls from response writers (hopped onto the event loop)

    func consumed(stream: Int32, bytes: Int) {
        guard let state = streams[stream] else { return }  // closed: already credited
        state.unconsumed -= bytes
        session.consume(stream: stream, bytes: bytes)
        flushOutput()
    }

    func writeHead(stream: Int32, status: Int, headers: [(name: String, value: String)], endStream: Bool) throws {
        guard let state = streams[stream], !state.closed else { throw HTTPStreamClosed() }
        precondition(!state.headSent, "response head written twice")
        state.headSent = true
        if endStream { state.finished = true }
        guard session.submitResponse(stream: stream, status: status, headers: headers, endStream: endStream) else {
            throw HTTPStreamClosed()
        }
        if endStream { stopRequestIfUnfinished(state) }
        flushOutput()
    }

    func writeBody(stream: Int32, _ buffer: ByteBuffer, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        guard let state = streams[stream], !state.closed, state.headSent, !state.finished else {
            return eventLoop.makeFailedFuture(HTTPStreamClosed())
        }
        var buffer = buffer
        state.outbound.writeBuffer(&buffer)
        resume(state)
        if state.outbound.readableBytes <= Self.highWatermark {
            return eventLoop.makeSucceededVoidFuture()
        }
        let promise = eventLoop.makePromise(of: Void.self)
        state.drainWaiters.append(promise)
        return promise.futureResult
    }

    func finish(stream: Int32, trailers: [(name: String, value: String)]) throws {
        guard let state = streams[stream], !state.closed else { throw HTTPStreamClosed() }
        if !state.headSent {
            // Nothing was written: an empty 200 with the trailers as headers would be wrong; send
            // the trailers as a headers-only response (gRPC's "trailers-only").
            state.headSent = true
            state.finished = true
            _ = session.submitResponse(stream: stream, status: 200, headers: trailers, endStream: true)
            stopRequestIfUnfinished(state)
            flushOutput()
            return
        }
        guard !state.finished else { return }
        state.finished = true
        state.trailers = trailers
        resume(state)
    }

    /// Ends a response its handler abandoned: 500 if nothing was sent, else end of body.
    func finishAbandoned(stream: Int32) throws {
        guard let state = streams[stream], !state.closed, !state.finished else { return }
        if state.headSent {
            try finish(stream: stream, trailers: [])
        } else {
            try writeHead(stream: stream, status: 500, headers: [], endStream: true)
        }
    }

    /// A complete response while the peer is still sending: tell it to stop with
    /// RST_STREAM(NO_ERROR) after the response (RFC 9113 §8.1), instead of
    /// leaving it blocked on a window we will never open.
    private func stopRequestIfUnfinished(_ state: HTTP2ServerStream) {
        guard !state.requestComplete, let eventLoop = context?.eventLoop else { return }
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let stream = state.id
        // After the frames just queued (the response) have been produced.
        eventLoop.execute {
            loopBound.value.session.resetStream(stream, errorCode: NGHTTP2_NO_ERROR.rawValue)
            loopBound.value.flushOutput()
        }
    }

    private func resume(_ state: HTTP2ServerStream) {
        if state.deferred {
            state.deferred = false
            session.resumeData(stream: state.id)
        }
        flushOutput()
    }

    private func fail(_ state: HTTP2ServerStream) {
        state.closed = true
        state.body?.finish(throwing: HTTPStreamClosed())
        state.task?.cancel()
        let waiters = state.drainWaiters
        state.drainWaiters.removeAll()
        waiters.forEach { $0.fail(HTTPStreamClosed()) }
    }
}

/// Sent down a pipeline to ask connections to stop taking new requests.
public struct ServerQuiescingEvent: Sendable {
    public init() {}
}

/// The `HTTPResponseWriter` of one HTTP/2 stream.
struct HTTP2ResponseWriter: HTTPResponseWriter {
    let stream: Int32
    let connection: NIOLoopBound<HTTP2ConnectionHandler>
    let eventLoop: any EventLoop

    func writeHead(status: Int, headers: [(name: String, value: String)], endStream: Bool) async throws {
        let connection = self.connection, stream = self.stream
        try await eventLoop.submit { try connection.value.writeHead(stream: stream, status: status, headers: headers, endStream: endStream) }.get()
    }

    func writeBody(_ buffer: ByteBuffer) async throws {
        let connection = self.connection, stream = self.stream
        let eventLoop = self.eventLoop
        try await eventLoop.flatSubmit { connection.value.writeBody(stream: stream, buffer, on: eventLoop) }.get()
    }

    func finish(trailers: [(name: String, value: String)]) async throws {
        let connection = self.connection, stream = self.stream
        try await eventLoop.submit { try connection.value.finish(stream: stream, trailers: trailers) }.get()
    }

    func finishIfNeeded() async throws {
        let connection = self.connection, stream = self.stream
        try await eventLoop.submit { try connection.value.finishAbandoned(stream: stream) }.get()
    }
}
