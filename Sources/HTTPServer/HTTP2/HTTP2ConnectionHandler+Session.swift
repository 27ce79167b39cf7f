import CNGHTTP2
import NIOCore

/// What nghttp2 tells the connection while it parses the peer's frames: streams are
/// admitted (or refused), requests built and started, bodies passed on and accounted.
/// These run inside nghttp2 callbacks, so they queue frames but never send them;
/// the caller of `receive`/`drainOutput` flushes afterwards.
extension HTTP2ConnectionHandler: NGHTTP2SessionDelegate {
    /// Handlers still running for streams the peer reset, allowed per connection. A
    /// compliant peer has at most MAX_CONCURRENT_STREAMS open, but resetting streams
    /// frees their slots while their handlers keep going (rapid reset): past this
    /// many, new streams are refused instead of work piling up. Handlers of streams
    /// that ended normally are not counted: under load they wind down after their
    /// stream closes, and counting them refused well-behaved clients.
    var maxOrphanedHandlers: Int { settings.maxConcurrentStreams }

    func requestBegan(stream: Int32) {
        disarmIdleTimer()
        let state = HTTP2ServerStream(id: stream)
        streams[stream] = state
        budget.libraryBytes = session.libraryBytes
        let reason: String
        if orphanedHandlers >= maxOrphanedHandlers {
            reason = "too many handlers still running for reset streams"
        } else if budget.isExhausted {
            reason = "connection memory budget exhausted"
        } else {
            return
        }
        // REFUSED_STREAM: nothing was processed, the client may retry (elsewhere or later).
        state.refused = true
        session.resetStream(stream, errorCode: NGHTTP2_REFUSED_STREAM.rawValue)
        logger.debug("refused an HTTP/2 stream", metadata: ["reason": "\(reason)", "held_bytes": "\(budget.held)"])
        peerDid(.refusedStream)
    }

    func receivedHeader(stream: Int32, name: String, value: String) -> Bool {
        guard let state = streams[stream] else { return false }
        if state.refused { return true }  // already reset; the block is only decoded for HPACK's sake
        // The header list limit we advertise in SETTINGS, enforced (RFC 9113 counts 32 bytes per field).
        let size = name.utf8.count + value.utf8.count + 32
        guard state.headerBytes + size <= settings.maxHeaderListSize else {
            peerDid(.invalidFrame)
            return false
        }
        state.headerBytes += size
        budget.headersKept(size)
        state.headers.append((name, value))
        return true
    }

