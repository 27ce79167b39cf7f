import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import TLS

/// A real NIO server with TLSServerHandler, driven by clients we did not write:
/// CPython's ssl module, `openssl s_client` and `curl`.
final class TLSServerHandlerTests: XCTestCase {
    nonisolated(unsafe) static var fixtures: CertificateFixtures?

    override class func setUp() {
        super.setUp()
        fixtures = try? CertificateFixtures.make()
    }

    override class func tearDown() {
        fixtures?.remove()
        fixtures = nil
        super.tearDown()
    }

    private var server: TestServer?

    override func tearDown() {
        server?.shutdown()
        server = nil
        super.tearDown()
    }

    private func fixtures() throws -> CertificateFixtures {
        try XCTUnwrap(Self.fixtures, "ops/make-dev-cert could not make the test certificates")
    }

    private func startServer(
        _ application: TestApplication = .echo, applicationProtocols: [String] = ["h2", "http/1.1"]
    ) throws -> TestServer {
        let identity = try fixtures().primary
        let context = try TLSServerContext(
            certificateChainPath: identity.certificateChain, privateKeyPath: identity.privateKey,
            applicationProtocols: applicationProtocols)
        let server = try TestServer(context: context, application: application)
        self.server = server
        return server
    }

    private func options(_ server: TestServer) throws -> PythonTLSClient.Options {
        PythonTLSClient.Options(port: server.port, cafile: try fixtures().primary.caCertificate)
    }

    /// Waits until every accepted connection has closed, then checks no error was reported.
    private func assertAllClosedCleanly(_ server: TestServer, file: StaticString = #filePath, line: UInt = #line) {
        let snapshot = server.record.wait { $0.accepted > 0 && $0.closed == $0.accepted }
        XCTAssertEqual(snapshot.closed, snapshot.accepted, "connections left open", file: file, line: line)
        XCTAssertTrue(snapshot.errors.isEmpty, "server errors: \(snapshot.errors)", file: file, line: line)
    }

    // MARK: Versions and echo

