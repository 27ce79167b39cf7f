import Logging
import NIOCore

/// Runs one call the same way for every protocol: deadline, interceptors,
/// and the mapping of whatever the handler threw to a status.
struct CallRunner: Sendable {
    let interceptors: [any RPCInterceptor]
    let logger: Logger

    func run(_ method: RegisteredMethod, requests: RequestMessages, codec: Codec, context: RPCContext,
             send: @escaping @Sendable (ByteBuffer) async throws -> Void) async -> RPCError? {
        do {
            try await withDeadline(context.deadline) {
                try await self.intercept(context, index: 0) {
                    try await method.invoke(requests, codec, context, send)
                }
            }
            return nil
        } catch {
            return status(for: error, context: context)
        }
    }

    private func intercept(_ context: RPCContext, index: Int, _ call: @escaping @Sendable () async throws -> Void) async throws {
        guard index < interceptors.count else { return try await call() }
        try await interceptors[index].intercept(context) {
            try await self.intercept(context, index: index + 1, call)
        }
    }

    /// Cancels the call at the deadline: the handler's task sees cancellation,
    /// the caller gets DEADLINE_EXCEEDED.
    private func withDeadline(_ deadline: ContinuousClock.Instant?, _ body: @escaping @Sendable () async throws -> Void) async throws {
        guard let deadline else { return try await body() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                throw RPCError(.deadlineExceeded, "the call's deadline passed")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    func status(for error: any Error, context: RPCContext) -> RPCError {
        switch error {
        case let error as RPCError:
            return error
        case is CancellationError:
            if let deadline = context.deadline, ContinuousClock.now >= deadline {
                return RPCError(.deadlineExceeded, "the call's deadline passed")
            }
            return RPCError(.cancelled, "the call was cancelled")
        default:
            // Details stay in the log: a response never carries internals.
            logger.error("handler failed", metadata: ["method": "\(context.method)", "request_id": "\(context.requestID)", "error": "\(error)"])
            return RPCError(.internal, "internal error (request id \(context.requestID))")
        }
    }
}