    func requestHeadComplete(stream: Int32, endStream: Bool) {
        guard let state = streams[stream], !state.refused, let context else { return }
        func pseudo(_ name: String) -> String? { state.headers.first { $0.name == name }?.value }
        guard let method = pseudo(":method"), let path = pseudo(":path") else {
            session.resetStream(stream, errorCode: NGHTTP2_PROTOCOL_ERROR.rawValue)
            peerDid(.invalidFrame)
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let body: HTTPRequestBody
        if endStream {
            // No DATA can follow: no stream to carry it (most GETs).
            state.requestComplete = true
            body = .empty
        } else {
            let (chunks, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
            state.body = continuation
            body = HTTPRequestBody(stream: chunks, consumed: { bytes in
                eventLoop.execute { loopBound.value.consumed(stream: stream, bytes: bytes) }
            })
        }
        let request = HTTPRequest(
            method: method,
            target: path,
            headers: state.headers.filter { !$0.name.hasPrefix(":") } + (pseudo(":authority").map { [("host", $0)] } ?? []),
            version: .http2,
            body: body)
        let writer = HTTP2ResponseWriter(stream: stream, connection: loopBound, eventLoop: eventLoop)
        let handler = self.handler
        runningHandlers += 1
        let stateBound = NIOLoopBound(state, eventLoop: eventLoop)
        state.task = Task {
            await handler.handle(request, writer: writer)
            // A handler that returned without finishing its response still ends the stream.
            try? await writer.finishIfNeeded()
            eventLoop.execute { loopBound.value.handlerReturned(stateBound.value) }
        }
    }

    func receivedData(stream: Int32, _ data: ByteBuffer) {
        let count = data.readableBytes
        guard let state = streams[stream], let body = state.body, !state.closed else {
            session.consumeConnection(bytes: count)  // no one will read it
            return
        }
        switch body.yield(data) {
        case .enqueued:
            state.unconsumed += count
            budget.bodyReceived(count)
        case .dropped, .terminated:
            // The handler is done with the body: give the windows back at once.
            session.consume(stream: stream, bytes: count)
        @unknown default:
            session.consume(stream: stream, bytes: count)
        }
    }

    func requestBodyComplete(stream: Int32) {
        streams[stream]?.requestComplete = true
        streams[stream]?.body?.finish()
    }

    func handlerReturned(_ state: HTTP2ServerStream) {
        runningHandlers -= 1
        state.handlerDone = true
        if state.orphaned {
            state.orphaned = false
            orphanedHandlers -= 1
        }
    }

    func streamClosed(stream: Int32, errorCode: UInt32) {
        guard let state = streams.removeValue(forKey: stream) else { return }
        if state.task != nil && !state.handlerDone && !state.finished {
            state.orphaned = true
            orphanedHandlers += 1
        }
        if state.unconsumed > 0 {
            // A body the handler never read must not shrink the window of every other stream.
            session.consumeConnection(bytes: state.unconsumed)
            budget.bodyConsumed(state.unconsumed)
            state.unconsumed = 0
        }
        budget.headersReleased(state.headerBytes)
        budget.responseFramed(state.outbound.readableBytes)
        waitingStreams.remove(stream)
        fail(state)
        releaseWriters()
        armIdleTimerIfIdle()
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
        budget.responseFramed(count)
        releaseWriters()
        let end = state.finished && state.outbound.readableBytes == 0
        if end { stopRequestIfUnfinished(state) }
        return .data(chunk, end: end, trailers: end ? state.trailers : nil)
    }

    func peerDid(_ event: HTTP2AbuseGuard.Event) {
        switch lifecycle {
        case .terminating, .closed: return
        case .active, .draining: break
        }
        guard !abuseGuard.record(event) else { return }
        logger.warning("HTTP/2 peer over its limits: ending the connection with ENHANCE_YOUR_CALM",
                       metadata: ["event": "\(event)", "peer": "\(context?.remoteAddress.map { "\($0)" } ?? "?")"])
        end(errorCode: NGHTTP2_ENHANCE_YOUR_CALM.rawValue)
    }

    func goAwaySent(errorCode: UInt32) {
        sentGoAway = true
        // nghttp2's own GOAWAY (e.g. its reset rate limit) ends the connection's intake too.
        if case .active = lifecycle {
            lifecycle = .draining
            disarmIdleTimer()
        }
    }

    // MARK: - Helpers shared with the response path

    /// Wakes writers whose stream queue is below half its mark, once the connection's
    /// queue is below half of its own.
    func releaseWriters() {
        guard !waitingStreams.isEmpty, budget.isResponseQueueDrained else { return }
        for id in waitingStreams {
            guard let state = streams[id] else {
                waitingStreams.remove(id)
                continue
            }
            guard state.outbound.readableBytes <= streamHighWater / 2 else { continue }
            waitingStreams.remove(id)
            let waiters = state.drainWaiters
            state.drainWaiters.removeAll()
            waiters.forEach { $0.succeed() }
        }
    }

    func fail(_ state: HTTP2ServerStream) {
        state.closed = true
        state.body?.finish(throwing: HTTPStreamClosed())
        state.task?.cancel()
        let waiters = state.drainWaiters
        state.drainWaiters.removeAll()
        waiters.forEach { $0.fail(HTTPStreamClosed()) }
    }

    /// A complete response while the peer is still sending: tell it to stop with
    /// RST_STREAM(NO_ERROR) after the response (RFC 9113 §8.1), instead of
    /// leaving it blocked on a window we will never open.
    func stopRequestIfUnfinished(_ state: HTTP2ServerStream) {
        guard !state.requestComplete, let eventLoop = context?.eventLoop else { return }
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let stream = state.id
        // After the response's frames have gone out: nghttp2 sends RST_STREAM ahead of
        // queued HEADERS and drops what the stream still had queued, so flush first
        // (flushes are otherwise coalesced to the end of the tick).
        eventLoop.execute {
            loopBound.value.flushOutput()
            loopBound.value.session.resetStream(stream, errorCode: NGHTTP2_NO_ERROR.rawValue)
            loopBound.value.flushOutput()
        }
    }
}