    func testTLS13HandshakeAndEcho() throws {
        let server = try startServer()
        var options = try options(server)
        options.minimumVersion = "TLSv1_3"
        options.echoBytes = 4096
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.error, result.summary)
        XCTAssertEqual(report.version, "TLSv1.3")
        XCTAssertEqual(report.echoOK, true, result.summary)
        XCTAssertEqual(report.unwrapped, true, "close_notify should be answered: \(result.summary)")
        XCTAssertEqual(report.sessionTicket, false, "session tickets are off")
        assertAllClosedCleanly(server)
        XCTAssertEqual(server.record.snapshot.handshakes.count, 1)
    }

    func testTLS12HandshakeAndEcho() throws {
        let server = try startServer()
        var options = try options(server)
        options.maximumVersion = "TLSv1_2"
        options.echoBytes = 4096
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.error, result.summary)
        XCTAssertEqual(report.version, "TLSv1.2")
        XCTAssertEqual(report.echoOK, true, result.summary)
        // Only forward-secret AEAD suites are offered for TLS 1.2.
        let cipher = report.cipher ?? ""
        XCTAssertTrue(cipher.hasPrefix("ECDHE-"), cipher)
        XCTAssertTrue(cipher.contains("GCM") || cipher.contains("CHACHA20"), cipher)
        XCTAssertEqual(report.sessionTicket, false, "session tickets are off")
        assertAllClosedCleanly(server)
    }

    func testServerCipherPreferenceWinsOverTheClients() throws {
        let server = try startServer()
        var options = try options(server)
        options.maximumVersion = "TLSv1_2"
        options.ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256"
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.error, result.summary)
        XCTAssertEqual(report.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256", "the server's first choice")

        // A TLS 1.2 client offering only suites outside the server's list cannot connect.
        options.ciphers = "AES128-SHA:AES256-GCM-SHA384"
        let (refused, refusal) = try PythonTLSClient.run(options)
        XCTAssertTrue(refused.error?.contains("handshake failure") ?? false, refusal.summary)
    }

    func testTLS11IsRefused() throws {
        let server = try startServer()
        var options = try options(server)
        options.minimumVersion = "TLSv1_1"
        options.maximumVersion = "TLSv1_1"
        options.ciphers = "DEFAULT:@SECLEVEL=0"
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.version, "a TLS 1.1 client must not connect: \(result.summary)")
        // Refused by the server (a protocol_version alert), not by the client's own settings.
        XCTAssertTrue(report.error?.contains("alert protocol version") ?? false, result.summary)
        let snapshot = server.record.wait { $0.closed == 1 && !$0.errors.isEmpty }
        XCTAssertEqual(snapshot.tlsErrorCodes, [.handshakeFailed])
    }

    func testLargePayloadEchoesIntact() throws {
        let server = try startServer()
        for maximumVersion in ["TLSv1_3", "TLSv1_2"] {
            var options = try options(server)
            options.maximumVersion = maximumVersion
            options.echoBytes = 1 << 20
            let (report, result) = try PythonTLSClient.run(options)
            XCTAssertNil(report.error, result.summary)
            XCTAssertEqual(report.echoedBytes, 1 << 20, result.summary)
            XCTAssertEqual(report.echoOK, true, "1 MiB over \(maximumVersion) came back altered")
        }
        assertAllClosedCleanly(server)
    }

    func testWritesBeforeTheHandshakeAreSentAfterIt() throws {
        let server = try startServer(.greetThenEcho)
        var options = try options(server)
        options.expectGreeting = "hello\n"
        options.echoBytes = 100
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.error, result.summary)
        XCTAssertEqual(report.greeting, "hello\n")
        XCTAssertEqual(report.echoOK, true)
        let snapshot = server.record.wait { $0.greetingWrites.count == 1 }
        XCTAssertEqual(snapshot.greetingWrites.count, 1)
        if case .failure(let error) = snapshot.greetingWrites.first {
            XCTFail("the greeting's write promise failed: \(error)")
        }
        assertAllClosedCleanly(server)
    }

    func testManyConnectionsInParallel() throws {
        let server = try startServer()
        let options = try options(server)
        let failures = NSLockedArray()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            var options = options
            options.echoBytes = 64 * 1024 + index
            do {
                let (report, result) = try PythonTLSClient.run(options)
                if report.echoOK != true { failures.append("client \(index): \(result.summary)") }
            } catch {
                failures.append("client \(index): \(error)")
            }
        }
        XCTAssertEqual(failures.values, [])
        assertAllClosedCleanly(server)
    }

    // MARK: ALPN

    func testALPNPrefersH2WhenOffered() throws {
        let server = try startServer()
        var options = try options(server)
        options.alpn = ["http/1.1", "h2"]  // the server's preference wins over the client's order
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.error, result.summary)
        XCTAssertEqual(report.alpn, "h2")
        let snapshot = server.record.wait { $0.handshakes.count == 1 }
        XCTAssertEqual(snapshot.handshakes, [TLSHandshakeCompleted(negotiatedProtocol: "h2")])
    }

    func testALPNPicksHTTP11WhenOnlyThatIsOffered() throws {
        let server = try startServer()
        var options = try options(server)
        options.alpn = ["http/1.1"]
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.error, result.summary)
        XCTAssertEqual(report.alpn, "http/1.1")
        let snapshot = server.record.wait { $0.handshakes.count == 1 }
        XCTAssertEqual(snapshot.handshakes, [TLSHandshakeCompleted(negotiatedProtocol: "http/1.1")])
    }

    func testNoALPNWhenTheClientOffersNone() throws {
        let server = try startServer()
        var options = try options(server)
        options.alpn = nil
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.error, result.summary)
        XCTAssertNil(report.alpn)
        let snapshot = server.record.wait { $0.handshakes.count == 1 }
        XCTAssertEqual(snapshot.handshakes, [TLSHandshakeCompleted(negotiatedProtocol: nil)])
    }

    func testALPNWithNoProtocolInCommonIsRefused() throws {
        let server = try startServer()
        var options = try options(server)
        options.alpn = ["spdy/3.1"]
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertTrue(
            report.error?.contains("no application protocol") ?? false,
            "expected a no_application_protocol alert: \(result.summary)")
        let snapshot = server.record.wait { $0.closed == 1 && !$0.errors.isEmpty }
        XCTAssertEqual(snapshot.tlsErrorCodes, [.handshakeFailed])
        XCTAssertTrue(snapshot.handshakes.isEmpty)
    }

    func testOpenSSLClientNegotiatesALPN() throws {
        let server = try startServer()
        let caFile = try fixtures().primary.caCertificate
        for (offer, version, expected) in [
            ("h2", "-tls1_3", "ALPN protocol: h2"),
            ("http/1.1,h2", "-tls1_2", "ALPN protocol: h2"),
            ("http/1.1", "-tls1_3", "ALPN protocol: http/1.1"),
        ] {
            let result = try Subprocess.run(
                ["openssl", "s_client", "-connect", "127.0.0.1:\(server.port)", "-servername", "localhost",
                 "-CAfile", caFile, "-verify_return_error", "-alpn", offer, version],
                stdin: Data("ping\n".utf8), timeout: 20)
            XCTAssertEqual(result.status, 0, result.summary)
            XCTAssertTrue(result.stdout.contains(expected), "offered \(offer): \(result.summary)")
            XCTAssertTrue(result.stdout.contains("Verify return code: 0 (ok)"), result.summary)
        }
        let result = try Subprocess.run(
            ["openssl", "s_client", "-connect", "127.0.0.1:\(server.port)", "-CAfile", caFile,
             "-verify_return_error"],
            stdin: Data("ping\n".utf8), timeout: 20)
        XCTAssertEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.stdout.contains("No ALPN negotiated"), result.summary)
    }

    /// `openssl s_client` reads commands from stdin: "K" sends a TLS 1.3 KeyUpdate (asking
    /// for ours in return), "R" asks for TLS 1.2 renegotiation. Lines go one per read.
    private func sClientSession(port: Int, version: String, lines: [String]) throws -> SubprocessResult {
        let caFile = try fixtures().primary.caCertificate
        let feed = lines.map { "sleep 0.4; printf '\($0)\\n'" }.joined(separator: "; ")
        return try Subprocess.run(
            ["sh", "-c",
             "(\(feed); sleep 1.5) | openssl s_client -connect 127.0.0.1:\(port) -CAfile \(caFile) \(version)"],
            timeout: 30)
    }

    func testTLS13KeyUpdateIsHandled() throws {
        let server = try startServer()
        let result = try sClientSession(port: server.port, version: "-tls1_3", lines: ["one", "K", "two"])
        XCTAssertEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.stderr.contains("KEYUPDATE"), result.summary)
        // "two" went out under the client's new keys and came back.
        XCTAssertTrue(result.stdout.contains("\none\ntwo\n"), result.summary)
        XCTAssertTrue(server.record.wait { $0.closed == 1 }.errors.isEmpty)
    }

    func testTLS12RenegotiationIsRefused() throws {
        let server = try startServer()
        let result = try sClientSession(port: server.port, version: "-tls1_2", lines: ["one", "R", "two"])
        XCTAssertTrue(result.stderr.contains("RENEGOTIATING"), result.summary)
        XCTAssertTrue(result.stderr.contains("no renegotiation"), result.summary)
        XCTAssertFalse(result.stdout.contains("\ntwo\n"), result.summary)
        server.record.wait { $0.closed == 1 }

        // The server is unharmed.
        var options = try options(server)
        options.echoBytes = 10
        let (report, echo) = try PythonTLSClient.run(options)
        XCTAssertEqual(report.echoOK, true, echo.summary)
    }

    func testOneLargeWriteIsDeliveredAndItsPromiseSucceeds() throws {
        let size = 3 << 20
        let server = try startServer(.sendPattern(bytes: size))
        var options = try options(server)
        options.expectPatternBytes = size
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.error, result.summary)
        XCTAssertEqual(report.patternOK, true, result.summary)
        let snapshot = server.record.wait { $0.greetingWrites.count == 1 }
        XCTAssertEqual(snapshot.greetingWrites.count, 1, "the write's promise never completed")
        if case .failure(let error) = snapshot.greetingWrites.first {
            XCTFail("the large write's promise failed: \(error)")
        }
        assertAllClosedCleanly(server)
    }

    // MARK: Verification and hostile peers

    func testClientTrustingAnotherCAFailsVerification() throws {
        let server = try startServer()
        var options = try options(server)
        options.cafile = try fixtures().other.caCertificate
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertTrue(
            report.error?.contains("CERTIFICATE_VERIFY_FAILED") ?? false,
            "expected a verification failure: \(result.summary)")
        // The client's unknown_ca alert reaches the server as a failed handshake.
        let snapshot = server.record.wait { $0.closed == 1 && !$0.errors.isEmpty }
        XCTAssertEqual(snapshot.tlsErrorCodes, [.handshakeFailed])
        let text = (snapshot.errors.first as? TLSError)?.openSSLErrors.joined() ?? ""
        XCTAssertTrue(text.contains("unknown ca"), text)
    }

    func testCertificateCoversLocalhostAndLoopbackNamesOnly() throws {
        let server = try startServer()
        for name in ["localhost", "127.0.0.1"] {
            var options = try options(server)
            options.serverHostname = name
            let (report, result) = try PythonTLSClient.run(options)
            XCTAssertNil(report.error, "\(name): \(result.summary)")
        }
        var options = try options(server)
        options.serverHostname = "example.com"
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertTrue(report.error?.contains("CERTIFICATE_VERIFY_FAILED") ?? false, result.summary)
    }

    func testGarbageBytesCloseTheConnection() throws {
        let server = try startServer()
        for garbage in [
            Data("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8),
            Data((0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }),
        ] {
            var options = try options(server)
            options.rawSendHex = garbage.map { String(format: "%02x", $0) }.joined()
            options.timeout = 10
            let (report, result) = try PythonTLSClient.run(options)
            XCTAssertNil(report.error, "the server should close, not hang: \(result.summary)")
            XCTAssertEqual(report.rawClosed, true)
        }
        let snapshot = server.record.wait { $0.closed == 2 && $0.errors.count == 2 }
        XCTAssertEqual(snapshot.closed, 2)
        XCTAssertEqual(snapshot.tlsErrorCodes, [.handshakeFailed, .handshakeFailed])
        XCTAssertTrue(snapshot.handshakes.isEmpty)

        // And the server is still fine.
        var options = try options(server)
        options.echoBytes = 10
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertEqual(report.echoOK, true, result.summary)
    }

    func testSilentConnectionIsNotAnError() throws {
        let server = try startServer()
        // Connect and leave without sending a byte, like a TCP health check.
        let socket = try ClientBootstrap(group: server.group)
            .connect(host: "127.0.0.1", port: server.port).wait()
        try socket.close().wait()
        let snapshot = server.record.wait { $0.accepted == 1 && $0.closed == 1 }
        XCTAssertEqual(snapshot.closed, 1)
        XCTAssertTrue(snapshot.errors.isEmpty, "\(snapshot.errors)")
    }

    func testCloseWithoutCloseNotifyIsReportedAsUnclean() throws {
        let server = try startServer()
        var options = try options(server)
        options.echoBytes = 10
        options.closeNotify = false
        let (report, result) = try PythonTLSClient.run(options)
        XCTAssertNil(report.error, result.summary)
        let snapshot = server.record.wait { $0.closed == 1 && !$0.errors.isEmpty }
        XCTAssertEqual(snapshot.tlsErrorCodes, [.uncleanShutdown])
    }

    // MARK: Server-initiated close

    func testServerCloseSendsResponseThenCloseNotify() throws {
        let server = try startServer(.httpResponder)
        var options = try options(server)
        options.alpn = ["http/1.1"]
        options.request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
        let (report, result) = try PythonTLSClient.run(options)
        // suppress_ragged_eofs=False: without close_notify the read would raise SSLEOFError.
        XCTAssertNil(report.error, result.summary)
        XCTAssertEqual(report.response?.hasPrefix("HTTP/1.1 200 OK\r\n"), true, result.summary)
        XCTAssertEqual(report.response?.hasSuffix("\r\n\r\nhttp/1.1"), true, result.summary)
        assertAllClosedCleanly(server)
    }

    func testCurlOverHTTP11() throws {
        let server = try startServer(.httpResponder)
        let caFile = try fixtures().primary.caCertificate
        for version in ["--tlsv1.3", "--tlsv1.2"] {
            let result = try Subprocess.run(
                ["curl", "--silent", "--show-error", "--http1.1", version, "--max-time", "15",
                 "--cacert", caFile, "https://localhost:\(server.port)/"],
                timeout: 30)
            XCTAssertEqual(result.status, 0, result.summary)
            XCTAssertEqual(result.stdout, "http/1.1", result.summary)
        }
        let result = try Subprocess.run(
            ["curl", "--silent", "--show-error", "--http1.1", "--max-time", "15",
             "--cacert", try fixtures().other.caCertificate, "https://127.0.0.1:\(server.port)/"],
            timeout: 30)
        XCTAssertEqual(result.status, 60, "curl must reject a certificate from an untrusted CA: \(result.summary)")
    }
}

final class NSLockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var values: [String] { lock.withLock { items } }
}
