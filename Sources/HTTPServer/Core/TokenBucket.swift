import NIOCore

/// A token bucket: starts full with `burst` tokens, refills at `ratePerSecond` up to
/// `burst`, and each event takes one. An empty bucket means the peer is doing
/// something faster than any well-behaved client would, for longer than a burst.
///
/// Pure: the caller passes the time, so tests can drive it without sleeping.
struct TokenBucket {
    let burst: Int
    let ratePerSecond: Int
    private var tokens: Double
    private var last: NIODeadline?

    init(burst: Int, ratePerSecond: Int) {
        precondition(burst > 0 && ratePerSecond >= 0)
        self.burst = burst
        self.ratePerSecond = ratePerSecond
        self.tokens = Double(burst)
    }

    /// Takes one token at `now`; false when there was none left.
    mutating func take(at now: NIODeadline) -> Bool {
        if let last, now > last {
            let seconds = Double((now - last).nanoseconds) / 1_000_000_000
            tokens = min(Double(burst), tokens + seconds * Double(ratePerSecond))
        }
        if last == nil || now > last! { last = now }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
