import Synchronization

/// Lets one caller at a time through per `interval`: the opportunistic
/// housekeeping that rides along with requests runs now and then, not on
/// every request.
final class SweepThrottle: Sendable {
    private let last = Mutex<ContinuousClock.Instant?>(nil)
    let interval: Duration

    init(interval: Duration) {
        self.interval = interval
    }

    /// Whether this caller should do the work now (and so the next ones not, for `interval`).
    func claim(now: ContinuousClock.Instant = .now) -> Bool {
        last.withLock { last in
            if let previous = last, now - previous < interval { return false }
            last = now
            return true
        }
    }
}
