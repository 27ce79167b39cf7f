@testable import HTTPServer
import NIOCore
import XCTest

/// The pure parts of the connection limits: token buckets, the read gate, the
/// budget's shares and thresholds, the abuse guard, the settings derived from them.
final class LimitLogicTests: XCTestCase {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func testTokenBucketAllowsABurstThenTheRate() {
        var bucket = TokenBucket(burst: 3, ratePerSecond: 2)
        XCTAssertTrue(bucket.take(at: start))
        XCTAssertTrue(bucket.take(at: start))
        XCTAssertTrue(bucket.take(at: start))
        XCTAssertFalse(bucket.take(at: start), "the burst is spent")
        XCTAssertFalse(bucket.take(at: start + .milliseconds(400)), "0.8 tokens back: not yet one")
        XCTAssertTrue(bucket.take(at: start + .milliseconds(600)), "1.2 tokens back")
        XCTAssertFalse(bucket.take(at: start + .milliseconds(600)))
        // A long pause refills only up to the burst.
        for _ in 0..<3 { XCTAssertTrue(bucket.take(at: start + .seconds(100))) }
        XCTAssertFalse(bucket.take(at: start + .seconds(100)))
    }

    func testTokenBucketIgnoresTimeGoingBackwards() {
        var bucket = TokenBucket(burst: 1, ratePerSecond: 1)
        XCTAssertTrue(bucket.take(at: start + .seconds(5)))
        XCTAssertFalse(bucket.take(at: start), "an earlier time does not refill")
        XCTAssertFalse(bucket.take(at: start + .milliseconds(5500)))
        XCTAssertTrue(bucket.take(at: start + .milliseconds(6100)))
    }

    func testReadGateHoldsBackReadsWhileClosed() {
        var gate = ReadGate.open
        XCTAssertTrue(gate.requestRead())
        gate.close()
        XCTAssertFalse(gate.open(), "no read was asked for while closed")
        gate.close()
        XCTAssertFalse(gate.requestRead())
        XCTAssertFalse(gate.requestRead())
        XCTAssertEqual(gate, .closed(readPending: true))
        XCTAssertTrue(gate.open(), "the held-back read is issued on opening")
        XCTAssertTrue(gate.isOpen)
        XCTAssertFalse(gate.open(), "only once")
    }

    func testBudgetSharesAreConsistentWithTheLimit() {
        let budget = ConnectionBudget(limit: 16 << 20)
        XCTAssertEqual(budget.receiveWindow, 4 << 20)
        XCTAssertEqual(budget.responseHighWater, 4 << 20)
        XCTAssertEqual(budget.socketHighWater, 1 << 20)
        // What a compliant peer can make us hold (windows, marks, 100 full header lists) fits.
        XCTAssertLessThan(budget.receiveWindow + budget.responseHighWater + budget.socketHighWater + 100 * (16 << 10), budget.limit)
        let small = ConnectionBudget(limit: 1)
        XCTAssertEqual(small.limit, ConnectionBudget.minimum, "raised to the minimum")
        XCTAssertEqual(small.receiveWindow, 256 << 10)
        XCTAssertEqual(small.socketHighWater, 64 << 10)
        XCTAssertEqual(ConnectionBudget(limit: 1 << 30).socketHighWater, 1 << 20, "the socket backlog mark is capped")
    }

    func testBudgetCountsEveryKindAndIsExhaustedAtTheLimit() {
        var budget = ConnectionBudget(limit: 1 << 20)
        budget.bodyReceived(300_000)
        budget.headersKept(16_000)
        budget.responseWritten(500_000)
        budget.handedToSocket(100_000)
        budget.libraryBytes = 50_000
        XCTAssertEqual(budget.held, 966_000)
        XCTAssertFalse(budget.isExhausted)
        budget.responseWritten(100_000)
        XCTAssertTrue(budget.isExhausted)
        budget.responseFramed(200_000)
        XCTAssertFalse(budget.isExhausted)
        budget.bodyConsumed(1 << 30)
        XCTAssertEqual(budget.requestBodies, 0, "never negative")
    }

