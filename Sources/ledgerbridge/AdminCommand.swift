import ArgumentParser
import Foundation
import Postgres
import Services
import Storage
import Vault

/// `ledgerbridge admin …`: operator tooling that works on files and the
/// database directly, not through the server.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operator tooling: the first operator key, key rings for the secret vault.",
        subcommands: [CreateOperatorKey.self, NewKeyRing.self, AddKey.self, RotateKey.self]
    )
}

extension AdminCommand {
    /// Writes a fresh key ring: one random 256-bit key, active, in a file only its owner can read.
    struct NewKeyRing: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-keyring",
            abstract: "Write a new key ring (one fresh AES-256 key, active) to PATH, readable by its owner only."
        )

        @Argument(help: "Where to write the key ring; an existing file is never overwritten.")
        var path: String

        func run() throws {
            let ring = KeyRing.generate()
            do { try ring.write(to: path) } catch { throw ValidationError(error.description) }
            // The key id only: the key itself stays in the file.
            print("ledgerbridge admin: wrote a key ring to \(path) (active key \(ring.activeID))")
        }
    }

    /// Adds a fresh key to a ring and makes it the active one; older keys stay for decryption.
    struct AddKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-key",
            abstract: "Add a fresh key to the key ring at PATH and make it active (older keys still decrypt).",
            discussion: "Then re-encrypt the stored secrets under it with `ledgerbridge admin rotate-key`."
        )

        @Argument(help: "The key ring file to extend.")
        var path: String

        func run() throws {
            do {
                let ring = try KeyRing.load(path: path).addingActiveKey()
                try ring.write(to: path, replacing: true)
                print("ledgerbridge admin: key \(ring.activeID) is now active in \(path) (\(ring.keys.count) keys)")
            } catch {
                throw ValidationError(error.description)
            }
        }
    }
}

extension AdminCommand {
    /// The first operator (or another): a principal and an API key, printed once.
    struct CreateOperatorKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-operator-key",
            abstract: "Create an operator with an API key and print the key (once: only its hash is stored)."
        )

        @Option(name: .customLong("database-url"), help: "Connection URL of the server's role (env: DATABASE_URL).")
        var databaseURL: String?

        @Option(name: .customLong("name"), help: "Who the operator is, for the audit log.")
        var name = "operator"

        func run() async throws {
            let url = try Environment.require(databaseURL, "DATABASE_URL", option: "--database-url")
            let operatorName = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(operatorName.count) else { throw ValidationError("--name must be 1 to 200 characters") }
            let database = Database(url: url)
            defer { database.close() }
            let token = APIKeyToken.generate()
            let principal = UUID()
            let (keyID, hash) = (token.keyID, Data(token.secretHash))
            do {
                try await database.withPlatform { tx in
                    try await tx.query("INSERT INTO principals (id, kind, name) VALUES (\(principal), 'operator', \(operatorName))")
                    try await tx.query("""
                        INSERT INTO api_keys (key_id, principal_id, name, secret_sha256) VALUES (\(keyID), \(principal), 'created by ledgerbridge admin', \(hash))
                        """)
                }
            } catch let error as PostgresError {
                throw CommandFailure("ledgerbridge admin: cannot create the operator (\(PostgresConfiguration(url: url).safeDescription)): \(error)")
            }
            // stdout carries the key alone, for scripts; the note goes to stderr.
            FileHandle.standardError.write(Data("ledgerbridge admin: operator \(operatorName) (\(principal.uuidString.lowercased())) created; its key is shown once:\n".utf8))
            print(token.token)
        }
    }
}

extension AdminCommand {
    /// Re-encrypts every stored secret under the key ring's active key, tenant by tenant, in small batches.
    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Re-encrypt every stored secret under the key ring's active key (while servers run; resumable, safe to run twice).",
            discussion: "First `ledgerbridge admin add-key PATH`; running servers read the new key from the same file when they meet it."
        )

        @Option(name: .customLong("database-url"), help: "Connection URL of the server's role (env: DATABASE_URL).")
        var databaseURL: String?

        @Option(name: .customLong("keyring"), help: "The key ring file (env: LEDGERBRIDGE_KEYRING).")
        var keyring: String?

        @Flag(name: .customLong("verify"), help: "Afterwards, open every stored secret with the ring and fail if any does not open.")
        var verify = false

        func run() async throws {
            let url = try Environment.require(databaseURL, "DATABASE_URL", option: "--database-url")
            let keys: KeyRingProvider
            do {
                keys = try KeyRingProvider.fromConfiguration(path: Environment.value(keyring, "LEDGERBRIDGE_KEYRING"),
                                                             json: ProcessInfo.processInfo.environment["LEDGERBRIDGE_KEYRING_JSON"])
            } catch {
                throw CommandFailure("ledgerbridge admin: \(error.description)")
            }
            // Servers notice a new ring file within a second or two; until then they may still seal with the previous key.
            if let path = keys.path { try await KeyRingProvider.settle(path: path) }
            let database = Database(url: url)
            defer { database.close() }
            let vault = CredentialVault(keys: keys)
            var total = 0, left = 0, opened = 0, unopened = 0
            var unknown: [UUID: Int] = [:]
            do {
                let tenants = try await database.withPlatform(readOnly: true) { tx in
                    try await tx.query("SELECT id FROM tenants ORDER BY id").map { try $0.decode(UUID.self, at: 0) }
                }
                for tenant in tenants {
                    // Batches until none is left: each commits, so an interrupted run resumes where it stopped.
                    // Rows a refresh holds are skipped and tried again a few times before giving up.
                    for _ in 0..<20 {
                        let done = try await vault.rotate(tenant: tenant, database: database)
                        total += done
                        if done > 0 { continue }
                        if try await vault.remaining(tenant: tenant, database: database).rotatable == 0 { break }
                        try await Task.sleep(for: .milliseconds(250))
                    }
                    let remaining = try await vault.remaining(tenant: tenant, database: database)
                    left += remaining.rotatable
                    if remaining.unknownKey > 0 { unknown[tenant] = remaining.unknownKey }
                    if verify {
                        let checked = try await vault.verify(tenant: tenant, database: database)
                        (opened, unopened) = (opened + checked.opened, unopened + checked.failed)
                    }
                }
            } catch let error as PostgresError {
                throw CommandFailure("ledgerbridge admin: rotation stopped (\(PostgresConfiguration(url: url).safeDescription)): \(error); run it again to resume")
            }
            print("ledgerbridge admin: \(total) secrets re-encrypted under key \(keys.ring.activeID)")
            if verify { print("ledgerbridge admin: \(opened) secrets open with this ring, \(unopened) do not") }
            if !unknown.isEmpty {
                let tenants = unknown.keys.map { $0.uuidString.lowercased() }.sorted().joined(separator: ", ")
                throw CommandFailure("ledgerbridge admin: \(unknown.values.reduce(0, +)) secrets are sealed by keys this ring does not have (tenants \(tenants)); put the missing key back in the ring, or reconnect those tenants")
            }
            if left > 0 { throw CommandFailure("ledgerbridge admin: \(left) secrets were busy and are still under older keys; run rotate-key again") }
            if unopened > 0 { throw CommandFailure("ledgerbridge admin: \(unopened) secrets do not open with this ring (altered, or sealed by a key it lacks)") }
        }
    }
}
