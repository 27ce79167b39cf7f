/// How long a failed job waits before its next attempt: exponential in the
/// attempt number, capped, with ±10% jitter so jobs that failed together
/// (a provider outage) do not all come back together.
public struct RetryPolicy: Sendable {
    public var base: Double
    public var cap: Double

    /// 5 s, 10 s, 20 s … up to an hour: ten attempts span about an hour and a half.
    public init(base: Double = 5, cap: Double = 3600) {
        self.base = base
        self.cap = cap
    }

    /// Seconds to wait after failed attempt `attempt` (from 1).
    public func delay(afterAttempt attempt: Int) -> Double {
        let exponent = Double(min(max(attempt - 1, 0), 30))
        let plain = min(cap, base * Double(1 << Int(exponent)))
        return max(0, plain * Double.random(in: 0.9...1.1))
    }
}
