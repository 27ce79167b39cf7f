#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Waits for socket readiness on behalf of suspended tasks.
///
/// Why a reactor thread: libpq's non-blocking API tells us *what* to wait for
/// (readable, writable) but the wait itself must happen somewhere. Doing it on
/// Swift's cooperative pool or an NIO event loop would block a shared thread,
/// so one dedicated thread sits in `poll(2)` over every socket that currently
/// has a waiter, and resumes the waiting task's continuation when its socket is
/// ready (psycopg 3's "protocol as generators, I/O as pluggable waiters" split:
/// `PostgresConnection` holds the protocol steps, this type is the waiter).
/// A thread per connection would cost a context switch per query on top of
/// this; one poller shared by all connections costs one wake-up per readiness.
final class IOReactor: Sendable {
    static let shared = IOReactor()

    enum Interest: Sendable {
        case read, write, readWrite

        var pollEvents: Int16 {
            switch self {
            case .read: Int16(POLLIN)
            case .write: Int16(POLLOUT)
            case .readWrite: Int16(POLLIN | POLLOUT)
            }
        }
    }

    /// What the socket became ready for; errors and hang-ups count as both, so
    /// the next libpq call surfaces them.
    struct Readiness: Sendable {
        var readable: Bool
        var writable: Bool
    }

    enum WaitOutcome: Sendable {
        case ready(Readiness)
        case timedOut
    }

    private struct Waiter {
        var fd: Int32
        var events: Int16
        var deadline: UInt64?
        var continuation: CheckedContinuation<WaitOutcome, any Error>
    }

    private struct State {
        var waiters: [UInt64: Waiter] = [:]
        var cancelledBeforeRegistration: Set<UInt64> = []
        var nextID: UInt64 = 1
    }

    private let state = Mutex(State())
    /// A self-pipe: writing a byte to `wakeWrite` interrupts `poll` so it picks up new waiters.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe failed: \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        let thread = Thread { [self] in self.run() }
        thread.name = "ledgerbridge.pg-reactor"
        thread.start()
    }

    /// Suspends until `fd` is ready for `interest`, or until `deadline`
    /// (monotonic nanoseconds). When `cancellable` is false the wait ignores
    /// task cancellation: the caller has its own way to end the operation
    /// (a query cancel request) and must keep reading until the server answers.
    func wait(fd: Int32, for interest: Interest, deadline: UInt64? = nil, cancellable: Bool) async throws -> WaitOutcome {
        let id = state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        // poll(2) ignores negative descriptors: such a wait would never end.
        if fd < 0 { return .ready(Readiness(readable: true, writable: true)) }
        let register = { (continuation: CheckedContinuation<WaitOutcome, any Error>) in
            let cancelledEarly = self.state.withLock { state -> Bool in
                if state.cancelledBeforeRegistration.remove(id) != nil { return true }
                state.waiters[id] = Waiter(fd: fd, events: interest.pollEvents, deadline: deadline, continuation: continuation)
                return false
            }
            if cancelledEarly {
                continuation.resume(throwing: CancellationError())
            } else {
                self.wake()
            }
        }
        guard cancellable else {
            return try await withCheckedThrowingContinuation(register)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation(register)
        } onCancel: {
            let waiter = self.state.withLock { state -> Waiter? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                state.cancelledBeforeRegistration.insert(id)
                return nil
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)  // a full pipe already means "wake up"
    }

    private func run() {
        var pollFDs: [pollfd] = []
        var ids: [UInt64] = []
        while true {
            pollFDs.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
            pollFDs.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            let nearestDeadline: UInt64? = state.withLock { state in
                var nearest: UInt64?
                for (id, waiter) in state.waiters {
                    ids.append(id)
                    pollFDs.append(pollfd(fd: waiter.fd, events: waiter.events, revents: 0))
                    if let deadline = waiter.deadline { nearest = min(nearest ?? deadline, deadline) }
                }
                return nearest
            }
            var timeoutMS: Int32 = -1
            if let nearestDeadline {
                let now = MonotonicClock.now
                timeoutMS = nearestDeadline <= now ? 0 : Int32(clamping: (nearestDeadline - now + 999_999) / 1_000_000)
            }
            let rc = poll(&pollFDs, nfds_t(pollFDs.count), timeoutMS)
            if rc < 0 && errno != EINTR {
                fatalError("poll failed: \(errno)")
            }
            if pollFDs[0].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 256)
                while Glibc.read(wakeRead, &drain, drain.count) > 0 {}
            }
            let now = MonotonicClock.now
            var toResume: [(CheckedContinuation<WaitOutcome, any Error>, WaitOutcome)] = []
            state.withLock { state in
                for (index, id) in ids.enumerated() {
                    let revents = pollFDs[index + 1].revents
                    guard let waiter = state.waiters[id] else { continue }
                    if revents != 0 {
                        let failed = revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0
                        let readiness = Readiness(
                            readable: failed || revents & Int16(POLLIN) != 0,
                            writable: failed || revents & Int16(POLLOUT) != 0
                        )
                        state.waiters[id] = nil
                        toResume.append((waiter.continuation, .ready(readiness)))
                    } else if let deadline = waiter.deadline, deadline <= now {
                        state.waiters[id] = nil
                        toResume.append((waiter.continuation, .timedOut))
                    }
                }
            }
            for (continuation, outcome) in toResume {
                continuation.resume(returning: outcome)
            }
        }
    }
}

/// Monotonic nanoseconds, for deadlines that must not jump with the wall clock.
enum MonotonicClock {
    static var now: UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func deadline(after seconds: Double) -> UInt64 {
        now + UInt64(max(0, seconds) * 1_000_000_000)
    }
}
