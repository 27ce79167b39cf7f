import RPC
@testable import Services
import XCTest

/// The status a metric records must be the one the caller was sent.
final class CallOutcomeTests: XCTestCase {
    struct Unexpected: Error {}

    func testTheMappingMatchesCallRunnersAndTheDeadline() {
        let now = ContinuousClock.now
        let passed = now - .milliseconds(1)
        let future = now + .seconds(60)
        let cases: [(error: (any Error)?, deadline: ContinuousClock.Instant?, cancelled: Bool, expected: RPCCode, line: UInt)] = [
            (nil, nil, false, .ok, #line),
            (nil, future, false, .ok, #line),
            // Cancelled but returned anyway: the client went away, nothing else happened.
            (nil, nil, true, .ok, #line),
            // The deadline cancelled it and it returned late: the caller got DEADLINE_EXCEEDED.
            (nil, passed, true, .deadlineExceeded, #line),
            // Finished after the deadline but before the timer fired: it was not cancelled, the caller got OK.
            (nil, passed, false, .ok, #line),
            (RPCError(.notFound, "x"), nil, false, .notFound, #line),
            (RPCError(.unauthenticated, "x"), future, false, .unauthenticated, #line),
            (RPCError(.deadlineExceeded, "x"), nil, false, .deadlineExceeded, #line),
            (CancellationError(), nil, true, .cancelled, #line),
            (CancellationError(), future, true, .cancelled, #line),
            (CancellationError(), passed, true, .deadlineExceeded, #line),
            (CancellationError(), passed, false, .deadlineExceeded, #line),
            // Whatever a handler throws once its deadline cancelled it, the caller got DEADLINE_EXCEEDED.
            (Unexpected(), passed, true, .deadlineExceeded, #line),
            (RPCError(.unavailable, "x"), passed, true, .deadlineExceeded, #line),
            (Unexpected(), nil, false, .internal, #line),
            (Unexpected(), future, true, .internal, #line),
        ]
        for item in cases {
            XCTAssertEqual(CallOutcome.code(error: item.error, deadline: item.deadline, cancelled: item.cancelled, now: now),
                           item.expected, line: item.line)
        }
    }

    func testCanonicalNamesAreGRPCs() {
        XCTAssertEqual(RPCCode.allCases.map(\.canonicalName), [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ])
        XCTAssertEqual(RPCCode.allCases.map(\.rawValue), Array(0...16))
    }
}
