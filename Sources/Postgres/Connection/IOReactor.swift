import CLibPQ
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Waits for socket readiness on behalf of suspended tasks.
///
/// Why a reactor thread: libpq's non-blocking API tells us *what* to wait for
/// (readable, writable) but the wait itself must happen somewhere. Doing it on
/// Swift's cooperative pool or an NIO event loop would block a shared thread,
/// so one dedicated thread sits in `epoll_wait` and resumes the waiting task's
/// continuation when its socket is ready (psycopg 3's split: the protocol steps
/// live in `PostgresConnection`, this type is the waiter). A thread per
/// connection would add a hand-off per statement; here a waiting task arms its
/// socket with one `epoll_ctl` (EPOLLONESHOT) from its own thread and the
/// reactor wakes only when a socket is ready or a deadline passes.
final class IOReactor: Sendable {
    static let shared = IOReactor()

    enum Interest: Sendable {
        case read, write, readWrite

        var epollEvents: UInt32 {
            switch self {
            case .read: EPOLLIN.rawValue
            case .write: EPOLLOUT.rawValue
            case .readWrite: EPOLLIN.rawValue | EPOLLOUT.rawValue
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
        var id: UInt64
        var deadline: UInt64?
        var continuation: CheckedContinuation<WaitOutcome, any Error>
    }

    private struct State {
        /// At most one waiter per socket: a session is used by one task at a time.
        var waiters: [Int32: Waiter] = [:]
        var cancelledBeforeRegistration: Set<UInt64> = []
        var nextID: UInt64 = 1
        var deadlines = 0
    }

    private let state = Mutex(State())
    private let epollFD: Int32
    /// A self-pipe in the epoll set: a byte written to it makes the reactor
    /// recompute its timeout after a waiter with a deadline registered.
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epollFD >= 0, "epoll_create1 failed: \(errno)")
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "pipe failed: \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeRead
        precondition(epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeRead, &event) == 0, "epoll_ctl failed: \(errno)")
        let thread = Thread { [self] in self.run() }
        thread.name = "ledgerbridge.pg-reactor"
        thread.start()
    }

    /// Suspends until `fd` is ready for `interest`, or until `deadline`
    /// (monotonic nanoseconds). When `cancellable` is false the wait ignores
    /// task cancellation: the caller has its own way to end the operation
    /// (a query cancel request) and must keep reading until the server answers.
    func wait(fd: Int32, for interest: Interest, deadline: UInt64? = nil, cancellable: Bool) async throws -> WaitOutcome {
        // A closed socket (-1) has nothing to wait for; the caller's next libpq call fails.
        if fd < 0 { return .ready(Readiness(readable: true, writable: true)) }
        let id = state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        let register = { (continuation: CheckedContinuation<WaitOutcome, any Error>) in
            let cancelledEarly = self.state.withLock { state -> Bool in
                if state.cancelledBeforeRegistration.remove(id) != nil { return true }
                state.waiters[fd] = Waiter(id: id, deadline: deadline, continuation: continuation)
                if deadline != nil { state.deadlines += 1 }
                return false
            }
            if cancelledEarly {
                continuation.resume(throwing: CancellationError())
                return
            }
            self.arm(fd, interest)
            if deadline != nil { self.wake() }
        }
        guard cancellable else {
            return try await withCheckedThrowingContinuation(register)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation(register)
        } onCancel: {
            let waiter = self.state.withLock { state -> Waiter? in
                if let waiter = state.waiters[fd], waiter.id == id {
                    state.waiters[fd] = nil
                    if waiter.deadline != nil { state.deadlines -= 1 }
                    return waiter
                }
                state.cancelledBeforeRegistration.insert(id)
                return nil
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Arms `fd` for one event. The socket may be new to the set, or a number
    /// reused after an earlier socket closed (the kernel drops closed ones).
    private func arm(_ fd: Int32, _ interest: Interest) {
        var event = epoll_event()
        event.events = interest.epollEvents | EPOLLONESHOT.rawValue
        event.data.fd = fd
        if epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event) == 0 { return }
        if errno == ENOENT, epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 { return }
        // Not a pollable socket: report it ready so the caller's libpq call surfaces the error.
        let waiter = state.withLock { state -> Waiter? in
            let waiter = state.waiters.removeValue(forKey: fd)
            if waiter?.deadline != nil { state.deadlines -= 1 }
            return waiter
        }
        waiter?.continuation.resume(returning: .ready(Readiness(readable: true, writable: true)))
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)  // a full pipe already means "wake up"
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        var drain = [UInt8](repeating: 0, count: 256)
        while true {
            let nearestDeadline: UInt64? = state.withLock { state in
                guard state.deadlines > 0 else { return nil }
                return state.waiters.values.compactMap(\.deadline).min()
            }
            var timeoutMS: Int32 = -1
            if let nearestDeadline {
                let now = MonotonicClock.now
                timeoutMS = nearestDeadline <= now ? 0 : Int32(clamping: (nearestDeadline - now + 999_999) / 1_000_000)
            }
            let count = epoll_wait(epollFD, &events, Int32(events.count), timeoutMS)
            if count < 0 && errno != EINTR {
                fatalError("epoll_wait failed: \(errno)")
            }
            var toResume: [(CheckedContinuation<WaitOutcome, any Error>, WaitOutcome)] = []
            var woken = false
            state.withLock { state in
                for index in 0..<max(0, Int(count)) {
                    let fd = events[index].data.fd
                    if fd == wakeRead {
                        woken = true
                        continue
                    }
                    guard let waiter = state.waiters.removeValue(forKey: fd) else { continue }
                    if waiter.deadline != nil { state.deadlines -= 1 }
                    let flags = events[index].events
                    let failed = flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
                    toResume.append((waiter.continuation, .ready(Readiness(
                        readable: failed || flags & EPOLLIN.rawValue != 0,
                        writable: failed || flags & EPOLLOUT.rawValue != 0))))
                }
                if state.deadlines > 0 {
                    let now = MonotonicClock.now
                    for (fd, waiter) in state.waiters {
                        guard let deadline = waiter.deadline, deadline <= now else { continue }
                        state.waiters[fd] = nil
                        state.deadlines -= 1
                        toResume.append((waiter.continuation, .timedOut))
                    }
                }
            }
            if woken {
                while Glibc.read(wakeRead, &drain, drain.count) > 0 {}
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
