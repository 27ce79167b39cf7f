import CLibPQ

/// A NOTIFY received on a session that LISTENs.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    public var senderPID: Int32
}

extension PostgresConnection {
    /// Waits until notifications arrive (returning them) or `timeout` passes (returning none).
    /// Task cancellation ends the wait with `CancellationError`.
    func waitForNotifications(timeout: Double) async throws -> [PostgresNotification] {
        var received = drainNotifications()
        if !received.isEmpty { return received }
        try throwIfBroken()
        let outcome = try await IOReactor.shared.wait(
            fd: socket, for: .read, deadline: MonotonicClock.deadline(after: timeout), cancellable: true)
        if case .ready = outcome {
            guard try withHandle({ PQconsumeInput($0) }) == 1 else { throw brokenError() }
            if try withHandle({ PQstatus($0) }) != CONNECTION_OK { throw brokenError() }
            received = drainNotifications()
        }
        return received
    }

    func drainNotifications() -> [PostgresNotification] {
        guard let pg = try? withHandle({ $0 }) else { return [] }
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(pg) {
            received.append(PostgresNotification(
                channel: String(cString: notify.pointee.relname),
                payload: String(cString: notify.pointee.extra),
                senderPID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return received
    }

    func discardNotifications() {
        _ = drainNotifications()
    }
}
