import Foundation

/// Delivers Cin7 Core's webhooks: each event to each active subscription of
/// its type, on Cin7's schedule — the first attempt a minute after the event,
/// then 5, 10, 15, 20 and 25 minutes apart; after 6 failures the webhook is
/// deactivated (`IsActive=false`). Deliveries are independent: Cin7 promises
/// no order. The schedule is configurable so tests run it in seconds.
public actor Cin7WebhookSender: WebhookOutbox {
    public struct Configuration: Sendable {
        /// The wait before the first attempt, then between attempts.
        public var delays: [Duration] = [.seconds(60), .seconds(300), .seconds(600), .seconds(900), .seconds(1200), .seconds(1500)]
        public var attempts = 6

        public init() {}
    }

    /// One event for one subscription.
    struct Delivery: Sendable {
        let webhookID: String
        let url: String
        let headers: [(String, String)]
        let body: [UInt8]
        /// Tells the company to set `IsActive=false` when every attempt failed.
        let deactivate: @Sendable () async -> Void
    }

    private var configuration: Configuration
    private var log = WebhookLog()
    private var inFlight: [Int: Task<Void, Never>] = [:]
    private var nextID = 0
    private let faults: FaultInjector?
    private let poster = WebhookPoster()

    public init(configuration: Configuration = Configuration(), faults: FaultInjector? = nil) {
        self.configuration = configuration
        self.faults = faults
    }

    func send(_ deliveries: [Delivery]) {
        for delivery in deliveries {
            nextID += 1
            let id = nextID
            inFlight[id] = Task { await self.run(delivery, id: id) }
        }
    }

    private func run(_ delivery: Delivery, id: Int) async {
        defer { inFlight[id] = nil }
        let configuration = self.configuration
        for attempt in 1...max(1, configuration.attempts) {
            let wait = attempt - 1 < configuration.delays.count ? configuration.delays[attempt - 1] : configuration.delays.last ?? .zero
            try? await Task.sleep(for: wait)
            if Task.isCancelled { return }
            let outcome = await poster.post(to: delivery.url, headers: delivery.headers, body: delivery.body)
            record("events", delivery, attempt: attempt, outcome)
            if let status = outcome.status, (200..<300).contains(status) {
                if faults?.fireOutgoing(.duplicateDelivery, url: delivery.url) != nil {
                    record("duplicate", delivery, attempt: attempt, await poster.post(to: delivery.url, headers: delivery.headers, body: delivery.body))
                }
                return
            }
        }
        await delivery.deactivate()
    }

    private func record(_ purpose: String, _ delivery: Delivery, attempt: Int, _ outcome: WebhookPoster.Outcome) {
        var error: String?
        if case .failed(let text) = outcome { error = text }
        log.append(WebhookRecord(at: Date(), purpose: purpose, url: delivery.url, attempt: attempt, status: outcome.status,
                                 error: error, eventCount: 1, webhookID: delivery.webhookID))
    }

    // MARK: WebhookOutbox

    public func state() -> Data {
        Self.encode(["provider": "cin7", "pending": inFlight.count, "deliveries": log.records.map(\.json),
         "delaysSeconds": configuration.delays.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 },
         "attempts": configuration.attempts])
    }

    /// `{"delaysSeconds": [first, then between attempts…], "attempts": n}`.
    public func configure(_ body: Data) -> String? {
        guard let settings = Self.settings(body) else { return "the body is not a JSON object" }
        var next = configuration
        if let delays = settings["delaysSeconds"] as? [Double] {
            guard !delays.isEmpty, delays.allSatisfy({ $0 >= 0 && $0 <= 86_400 }) else { return "delaysSeconds are seconds from 0 to 86400" }
            next.delays = delays.map { .milliseconds(Int64($0 * 1000)) }
        }
        if let attempts = settings["attempts"] as? Int {
            guard (1...20).contains(attempts) else { return "attempts must be 1 to 20" }
            next.attempts = attempts
        }
        configuration = next
        return nil
    }

    /// Cin7 has no subscription check (it signs nothing).
    public func intentToReceive() -> Bool? { nil }

    public func reset() {
        for task in inFlight.values { task.cancel() }
        inFlight = [:]
        log = WebhookLog()
    }
}
