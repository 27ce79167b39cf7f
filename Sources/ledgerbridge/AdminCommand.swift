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
        subcommands: [CreateOperatorKey.self, NewKeyRing.self, AddKey.self]
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
