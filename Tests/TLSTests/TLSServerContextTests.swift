import Foundation
import XCTest

@testable import TLS

final class TLSServerContextTests: XCTestCase {
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

    private func fixtures() throws -> CertificateFixtures {
        try XCTUnwrap(Self.fixtures, "ops/make-dev-cert could not make the test certificates")
    }

    /// Asserts that building a context throws a TLSError with `code`, and returns it.
    private func contextError(
        certificateChainPath: String, privateKeyPath: String, applicationProtocols: [String] = ["h2"],
        expecting code: TLSError.Code, file: StaticString = #filePath, line: UInt = #line
    ) -> TLSError? {
        do {
            _ = try TLSServerContext(
                certificateChainPath: certificateChainPath, privateKeyPath: privateKeyPath,
                applicationProtocols: applicationProtocols)
            XCTFail("expected TLSError.\(code), but the context was built", file: file, line: line)
            return nil
        } catch let error as TLSError {
            XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
            return error
        } catch {
            XCTFail("expected a TLSError, got \(error)", file: file, line: line)
            return nil
        }
    }

    func testBuildsFromTheDevelopmentCertificate() throws {
        let identity = try fixtures().primary
        let context = try TLSServerContext(
            certificateChainPath: identity.certificateChain, privateKeyPath: identity.privateKey)
        XCTAssertEqual(context.applicationProtocols, ["h2", "http/1.1"])
    }

    func testMissingCertificateFileIsAClearError() throws {
        let identity = try fixtures().primary
        let missing = identity.directory.appendingPathComponent("nope.pem").path
        let error = contextError(
            certificateChainPath: missing, privateKeyPath: identity.privateKey, expecting: .fileNotReadable)
        XCTAssertTrue(error?.description.contains(missing) ?? false, "\(String(describing: error))")
        XCTAssertTrue(error?.description.contains("No such file") ?? false, "\(String(describing: error))")
    }

    func testMissingKeyFileIsAClearError() throws {
        let identity = try fixtures().primary
        let missing = identity.directory.appendingPathComponent("nope.key").path
        let error = contextError(
            certificateChainPath: identity.certificateChain, privateKeyPath: missing, expecting: .fileNotReadable)
        XCTAssertTrue(error?.description.contains(missing) ?? false, "\(String(describing: error))")
    }

    func testCertificateFileWithoutPEMIsAClearError() throws {
        let fixtures = try fixtures()
        let garbage = try fixtures.file(named: "garbage-cert.pem", contents: "this is not a certificate\n")
        let error = contextError(
            certificateChainPath: garbage, privateKeyPath: fixtures.primary.privateKey,
            expecting: .invalidCertificateChain)
        XCTAssertFalse(error?.openSSLErrors.isEmpty ?? true, "OpenSSL's error queue should be carried")
        XCTAssertTrue(
            error?.openSSLErrors.joined().contains("no start line") ?? false, "\(String(describing: error))")
    }

    func testKeyFileWithoutPEMIsAClearError() throws {
        let fixtures = try fixtures()
        let garbage = try fixtures.file(named: "garbage.key", contents: "-----BEGIN PRIVATE KEY-----\nAAAA\n")
        let error = contextError(
            certificateChainPath: fixtures.primary.certificateChain, privateKeyPath: garbage,
            expecting: .invalidPrivateKey)
        XCTAssertFalse(error?.openSSLErrors.isEmpty ?? true, "OpenSSL's error queue should be carried")
        // The message names the file but never quotes its contents.
        XCTAssertFalse(error?.description.contains("AAAA") ?? true)
    }

    func testKeyOfAnotherCertificateIsAMismatch() throws {
        let fixtures = try fixtures()
        let error = contextError(
            certificateChainPath: fixtures.primary.certificateChain, privateKeyPath: fixtures.other.privateKey,
            expecting: .privateKeyMismatch)
        XCTAssertTrue(
            error?.openSSLErrors.joined().contains("mismatch") ?? false, "\(String(describing: error))")
    }

    func testEncryptedKeyIsRefusedWithoutPrompting() throws {
        let fixtures = try fixtures()
        let encrypted = fixtures.root.appendingPathComponent("encrypted.key").path
        let result = try Subprocess.run(
            ["openssl", "pkey", "-in", fixtures.primary.privateKey, "-aes256", "-passout", "pass:secret",
             "-out", encrypted], timeout: 30)
        XCTAssertEqual(result.status, 0, result.summary)
        _ = contextError(
            certificateChainPath: fixtures.primary.certificateChain, privateKeyPath: encrypted,
            expecting: .invalidPrivateKey)
    }

    func testInvalidApplicationProtocolIsAConfigurationError() throws {
        let identity = try fixtures().primary
        _ = contextError(
            certificateChainPath: identity.certificateChain, privateKeyPath: identity.privateKey,
            applicationProtocols: ["h2", ""], expecting: .invalidConfiguration)
        _ = contextError(
            certificateChainPath: identity.certificateChain, privateKeyPath: identity.privateKey,
            applicationProtocols: [String(repeating: "x", count: 256)], expecting: .invalidConfiguration)
    }

    func testMakeDevCertKeepsExistingFiles() throws {
        let identity = try fixtures().primary
        let files = ["ca.pem", "ca.key", "server.pem", "server.key"]
        let before = try files.map { try Data(contentsOf: identity.directory.appendingPathComponent($0)) }
        let result = try Subprocess.run([CertificateFixtures.script.path, identity.directory.path], timeout: 60)
        XCTAssertEqual(result.status, 0, result.summary)
        let after = try files.map { try Data(contentsOf: identity.directory.appendingPathComponent($0)) }
        XCTAssertEqual(before, after, "a second run must keep the existing files")
        for key in ["ca.key", "server.key"] {
            let attributes = try FileManager.default.attributesOfItem(
                atPath: identity.directory.appendingPathComponent(key).path)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, key)
        }
        // server.pem is the chain: the server certificate, then the CA.
        let chain = String(decoding: after[2], as: UTF8.self)
        XCTAssertEqual(chain.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1, 2)
        XCTAssertTrue(chain.hasSuffix(String(decoding: after[0], as: UTF8.self)))
    }
}
