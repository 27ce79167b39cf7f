import Foundation
import Testing
@testable import Vault

@Suite struct SecretBoxTests {
    let context = SecretContext(tenantID: UUID(), connectionID: UUID(), provider: "xero", field: "refresh_token")

    @Test func sealsAndOpensWithANewNonceEachTime() throws {
        let box = SecretBox(ring: .generate())
        let a = box.seal("rt-123", for: context), b = box.seal("rt-123", for: context)
        #expect(a != b, "a fresh nonce per encryption")
        #expect(try box.openString(a, for: context) == "rt-123")
        #expect(!String(decoding: a, as: UTF8.self).contains("rt-123"))
    }

    @Test func aSecretMovedElsewhereDoesNotOpen() throws {
        let box = SecretBox(ring: .generate())
        let sealed = box.seal("access-token", for: context)
        let elsewhere = [
            SecretContext(tenantID: UUID(), connectionID: context.connectionID, provider: "xero", field: "refresh_token"),
            SecretContext(tenantID: context.tenantID, connectionID: UUID(), provider: "xero", field: "refresh_token"),
            SecretContext(tenantID: context.tenantID, connectionID: context.connectionID, provider: "cin7", field: "refresh_token"),
            SecretContext(tenantID: context.tenantID, connectionID: context.connectionID, provider: "xero", field: "access_token"),
        ]
        for other in elsewhere {
            #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open(sealed, for: other) }
        }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 0x80
        #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open(tampered, for: context) }
        #expect(throws: SecretBox.Failure.malformed) { try box.open([9, 9, 9], for: context) }
    }

    @Test func rotationKeepsOldSecretsReadableAndResealsUnderTheNewKey() throws {
        let old = KeyRing.generate()
        let sealed = SecretBox(ring: old).seal("cin7-key", for: context)
        let rotated = SecretBox(ring: old.addingActiveKey())
        #expect(rotated.ring.activeID != old.activeID && rotated.ring.keys.count == 2)
        #expect(rotated.needsRotation(sealed))
        let resealed = try rotated.reseal(sealed, for: context)
        #expect(!rotated.needsRotation(resealed))
        #expect(try SecretBox.keyID(of: resealed) == rotated.ring.activeID)
        #expect(try rotated.openString(resealed, for: context) == "cin7-key")
        // A ring without the new key cannot open what it sealed, and says which key it needs.
        #expect(throws: SecretBox.Failure.unknownKey(rotated.ring.activeID)) { try SecretBox(ring: old).open(resealed, for: context) }
    }

    @Test func keyRingsRoundTripThroughOwnerOnlyFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyring-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("keyring.json").path
        let ring = KeyRing.generate().addingActiveKey()
        try ring.write(to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let loaded = try KeyRing.load(path: path)
        #expect(loaded.activeID == ring.activeID && loaded.keys.map(\.id) == ring.keys.map(\.id))
        #expect(throws: KeyRing.Failure.self) { try ring.write(to: path) }
        // The description names keys, never their material.
        #expect(!ring.description.contains(Data(ring.active.material).base64EncodedString()))

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: KeyRing.Failure.exposed(path)) { try KeyRing.load(path: path) }
        #expect(throws: KeyRing.Failure.self) { try KeyRing.load(path: path + ".missing") }
    }

    @Test func malformedRingsAreRefusedWithTheReason() {
        let key = Data(repeating: 1, count: 32).base64EncodedString()
        let cases = [
            #"{"active":"a","keys":[]}"#,
            #"{"active":"b","keys":[{"id":"a","key":"\#(key)"}]}"#,
            #"{"active":"a","keys":[{"id":"a","key":"c2hvcnQ="}]}"#,
            #"{"active":"a","keys":[{"id":"a","key":"\#(key)"},{"id":"a","key":"\#(key)"}]}"#,
            #"{"active":"a b","keys":[{"id":"a b","key":"\#(key)"}]}"#,
            "not json",
        ]
        for text in cases {
            #expect(throws: KeyRing.Failure.self) { try KeyRing(json: Data(text.utf8)) }
        }
        #expect((try? KeyRing(json: Data(#"{"active":"a","keys":[{"id":"a","key":"\#(key)"}]}"#.utf8)))?.activeID == "a")
    }
}
