import NIOCore

/// Ends an established connection that has had nothing in flight for `timeout`:
/// an abandoned client (or one that opens connections and leaves them) must not hold
/// a socket and its buffers forever. The protocol handler arms it whenever its last
/// request or stream ends and disarms it when a new one begins, so a long-running
/// stream (a server-streaming Watch) keeps its connection however quiet it is.
struct IdleTimer {
    /// nil: never fires.
    let timeout: TimeAmount?
    private var scheduled: Scheduled<Void>?

    init(timeout: TimeAmount?) {
        self.timeout = timeout
    }

    var isArmed: Bool { scheduled != nil }

    /// (Re)starts the countdown; `expired` runs on the event loop unless disarmed first.
    mutating func arm(_ context: ChannelHandlerContext, expired: @escaping () -> Void) {
        disarm()
        guard let timeout else { return }
        scheduled = context.eventLoop.assumeIsolated().scheduleTask(in: timeout, expired)
    }

    mutating func disarm() {
        scheduled?.cancel()
        scheduled = nil
    }
}
