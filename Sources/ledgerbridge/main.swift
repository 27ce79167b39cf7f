import ArgumentParser
import NIOCore
import NIOPosix

// Swift concurrency's global executor becomes NIO's event loops, before any task
// exists: a request's handler task then runs on an event-loop thread, and its
// hand-offs to the connection's loop are cheap enqueues instead of wake-ups of
// another pool's threads (the RPC profile spent about a quarter of its CPU on
// those hops). Nothing in our tasks blocks a thread: the database waits on its
// own epoll reactor.
_ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

// What `@main` on an AsyncParsableCommand would do, spelled out because the
// executor has to be installed first.
do {
    var command = try LedgerBridgeCommand.parseAsRoot()
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(&asyncCommand)
    } else {
        try command.run()
    }
} catch {
    LedgerBridgeCommand.exit(withError: error)
}

/// Calls the async `run()` (on the existential, overload resolution picks the sync one).
func runAsync<Command: AsyncParsableCommand>(_ command: inout Command) async throws {
    try await command.run()
}
