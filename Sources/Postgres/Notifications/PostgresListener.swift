import Logging

/// LISTEN on a dedicated session outside the pool, as an AsyncSequence.
///
/// The session is private to the listener (a pooled one would hand the LISTEN
/// to other callers). When it breaks, the listener reconnects with backoff and
/// LISTENs again, then yields `.subscribed` once more: notifications sent while
/// it was away are lost, so consumers should treat `.subscribed` as "re-check
/// whatever you were waiting for" (the job queue polls once on it).
public enum PostgresListener {
    public enum Event: Sendable, Equatable {
        /// The LISTEN is in place (first time, or again after a reconnect).
        case subscribed
        case notification(PostgresNotification)
    }

    /// Starts listening on `channels`. Iteration ends when the consuming task is
    /// cancelled or stops iterating; the session is closed then.
    public static func events(
        configuration: PostgresConfiguration,
        channels: [String],
        reconnectDelay: Double = 0.1,
        maxReconnectDelay: Double = 2,
        logger: Logger = Logger(label: "ledgerbridge.postgres.listener")
    ) throws -> AsyncStream<Event> {
        for channel in channels where !isValidChannel(channel) {
            throw PostgresError(kind: .protocolViolation, message: "invalid LISTEN channel name \(channel): use lower-case letters, digits, _ and .")
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(10_000))
        let task = Task {
            var delay = reconnectDelay
            while !Task.isCancelled {
                var connection: PostgresConnection?
                do {
                    let session = try await PostgresConnection.connect(configuration)
                    connection = session
                    // LISTEN takes an identifier, not a parameter; names were validated above.
                    for channel in channels {
                        try await session.executeScript("LISTEN \"\(channel)\"")
                    }
                    delay = reconnectDelay
                    continuation.yield(.subscribed)
                    while !Task.isCancelled {
                        for notification in try await session.waitForNotifications(timeout: 30) {
                            continuation.yield(.notification(notification))
                        }
                    }
                } catch is CancellationError {
                    connection?.close()
                    break
                } catch {
                    connection?.close()
                    logger.warning("listener connection lost; reconnecting", metadata: ["error": "\(error)", "delay": "\(delay)"])
                    try? await Task.sleep(for: .seconds(delay))
                    delay = min(maxReconnectDelay, delay * 2)
                }
                connection?.close()
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    static func isValidChannel(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 63 && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" || $0 == "." }
    }
}
