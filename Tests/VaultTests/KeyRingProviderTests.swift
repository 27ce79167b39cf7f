import Foundation
@testable import Vault
import XCTest

/// A running server's key ring follows its file: after `add-key` it seals
/// with the new active key within a second or so, and a secret sealed by a
/// key it has not seen yet makes it read the file at once.
final class KeyRingProviderTests: XCTestCase {
    var directory: URL!
    var path: String { directory.appendingPathComponent("keyring.json").path }
    let context = SecretContext(tenantID: UUID(), connectionID: UUID(), provider: "xero", field: "refresh_token")

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ring-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try KeyRing.generate().write(to: path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// What `ledgerbridge admin add-key` does.
    func addKey() throws -> KeyRing {
        let ring = try KeyRing.load(path: path).addingActiveKey()
        try ring.write(to: path, replacing: true)
        return ring
    }

    func testSealingMovesToTheNewActiveKeyWithinTheCheckInterval() async throws {
        let server = KeyRingProvider(ring: try .load(path: path), path: path)
        let first = server.box.ring.activeID
        let extended = try addKey()
        try await Task.sleep(for: KeyRingProvider.checkInterval + .milliseconds(100))
        let sealed = server.box.seal("rt", for: context)
        XCTAssertEqual(try SecretBox.keyID(of: sealed), extended.activeID, "sealed with the key add-key made active, not \(first)")
        XCTAssertEqual(try server.open(sealed, for: context), Array("rt".utf8))
    }

    func testADamagedFileLeavesTheRingInUse() async throws {
        let server = KeyRingProvider(ring: try .load(path: path), path: path)
        let active = server.ring.activeID
        // Not a ring (an operator's editor, a bad copy): ignored until it is one again.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        try await Task.sleep(for: KeyRingProvider.checkInterval + .milliseconds(100))
        XCTAssertEqual(server.box.ring.activeID, active)
        let extended = KeyRing.generate().addingActiveKey()
        try extended.write(to: path, replacing: true)
        try await Task.sleep(for: KeyRingProvider.checkInterval + .milliseconds(100))
        XCTAssertEqual(server.box.ring.activeID, extended.activeID)
    }

    func testASecretUnderAnUnseenKeyIsOpenedAtOnceEvenTwiceInASecond() throws {
        let server = KeyRingProvider(ring: try .load(path: path), path: path)
        for _ in 0..<2 {
            // Another process adds a key and seals with it; this one opens it straight away.
            let ring = try addKey()
            let sealed = SecretBox(ring: ring).seal("at", for: context)
            XCTAssertEqual(try server.open(sealed, for: context), Array("at".utf8))
            XCTAssertEqual(server.ring.activeID, ring.activeID)
        }
        // A key nobody has stays unknown, without a loop.
        let stranger = SecretBox(ring: .generate()).seal("x", for: context)
        XCTAssertThrowsError(try server.open(stranger, for: context)) { error in
            guard case .unknownKey = error as? SecretBox.Failure else { return XCTFail("\(error)") }
        }
    }

    func testARingFromTheEnvironmentNeverReloads() {
        let ring = KeyRing.generate()
        let provider = KeyRingProvider(ring: ring)
        XCTAssertFalse(provider.reload())
        XCTAssertEqual(provider.box.ring.activeID, ring.activeID)
    }
}
