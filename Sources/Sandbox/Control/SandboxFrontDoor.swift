import Foundation

/// What a sandbox offers its operator besides the API.
public protocol ResettableSandbox: SandboxAPI {
    /// Back to the state it started with (the seeded data); OAuth grants stay.
    func reset() async
    /// Record counts by collection, for tests and the demo.
    func recordCounts() async -> [String: Int]
    /// How the API answers a rate-limit breach (for the `rateLimit` fault).
    func rateLimitResponse() -> SandboxResponse
    /// The sandbox's webhook sender, if it sends any.
    var webhooks: (any WebhookOutbox)? { get }
}

extension ResettableSandbox {
    public var webhooks: (any WebhookOutbox)? { nil }
}

/// Wraps a sandbox with what tests and chaos runs need: fault injection, call
/// counts, and the admin endpoints under `/__sandbox/` (never part of the real
/// APIs, so no client of them can hit these by accident):
/// - `GET /__sandbox/state`: call counts per endpoint and status, record counts, fault rules;
/// - `POST /__sandbox/reset`: data back to the seed, counts to zero, faults cleared;
/// - `GET|POST|DELETE /__sandbox/faults`, `DELETE /__sandbox/faults/{id}`;
/// - `GET|PUT /__sandbox/webhooks`: the sender's state and deliveries, its
///   subscription; `POST /__sandbox/webhooks/intent-to-receive`.
public struct SandboxFrontDoor: SandboxAPI {
    let api: any ResettableSandbox
    public let faults: FaultInjector
    public let calls = CallCounter()

    /// `faults` is shared with the sandbox when its webhooks obey outgoing rules.
    public init(api: any ResettableSandbox, seed: UInt64, faults: FaultInjector? = nil) {
        self.api = api
        self.faults = faults ?? FaultInjector(seed: seed)
    }

    public func respond(to request: SandboxRequest) async -> SandboxResponse {
        if request.path.hasPrefix("/__sandbox/") { return await admin(request) }
        let response = await withFaults(request)
        // A call whose answer never arrived is counted under status 0.
        let delivered = response.disposition == .normal
        calls.record(method: request.method, path: request.path, status: delivered ? response.status : 0)
        return response
    }

    private func withFaults(_ request: SandboxRequest) async -> SandboxResponse {
        guard let rule = faults.fire(method: request.method, path: request.path) else { return await api.respond(to: request) }
        switch rule.fault {
        case .status:
            let status = rule.status ?? 500
            return .text(status, status == 503 ? "Service Unavailable" : status == 502 ? "Bad Gateway" : "Internal Server Error")
        case .rateLimit:
            return api.rateLimitResponse()
        case .timeout:
            var response = SandboxResponse(status: 504)
            response.disposition = .hang
            return response
        case .slow:
            let response = await api.respond(to: request)
            try? await Task.sleep(for: .milliseconds(rule.delayMs ?? 1000))
            return response
        case .malformedJSON:
            var response = await api.respond(to: request)
            response.body = Array(response.body.prefix(max(1, response.body.count / 2)))
            return response
        case .drop:
            var response = await api.respond(to: request)
            response.disposition = .dropAfter(bytes: max(1, response.body.count / 2))
            return response
        case .lostResponse:
            var response = await api.respond(to: request)
            response.disposition = .dropAfter(bytes: 0)
            return response
        case .duplicateDelivery:
            // Outgoing only; `fire` never returns it for a call.
            return await api.respond(to: request)
        }
    }

    private func admin(_ request: SandboxRequest) async -> SandboxResponse {
        let parts = request.path.split(separator: "/").dropFirst().map(String.init)
        switch (request.method, parts) {
        case ("GET", ["state"]):
            let counts = calls.snapshot.mapValues { byStatus in Dictionary(uniqueKeysWithValues: byStatus.map { (String($0.key), $0.value) }) }
            let rules = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(faults.rules))) ?? []
            return .json(200, object: ["calls": counts, "records": await api.recordCounts(), "faults": rules] as [String: Any])
        case ("POST", ["reset"]):
            await api.reset()
            await api.webhooks?.reset()
            calls.reset()
            faults.clear()
            return .empty(204)
        case ("GET", ["faults"]):
            return .json(200, Array((try? JSONEncoder().encode(faults.rules)) ?? Data("[]".utf8)))
        case ("POST", ["faults"]):
            guard let rule = try? JSONDecoder().decode(FaultRule.self, from: Data(request.body)) else {
                return .json(400, object: ["error": "the body is not a fault rule"])
            }
            if let problem = rule.problem { return .json(400, object: ["error": problem]) }
            return .json(201, Array((try? JSONEncoder().encode(faults.add(rule))) ?? Data()))
        case ("DELETE", ["faults"]):
            faults.clear()
            return .empty(204)
        case ("GET", ["webhooks"]):
            guard let outbox = api.webhooks else { return .json(404, object: ["error": "this sandbox sends no webhooks"]) }
            return .json(200, Array(await outbox.state()))
        case ("PUT", ["webhooks"]):
            guard let outbox = api.webhooks else { return .json(404, object: ["error": "this sandbox sends no webhooks"]) }
            if let problem = await outbox.configure(Data(request.body)) { return .json(400, object: ["error": problem]) }
            return .json(200, Array(await outbox.state()))
        case ("POST", ["webhooks", "intent-to-receive"]):
            guard let outbox = api.webhooks, let passed = await outbox.intentToReceive() else {
                return .json(409, object: ["error": "no webhook subscription is configured"])
            }
            return .json(200, object: ["passed": passed])
        case ("DELETE", let path) where path.count == 2 && path[0] == "faults":
            guard let id = UUID(uuidString: path[1]), faults.remove(id: id) else { return .json(404, object: ["error": "no such fault rule"]) }
            return .empty(204)
        default:
            return .json(404, object: ["error": "unknown sandbox admin endpoint \(request.method) \(request.path)"])
        }
    }
}
