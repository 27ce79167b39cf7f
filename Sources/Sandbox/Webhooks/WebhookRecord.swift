import Foundation

/// One delivery attempt, as `/__sandbox/webhooks` shows it to tests.
struct WebhookRecord: Sendable {
    let at: Date
    /// What the attempt was for: `intent-to-receive`, `events`, `duplicate`.
    let purpose: String
    let url: String
    let attempt: Int
    /// The receiver's status, or nil when no answer came.
    let status: Int?
    let error: String?
    let eventCount: Int
    /// The subscription it was for, where the provider has several (Cin7).
    var webhookID: String? = nil

    var json: [String: Any] {
        var object: [String: Any] = ["at": ISO8601DateFormatter().string(from: at), "purpose": purpose, "url": url,
                                     "attempt": attempt, "eventCount": eventCount]
        if let status { object["status"] = status }
        if let error { object["error"] = error }
        if let webhookID { object["webhookID"] = webhookID }
        return object
    }
}

/// The last deliveries, bounded so a long chaos run cannot grow memory.
struct WebhookLog: Sendable {
    private(set) var records: [WebhookRecord] = []
    let capacity: Int

    init(capacity: Int = 500) {
        self.capacity = capacity
    }

    mutating func append(_ record: WebhookRecord) {
        if records.count >= capacity { records.removeFirst(records.count - capacity + 1) }
        records.append(record)
    }
}
