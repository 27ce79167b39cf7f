import Foundation

/// Applies Cin7Limits: a rolling window per account (or per application) and,
/// once it is full, the configured refusal with its `Retry-After`.
struct Cin7RateLimits: Sendable {
    let limits: Cin7Limits
    let limiter: RateLimiter

    init(_ limits: Cin7Limits) {
        self.limits = limits
        limiter = RateLimiter(windows: [.init(name: "minute", limit: limits.callsPerWindow, length: limits.window)], maxConcurrent: nil)
    }

    /// Nil when the call may go ahead (and is counted); else the refusal.
    func admit(accountID: String, applicationKey: String, now: ContinuousClock.Instant = .now) -> (failure: Cin7Failure, retryAfter: String)? {
        let key = switch limits.keying {
        case .account: accountID
        case .application: accountID + "\u{0}" + applicationKey
        }
        guard case .refused(_, let wait) = limiter.admit(key, now: now) else { return nil }
        let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
        let header = switch limits.retryAfter {
        case .seconds: String(seconds)
        case .secondsWithUnit: "\(seconds) Seconds"
        }
        // The portal's sentence (apib:124), with the configured numbers; no body
        // is documented for the 429, so it carries the same Error Model.
        let milliseconds = limits.window.components.seconds * 1000 + limits.window.components.attoseconds / 1_000_000_000_000_000
        let per = switch milliseconds {
        case 60_000: "minute"
        case let ms where ms % 1000 == 0: "\(ms / 1000) seconds"
        case let ms: "\(ms) milliseconds"
        }
        return (Cin7Failure(limits.status.rawValue, "You reached \(limits.callsPerWindow) calls per \(per) API limit"), header)
    }

    func reset() {
        limiter.reset()
    }
}
