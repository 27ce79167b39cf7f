import CNGHTTP2
import Logging
import NIOCore

/// Serves one HTTP/2 connection through libnghttp2.
///
/// Bytes from the socket go into the nghttp2 session; its callbacks build
/// requests (HTTP2ConnectionHandler+Session.swift), and each complete request
/// head starts a task running the `HTTPHandler`. Responses come back through
/// `HTTP2ResponseWriter`, which hops onto this event loop. Everything here runs on
/// the channel's event loop.
///
/// This file is the connection itself: its lifecycle, the output path with its
/// backpressure (`ConnectionBudget`), the idle timeout and the abuse guard's verdicts.
final class HTTP2ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Response bytes buffered per stream before its writer has to wait for the peer.
    static let streamHighWater = 256 * 1024
    /// Bytes taken out of nghttp2 per channel write.
    static let writeChunk = 64 * 1024
    /// After a GOAWAY is written, how long we go on reading (and dropping) before closing,
    /// unless the peer closes first. Closing at once, with its bytes unread, makes TCP send
    /// a reset that can overtake the GOAWAY: the peer would see a broken connection instead
    /// of learning which requests to retry (and why it was ended).
    static let goAwayLinger = TimeAmount.seconds(1)
    /// A connection that is done but whose last frames the peer does not read is closed anyway.
    static let closeTimeout = TimeAmount.seconds(5)

    /// Where the connection is in its life.
    enum Lifecycle {
        /// Taking new streams.
        case active
        /// GOAWAY sent (shutdown, idle, or nghttp2's own): streams in flight finish, then close.
        case draining
        /// Ending now (protocol error, abuse): the GOAWAY is flushed, then the connection
        /// closes; input is ignored.
        case terminating
        case closed
    }

    let handler: any HTTPHandler
    let logger: Logger
    let settings: ConnectionSettings
    let session: NGHTTP2Session
    var streams: [Int32: HTTP2ServerStream] = [:]
    var context: ChannelHandlerContext?
    var lifecycle = Lifecycle.active
    var budget: ConnectionBudget
    var abuseGuard = HTTP2AbuseGuard()
    /// Handler tasks still running, including those whose stream is already gone.
    var runningHandlers = 0
    /// Of those, the ones whose stream was reset before their response finished.
    var orphanedHandlers = 0
    /// Streams with writers waiting for their own or the connection's response queue.
    var waitingStreams: Set<Int32> = []
    private var readGate = ReadGate.open
    private let idleTimer: IdleTimer
    private let closeTimer = IdleTimer(timeout: HTTP2ConnectionHandler.closeTimeout)
    /// The socket is backlogged: no frames are taken out of nghttp2 and nothing is read
    /// until it drains to half the high-water mark.
    private var socketPaused = false
    private var flushing = false
    private var flushRequested = false
    private var flushScheduled = false
    private var closeScheduled = false
    /// A GOAWAY went out (ours or nghttp2's): closing lingers (see `goAwayLinger`).
    var sentGoAway = false
    /// Completes when the last write handed to the channel has been written.
    private var lastWrite: EventLoopFuture<Void>?

    init(handler: any HTTPHandler, settings: ConnectionSettings = .init(), logger: Logger) {
        self.handler = handler
        self.logger = logger
        self.settings = settings
        self.budget = ConnectionBudget(limit: settings.memoryBudget)
        self.idleTimer = IdleTimer(timeout: settings.idleTimeout)
        self.session = NGHTTP2Session(limits: settings.http2Limits)
        self.session.delegate = self
    }

    /// A stream's own high-water mark, never above the connection's.
    var streamHighWater: Int { min(Self.streamHighWater, budget.responseHighWater) }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        armIdleTimerIfIdle()
        flushOutput()  // our SETTINGS
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch lifecycle {
        case .active, .draining: break
        case .terminating, .closed: return  // nothing more is read from a connection being ended
        }
        do {
            try session.receive(unwrapInboundIn(data))
        } catch let error as NGHTTP2Session.ProtocolError {
            logger.debug("ending HTTP/2 connection after a protocol error", metadata: ["error": "\(error)"])
            end(errorCode: error.isFlood ? NGHTTP2_ENHANCE_YOUR_CALM.rawValue : NGHTTP2_PROTOCOL_ERROR.rawValue)
        } catch {
            end(errorCode: NGHTTP2_INTERNAL_ERROR.rawValue)
        }
        flushOutput()
    }

    func read(context: ChannelHandlerContext) {
        if readGate.requestRead() { context.read() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        lifecycle = .closed
        idleTimer.cancel()
        closeTimer.cancel()
        for stream in streams.values {
            fail(stream)
        }
        streams.removeAll()
        waitingStreams.removeAll()
        self.context = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerQuiescingEvent, case .active = lifecycle {
            idleTimer.disarm()
            lifecycle = .draining
            session.submitGoAway()
            flushOutput()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: - Lifecycle

    /// Ends the connection with GOAWAY(`errorCode`). Safe inside nghttp2 callbacks: it only
    /// queues the GOAWAY; the next `flushOutput()` sends it and closes.
    func end(errorCode: UInt32) {
        switch lifecycle {
        case .terminating, .closed: return
        case .active, .draining: break
        }
        session.terminate(errorCode: errorCode)
        lifecycle = .terminating
        idleTimer.disarm()
    }

    /// Called when the last stream may have gone: the connection is idle from now on.
    func armIdleTimerIfIdle() {
        guard let context, case .active = lifecycle, streams.isEmpty, !idleTimer.isArmed else { return }
        idleTimer.arm(context) { [self] in idleTimeoutExpired() }
    }

    func disarmIdleTimer() {
        idleTimer.disarm()
    }

    private func idleTimeoutExpired() {
        idleTimer.disarm()
        guard case .active = lifecycle, streams.isEmpty else { return }
        logger.debug("closing an idle HTTP/2 connection", metadata: ["idle_timeout": "\(settings.idleTimeout.map { "\($0)" } ?? "-")"])
        lifecycle = .draining
        session.submitGoAway()
        flushOutput()
    }

    /// Closes once the connection has nothing left to do and its last frames are written.
    private func closeIfDone() {
        guard let context, !closeScheduled else { return }
        let done: Bool
        switch lifecycle {
        case .active: done = !session.isActive
        case .draining: done = streams.isEmpty || !session.isActive
        case .terminating: done = true
        case .closed: done = false
        }
        guard done else { return }
        if session.wantsWrite {
            // Frames still queued in nghttp2 (the peer is not reading): give it a while.
            if !closeTimer.isArmed { closeTimer.arm(context) { context.close(promise: nil) } }
            return
        }
        closeScheduled = true
        let linger = sentGoAway ? Self.goAwayLinger : nil
        let close: () -> Void = {
            if let linger {
                _ = context.eventLoop.assumeIsolated().scheduleTask(in: linger) { context.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        }
        if let lastWrite {
            lastWrite.assumeIsolated().whenComplete { _ in close() }
        } else {
            close()
        }
    }

    // MARK: - Output and backpressure

    /// Sends what nghttp2 has, as long as the socket keeps up; then checks whether the
    /// connection is done. Re-entrant calls (a write completing inside `flush`) are folded
    /// into the running one.
    /// Flushes once the event loop has run what is queued now: responses that
    /// handlers hand over in the same tick leave in one write, not one each.
    func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            loopBound.value.flushScheduled = false
            loopBound.value.flushOutput()
        }
    }

    func flushOutput() {
        flushRequested = true
        guard !flushing, let context else { return }
        flushing = true
        defer { flushing = false }
        while flushRequested {
            flushRequested = false
            var wrote = false
            do {
                while !socketPaused, let output = try session.drainOutput(upTo: Self.writeChunk) {
                    write(output, context)
                    wrote = true
                    if budget.isSocketBacklogged { socketPaused = true }
                }
            } catch {
                logger.debug("closing HTTP/2 connection: nghttp2 cannot send", metadata: ["error": "\(error)"])
                lifecycle = .terminating
                context.close(promise: nil)
                return
            }
            if wrote { context.flush() }
        }
        updateReadGate(context)
        closeIfDone()
    }

    private func write(_ output: ByteBuffer, _ context: ChannelHandlerContext) {
        let count = output.readableBytes
        budget.handedToSocket(count)
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.write(wrapOutboundOut(output), promise: promise)
        lastWrite = promise.futureResult
        promise.futureResult.assumeIsolated().whenComplete { [self] _ in written(count) }
    }

    /// A write reached the socket (or failed with the channel): maybe resume.
    private func written(_ count: Int) {
        budget.writtenToSocket(count)
        if socketPaused && budget.isSocketDrained {
            socketPaused = false
            flushOutput()
        }
    }

    /// Reading stops while nghttp2's output waits for the peer to read its socket:
    /// a peer that sends but does not read then stalls in TCP, not in our memory.
    private func updateReadGate(_ context: ChannelHandlerContext) {
        // Reading goes on while a connection is being ended (its input is dropped), so that
        // closing does not reset it before the peer has read our GOAWAY.
        if socketPaused {
            readGate.close()
        } else if readGate.open() {
            context.read()
        }
    }
}
