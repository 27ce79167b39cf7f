import Foundation
import XCTest

/// Certificates for the tests, made by the project's own `ops/make-dev-cert` into a
/// temporary directory: `primary` (what the server uses) and `other` (an unrelated CA and
/// server certificate, for "wrong CA" and "key from another certificate" cases).
struct CertificateFixtures {
    struct Identity {
        let directory: URL
        var caCertificate: String { directory.appendingPathComponent("ca.pem").path }
        var certificateChain: String { directory.appendingPathComponent("server.pem").path }
        var privateKey: String { directory.appendingPathComponent("server.key").path }
    }

    let root: URL
    let primary: Identity
    let other: Identity

    /// ops/make-dev-cert, found relative to this source file.
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/TLSTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the repository
        .appendingPathComponent("ops/make-dev-cert")

    static func make() throws -> CertificateFixtures {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("tls-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let primary = Identity(directory: root.appendingPathComponent("primary"))
        let other = Identity(directory: root.appendingPathComponent("other"))
        for identity in [primary, other] {
            let result = try Subprocess.run([script.path, identity.directory.path], timeout: 60)
            guard result.status == 0, !result.timedOut else {
                throw FixtureError("ops/make-dev-cert failed: \(result.summary)")
            }
        }
        return CertificateFixtures(root: root, primary: primary, other: other)
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }

    /// Writes `contents` to a new file under the fixtures' directory and returns its path.
    func file(named name: String, contents: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
