import NIOCore

/// One request/response exchange on an HTTP/2 connection, as seen from the event loop.
final class HTTP2ServerStream {
    let id: Int32
    var headers: [(name: String, value: String)] = []
    /// Size of `headers` as RFC 9113 counts it (name + value + 32 per field); counted in the budget.
    var headerBytes = 0
    /// Refused at its first HEADERS (RST_STREAM(REFUSED_STREAM) queued): nothing of it is kept or run.
    var refused = false
    var body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation?
    var task: Task<Void, Never>?
    /// The handler task has returned.
    var handlerDone = false
    /// The stream closed before the response was finished while its handler still
    /// ran (the peer reset it): counted until the handler returns.
    var orphaned = false
    /// Body bytes received but not yet taken by the handler: credited back to the
    /// connection window if the stream closes first.
    var unconsumed = 0
    /// The peer has sent END_STREAM.
    var requestComplete = false

    // Response state.
    var headSent = false
    /// Body bytes written by the handler and not yet taken by nghttp2.
    var outbound = ByteBuffer()
    var finished = false
    var trailers: [(name: String, value: String)]?
    /// nghttp2 was told "deferred": it waits for resumeData.
    var deferred = false
    /// Writers suspended because `outbound` (or the connection's queue) is over its high-water mark.
    var drainWaiters: [EventLoopPromise<Void>] = []
    var closed = false

    init(id: Int32) {
        self.id = id
    }
}
