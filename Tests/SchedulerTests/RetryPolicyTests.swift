import Testing
@testable import Scheduler

@Suite struct RetryPolicyTests {
    @Test func delaysDoubleWithJitterUpToTheCap() {
        let policy = RetryPolicy(base: 5, cap: 3600)
        for (attempt, plain) in [(1, 5.0), (2, 10.0), (3, 20.0), (8, 640.0), (12, 3600.0), (40, 3600.0)] {
            let delay = policy.delay(afterAttempt: attempt)
            #expect(delay >= plain * 0.9 && delay <= plain * 1.1, "attempt \(attempt): \(delay)")
        }
    }

    @Test func jitterSpreadsJobsThatFailedTogether() {
        let delays = Set((0..<50).map { _ in RetryPolicy().delay(afterAttempt: 3) })
        #expect(delays.count > 40)
    }
}
