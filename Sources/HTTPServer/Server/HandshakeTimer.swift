import NIOCore

/// Closes a connection that has not settled its protocol in time (no preface,
/// no TLS handshake): idle sockets must not be held open forever.
struct HandshakeTimer {
    private var scheduled: Scheduled<Void>?

    mutating func start(_ context: ChannelHandlerContext, after timeout: TimeAmount) {
        let channel = context.channel
        scheduled = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    mutating func cancel() {
        scheduled?.cancel()
        scheduled = nil
    }
}
