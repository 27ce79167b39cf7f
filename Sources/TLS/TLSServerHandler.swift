import NIOCore

/// Server-side TLS for one connection, as the first handler of a child channel's pipeline.
///
/// Inbound: ciphertext `ByteBuffer`s in, plaintext `ByteBuffer`s out (in chunks of at most
/// ``readChunkSize`` bytes). Outbound: plaintext `ByteBuffer`s in, ciphertext out.
///
/// - Once the handshake completes it fires the user event ``TLSHandshakeCompleted`` (with
///   the ALPN protocol), then passes on decrypted data. Writes made before that are held
///   and sent (in order, flushes respected) once the handshake is done.
/// - A write's promise is completed when the channel write of the ciphertext holding its
///   last byte completes.
/// - `close()` sends close_notify, then closes the channel once that is written (or after
///   `shutdownTimeout`, if the peer never reads it). A close_notify from the peer is answered
///   in kind and closes the channel. Half-closure (`close(mode: .output)`) is not supported.
/// - Failures are fired as `errorCaught` with a ``TLSError`` (then the channel is closed):
///   `.handshakeFailed`, `.protocolFailure`, `.internalFailure`; and, as information when the
///   channel is already closing, `.handshakeFailed` for a peer that closed mid-handshake after
///   sending something and `.uncleanShutdown` for one that closed without close_notify.
/// - The handshake timeout is the server's business, not this handler's.
///
/// Not thread-safe (like every `ChannelHandler`): add it from the channel's event loop, e.g.
/// `channel.pipeline.syncOperations.addHandler(TLSServerHandler(context: tls))`.
public final class TLSServerHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// The most plaintext passed on in one `channelRead` (one full TLS record).
    public static let readChunkSize = 16 * 1024
    /// The most plaintext given to one `SSL_write` (one full TLS record).
    static let writeChunkSize = 16 * 1024
    /// Ciphertext is passed on to the channel whenever this much has accumulated, so a large
    /// write never holds more than about this much extra memory here.
    static let ciphertextHighWater = 64 * 1024

    private enum State {
        /// Waiting for the channel to become active.
        case idle
        case handshaking
        case active
        /// Our close_notify is on its way; the channel closes once it is written.
        case closing
        case closed
    }

    private struct PendingWrite {
        var data: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

    private let tlsContext: TLSServerContext
    private let shutdownTimeout: TimeAmount
    private var state = State.idle
    private var connection: SSLConnection?

    /// Plaintext writes not yet encrypted; the first `flushedWriteCount` of them were flushed.
    private var pendingWrites = CircularBuffer<PendingWrite>()
    private var flushedWriteCount = 0
    private var isEncrypting = false

    /// The buffer plaintext is decrypted into, reused while the next handler lets go of it.
    private var readBuffer: ByteBuffer?
    private var passedOnPlaintext = false
    private var receivedCiphertext = false
    private var shutdownTimer: Scheduled<Void>?

    /// - Parameters:
    ///   - context: the server's certificate, key and settings.
    ///   - shutdownTimeout: how long `close()` waits for our close_notify to be written before
    ///     closing the channel anyway.
    public init(context: TLSServerContext, shutdownTimeout: TimeAmount = .seconds(5)) {
        self.tlsContext = context
        self.shutdownTimeout = shutdownTimeout
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            startHandshake(context: context)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        state = .closed
        cancelShutdownTimer()
        failPendingWrites(ChannelError.ioOnClosedChannel)
        connection = nil
        readBuffer = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        startHandshake(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        let previous = state
        state = .closed
        cancelShutdownTimer()
        failPendingWrites(ChannelError.ioOnClosedChannel)
        switch previous {
        case .handshaking where receivedCiphertext:
            // (A peer that connects and leaves without a byte, like a TCP health check, is no error.)
            context.fireErrorCaught(TLSError(
                code: .handshakeFailed, message: "the peer closed the connection during the TLS handshake"))
        case .active:
            context.fireErrorCaught(TLSError(
                code: .uncleanShutdown, message: "the peer closed the connection without sending close_notify"))
        case .idle, .handshaking, .closing, .closed:
            break
        }
        context.fireChannelInactive()
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        do {
            connection = try SSLConnection(context: tlsContext)
            readBuffer = context.channel.allocator.buffer(capacity: Self.readChunkSize)
            state = .handshaking
        } catch {
            fail(context: context, error: error)
        }
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let ciphertext = unwrapInboundIn(data)
        switch state {
        case .handshaking, .active:
            break
        case .idle, .closing, .closed:
            // Nothing to do with bytes before we started or after we began closing.
            return
        }
        guard let connection else { return }
        receivedCiphertext = true
        do {
            try connection.receive(ciphertext)
        } catch {
            fail(context: context, error: error)
            return
        }
        if case .handshaking = state {
            continueHandshake(context: context, connection: connection)
        }
        if case .active = state {
            decrypt(context: context, connection: connection)
        }
        if case .active = state, flushedWriteCount > 0 {
            // A write that OpenSSL refused until it had read (WANT_READ) can go now.
            encryptFlushedWrites(context: context)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if passedOnPlaintext {
            passedOnPlaintext = false
            context.fireChannelReadComplete()
            return
        }
        // Nothing passed on, so nobody downstream will ask for more: without auto-read, the
        // handshake (or a record split across reads) would stall unless we ask ourselves.
        switch state {
        case .handshaking, .active:
            let autoRead = (try? context.channel.syncOptions?.getOption(ChannelOptions.autoRead)) ?? true
            if !autoRead { context.read() }
        case .idle, .closing, .closed:
            break
        }
    }

    private func continueHandshake(context: ChannelHandlerContext, connection: SSLConnection) {
        let result = connection.handshake()
        // Our handshake messages, or the alert explaining a failure.
        sendPendingCiphertext(context: context)
        switch result {
        case .needsInput:
            return
        case .failed(let error):
            fail(context: context, error: error)
        case .complete:
            state = .active
            context.fireUserInboundEventTriggered(
                TLSHandshakeCompleted(negotiatedProtocol: connection.negotiatedProtocol))
            // Writes that waited for the handshake (and any the event's handlers just made).
            if case .active = state, flushedWriteCount > 0 {
                encryptFlushedWrites(context: context)
            }
        }
    }

    /// Decrypts everything the read BIO holds, passing plaintext on in chunks of at most
    /// `readChunkSize` bytes, so a burst from the network never becomes one huge buffer.
    private func decrypt(context: ChannelHandlerContext, connection: SSLConnection) {
        var buffer = readBuffer ?? context.channel.allocator.buffer(capacity: Self.readChunkSize)
        readBuffer = nil
        buffer.clear()
        defer {
            if case .closed = state {} else { readBuffer = buffer }
        }
        while case .active = state {
            let room = Self.readChunkSize - buffer.readableBytes
            let result = connection.read(into: &buffer, limit: room)
            switch result {
            case .readSome:
                if buffer.readableBytes >= Self.readChunkSize {
                    passOn(context: context, plaintext: &buffer)
                }
            case .needsInput:
                passOn(context: context, plaintext: &buffer)
                // Post-handshake messages (e.g. a KeyUpdate) may have produced a reply.
                sendPendingCiphertext(context: context)
                return
            case .closeNotify:
                passOn(context: context, plaintext: &buffer)
                if case .active = state {
                    beginClosing(context: context, promise: nil)
                }
                return
            case .failed(let error):
                passOn(context: context, plaintext: &buffer)
                fail(context: context, error: error)
                return
            }
        }
    }

    private func passOn(context: ChannelHandlerContext, plaintext buffer: inout ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        passedOnPlaintext = true
        context.fireChannelRead(wrapInboundOut(buffer))
        // Reuses the storage if the next handler has let go of it, else allocates afresh.
        buffer.clear()
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch state {
        case .idle, .handshaking, .active:
            pendingWrites.append(PendingWrite(data: unwrapOutboundIn(data), promise: promise))
        case .closing, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        flushedWriteCount = pendingWrites.count
        if case .active = state {
            encryptFlushedWrites(context: context)
        }
        // Before the handshake completes the flush is remembered and honoured afterwards.
    }

    /// Encrypts the flushed writes, passes the ciphertext on and flushes the channel.
    private func encryptFlushedWrites(context: ChannelHandlerContext) {
        guard !isEncrypting, let connection else { return }
        isEncrypting = true
        defer { isEncrypting = false }

        // Promises of writes whose ciphertext is entirely in the write BIO: they complete
        // with the channel write that takes it.
        var encrypted: [EventLoopPromise<Void>] = []
        while case .active = state, flushedWriteCount > 0, var write = pendingWrites.popFirst() {
            flushedWriteCount -= 1
            while write.data.readableBytes > 0 {
                switch connection.write(&write.data, limit: Self.writeChunkSize) {
                case .wroteSome:
                    break
                case .needsInput:
                    // Retried (from where it stopped) after the next read from the network.
                    pendingWrites.prepend(write)
                    flushedWriteCount += 1
                    sendCiphertext(context: context, promises: encrypted, flush: true)
                    return
                case .failed(let error):
                    write.promise?.fail(error)
                    encrypted.forEach { $0.fail(error) }
                    fail(context: context, error: error)
                    return
                }
                if connection.pendingCiphertextCount >= Self.ciphertextHighWater {
                    sendCiphertext(context: context, promises: encrypted, flush: false)
                    encrypted.removeAll()
                    guard case .active = state else {
                        // Closed while passing it on (a promise callback may close).
                        write.promise?.fail(ChannelError.ioOnClosedChannel)
                        return
                    }
                }
            }
            if let promise = write.promise { encrypted.append(promise) }
        }
        sendCiphertext(context: context, promises: encrypted, flush: true)
    }

    /// Passes the write BIO's ciphertext to the channel with `promises` attached; with
    /// promises but no ciphertext (empty writes), an empty write keeps them in order.
    private func sendCiphertext(context: ChannelHandlerContext, promises: [EventLoopPromise<Void>], flush: Bool) {
        let promise = combine(promises, on: context.eventLoop)
        if let ciphertext = connection?.takeCiphertext(allocator: context.channel.allocator) {
            context.write(wrapOutboundOut(ciphertext), promise: promise)
        } else if let promise {
            context.write(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise)
        } else if !flush {
            return
        }
        if flush { context.flush() }
    }

    /// Sends and flushes whatever ciphertext OpenSSL produced on its own (handshake messages,
    /// alerts, post-handshake replies), if any.
    private func sendPendingCiphertext(context: ChannelHandlerContext) {
        guard let connection, connection.pendingCiphertextCount > 0 else { return }
        sendCiphertext(context: context, promises: [], flush: true)
    }

    private func combine(_ promises: [EventLoopPromise<Void>], on eventLoop: EventLoop) -> EventLoopPromise<Void>? {
        switch promises.count {
        case 0:
            return nil
        case 1:
            return promises[0]
        default:
            let combined = eventLoop.makePromise(of: Void.self)
            combined.futureResult.whenComplete { result in
                for promise in promises { promise.completeWith(result) }
            }
            return combined
        }
    }

    // MARK: Closing

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch mode {
        case .output:
            // TLS half-closure is not something HTTP needs.
            promise?.fail(ChannelError.operationUnsupported)
            return
        case .input:
            context.close(mode: .input, promise: promise)
            return
        case .all:
            break
        }
        switch state {
        case .active:
            beginClosing(context: context, promise: promise)
        case .closing:
            // Already on its way (bounded by the shutdown timer).
            if let promise { context.channel.closeFuture.cascade(to: promise) }
        case .idle, .handshaking:
            // No close_notify before the handshake is done: just close.
            state = .closed
            failPendingWrites(ChannelError.ioOnClosedChannel)
            context.close(mode: .all, promise: promise)
        case .closed:
            context.close(mode: .all, promise: promise)
        }
    }

    /// Sends close_notify after everything flushed so far, then closes the channel once it
    /// has been written or `shutdownTimeout` has passed.
    private func beginClosing(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        state = .closing
        // Unflushed writes are dropped, as closing a channel does.
        failPendingWrites(ChannelError.ioOnClosedChannel)
        if let promise { context.channel.closeFuture.cascade(to: promise) }

        connection?.shutdown()
        let written = context.eventLoop.makePromise(of: Void.self)
        sendCiphertext(context: context, promises: [written], flush: true)
        written.futureResult.assumeIsolated().whenComplete { _ in
            self.finishClosing(context: context)
        }
        if case .closing = state {
            shutdownTimer = context.eventLoop.assumeIsolated().scheduleTask(in: shutdownTimeout) {
                self.finishClosing(context: context)
            }
        }
    }

    private func finishClosing(context: ChannelHandlerContext) {
        guard case .closing = state else { return }
        state = .closed
        cancelShutdownTimer()
        context.close(mode: .all, promise: nil)
    }

    /// Reports `error` and closes the channel, after sending any alert OpenSSL queued.
    private func fail(context: ChannelHandlerContext, error: Error) {
        switch state {
        case .closed:
            return
        case .idle, .handshaking, .active, .closing:
            break
        }
        state = .closed
        cancelShutdownTimer()
        sendPendingCiphertext(context: context)
        failPendingWrites(error)
        context.fireErrorCaught(error)
        context.close(mode: .all, promise: nil)
    }

    private func failPendingWrites(_ error: Error) {
        flushedWriteCount = 0
        while let write = pendingWrites.popFirst() {
            write.promise?.fail(error)
        }
    }

    private func cancelShutdownTimer() {
        shutdownTimer?.cancel()
        shutdownTimer = nil
    }
}

@available(*, unavailable)
extension TLSServerHandler: Sendable {}
