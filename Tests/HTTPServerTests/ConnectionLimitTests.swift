import Foundation
import HTTPServer
import XCTest

/// The memory budget, the stream limits and the abuse guard, seen from a raw HTTP/2
/// client on a real socket. Every test also checks that the server still answers a
/// normal request afterwards.
final class ConnectionLimitTests: XCTestCase {
    private var servers: [HTTPServer] = []

    override func tearDown() async throws {
        for server in servers { try? await server.close() }
        servers = []
    }

    private func start(budget: Int = 16 << 20, maxStreams: Int = 100) async throws -> Int {
        let server = try await HTTPServer.start(
            configuration: .init(host: "127.0.0.1", port: 0, connectionMemoryBudget: budget, maxConcurrentStreams: maxStreams),
            handler: LimitRoutes())
        servers.append(server)
        return server.localPort
    }

    /// GET /hello on a fresh connection answers 200 "hello".
    private func assertServerAnswers(_ port: Int, file: StaticString = #filePath, line: UInt = #line) async throws {
        let frames = try await onThread { () -> [H2Frame] in
            let connection = try RawConnection(port: port, receiveTimeout: 15)
            try connection.send(H2.start() + H2.request(stream: 1, path: "/hello"))
            return try connection.frames { $0.stream == 1 && $0.flags & H2.endStream != 0 }.seen
        }
        let body = frames.filter { $0.type == H2Frame.data && $0.stream == 1 }.flatMap(\.payload)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "hello", "a normal request still works", file: file, line: line)
    }

    func testSettingsCarryTheConfiguredLimitsAndWindowsFollowTheBudget() async throws {
        let port = try await start(budget: 1 << 20, maxStreams: 7)
        let frames = try await onThread { () -> [H2Frame] in
            let connection = try RawConnection(port: port)
            try connection.send(H2.start())
            return try connection.frames { $0.type == H2Frame.windowUpdate && $0.stream == 0 }.seen
        }
        let settings = frames.first { $0.type == H2Frame.settings && $0.flags & H2.ack == 0 }?.settings ?? [:]
        XCTAssertEqual(settings[0x3], 7, "SETTINGS_MAX_CONCURRENT_STREAMS")
        XCTAssertEqual(settings[0x4], 256 << 10, "a stream's window is at most the budget's receive share (1 MiB / 4)")
        XCTAssertEqual(settings[0x6], 16 << 10, "SETTINGS_MAX_HEADER_LIST_SIZE")
        let update = frames.first { $0.type == H2Frame.windowUpdate && $0.stream == 0 }
        XCTAssertEqual(update.map { H2Frame.uint32($0.payload, at: 0) }, UInt32(256 << 10) - 65_535,
                       "the connection window is opened to the budget's receive share")
    }

    func testOverBudgetStreamsAreRefusedAndAPersistentPeerIsCalmed() async throws {
        let port = try await start(budget: 1 << 20, maxStreams: 1000)
        let result = try await onThread { () -> (refused: H2Frame?, goAway: H2Frame?, closed: Bool) in
            let connection = try RawConnection(port: port, receiveTimeout: 15)
            // Our window stays at 64 KiB: the 4 MiB answer stays queued in the server, over the budget.
            try connection.send(H2.start() + H2.request(stream: 1, path: "/big-once"))
            _ = try connection.frames { $0.type == H2Frame.data && $0.stream == 1 }
            Thread.sleep(forTimeInterval: 0.3)  // the rest of the write lands in the queue
            try connection.send(H2.request(stream: 3, path: "/hello"))
            let refused = try connection.frames { $0.stream == 3 }.last
            // A peer that keeps opening streams regardless runs out of refusals.
            try connection.send((0..<150).flatMap { H2.request(stream: 5 + 2 * UInt32($0), path: "/hello") })
            let goAway = try connection.frames { $0.type == H2Frame.goAway }.last
            return (refused, goAway, connection.drainUntilClosed())
        }
        XCTAssertEqual(result.refused?.type, H2Frame.rstStream)
        XCTAssertEqual(result.refused?.errorCode, H2.refusedStream, "over budget: REFUSED_STREAM, safe to retry")
        XCTAssertEqual(result.goAway?.errorCode, H2.enhanceYourCalm)
        XCTAssertTrue(result.closed)
        try await assertServerAnswers(port)
    }

    func testControlFrameFloodsGetEnhanceYourCalm() async throws {
        let port = try await start()
        let floods: [(String, [UInt8])] = [
            ("PING", (0..<2500).flatMap { H2.ping(UInt64($0)) }),
            ("SETTINGS", (0..<2500).flatMap { _ in H2.settings() }),
            ("PRIORITY", (0..<2500).flatMap { _ in H2.frame(H2Frame.priority, stream: 3, H2.be32(1) + [15]) }),
            ("empty DATA", H2.request(stream: 1, method: "POST", path: "/hold", endStream: false)
                + (0..<2500).flatMap { _ in H2.frame(H2Frame.data, stream: 1, []) }),
            ("unknown frame type", (0..<2500).flatMap { _ in H2.frame(0x20, stream: 0, [1, 2, 3]) }),
        ]
        for (name, flood) in floods {
            let (goAway, closed) = try await onThread { () -> (H2Frame?, Bool) in
                let connection = try RawConnection(port: port, receiveTimeout: 15)
                try connection.send(H2.start() + flood)
                let goAway = try connection.frames { $0.type == H2Frame.goAway }.last
                return (goAway, connection.drainUntilClosed())
            }
            XCTAssertEqual(goAway?.errorCode, H2.enhanceYourCalm, "\(name) flood")
            XCTAssertTrue(closed, "\(name) flood: connection closed")
        }
        try await assertServerAnswers(port)
    }

    func testHandlersStillRunningAfterResetsAreBounded() async throws {
        // 10 streams at once: at most 10 handlers of reset streams may keep running;
        // /stubborn ignores cancellation for 5 s.
        let port = try await start(maxStreams: 10)
        let codes = try await onThread { () -> [UInt32: UInt32] in
            let connection = try RawConnection(port: port, receiveTimeout: 2)
            try connection.send(H2.start())
            for index in 0..<40 {
                let stream = 1 + 2 * UInt32(index)
                try connection.send(H2.request(stream: stream, path: "/stubborn"))
                Thread.sleep(forTimeInterval: 0.02)
                try connection.send(H2.rstStream(stream))
            }
            // Everything the server answers, until it has been quiet for 2 s (the handlers run 5 s).
            var resets: [UInt32: UInt32] = [:]
            do {
                while let frame = try connection.nextFrame() {
                    if frame.type == H2Frame.rstStream { resets[frame.stream] = frame.errorCode }
                }
            } catch is RawConnection.Timeout {}
            return resets
        }
        let refused = codes.filter { $0.value == H2.refusedStream }.map(\.key).sorted()
        XCTAssertEqual(refused.count, 30, "requests 11..40 were refused while 10 reset handlers kept running: \(codes)")
        XCTAssertTrue(refused.allSatisfy { $0 > 19 }, "the first 10 were accepted: \(refused)")
        try await assertServerAnswers(port)
    }

    func testHTTP1BodyTheHandlerDoesNotReadStopsTheReading() async throws {
        // 1 MiB budget: at most 256 KiB of unread body is taken off the socket.
        let port = try await start(budget: 1 << 20)
        let (stalled, afterwards) = try await onThread { () -> (Bool, String) in
            let connection = try RawConnection(port: port, receiveTimeout: 15, sendTimeout: 2)
            try connection.send(Array("POST /hold HTTP/1.1\r\nHost: localhost\r\nContent-Length: 104857600\r\n\r\n".utf8))
            let chunk = [UInt8](repeating: 0x61, count: 1 << 20)
            var stalled = false
            do {
                for _ in 0..<100 { try connection.send(chunk) }  // 100 MiB a server that kept reading would buffer
            } catch is RawConnection.Timeout {
                stalled = true
            }
            // The handler answered at once: its head and first chunk are there.
            let answer = (try? connection.receive()).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
            return (stalled, answer)
        }
        XCTAssertTrue(stalled, "the server stopped reading a body nobody reads")
        XCTAssertTrue(afterwards.hasPrefix("HTTP/1.1 200"), afterwards)
        try await assertServerAnswers(port)
    }

    func testServerStopsReadingAPeerThatDoesNotRead() async throws {
        let port = try await start()
        let stalled = try await onThread { () -> Bool in
            let connection = try RawConnection(port: port, receiveTimeout: 15, sendTimeout: 2)
            // Windows wide open, 64 MiB asked for, and we never read: the server's output backs up.
            try connection.send(H2.start([(0x4, 1 << 30)]) + H2.windowUpdate(1 << 30) + H2.request(stream: 1, path: "/big?mib=64"))
            // Harmless frames (window increments of 1) that cost the server nothing to answer:
            // a server that kept reading would take all 50 MiB of them.
            let chunk = (0..<10_000).flatMap { _ in H2.windowUpdate(1) }
            do {
                for _ in 0..<400 { try connection.send(chunk) }
            } catch is RawConnection.Timeout {
                return true
            }
            return false
        }
        XCTAssertTrue(stalled, "the server stopped reading while its output to us was backlogged")
        try await assertServerAnswers(port)
    }
}
