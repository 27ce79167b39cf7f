import CNGHTTP2
import NIOCore
import Synchronization

/// The response side of an HTTP/2 connection: what `HTTP2ResponseWriter` calls once
/// it has hopped onto the event loop. Response bytes wait in their stream's queue
/// until nghttp2 frames them (as the peer's windows allow); writers are held back
/// while their stream's queue, or the whole connection's, is over its high-water mark.
extension HTTP2ConnectionHandler {
    func consumed(stream: Int32, bytes: Int) {
        guard let state = streams[stream] else { return }  // closed: already credited
        state.unconsumed -= bytes
        budget.bodyConsumed(bytes)
        session.consume(stream: stream, bytes: bytes)
        scheduleFlush()
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
        scheduleFlush()
    }

    func writeBody(stream: Int32, _ buffer: ByteBuffer, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        guard let state = streams[stream], !state.closed, state.headSent, !state.finished else {
            return eventLoop.makeFailedFuture(HTTPStreamClosed())
        }
        var buffer = buffer
        budget.responseWritten(buffer.readableBytes)
        state.outbound.writeBuffer(&buffer)
        resume(state)
        if state.outbound.readableBytes <= streamHighWater && !budget.isResponseQueueFull {
            return eventLoop.makeSucceededVoidFuture()
        }
        let promise = eventLoop.makePromise(of: Void.self)
        state.drainWaiters.append(promise)
        waitingStreams.insert(stream)
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
            scheduleFlush()
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

    /// Breaks a response off: what was queued is sent, then RST_STREAM(INTERNAL_ERROR).
    func abort(stream: Int32) {
        guard let state = streams[stream], !state.closed else { return }
        state.finished = true
        flushOutput()
        session.resetStream(stream, errorCode: NGHTTP2_INTERNAL_ERROR.rawValue)
        flushOutput()
    }

    /// A whole response, queued in one go (one hop from the handler's task). The parts
    /// are copied once, into the stream's queue, without being joined first.
    func respond(stream: Int32, status: Int, headers: [(name: String, value: String)], parts: [ByteBuffer],
                 trailers: [(name: String, value: String)], on eventLoop: any EventLoop) throws {
        try writeHead(stream: stream, status: status, headers: headers, endStream: false)
        if let state = streams[stream], state.outbound.readableBytes == 0 {
            state.outbound.reserveCapacity(parts.reduce(0) { $0 + $1.readableBytes })
        }
        // A unary body is bounded by the message limit; its drain future needs no waiting.
        for part in parts { _ = writeBody(stream: stream, part, on: eventLoop) }
        try finish(stream: stream, trailers: trailers)
    }

    private func resume(_ state: HTTP2ServerStream) {
        if state.deferred {
            state.deferred = false
            session.resumeData(stream: state.id)
        }
        scheduleFlush()
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
    /// Set once the response has ended, so `finishIfNeeded` need not hop to the loop.
    let ended = ResponseEnded()

    func writeHead(status: Int, headers: [(name: String, value: String)], endStream: Bool) async throws {
        let connection = self.connection, stream = self.stream
        if endStream { ended.set() }
        try await eventLoop.submit { try connection.value.writeHead(stream: stream, status: status, headers: headers, endStream: endStream) }.get()
    }

    func writeBody(_ buffer: ByteBuffer) async throws {
        let connection = self.connection, stream = self.stream
        let eventLoop = self.eventLoop
        try await eventLoop.flatSubmit { connection.value.writeBody(stream: stream, buffer, on: eventLoop) }.get()
    }

    func finish(trailers: [(name: String, value: String)]) async throws {
        let connection = self.connection, stream = self.stream
        ended.set()
        try await eventLoop.submit { try connection.value.finish(stream: stream, trailers: trailers) }.get()
    }

    func respond(status: Int, headers: [(name: String, value: String)], body: ByteBuffer, trailers: [(name: String, value: String)]) async throws {
        try await respond(status: status, headers: headers, parts: [body], trailers: trailers)
    }

    func respond(status: Int, headers: [(name: String, value: String)], parts: [ByteBuffer], trailers: [(name: String, value: String)]) async throws {
        let connection = self.connection, stream = self.stream, eventLoop = self.eventLoop
        ended.set()
        // A handler task already on the connection's loop (tasks run on the event loops)
        // queues its response at once instead of hopping to the same thread.
        if eventLoop.inEventLoop {
            return try connection.value.respond(stream: stream, status: status, headers: headers, parts: parts, trailers: trailers, on: eventLoop)
        }
        try await eventLoop.submit {
            try connection.value.respond(stream: stream, status: status, headers: headers, parts: parts, trailers: trailers, on: eventLoop)
        }.get()
    }

    func abort() async {
        let connection = self.connection, stream = self.stream
        ended.set()
        try? await eventLoop.submit { connection.value.abort(stream: stream) }.get()
    }

    func finishIfNeeded() async throws {
        guard !ended.isSet else { return }
        let connection = self.connection, stream = self.stream
        try await eventLoop.submit { try connection.value.finishAbandoned(stream: stream) }.get()
    }
}

/// A flag the handler's task sets when its response has ended.
final class ResponseEnded: Sendable {
    private let flag = Atomic<Bool>(false)

    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
