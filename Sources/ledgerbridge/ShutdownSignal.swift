import Dispatch
import Foundation

/// SIGINT and SIGTERM, caught from the moment `install()` returns: install
/// before announcing "ready", so a supervisor's SIGTERM right after it is a
/// graceful shutdown, not the default action (death by signal).
// @unchecked: both properties are immutable after init, and dispatch sources are thread-safe.
final class ShutdownSignal: @unchecked Sendable {
    private let signals: AsyncStream<String>
    // Kept alive for the life of the process; their handlers feed `signals`.
    private let sources: [any DispatchSourceSignal]

    private init(signals: AsyncStream<String>, sources: [any DispatchSourceSignal]) {
        self.signals = signals
        self.sources = sources
    }

    static func install() -> ShutdownSignal {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingOldest(1))
        let sources = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            return source
        }
        return ShutdownSignal(signals: stream, sources: sources)
    }

    /// Suspends until the first signal (or returns it at once if it came already), and returns its name.
    func wait() async -> String {
        for await name in signals { return name }
        return "SIGTERM"
    }
}
