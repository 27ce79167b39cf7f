import Foundation
import Postgres
import Services
import Storage
import TestSupport
@testable import Vault
import XCTest

/// Sealed secrets in PostgreSQL: bound to their row, readable only in their
/// tenant, and re-sealed by rotation without loss.
final class CredentialVaultTests: XCTestCase {
    var database: Database!
    let tenant = UUID(), other = UUID()
    let connection = UUID(), secondConnection = UUID()

    override func setUp() async throws {
        database = Database(url: try TestDatabase.appURL(), pool: PoolConfiguration(maxConnections: 2))
        for id in [tenant, other] {
            _ = try await database.withPlatform { tx in
                try await tx.query("INSERT INTO tenants (id, slug, name) VALUES (\(id), \("vault-\(id.uuidString.prefix(8).lowercased())"), \("Vault test"))")
            }
        }
        for (owner, id) in [(tenant, connection), (tenant, secondConnection), (other, connection)] {
            _ = try await database.withTenant(owner) { tx in
                try await tx.query("INSERT INTO connections (tenant_id, id, provider, status) VALUES (\(owner), \(id), \(id == connection ? "xero" : "cin7"), 'connected')")
            }
        }
    }

    override func tearDown() async throws {
        // These secrets are sealed by throwaway rings: leave none behind for the next run's rotation.
        for owner in [tenant, other] {
            _ = try? await database.withTenant(owner) { tx in try await tx.query("DELETE FROM connection_secrets WHERE tenant_id = \(owner)") }
        }
        database?.close()
    }

    func testSecretsRoundTripAndAreNotStoredInTheClear() async throws {
        let vault = CredentialVault(keys: KeyRingProvider(ring: .generate()))
        try await database.withTenant(tenant) { tx in
            try await vault.store([.refreshToken: "rt-plain-123", .accessToken: "at-plain-456"], connection: connection, provider: "xero", in: tx)
        }
        let (refresh, access, raw) = try await database.withTenant(tenant) { tx in
            (try await vault.load(.refreshToken, connection: connection, provider: "xero", in: tx),
             try await vault.load(.accessToken, connection: connection, provider: "xero", in: tx),
             try await tx.query("SELECT encode(sealed, 'escape') FROM connection_secrets WHERE tenant_id = \(tenant)").map { try $0.decode(String.self, at: 0) })
        }
        XCTAssertEqual(refresh, "rt-plain-123")
        XCTAssertEqual(access, "at-plain-456")
        XCTAssertFalse(raw.joined().contains("plain"), "a stored secret is ciphertext")
        // Another tenant's transaction sees none of them.
        let seen = try await database.withTenant(other) { tx in try await tx.query("SELECT count(*) FROM connection_secrets")[0].decode(Int.self, at: 0) }
        XCTAssertEqual(seen, 0)
    }

    func testACiphertextMovedToAnotherRowOrTenantDoesNotOpen() async throws {
        let vault = CredentialVault(keys: KeyRingProvider(ring: .generate()))
        try await database.withTenant(tenant) { tx in
            try await vault.store([.refreshToken: "rt-secret"], connection: connection, provider: "xero", in: tx)
        }
        let sealed = try await database.withTenant(tenant) { tx in
            try await tx.query("SELECT sealed FROM connection_secrets WHERE tenant_id = \(tenant) AND connection_id = \(connection)")[0].decode(Data.self, at: 0)
        }
        // The same bytes in another field, another connection, another tenant.
        let copies: [(UUID, UUID, String, CredentialVault.Field)] = [
            (tenant, connection, "xero", .accessToken), (tenant, secondConnection, "cin7", .refreshToken), (other, connection, "xero", .refreshToken),
        ]
        for (owner, target, provider, field) in copies {
            _ = try await database.withTenant(owner) { tx in
                try await tx.query("""
                    INSERT INTO connection_secrets (tenant_id, connection_id, field, key_id, sealed) VALUES (\(owner), \(target), \(field.rawValue), 'moved', \(sealed))
                    """)
            }
            do {
                _ = try await database.withTenant(owner) { tx in try await vault.load(field, connection: target, provider: provider, in: tx) }
                XCTFail("a moved ciphertext opened in \(owner)/\(target)/\(field)")
            } catch let error as SecretBox.Failure {
                XCTAssertEqual(error, .authenticationFailed)
            }
        }
    }

    func testRotationReSealsEverythingOnceAndLosesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ring-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("keyring.json").path
        try KeyRing.generate().write(to: path)
        let server = KeyRingProvider(ring: try .load(path: path), path: path)
        let vault = CredentialVault(keys: server)
        try await database.withTenant(tenant) { tx in
            try await vault.store([.refreshToken: "rt-1", .accessToken: "at-1"], connection: connection, provider: "xero", in: tx)
            try await vault.store([.applicationKey: "cin7-key"], connection: secondConnection, provider: "cin7", in: tx)
        }
        // An operator adds a key and rotates with a provider of their own.
        try KeyRing.load(path: path).addingActiveKey().write(to: path, replacing: true)
        let admin = CredentialVault(keys: KeyRingProvider(ring: try .load(path: path), path: path))
        let left = try await admin.remaining(tenant: tenant, database: database)
        XCTAssertEqual(left.rotatable, 3)
        XCTAssertEqual(left.unknownKey, 0)
        let first = try await admin.rotate(tenant: tenant, database: database, batch: 2)
        let second = try await admin.rotate(tenant: tenant, database: database, batch: 2)
        let third = try await admin.rotate(tenant: tenant, database: database, batch: 2)
        XCTAssertEqual([first, second, third], [2, 1, 0], "batches, then nothing left: a second run is a no-op")
        let remaining = try await admin.remaining(tenant: tenant, database: database)
        XCTAssertEqual(remaining.rotatable, 0)
        // A ring that lost the old key can neither rotate nor read what it sealed: counted, not lost silently.
        let stranger = CredentialVault(keys: KeyRingProvider(ring: .generate()))
        let unreadable = try await stranger.remaining(tenant: tenant, database: database)
        XCTAssertEqual(unreadable.unknownKey, 3)
        // The running server, which never saw the new key, opens the re-sealed secrets by reading the file again.
        let values = try await database.withTenant(tenant) { tx in
            [try await vault.load(.refreshToken, connection: connection, provider: "xero", in: tx),
             try await vault.load(.accessToken, connection: connection, provider: "xero", in: tx),
             try await vault.load(.applicationKey, connection: secondConnection, provider: "cin7", in: tx)]
        }
        XCTAssertEqual(values, ["rt-1", "at-1", "cin7-key"])
        XCTAssertEqual(server.ring.activeID, admin.keys.ring.activeID)
    }
}
