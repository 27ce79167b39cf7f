import Foundation
import Synchronization

/// Sliding-window call budgets and a concurrency cap, per key: the shape of
/// both Xero's limits (per organisation and per app) and Cin7 Core's.
public final class RateLimiter: Sendable {
    public struct Window: Sendable, Equatable {
        /// The name a breach reports (Xero's `X-Rate-Limit-Problem`: minute, day, ...).
        public var name: String
        public var limit: Int
        public var length: Duration

        public init(name: String, limit: Int, length: Duration) {
            self.name = name
            self.limit = limit
            self.length = length
        }
    }

    public enum Decision: Sendable, Equatable {
        /// Admitted; what is left in each window after this call.
        case admitted(remaining: [String: Int])
        /// Refused by the window named, which frees up after `retryAfter`.
        case refused(window: String, retryAfter: Duration)
        case tooManyConcurrent
    }

    private struct State {
        /// Per key, per window: the calls still inside it, oldest first.
        var calls: [String: [TimestampQueue]] = [:]
        var inFlight: [String: Int] = [:]
    }

    private let windows: [Window]
    private let maxConcurrent: Int?
    private let state = Mutex(State())

    public init(windows: [Window], maxConcurrent: Int?) {
        self.windows = windows
        self.maxConcurrent = maxConcurrent
    }

    /// Counts a call against `key` if every window and the concurrency cap
    /// allow it; an admitted call must be ended with `finish(key)`.
    public func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Decision {
        switch check(key, now: now) {
        case .admitted(let remaining):
            return .admitted(remaining: Dictionary(zip(windows.map(\.name), remaining), uniquingKeysWith: { $1 }))
        case .refused(let window, let retryAfter):
            return .refused(window: window, retryAfter: retryAfter)
        case .tooManyConcurrent:
            return .tooManyConcurrent
        }
    }

    /// `admit`'s answer with what is left as an array in `windows`' order: no
    /// dictionary built for every call (the sandboxes' gates use this).
    enum Admission {
        case admitted(remaining: [Int])
        case refused(window: String, retryAfter: Duration)
        case tooManyConcurrent
    }

    func check(_ key: String, now: ContinuousClock.Instant = .now) -> Admission {
        state.withLock { state in
            if let maxConcurrent, state.inFlight[key, default: 0] >= maxConcurrent { return .tooManyConcurrent }
            // Mutated in place in the dictionary: a copy would copy the queues on every call.
            let admission = Self.count(now: now, windows: windows, in: &state.calls[key, default: Array(repeating: TimestampQueue(), count: windows.count)])
            if case .admitted = admission, maxConcurrent != nil { state.inFlight[key, default: 0] += 1 }
            return admission
        }
    }

    private static func count(now: ContinuousClock.Instant, windows: [Window], in queues: inout [TimestampQueue]) -> Admission {
        var remaining: [Int] = []
        remaining.reserveCapacity(windows.count)
        for (index, window) in windows.enumerated() {
            queues[index].dropOlder(than: now - window.length)
            if queues[index].count >= window.limit {
                // The oldest call in the window leaves it first.
                let retry = window.length - (now - (queues[index].oldest ?? now))
                return .refused(window: window.name, retryAfter: max(retry, .seconds(1)))
            }
            remaining.append(window.limit - queues[index].count - 1)
        }
        for index in queues.indices { queues[index].append(now) }
        return .admitted(remaining: remaining)
    }

    public func finish(_ key: String) {
        guard maxConcurrent != nil else { return }
        state.withLock { $0.inFlight[key, default: 1] -= 1 }
    }

    public func reset() {
        state.withLock { $0 = State() }
    }
}

/// The calls in a window, counted in one-second buckets: memory stays bounded by
/// the window's length in seconds however many calls arrive (a day window at
/// thousands of calls a second would otherwise keep every timestamp), at the cost
/// of calls leaving the window up to a second early.
struct TimestampQueue: Sendable {
    private var buckets: [(start: ContinuousClock.Instant, count: Int)] = []
    private var head = 0
    private(set) var count = 0

    var oldest: ContinuousClock.Instant? { head < buckets.count ? buckets[head].start : nil }

    mutating func append(_ instant: ContinuousClock.Instant) {
        count += 1
        if let last = buckets.last, head < buckets.count, instant - last.start < .seconds(1) {
            buckets[buckets.count - 1].count += 1
        } else {
            buckets.append((instant, 1))
        }
    }

    mutating func dropOlder(than cutoff: ContinuousClock.Instant) {
        while head < buckets.count, buckets[head].start <= cutoff {
            count -= buckets[head].count
            head += 1
        }
        // Compact once the dead prefix is most of the storage.
        if head > 64 && head * 2 > buckets.count {
            buckets.removeFirst(head)
            head = 0
        }
    }
}