    func testBudgetThresholdsHaveHysteresis() {
        var budget = ConnectionBudget(limit: 1 << 20)  // socket mark 64 KiB, receive window 256 KiB
        budget.handedToSocket(64 << 10)
        XCTAssertTrue(budget.isSocketBacklogged)
        budget.writtenToSocket(16 << 10)
        XCTAssertFalse(budget.isSocketBacklogged)
        XCTAssertFalse(budget.isSocketDrained, "resumes only at half the mark")
        budget.writtenToSocket(16 << 10)
        XCTAssertTrue(budget.isSocketDrained)
        budget.bodyReceived(256 << 10)
        XCTAssertTrue(budget.isReadAheadFull)
        budget.bodyConsumed(100 << 10)
        XCTAssertFalse(budget.isReadAheadDrained)
        budget.bodyConsumed(28 << 10)
        XCTAssertTrue(budget.isReadAheadDrained)
        budget.responseWritten((256 << 10) + 1)
        XCTAssertTrue(budget.isResponseQueueFull)
        budget.responseFramed(129 << 10)
        XCTAssertTrue(budget.isResponseQueueDrained)
    }

    func testAbuseGuardCountsControlFramesTogetherAndRefusalsApart() {
        var guard_ = HTTP2AbuseGuard(policy: .init(controlBurst: 5, controlPerSecond: 1, refusalBurst: 2, refusalPerSecond: 1))
        let events: [HTTP2AbuseGuard.Event] = [.ping, .settings, .priority, .emptyData, .unknownFrame]
        for event in events { XCTAssertTrue(guard_.record(event, at: start), "\(event)") }
        XCTAssertFalse(guard_.record(.invalidFrame, at: start), "the sixth control event in the same instant is one too many")
        XCTAssertTrue(guard_.record(.refusedStream, at: start), "refusals have their own bucket")
        XCTAssertTrue(guard_.record(.refusedStream, at: start))
        XCTAssertFalse(guard_.record(.refusedStream, at: start))
        XCTAssertTrue(guard_.record(.ping, at: start + .seconds(1)), "refilled")
    }

    func testDefaultGuardToleratesWhatGoodClientsSend() {
        var guard_ = HTTP2AbuseGuard()
        // 50 pings a second (far more than gRPC keepalive or BDP probing) for a minute.
        for tick in 0..<3000 {
            XCTAssertTrue(guard_.record(.ping, at: start + .milliseconds(Int64(tick * 20))))
        }
    }

    func testSettingsDeriveHTTP2LimitsFromTheBudget() {
        var settings = ConnectionSettings(idleTimeout: nil, memoryBudget: 1 << 20, maxConcurrentStreams: 7)
        var limits = settings.http2Limits
        XCTAssertEqual(limits.maxConcurrentStreams, 7)
        XCTAssertEqual(limits.connectionWindowSize, 256 << 10)
        XCTAssertEqual(limits.initialWindowSize, 256 << 10, "a stream's window never exceeds the connection's")
        settings.memoryBudget = 64 << 20
        limits = settings.http2Limits
        XCTAssertEqual(limits.connectionWindowSize, 16 << 20)
        XCTAssertEqual(limits.initialWindowSize, 1 << 20, "1 MiB per stream at most")
    }

    func testNGHTTP2AllocationsAreCounted() throws {
        let session = NGHTTP2Session(limits: .init())
        let fresh = session.libraryBytes
        XCTAssertGreaterThan(fresh, 0, "the session's own state is counted")
        XCTAssertLessThan(fresh, 256 << 10)
        _ = try session.drainOutput()  // our SETTINGS
        // A client preface and 50 open streams: nghttp2 now holds stream objects and queued frames.
        var input = ByteBuffer(bytes: H2.start())
        for index in 0..<50 {
            input.writeBytes(H2.request(stream: 1 + 2 * UInt32(index), path: "/x", endStream: false))
        }
        try session.receive(input)
        XCTAssertGreaterThan(session.libraryBytes, fresh, "stream state is counted")
        print("nghttp2 bytes: fresh session \(fresh), with 50 open streams \(session.libraryBytes)")
    }

    func testServerConfigurationDefaults() {
        let configuration = HTTPServer.Configuration()
        XCTAssertEqual(configuration.idleTimeout, .seconds(300))
        XCTAssertEqual(configuration.connectionMemoryBudget, 16 << 20)
        XCTAssertEqual(configuration.maxConcurrentStreams, 100)
        var tiny = configuration
        tiny.connectionMemoryBudget = 10
        tiny.maxConcurrentStreams = 0
        XCTAssertEqual(tiny.connectionSettings.memoryBudget, ConnectionBudget.minimum)
        XCTAssertEqual(tiny.connectionSettings.maxConcurrentStreams, 1)
    }
}
