import Foundation

/// One way to misbehave, on the calls a rule matches: what the sandbox's
/// admin endpoint (`/__sandbox/faults`) accepts as JSON, e.g.
/// `{"method":"GET","path":"/api.xro/2.0/Contacts*","fault":"status","status":503,"times":2}`.
public struct FaultRule: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Answer `status` (500, 502, 503…) with a short plain-text body, without calling the API.
        case status
        /// Answer as the API does when its rate limit is breached.
        case rateLimit
        /// Call the API, then wait `delayMs` before answering.
        case slow
        /// Never answer: the client's timeout ends the call.
        case timeout
        /// Call the API and send its answer with the JSON cut short.
        case malformedJSON
        /// Call the API, send the head and half the body, then drop the connection.
        case drop
        /// Call the API (the write happens) and drop the connection before any answer.
        case lostResponse
        /// Outgoing: a webhook delivery the receiver accepted is sent once more.
        /// `path` matches the path of the receiver's URL.
        case duplicateDelivery

        /// Faults of the sandbox's own deliveries, not of calls to it.
        var isOutgoing: Bool { self == .duplicateDelivery }
    }

    public var id: UUID?
    /// An HTTP method, or nil for any.
    public var method: String?
    /// A path, `*` as a trailing wildcard (`/api.xro/2.0/Invoices*`), or nil for any.
    public var path: String?
    public var fault: Kind
    public var status: Int?
    public var delayMs: Int?
    /// Fire on this many matching calls, then retire; nil for every call.
    public var times: Int?
    /// Fire on this share of matching calls (0…1), drawn from the seeded generator; nil = always.
    public var probability: Double?

    public init(method: String? = nil, path: String? = nil, fault: Kind, status: Int? = nil, delayMs: Int? = nil, times: Int? = nil, probability: Double? = nil) {
        self.method = method
        self.path = path
        self.fault = fault
        self.status = status
        self.delayMs = delayMs
        self.times = times
        self.probability = probability
    }

    func matches(method: String, path: String) -> Bool {
        if let wanted = self.method, wanted.uppercased() != method { return false }
        guard let wantedPath = self.path?.lowercased() else { return true }
        let candidate = path.lowercased()
        if wantedPath.hasSuffix("*") { return candidate.hasPrefix(wantedPath.dropLast()) }
        return candidate == wantedPath
    }

    /// Why the rule cannot be used, if it cannot.
    public var problem: String? {
        switch fault {
        case .status:
            guard let status, (400...599).contains(status) else { return "fault status needs a status from 400 to 599" }
        case .slow:
            guard let delayMs, delayMs > 0, delayMs <= 600_000 else { return "fault slow needs delayMs from 1 to 600000" }
        default:
            break
        }
        if let times, times < 1 { return "times must be at least 1" }
        if let probability, !(0...1).contains(probability) { return "probability must be from 0 to 1" }
        return nil
    }
}
