import Cryptography
import Foundation

/// Xero's webhook sender for the app: every organisation's CONTACT, INVOICE
/// and CREDITNOTE changes, batched, signed with the app's webhook key
/// (`x-xero-signature` = Base64(HMAC-SHA256(key, raw body))), delivered in
/// order with retries. Nothing is sent until the receiver passes the
/// intent-to-receive check; a subscription whose retries run out is
/// disabled until the check passes again. Events raised meanwhile are kept
/// and go out, in order, once it is healthy.
public actor XeroWebhookSender: WebhookOutbox {
    public struct Configuration: Sendable {
        public var url: String
        public var key: String
        public var retry = WebhookRetrySchedule.xero
        /// Events raised within this window after the first go out together.
        public var batchWindow: Duration = .milliseconds(200)
        public var maxEventsPerDelivery = 100
        /// Correctly signed checks in an intent-to-receive round (as many mis-signed ones go too).
        public var intentToReceiveChecks = 2

        public init(url: String, key: String) {
            self.url = url
            self.key = key
        }

        /// Why the settings cannot be used, if they cannot.
        public var problem: String? {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                return "the webhook URL must be an absolute http(s) URL"
            }
            if key.isEmpty { return "the webhook key must not be empty" }
            if retry.delays.isEmpty { return "the retry schedule needs at least one delay" }
            if maxEventsPerDelivery < 1 { return "maxEventsPerDelivery must be at least 1" }
            return nil
        }
    }

    public enum Status: String, Sendable {
        /// No URL configured: changes are not recorded.
        case off
        /// Waiting for (or running) the intent-to-receive check.
        case pendingIntentToReceive = "PENDING_INTENT_TO_RECEIVE"
        case failedIntentToReceive = "FAILED_INTENT_TO_RECEIVE"
        case ok = "OK"
        /// Retries ran out; the next intent-to-receive check re-enables it.
        case disabled = "DISABLED"
    }

    private var configuration: Configuration?
    private(set) var status: Status = .off
    /// Where `resourceUrl` points: the sandbox's own address, so following it works.
    private var apiBaseURL = "https://api.xero.com"
    private var queue: [XeroWebhookEvent] = []
    private var lastSequence: Int32 = 0
    private var log = WebhookLog()
    private var delivering: Task<Void, Never>?
    /// Which delivery loop is current: a loop cancelled by a reset must not clear its successor.
    private var deliveryGeneration = 0
    private var random: SeededGenerator
    private let faults: FaultInjector?
    private let poster = WebhookPoster()
    /// Bounded: a receiver that stays down for days must not exhaust memory.
    private let queueCapacity = 100_000

    public init(configuration: Configuration?, seed: UInt64, faults: FaultInjector? = nil) {
        self.configuration = configuration
        self.random = SeededGenerator(seed: seed ^ 0x5745_4248_4F4F_4B53)
        self.faults = faults
        status = configuration == nil ? .off : .pendingIntentToReceive
    }

    /// Starts once the sandbox knows its address: runs the first intent-to-receive check.
    public func start(apiBaseURL: String) {
        self.apiBaseURL = apiBaseURL
        if configuration != nil { Task { _ = await self.intentToReceive() } }
    }

    /// Records changes for delivery (dropped when no subscription is configured).
    func enqueue(_ events: [XeroWebhookEvent]) {
        guard status != .off, !events.isEmpty else { return }
        queue.append(contentsOf: events)
        if queue.count > queueCapacity { queue.removeFirst(queue.count - queueCapacity) }
        deliverIfIdle()
    }

    // MARK: Intent to receive

    /// Xero's check: several empty-event payloads, some signed with the key
    /// and some not; the receiver must answer 200 (empty body) to each
    /// correct one and 401 to each wrong one.
    public func intentToReceive() async -> Bool? {
        guard let configuration else { return nil }
        status = .pendingIntentToReceive
        var checks = Array(repeating: true, count: configuration.intentToReceiveChecks)
            + Array(repeating: false, count: configuration.intentToReceiveChecks)
        checks.shuffle(using: &random)
        var passed = true
        for correctlySigned in checks {
            let body = payload(events: [], first: 0, last: 0)
            let signature = correctlySigned ? sign(body, key: configuration.key) : sign(body, key: configuration.key + "-wrong-\(random.next())")
            let outcome = await poster.post(to: configuration.url, headers: [("x-xero-signature", signature)], body: body)
            record("intent-to-receive", attempt: 1, outcome, events: 0)
            let expected = correctlySigned ? outcome == .answered(status: 200, body: "") : outcome.status == 401
            if !expected { passed = false }
        }
        // The subscription may have changed while the checks ran.
        guard self.configuration?.url == configuration.url else { return passed }
        status = passed ? .ok : .failedIntentToReceive
        if passed { deliverIfIdle() }
        return passed
    }

    // MARK: Delivery

    private func deliverIfIdle() {
        guard status == .ok, delivering == nil, !queue.isEmpty else { return }
        deliveryGeneration += 1
        let generation = deliveryGeneration
        delivering = Task { await self.deliverQueue(generation: generation) }
    }

    private func deliverQueue(generation: Int) async {
        defer { if deliveryGeneration == generation { delivering = nil } }
        guard let window = configuration?.batchWindow else { return }
        try? await Task.sleep(for: window)
        while status == .ok, let configuration, !queue.isEmpty, !Task.isCancelled {
            let batch = Array(queue.prefix(configuration.maxEventsPerDelivery))
            let first = lastSequence &+ 1
            let body = payload(events: batch, first: first, last: first &+ Int32(batch.count - 1))
            guard await deliver(body, events: batch.count, configuration: configuration) else {
                status = .disabled
                return
            }
            // The subscription changed or a reset happened meanwhile: nothing to remove.
            guard self.configuration?.url == configuration.url, queue.starts(with: batch) else { continue }
            lastSequence = first &+ Int32(batch.count - 1)
            queue.removeFirst(batch.count)
        }
        // Events raised during the last delivery.
        if status == .ok, !queue.isEmpty, !Task.isCancelled { Task { self.deliverIfIdle() } }
    }

    /// One batch until it is accepted or the retry schedule gives up.
    private func deliver(_ body: [UInt8], events: Int, configuration: Configuration) async -> Bool {
        let signature = sign(body, key: configuration.key)
        let started = ContinuousClock.now
        var attempt = 1
        while true {
            let outcome = await poster.post(to: configuration.url, headers: [("x-xero-signature", signature)], body: body)
            record("events", attempt: attempt, outcome, events: events)
            if let status = outcome.status, (200..<300).contains(status) {
                // The chaos option: the same delivery twice, as at-least-once delivery allows.
                if faults?.fireOutgoing(.duplicateDelivery, url: configuration.url) != nil {
                    let again = await poster.post(to: configuration.url, headers: [("x-xero-signature", signature)], body: body)
                    record("duplicate", attempt: attempt, again, events: events)
                }
                return true
            }
            guard let wait = configuration.retry.delay(after: attempt, elapsed: ContinuousClock.now - started) else { return false }
            try? await Task.sleep(for: wait)
            if Task.isCancelled { return false }
            attempt += 1
        }
    }

    private func payload(events: [XeroWebhookEvent], first: Int32, last: Int32) -> [UInt8] {
        let entropy = String((0..<20).map { _ in Self.entropyAlphabet.randomElement(using: &random)! })
        let object: [String: Any] = ["events": events.map { $0.json(apiBaseURL: apiBaseURL) },
                                     "firstEventSequence": Int(first), "lastEventSequence": Int(last), "entropy": entropy]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8))
    }

    private static let entropyAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    private func sign(_ body: [UInt8], key: String) -> String {
        Data(HMAC.sha256(key: Array(key.utf8), message: body)).base64EncodedString()
    }

    private func record(_ purpose: String, attempt: Int, _ outcome: WebhookPoster.Outcome, events: Int) {
        var error: String?
        if case .failed(let text) = outcome { error = text }
        log.append(WebhookRecord(at: Date(), purpose: purpose, url: configuration?.url ?? "", attempt: attempt,
                                 status: outcome.status, error: error, eventCount: events))
    }

    // MARK: WebhookOutbox

    public func state() -> Data {
        Self.encode(["provider": "xero", "status": status.rawValue, "url": configuration?.url ?? NSNull(), "queued": queue.count,
         "lastEventSequence": Int(lastSequence), "deliveries": log.records.map(\.json)])
    }

    /// `{"url": …, "key": …, "retryDelays": [seconds…], "giveUpAfterSeconds": …, "batchWindowMs": …}`
    /// — as changing the subscription in Xero's developer portal, it starts an
    /// intent-to-receive check. `{"url": null}` switches webhooks off.
    public func configure(_ body: Data) async -> String? {
        guard let settings = Self.settings(body) else { return "the body is not a JSON object" }
        if settings["url"] is NSNull {
            configuration = nil
            status = .off
            queue = []
            return nil
        }
        guard let url = settings["url"] as? String else { return "give the webhook url (or null to switch webhooks off)" }
        var next = Configuration(url: url, key: settings["key"] as? String ?? configuration?.key ?? "")
        if let current = configuration {
            next.retry = current.retry
            next.batchWindow = current.batchWindow
            next.maxEventsPerDelivery = current.maxEventsPerDelivery
        }
        if let delays = settings["retryDelays"] as? [Double] {
            guard delays.allSatisfy({ $0 >= 0 && $0 <= 86_400 }) else { return "retryDelays are seconds from 0 to 86400" }
            next.retry.delays = delays.map { .milliseconds(Int64($0 * 1000)) }
        }
        if let giveUp = settings["giveUpAfterSeconds"] as? Double {
            guard giveUp > 0, giveUp <= 31 * 86_400 else { return "giveUpAfterSeconds must be from 0 to 31 days" }
            next.retry.giveUpAfter = .milliseconds(Int64(giveUp * 1000))
        }
        if let window = settings["batchWindowMs"] as? Int {
            guard (0...60_000).contains(window) else { return "batchWindowMs must be 0 to 60000" }
            next.batchWindow = .milliseconds(window)
        }
        if let problem = next.problem { return problem }
        configuration = next
        status = .pendingIntentToReceive
        Task { _ = await self.intentToReceive() }
        return nil
    }

    public func reset() {
        delivering?.cancel()
        delivering = nil
        deliveryGeneration += 1
        queue = []
        log = WebhookLog()
        lastSequence = 0
        if configuration != nil, status == .disabled { status = .ok }
    }
}
