import Foundation
import HTTPServer
import NIOCore
import XCTest

/// A handler with a few routes that exercise the transport.
struct TestRoutes: HTTPHandler {
    func handle(_ request: HTTPRequest, writer: some HTTPResponseWriter) async {
        do {
            switch (request.method, String(request.path)) {
            case ("GET", "/hello"):
                try await writer.writeHead(status: 200, headers: [("content-type", "text/plain")], endStream: false)
                try await writer.writeBody(ByteBuffer(string: "hello over \(request.version == .http2 ? "h2" : "http/1.1")"))
                try await writer.finish(trailers: [])
            case ("POST", "/echo"):
                let body = try await request.body.collect(upTo: 8 << 20)
                try await writer.writeHead(status: 200, headers: [("content-length", String(body.readableBytes))], endStream: false)
                try await writer.writeBody(body)
                try await writer.finish(trailers: [])
            case ("GET", "/stream"):
                try await writer.writeHead(status: 200, headers: [], endStream: false)
                for index in 0..<100 {
                    try await writer.writeBody(ByteBuffer(string: "chunk \(index) " + String(repeating: "x", count: 10_000) + "\n"))
                }
                try await writer.finish(trailers: [("x-done", "yes")])
            case ("GET", "/trailers-only"):
                try await writer.finish(trailers: [("x-status", "0")])
            case ("GET", "/forgotten"):
                break  // the handler writes nothing: the server answers 500
            default:
                try await writer.writeHead(status: 404, headers: [], endStream: true)
            }
        } catch {}
    }
}

final class ExternalClientTests: XCTestCase {
    var server: HTTPServer!

    override func setUp() async throws {
        server = try await HTTPServer.start(configuration: .init(host: "127.0.0.1", port: 0), handler: TestRoutes())
    }

    override func tearDown() async throws {
        try await server?.close()
    }

    var base: String { "http://127.0.0.1:\(server.localPort)" }

    func testCurlHTTP1AndH2PriorKnowledge() async throws {
        let http1 = try await run("curl", "-sS", "--max-time", "10", "\(base)/hello")
        XCTAssertEqual(http1.output, "hello over http/1.1")
        let h2 = try await run("curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "\(base)/hello")
        XCTAssertEqual(h2.output, "hello over h2")
        let missing = try await run("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "--http2-prior-knowledge", "\(base)/nope")
        XCTAssertEqual(missing.output, "404")
        let forgotten = try await run("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/forgotten")
        XCTAssertEqual(forgotten.output, "500")
    }

    func testLargeBodiesBothWays() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("body-\(UUID())")
        let payload = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try payload.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        for flags in [["--http1.1"], ["--http2-prior-knowledge"]] {
            let result = try await run("curl", ["-sS", "--max-time", "30"] + flags + ["--data-binary", "@\(file.path)", "\(base)/echo"], binary: true)
            XCTAssertEqual(result.data.count, payload.count, "\(flags)")
            XCTAssertTrue(result.data == payload, "\(flags): echoed body differs")
        }
    }

    func testStreamingWithTrailersOverNghttp() async throws {
        let result = try await run("nghttp", "-v", "--no-dep", "-t", "10", "\(base)/stream")
        XCTAssertTrue(result.output.contains("chunk 99 "), "all chunks arrived")
        XCTAssertTrue(result.output.contains("x-done: yes"), "trailers arrived")
        let trailersOnly = try await run("nghttp", "-v", "-t", "10", "\(base)/trailers-only")
        XCTAssertTrue(trailersOnly.output.contains("x-status: 0"))
        XCTAssertTrue(trailersOnly.output.contains("END_STREAM"))
    }

    func testManyConcurrentStreamsOnOneConnection() async throws {
        // h2load: 1 connection, 50 concurrent streams, 2,000 requests.
        let result = try await run("h2load", "-n", "2000", "-c", "1", "-m", "50", "\(base)/hello")
        XCTAssertTrue(result.output.contains("2000 succeeded"), result.output)
    }

    func testGarbageGetsAnErrorNotACrash() async throws {
        // A valid preface followed by junk (a connection error for nghttp2), then junk HTTP/1.
        let script = """
            import socket, sys
            for payload in (b"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n" + b"\\x00\\xff" * 64, b"GARBAGE \\x00\\x01\\r\\n\\r\\n"):
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
                s.sendall(payload)
                try:
                    while s.recv(65536):
                        pass
                except socket.timeout:
                    print("still open")
                    sys.exit(1)
                except OSError:
                    pass
                s.close()
            print("closed")
            """
        let garbage = try await run("python3", "-c", script, String(server.localPort))
        XCTAssertEqual(garbage.output.trimmingCharacters(in: .whitespacesAndNewlines), "closed", "the server closed both connections")
        let after = try await run("curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "\(base)/hello")
        XCTAssertEqual(after.output, "hello over h2")
    }

    // MARK: - Running external clients

    struct Output {
        var data: Data
        var status: Int32
        var output: String { String(decoding: data, as: UTF8.self) }
    }

    func run(_ command: String, _ arguments: String..., binary: Bool = false) async throws -> Output {
        try await run(command, arguments, binary: binary)
    }

    func run(_ command: String, _ arguments: [String], binary: Bool = false) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["timeout", "60", command] + arguments
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    continuation.resume(returning: Output(data: data, status: process.terminationStatus))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
