/// Xero's API limits (../shared/reference/xero-api.md §3), each configurable:
/// per organisation 5 in flight, 60 a minute, 5,000 a day; per app 10,000 a minute.
public struct XeroLimits: Sendable {
    public var concurrentPerOrganisation = 5
    public var perMinutePerOrganisation = 60
    public var perDayPerOrganisation = 5000
    public var perMinutePerApp = 10_000

    public init() {}

    /// Limits high enough never to bite: for benchmarks.
    public static let unlimited: XeroLimits = {
        var limits = XeroLimits()
        limits.concurrentPerOrganisation = .max
        limits.perMinutePerOrganisation = .max
        limits.perDayPerOrganisation = .max
        limits.perMinutePerApp = .max
        return limits
    }()
}

/// Applies XeroLimits to calls and produces Xero's headers and 429s.
struct XeroRateLimits: Sendable {
    let organisation: RateLimiter
    let app: RateLimiter

    init(_ limits: XeroLimits) {
        organisation = RateLimiter(windows: [
            .init(name: "minute", limit: limits.perMinutePerOrganisation, length: .seconds(60)),
            .init(name: "day", limit: limits.perDayPerOrganisation, length: .seconds(86_400)),
        ], maxConcurrent: limits.concurrentPerOrganisation)
        app = RateLimiter(windows: [.init(name: "appminute", limit: limits.perMinutePerApp, length: .seconds(60))], maxConcurrent: nil)
    }

    /// Runs `call` if the organisation's and the app's budgets allow, adding the
    /// remaining-budget headers to whatever it answers.
    func around(tenant: String, clientID: String, _ call: () async -> SandboxResponse) async -> SandboxResponse {
        let appDecision = app.check(clientID)
        guard case .admitted(let appRemaining) = appDecision else { return refusal(appDecision) }
        let decision = organisation.check(tenant)
        guard case .admitted(let remaining) = decision else { return refusal(decision) }
        defer { organisation.finish(tenant) }
        var response = await call()
        // Indexed in the order of the windows above.
        response.setHeader("x-minlimit-remaining", String(remaining[0]))
        response.setHeader("x-daylimit-remaining", String(remaining[1]))
        response.setHeader("x-appminlimit-remaining", String(appRemaining[0]))
        return response
    }

    private func refusal(_ decision: RateLimiter.Admission) -> SandboxResponse {
        switch decision {
        case .refused(let window, let retryAfter):
            let seconds = Int((Double(retryAfter.components.seconds) + Double(retryAfter.components.attoseconds) / 1e18).rounded(.up))
            return SandboxResponse.empty(429, headers: [("retry-after", String(seconds)), ("x-rate-limit-problem", window)])
        case .tooManyConcurrent:
            // Xero documents no Retry-After for the concurrent limit.
            return SandboxResponse.empty(429, headers: [("x-rate-limit-problem", "concurrent")])
        case .admitted:
            preconditionFailure("not a refusal")
        }
    }
}
