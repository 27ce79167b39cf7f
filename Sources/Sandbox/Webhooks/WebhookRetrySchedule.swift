import Foundation

/// When a failed delivery is tried again. Xero retries "with decreasing
/// frequency" for up to 24 hours and then disables the subscription; Cin7
/// tries 6 times (1 min after the event, then +5, +10, +15, +20, +25 min)
/// and then deactivates the webhook. Both are configurable so tests can run
/// the whole schedule in seconds.
public struct WebhookRetrySchedule: Sendable, Equatable {
    /// Waits between attempts; past the end the last one repeats.
    public var delays: [Duration]
    /// Attempts before giving up (nil: until `giveUpAfter`).
    public var maxAttempts: Int?
    /// How long after the first attempt the sender gives up (nil: never by time).
    public var giveUpAfter: Duration?

    public init(delays: [Duration], maxAttempts: Int? = nil, giveUpAfter: Duration? = nil) {
        self.delays = delays
        self.maxAttempts = maxAttempts
        self.giveUpAfter = giveUpAfter
    }

    /// Xero: an immediate retry, then less and less often, for a day.
    public static let xero = WebhookRetrySchedule(
        delays: [.seconds(1), .seconds(60), .seconds(300), .seconds(900)], giveUpAfter: .seconds(24 * 3600))

    /// Cin7 Core: 6 attempts, the waits between them 5, 10, 15, 20 and 25 minutes.
    public static let cin7 = WebhookRetrySchedule(
        delays: [.seconds(300), .seconds(600), .seconds(900), .seconds(1200), .seconds(1500)], maxAttempts: 6)

    /// The wait before attempt `attempt + 1`, or nil when the sender gives up.
    func delay(after attempt: Int, elapsed: Duration) -> Duration? {
        if let maxAttempts, attempt >= maxAttempts { return nil }
        guard let last = delays.last else { return nil }
        let wait = attempt - 1 < delays.count ? delays[attempt - 1] : last
        if let giveUpAfter, elapsed + wait > giveUpAfter { return nil }
        return wait
    }

    /// Parses "1,5,30" (seconds; decimals allowed) as delays.
    public static func delays(parsing text: String) -> [Duration]? {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { return nil }
        var delays: [Duration] = []
        for part in parts {
            guard let seconds = Double(part), seconds >= 0, seconds <= 86_400 else { return nil }
            delays.append(.milliseconds(Int64(seconds * 1000)))
        }
        return delays
    }
}
