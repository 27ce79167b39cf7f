import NIOCore

/// Ends an established connection that has had nothing in flight for `timeout`:
/// an abandoned client (or one that opens connections and leaves them) must not hold
/// a socket and its buffers forever. The protocol handler arms it whenever its last
/// request or stream ends and disarms it when a new one begins, so a long-running
/// stream (a server-streaming Watch) keeps its connection however quiet it is.
///
/// Arming and disarming only note the time: one scheduled task at most is
/// pending, and when it fires it checks how long the connection has really
/// been idle, expiring it or sleeping for the rest. A keep-alive connection
/// serving thousands of requests a second schedules no task per request.
/// Event-loop bound (a class, so the pending task can read the latest state).
final class IdleTimer {
    /// nil: never fires.
    let timeout: TimeAmount?
    private var scheduled: Scheduled<Void>?
    /// When the connection last became idle; nil while something is in flight.
    private var idleSince: NIODeadline?
    private var expired: (() -> Void)?

    init(timeout: TimeAmount?) {
        self.timeout = timeout
    }

    var isArmed: Bool { idleSince != nil }

    /// (Re)starts the countdown; `expired` runs on the event loop unless disarmed first.
    func arm(_ context: ChannelHandlerContext, expired: @escaping () -> Void) {
        guard let timeout else { return }
        idleSince = .now()
        self.expired = expired
        if scheduled == nil { schedule(on: context.eventLoop, at: .now() + timeout) }
    }

    func disarm() {
        idleSince = nil
        expired = nil
    }

    /// The connection is going away: nothing is left pending.
    func cancel() {
        disarm()
        scheduled?.cancel()
        scheduled = nil
    }

    private func schedule(on loop: any EventLoop, at deadline: NIODeadline) {
        scheduled = loop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            scheduled = nil
            guard let since = idleSince, let timeout else { return }
            let due = since + timeout
            if due <= .now() {
                let fire = expired
                disarm()
                fire?()
            } else {
                // Busy since this task was scheduled: wait for the rest of the new idle period.
                schedule(on: loop, at: due)
            }
        }
    }
}
