import RPC

/// The status a call's caller is sent, as seen from inside an interceptor.
///
/// CallRunner owns the mapping (RPCError keeps its code, CancellationError is
/// CANCELLED, anything else INTERNAL) but keeps it internal; this repeats it so
/// metrics count what the caller actually got, and adds the one thing an
/// interceptor sees differently: the deadline.
enum CallOutcome {
    /// - Parameters:
    ///   - error: what `next()` threw, nil when it returned.
    ///   - cancelled: whether the interceptor's task was cancelled by then.
    static func code(error: (any Error)?, deadline: ContinuousClock.Instant?, cancelled: Bool,
                     now: ContinuousClock.Instant = .now) -> RPCCode {
        // Interceptors run inside CallRunner's deadline task group. When the deadline
        // fires, the group throws DEADLINE_EXCEEDED to the caller and cancels the
        // handler, whose own error (CancellationError, a driver error, or even a late
        // success) is discarded: count what the caller was sent.
        if let deadline, now >= deadline, cancelled || error is CancellationError {
            return .deadlineExceeded
        }
        switch error {
        case nil: return .ok
        case let error as RPCError: return error.code
        case is CancellationError: return .cancelled
        default: return .internal
        }
    }
}

extension RPCCode {
    /// gRPC's canonical name ("NOT_FOUND"), the spelling dashboards and alerts
    /// written for other gRPC servers expect in a `code` label.
    public var canonicalName: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        }
    }
}
