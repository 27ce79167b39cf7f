import Foundation
import HTTPServer
import XCTest

/// The idle timeout on real sockets: a 1 s timeout, generous upper bounds (a loaded
/// two-core machine may be slow to schedule), strict lower bounds (it must not fire early).
final class IdleTimeoutTests: XCTestCase {
    var server: HTTPServer!
    var port: Int { server.localPort }

    override func setUp() async throws {
        server = try await HTTPServer.start(
            configuration: .init(host: "127.0.0.1", port: 0, idleTimeout: .seconds(1)), handler: LimitRoutes())
    }

    override func tearDown() async throws {
        try await server?.close()
    }

    func testHTTP2ConnectionWithoutStreamsGetsGoAwayThenCloses() async throws {
        let port = self.port
        let (goAway, elapsed, closed) = try await onThread { () -> (H2Frame?, Double, Bool) in
            let connection = try RawConnection(port: port, receiveTimeout: 15)
            let started = Date()
            try connection.send(H2.start())
            let (_, last) = try connection.frames { $0.type == H2Frame.goAway }
            let elapsed = Date().timeIntervalSince(started)
            return (last, elapsed, connection.drainUntilClosed())
        }
        XCTAssertEqual(goAway?.type, H2Frame.goAway, "a GOAWAY before the close")
        XCTAssertEqual(goAway?.errorCode, H2.noError)
        XCTAssertGreaterThanOrEqual(elapsed, 0.9, "not before the idle timeout")
        XCTAssertLessThan(elapsed, 10)
        XCTAssertTrue(closed, "the server closed the connection after its GOAWAY")
    }

    func testHTTP1KeepAliveConnectionIsClosedBetweenRequests() async throws {
        let port = self.port
        let (response, elapsed, closed) = try await onThread { () -> (String, Double, Bool) in
            let connection = try RawConnection(port: port, receiveTimeout: 15)
            try connection.send(Array("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
            var response = ""
            // /hello is chunked: the response ends with the last (empty) chunk.
            while !response.hasSuffix("0\r\n\r\n"), let bytes = try connection.receive() {
                response += String(decoding: bytes, as: UTF8.self)
            }
            let answered = Date()
            let closed = connection.drainUntilClosed()
            return (response, Date().timeIntervalSince(answered), closed)
        }
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 200"), response)
        XCTAssertTrue(closed, "the idle keep-alive connection was closed")
        XCTAssertGreaterThanOrEqual(elapsed, 0.9, "not before the idle timeout")
        XCTAssertLessThan(elapsed, 10)
    }

    func testOpenStreamKeepsTheConnectionThenIdleAfterItEnds() async throws {
        let port = self.port
        let result = try await onThread { () -> (before: [H2Frame], quietFor: Double, goAway: H2Frame?, afterReset: Double) in
            let connection = try RawConnection(port: port, receiveTimeout: 3.5)
            try connection.send(H2.start() + H2.request(stream: 1, path: "/hold"))
            // Headers and the first chunk, then nothing: the stream stays open.
            var before: [H2Frame] = []
            while !before.contains(where: { $0.type == H2Frame.data && $0.stream == 1 }) {
                guard let frame = try connection.nextFrame() else { break }
                before.append(frame)
            }
            let quiet = Date()
            do {
                // 3.5 s of silence expected: more than three idle timeouts.
                if let frame = try connection.nextFrame() { before.append(frame) }
            } catch is RawConnection.Timeout {}
            let quietFor = Date().timeIntervalSince(quiet)
            // Ending the stream makes the connection idle: now the GOAWAY comes.
            let reset = Date()
            try connection.send(H2.rstStream(1))
            var goAway: H2Frame?
            for _ in 0..<5 where goAway == nil {
                do {
                    goAway = try connection.frames { $0.type == H2Frame.goAway }.last
                    break
                } catch is RawConnection.Timeout {}
            }
            return (before, quietFor, goAway, Date().timeIntervalSince(reset))
        }
        XCTAssertFalse(result.before.contains { $0.type == H2Frame.goAway }, "no GOAWAY while the stream is open: \(result.before)")
        XCTAssertTrue(result.before.contains { $0.type == H2Frame.data && $0.stream == 1 }, "the stream delivered its first chunk")
        XCTAssertGreaterThanOrEqual(result.quietFor, 3.0, "the connection stayed open (quiet, not closed) for > 3 idle timeouts")
        XCTAssertEqual(result.goAway?.errorCode, H2.noError, "idle after the stream ended: GOAWAY(NO_ERROR)")
        XCTAssertGreaterThanOrEqual(result.afterReset, 0.9)
        XCTAssertLessThan(result.afterReset, 15)
    }

    func testIdleTimeoutOffKeepsConnections() async throws {
        let quiet = try await HTTPServer.start(configuration: .init(host: "127.0.0.1", port: 0, idleTimeout: nil), handler: LimitRoutes())
        defer { Task { try? await quiet.close() } }
        let port = quiet.localPort
        let timedOut = try await onThread { () -> Bool in
            let connection = try RawConnection(port: port, receiveTimeout: 2.5)
            try connection.send(H2.start())
            do {
                _ = try connection.frames { $0.type == H2Frame.goAway }
                return false
            } catch is RawConnection.Timeout {
                return true
            }
        }
        XCTAssertTrue(timedOut, "with no idle timeout, a quiet connection is neither GOAWAYed nor closed")
    }
}
