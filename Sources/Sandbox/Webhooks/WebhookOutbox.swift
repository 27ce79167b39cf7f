import Foundation

/// What a sandbox's webhook sender shows and accepts through the front door
/// (`/__sandbox/webhooks`): tests read deliveries, change the subscription
/// while the sandbox runs, and start an intent-to-receive check.
public protocol WebhookOutbox: Sendable {
    /// Subscription status, queue depth and the last deliveries (a JSON object).
    func state() async -> Data
    /// Changes the subscription from a JSON object; an error text when it cannot.
    func configure(_ body: Data) async -> String?
    /// Runs the provider's subscription check, if it has one; whether it passed.
    func intentToReceive() async -> Bool?
    /// Forgets queued events and the delivery log.
    func reset() async
}

extension WebhookOutbox {
    /// A state object as the JSON `state()` answers with.
    static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    /// A settings body as an object, or nil when it is not one.
    static func settings(_ body: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }
}
